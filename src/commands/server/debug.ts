/** DEBUG: the subcommands Redis's test suite and tools rely on, with Redis 7.0's replies. */
import { viewOf } from '../../datatypes/stored.ts';
import { busAccessOf, clusterOf } from '../../cluster/mode.ts';
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isString, stringOf, type CollectionValue, type Value } from '../../datatypes/value.ts';
import type { SetValue } from '../../datatypes/set.ts';
import { encodingOf } from '../keys/keys.ts';
import { isInt64, parseInt64OrNull } from '../core/parse.ts';
import { replyHelp } from '../core/help.ts';
import { errnoText, configFilePath } from './config-cmd.ts';
import { datasetDigest, valueDigest } from './debug-digest.ts';
import { getConfigNumber, getConfigValue } from '../../config/config.ts';
import { rewriteConfigFile } from '../../config/rewrite.ts';
import type { Client } from '../../server/client.ts';
import type { Engine } from '../../engine/engine.ts';
import { debugReload, saveState } from '../../persistence/save-state.ts';
import { idleMs } from '../../engine/lru.ts';

const HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  '    Like HTSTATS but for the hash table stored at <key>\'s value.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys (and hash-fields) in background ',
  '    when they are not accessed (otherwise the Redis behavior). Setting it',
  '    to 1 reenables back the default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Enables or disables checksum checks for RDB files and RESTORE\'s payload.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/**
 * What DEBUG RELOAD / LOADAOF do: RELOAD saves dir/dbfilename, flushes and
 * loads it back (persistence/save-state.ts); the AOF family replaces loadAof.
 */
export const debugHooks: {
  reload: (c: Client, flags: { merge: boolean; flush: boolean; save: boolean }) => void;
  loadAof: (c: Client) => void;
  /** DEBUG AOF-FLUSH-SLEEP <microsec>: the AOF family sleeps that long before each AOF write. */
  aofFlushSleep: (c: Client, us: number) => void;
} = {
  reload: (c, flags) => debugReload(c.server, flags),
  loadAof: () => {},
  aofFlushSleep: () => {},
};

/** C's atoi: leading integer digits, 0 when none. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? parseInt(m[0], 10) : 0;
}

/** A positive long argument (getPositiveLongFromObjectOrReply). */
function positiveLong(s: string): number {
  const v = parseInt64OrNull(s);
  if (v === null || v < 0) throw new CommandError(Err.POSITIVE);
  return v;
}

/** Blocks the whole server, as Redis's nanosleep does (without burning a CPU). */
function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Size in bytes of one listpack entry holding s (header, data, back-length), as Redis encodes it. */
function listpackEntrySize(s: string): number {
  let len: number;
  const n = s.length <= 20 && isInt64(s) ? Number(s) : null;
  if (n !== null && Number.isSafeInteger(n)) {
    if (n >= 0 && n <= 127) len = 1;
    else if (n >= -4096 && n <= 4095) len = 2;
    else if (n >= -32768 && n <= 32767) len = 3;
    else if (n >= -8388608 && n <= 8388607) len = 4;
    else if (n >= -2147483648 && n <= 2147483647) len = 5;
    else len = 9;
  } else if (n !== null) len = 9;
  else len = s.length + (s.length < 64 ? 1 : s.length < 4096 ? 2 : 5);
  return len + (len < 128 ? 1 : len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5);
}

/** A list packed into quicklist nodes as Redis would (8kb or N-entry listpacks): byte size of each node. */
function quicklistNodes(c: Client, v: CollectionValue): { nodes: number[]; count: number; fill: number } {
  const fill = getConfigNumber(c.server.config, 'list-max-listpack-size', -2);
  const maxBytes = fill < 0 ? 4096 << Math.min(4, -fill - 1) : Infinity;
  const maxCount = fill > 0 ? fill : Infinity;
  const nodes: number[] = [];
  let count = 0;
  let nodeCount = 0;
  for (const e of v.entries()) {
    const sz = listpackEntrySize(e);
    const last = nodes.length - 1;
    if (last < 0 || nodes[last]! + sz > maxBytes || nodeCount >= maxCount) {
      nodes.push(7 + sz);
      nodeCount = 1;
    } else {
      nodes[last]! += sz;
      nodeCount++;
    }
    count++;
  }
  return { nodes, count, fill };
}

/** The quicklist fields of DEBUG OBJECT. */
function quicklistExtra(c: Client, v: CollectionValue): string {
  const { nodes, count, fill } = quicklistNodes(c, v);
  const total = nodes.reduce((a, b) => a + b, 0);
  const compressed = getConfigNumber(c.server.config, 'list-compress-depth', 0) !== 0 ? 1 : 0;
  const avg = nodes.length ? count / nodes.length : 0;
  return ` ql_nodes:${nodes.length} ql_avg_node:${avg.toFixed(2)} ql_listpack_max:${fill} ql_compressed:${compressed} ql_uncompressed_size:${total}`;
}

const lenSize = (n: number): number => (n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9);

/** Length of a value's RDB serialization, as Redis 7.0 writes it (without LZF compression). */
function serializedLength(c: Client, v: Value): number {
  if (isString(v)) {
    const s = stringOf(v);
    const n = s.length <= 11 && isInt64(s) ? Number(s) : null;
    if (n !== null && n >= -128 && n <= 127) return 2;
    if (n !== null && n >= -32768 && n <= 32767) return 3;
    if (n !== null && n >= -2147483648 && n <= 2147483647) return 5;
    return lenSize(s.length) + s.length;
  }
  const cv = v as CollectionValue;
  const enc = cv.encoding();
  if (enc === 'quicklist') {
    // quicklist2: node count, then per node its container type and listpack blob
    const { nodes } = quicklistNodes(c, cv);
    return nodes.reduce((a, b) => a + 1 + lenSize(b) + b, lenSize(nodes.length));
  }
  if (enc === 'listpack') {
    let bytes = 7;
    for (const e of cv.entries()) bytes += listpackEntrySize(e);
    return lenSize(bytes) + bytes;
  }
  if (enc === 'intset') {
    // the intset as it is (its width stays what its widest member ever needed)
    const bytes = (cv as SetValue).intsetBlobLength();
    return lenSize(bytes) + bytes;
  }
  let size = lenSize(cv.size());
  for (const e of cv.entries()) size += lenSize(e.length) + e.length;
  return size;
}

const addresses = new WeakMap<object, number>();
let nextAddress = 0x7f0000001000;

/** A stable pseudo address for a value (strings: by key, as they have no identity). */
function addressOf(key: string, v: Value): string {
  if (typeof v === 'object' && !(v instanceof Buffer)) {
    let a = addresses.get(v);
    if (a === undefined) {
      a = nextAddress += 0x40;
      addresses.set(v, a);
    }
    return '0x' + a.toString(16);
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return '0x7f' + (h * 16).toString(16).padStart(10, '0');
}

/** Redis's dictGetStats text for a table of n entries, laid out as an ideal hash table. */
function htStats(n: number, label: string): string {
  if (n === 0) return 'No stats available for empty dictionaries\n';
  let size = 4;
  while (size < n) size *= 2;
  const p = (x: number): string => ((x * 100) / size).toFixed(2);
  return `Hash table 0 stats (${label}):\n table size: ${size}\n number of elements: ${n}\n different slots: ${n}\n` +
    ' max chain length: 1\n avg chain length (counted): 1.00\n avg chain length (computed): 1.00\n Chain length distribution:\n' +
    (size > n ? `   0: ${size - n} (${p(size - n)}%)\n` : '') + `   1: ${n} (${p(n)}%)\n`;
}

/** A key's value without expiring it (Redis's DEBUG looks at the dict directly). */
function rawValue(c: Client, key: string): Value {
  const v = c.ks(key).data.get(key);
  if (v === undefined) throw new CommandError(Err.NO_SUCH_KEY);
  return viewOf(v);
}

/** DEBUG PROTOCOL <type>: one reply of each RESP type, as Redis's debug.c. */
function debugProtocol(c: Client, name: string): void {
  const r = c.reply;
  switch (name) {
    case 'string': return r.bulk('Hello World');
    case 'integer': return r.int(12345);
    case 'double': return r.double(3.141);
    case 'bignum':
      if (c.resp === 3) r.raw('(1234567999999999999999999999999999999\r\n');
      else r.bulk('1234567999999999999999999999999999999');
      return;
    case 'null': return r.nullBulk();
    case 'array':
      r.array(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'set':
      r.set(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.int(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      if (c.resp === 3) {
        r.raw('|1\r\n');
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.int(90);
      }
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (c.resp < 3) throw new CommandError('ERR RESP2 is not supported by this command');
      r.push(2);
      r.bulk('server-cpu-usage');
      r.int(42);
      return r.bulk('Some real reply following the push reply');
    case 'true': return r.bool(true);
    case 'false': return r.bool(false);
    case 'verbatim': return r.verbatim('This is a verbatim\nstring');
    default:
      throw new CommandError('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}

/** DEBUG POPULATE count [prefix] [size]: string keys prefix:N = value:N (padded/cut to size); existing keys are skipped. */
function populate(c: Client, args: string[]): void {
  const count = positiveLong(args[2]!);
  const size = args.length === 5 ? positiveLong(args[4]!) : 0;
  const prefix = args.length >= 4 ? args[3]! : 'key';
  populateOwn(c.server.engine, c.db, count, prefix, size);
  // with threads, each thread adds the keys it owns
  c.server.others?.({ op: 'populate', db: c.db, count, prefix, size });
  c.reply.ok();
}

/** DEBUG POPULATE's keys that this thread owns (all of them with one thread); existing keys are left alone. */
export function populateOwn(engine: Engine, db: number, count: number, prefix: string, size: number): void {
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    const ks = engine.localKeyspace(key, db);
    if (ks === null || ks.get(key) !== undefined) continue;
    let val = `value:${j}`;
    if (size !== 0) val = val.length >= size ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
    ks.set(key, val);
  }
}

function debugObject(c: Client, key: string): void {
  const v = rawValue(c, key);
  const enc = encodingOf(v);
  const shared = typeof v === 'string' && enc === 'int' && /^(0|[1-9]\d{0,3})$/.test(v);
  const extra = enc === 'quicklist' ? quicklistExtra(c, v as CollectionValue) : '';
  // the raw LRU / LFU word, and its age read as an LRU clock (even under LFU, as Redis)
  const ks = c.ks(key);
  ks.startTracking();
  const lru = ks.lruWord(key);
  c.reply.simple(`Value at:${addressOf(key, v)} refcount:${shared ? 2147483647 : 1} encoding:${enc} serializedlength:${serializedLength(c, v)} lru:${lru} lru_seconds_idle:${Math.floor(idleMs(ks.lruPolicy, lru) / 1000)}${extra}`);
}

function reload(c: Client, args: string[]): void {
  const flags = { merge: false, flush: true, save: true };
  for (const opt of args.slice(2)) {
    const o = opt.toUpperCase();
    if (o === 'MERGE') flags.merge = true;
    else if (o === 'NOFLUSH') flags.flush = false;
    else if (o === 'NOSAVE') flags.save = false;
    else throw new CommandError('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  debugHooks.reload(c, flags);
  c.server.log('warning', 'DB reloaded by DEBUG RELOAD');
  c.reply.ok();
}

function debugAllowed(c: Client): boolean {
  const mode = getConfigValue(c.server.config, 'enable-debug-command');
  if (mode === 'yes') return true;
  if (mode !== 'local') return false;
  const a = c.socket?.remoteAddress;
  return a === undefined || a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

/** Runs one subcommand; false when it is unknown or has the wrong number of arguments. */
function run(c: Client, args: string[]): boolean {
  const n = args.length;
  const sub = args[1]!.toLowerCase();
  switch (sub) {
    case 'help':
      if (n !== 2) return false;
      replyHelp(c, args[0]!, HELP);
      return true;
    case 'panic':
      if (n !== 2) return false;
      c.server.log('warning', '------------------------------------------------\n!!! Software Failure. Press left mouse button to continue\nGuru Meditation: DEBUG PANIC called at Unix time ' + Math.floor(Date.now() / 1000));
      // thrown outside the command, so nothing catches it: the thread (and with it the process) goes down
      setImmediate(() => {
        throw new Error('DEBUG PANIC');
      });
      return true;
    case 'log':
      if (n !== 3) return false;
      c.server.log('warning', `DEBUG LOG: ${args[2]}`);
      c.reply.ok();
      return true;
    case 'leak': case 'set-skip-checksum-validation': case 'aof-flush-sleep': case 'set-disable-deny-scripts': case 'pause-cron':
      if (n !== 3) return false;
      if (sub === 'set-skip-checksum-validation') saveState(c.server).skipChecksum = atoi(args[2]!) !== 0;
      if (sub === 'aof-flush-sleep') debugHooks.aofFlushSleep(c, atoi(args[2]!));
      c.reply.ok();
      return true;
    case 'reload':
      reload(c, args);
      return true;
    case 'loadaof':
      debugHooks.loadAof(c);
      c.server.log('warning', 'Append Only File loaded by DEBUG LOADAOF');
      c.reply.ok();
      return true;
    case 'drop-cluster-packet-filter':
      if (n !== 3) return false;
      if (parseInt64OrNull(args[2]!) === null) throw new CommandError(Err.NOT_INTEGER);
      c.reply.ok();
      return true;
    case 'object':
      if (n !== 3) return false;
      debugObject(c, args[2]!);
      return true;
    case 'sdslen': {
      if (n !== 3) return false;
      const v = rawValue(c, args[2]!);
      if (!isString(v) || encodingOf(v) === 'int') throw new CommandError('ERR Not an sds encoded string.');
      const k = args[2]!.length;
      c.reply.simple(`key_sds_len:${k}, key_sds_avail:0, key_zmalloc: ${k + 8}, val_sds_len:${v.length}, val_sds_avail:0, val_zmalloc: ${v.length + 8}`);
      return true;
    }
    case 'listpack':
      if (n !== 3) return false;
      // a listpackex (7.4: a hash with field TTLs) is one too
      if (!/^listpack(ex)?$/.test(encodingOf(rawValue(c, args[2]!)))) throw new CommandError('ERR Not a listpack encoded object.');
      c.reply.simple('Listpack structure printed on stdout');
      return true;
    case 'quicklist':
      if (n !== 3 && n !== 4) return false;
      if (encodingOf(rawValue(c, args[2]!)) !== 'quicklist') throw new CommandError('ERR Not a quicklist encoded object.');
      c.reply.simple('Quicklist structure printed on stdout');
      return true;
    case 'populate':
      if (n < 3 || n > 5) return false;
      populate(c, args);
      return true;
    case 'digest':
      if (n !== 2) return false;
      // with threads, every thread's keys
      c.reply.simple(datasetDigest(c.server.engine, (c.server.others?.({ op: 'digest' }) ?? []) as Array<Array<[number, Uint8Array]>>));
      return true;
    case 'digest-value':
      c.reply.array(n - 2);
      for (let j = 2; j < n; j++) c.reply.simple(valueDigest(c.ks(args[j]!), args[j]!));
      return true;
    case 'protocol':
      if (n !== 3) return false;
      debugProtocol(c, args[2]!.toLowerCase());
      return true;
    case 'sleep': {
      if (n !== 3) return false;
      const secs = parseFloat(args[2]!);
      // the whole server sleeps, as Redis's: with threads, every other thread is held meanwhile
      const s = c.server;
      if (s.others !== null && s.link?.beingHeld !== true && s.link?.closing !== true) s.others({ op: 'ping' });
      sleepMs(Number.isFinite(secs) ? Math.floor(secs * 1e6) / 1000 : 0);
      c.reply.ok();
      return true;
    }
    case 'set-active-expire':
      if (n !== 3) return false;
      c.server.engine.expiry.enabled = atoi(args[2]!) !== 0;
      c.reply.ok();
      return true;
    case 'quicklist-packed-threshold': {
      if (n !== 3) return false;
      const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(args[2]!);
      const mul: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1048576, g: 1e9, gb: 1073741824 };
      const sz = m ? Number(m[1]) * mul[(m[2] ?? 'b').toLowerCase()]! : NaN;
      if (!(sz >= 0 && sz <= 4294967296 - 1048576)) throw new CommandError('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
      c.reply.ok();
      return true;
    }
    case 'replicate':
      if (n < 3) return false;
      c.server.replication.feed(c.db, args.slice(2));
      c.reply.ok();
      return true;
    case 'error':
      if (n !== 3) return false;
      c.reply.raw(`-${args[2]!.replace(/[\r\n]/g, ' ')}\r\n`);
      return true;
    case 'structsize':
      if (n !== 2) return false;
      c.reply.bulk('bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ');
      return true;
    case 'htstats': {
      if (n !== 3) return false;
      const db = parseInt64OrNull(args[2]!);
      if (db === null) throw new CommandError(Err.NOT_INTEGER);
      if (db < 0 || db >= c.server.engine.databases) throw new CommandError('ERR Out of range database');
      let keys = 0;
      let expires = 0;
      for (const ks of c.server.engine.keyspaces(db)) {
        keys += ks.size;
        expires += ks.volatile;
      }
      c.reply.verbatim(`[Dictionary HT]\n${htStats(keys, 'main hash table')}[Expires HT]\n${htStats(expires, 'main hash table')}`);
      return true;
    }
    case 'htstats-key': {
      if (n !== 3) return false;
      const v = rawValue(c, args[2]!);
      const enc = encodingOf(v);
      if (isString(v) || (enc !== 'hashtable' && enc !== 'skiplist')) {
        throw new CommandError('ERR The value stored at the specified key is not represented using an hash table');
      }
      c.reply.verbatim(htStats((v as CollectionValue).size(), 'main hash table'));
      return true;
    }
    case 'change-repl-id':
      if (n !== 2) return false;
      c.server.log('warning', 'Changing replication IDs after receiving DEBUG change-repl-id');
      // with threads every thread answers with the run id as its replication ID: it stays
      if (c.server.link === null) c.server.replication.newReplid();
      c.reply.ok();
      return true;
    case 'stringmatch-test':
      if (n !== 2) return false;
      c.reply.simple('Apparently Redis did not crash: test passed');
      return true;
    case 'config-rewrite-force-all': {
      if (n !== 2) return false;
      const file = configFilePath(c);
      try {
        if (file === '') throw new Error('The server is running without a config file');
        rewriteConfigFile(c.server.config, file, true);
      } catch (e) {
        throw new CommandError(`ERR CONFIG-REWRITE-FORCE-ALL failed: ${errnoText(e)}`);
      }
      c.reply.ok();
      return true;
    }
    case 'client-eviction':
      if (n !== 2) return false;
      if (getConfigValue(c.server.config, 'maxmemory-clients') === '0') throw new CommandError('ERR maxmemory-clients is disabled.');
      c.reply.verbatim('');
      return true;
    case 'replybuffer': {
      if (n !== 4) return false;
      const what = args[2]!.toLowerCase();
      if (what === 'peak-reset-time') {
        const v = args[3]!.toLowerCase();
        if (v !== 'never' && v !== 'reset' && parseInt64OrNull(args[3]!) === null) throw new CommandError(Err.NOT_INTEGER);
      } else if (what !== 'resizing') return false;
      c.reply.ok();
      return true;
    }
    case 'clusterlink': {
      if (n !== 5 || args[2]!.toLowerCase() !== 'kill') return false;
      const cl = clusterOf(c.server);
      const bus = busAccessOf(c.server);
      if (cl === null || bus === null) throw new CommandError('ERR Debug option only available for cluster mode enabled setup!');
      if (!cl.view.nodes.has(args[4]!)) throw new CommandError(`ERR Unknown node ${args[4]}`);
      const dir = args[3]!.toLowerCase();
      // (Redis 7.0 writes this error and then OK too, two replies to one command: one is enough)
      if (dir !== 'to' && dir !== 'from' && dir !== 'all') throw new CommandError(`ERR Unknown direction ${args[3]}`);
      bus.kill(dir, args[4]!);
      c.reply.ok();
      return true;
    }
    case 'restart': case 'crash-and-recover':
      if (n >= 3 && parseInt64OrNull(args[2]!) === null) throw new CommandError(Err.NOT_INTEGER);
      throw new CommandError('ERR failed to restart the server. Check server logs.');
    // shardis's own (not in HELP, which stays Redis's): a full collection of the JavaScript heap
    case 'gc':
      if (n !== 2) return false;
      v8.setFlagsFromString('--expose-gc');
      (vm.runInNewContext('gc') as () => void)();
      c.reply.ok();
      return true;
    default:
      return false;
  }
}

/** DEBUG <subcommand> [<arg> ...] */
const debug = command({
  name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    if (!debugAllowed(c)) {
      throw new CommandError('ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.');
    }
    if (!run(c, args)) {
      throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1]!.slice(0, 128)}'. Try ${args[0]!.toUpperCase()} HELP.`);
    }
  },
});

export const debugCommands: CommandSpec[] = [debug];
