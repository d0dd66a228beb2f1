/** DEBUG: the subcommands Redis's test suite and tools rely on. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isString, stringOf, typeOf, type CollectionValue, type Value } from '../datatypes/value.ts';
import { encodingOf } from './keys.ts';
import { parseFloatArg, parseInteger } from './parse.ts';
import type { Client } from '../server/client.ts';

const ZERO_DIGEST = '0'.repeat(40);

function valueDigest(v: Value): Buffer {
  const h = createHash('sha1');
  h.update(typeOf(v));
  if (isString(v)) h.update(stringOf(v), 'latin1');
  else {
    const entries = [...(v as CollectionValue).entries()];
    // unordered types digest the same whatever their iteration order
    if (v.type === 'set' || v.type === 'hash') {
      const items: string[] = [];
      const step = v.type === 'hash' ? 2 : 1;
      for (let i = 0; i < entries.length; i += step) items.push(entries.slice(i, i + step).join('\0'));
      items.sort();
      for (const it of items) h.update(it + '\n', 'latin1');
    } else for (const e of entries) h.update(e + '\n', 'latin1');
  }
  return h.digest();
}

function xorInto(acc: Buffer, b: Buffer): void {
  for (let i = 0; i < acc.length; i++) acc[i]! ^= b[i]!;
}

function dbDigest(c: Client): string {
  const acc = Buffer.alloc(20);
  let any = false;
  for (let db = 0; db < c.server.engine.databases; db++) {
    for (const ks of c.server.engine.keyspaces(db)) {
      for (const [key, v] of ks.data) {
        if (ks.isExpired(key)) continue;
        any = true;
        const h = createHash('sha1');
        h.update(`${db}\0${key}\0`, 'latin1');
        h.update(valueDigest(v));
        const ttl = ks.getExpire(key);
        if (ttl !== undefined) h.update(`!${ttl}`);
        xorInto(acc, h.digest());
      }
    }
  }
  return any ? acc.toString('hex') : ZERO_DIGEST;
}

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'OBJECT <key>',
  '    Show low level info about the <key> and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>.',
  'RELOAD',
  '    Keep the dataset in memory (no persistence yet).',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not accessed.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'GC',
  '    Run a full garbage collection (when the runtime allows it).',
  'JMAP',
  '    Accepted for compatibility; does nothing.',
];

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

/** DEBUG <subcommand> ... */
const debug = command({
  name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'A container for debugging commands.', complexity: 'Depends on subcommand.',
  handler(c, args) {
    const sub = args[1]!.toLowerCase();
    switch (sub) {
      case 'help':
        c.reply.array(HELP.length);
        for (const l of HELP) c.reply.simple(l);
        return;
      case 'sleep': {
        const secs = parseFloatArg(args[2] ?? '0');
        // Redis blocks the whole server: so do we
        const until = Date.now() + secs * 1000;
        while (Date.now() < until) { /* busy wait, as the real server would be busy */ }
        c.reply.ok();
        return;
      }
      case 'set-active-expire':
        if (args.length !== 3) throw new CommandError(Err.SYNTAX);
        c.server.engine.expiry.enabled = args[2] !== '0';
        c.reply.ok();
        return;
      case 'object': {
        if (args.length !== 3) throw new CommandError(Err.SYNTAX);
        const v = c.ks(args[2]!).get(args[2]!);
        if (v === undefined) throw new CommandError(Err.NO_SUCH_KEY);
        const len = isString(v) ? v.length : (v as CollectionValue).size();
        let extra = '';
        if (!isString(v) && v.type === 'list') extra = ` ql_nodes:${Math.max(1, Math.ceil(len / 128))} ql_avg_node:${len.toFixed(2)} ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:${len}`;
        c.reply.simple(`Value at:0x7f0000000000 refcount:1 encoding:${encodingOf(v)} serializedlength:${len} lru:0 lru_seconds_idle:0${extra}`);
        return;
      }
      case 'populate': {
        const count = parseInteger(args[2] ?? '');
        if (count < 0) throw new CommandError('ERR count should be greater than or equal to 0');
        const prefix = args[3] ?? 'key';
        const size = args[4] !== undefined ? parseInteger(args[4]) : 0;
        for (let i = 0; i < count; i++) {
          const key = `${prefix}:${i}`;
          const ks = c.ks(key);
          if (ks.get(key) !== undefined) continue;
          let val = `value:${i}`;
          if (size > 0) val = val.length >= size ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
          ks.set(key, val);
        }
        c.reply.ok();
        return;
      }
      case 'digest':
        c.reply.simple(dbDigest(c));
        return;
      case 'digest-value': {
        c.reply.array(args.length - 2);
        for (const key of args.slice(2)) {
          const v = c.ks(key).get(key);
          c.reply.simple(v === undefined ? ZERO_DIGEST : valueDigest(v).toString('hex'));
        }
        return;
      }
      case 'protocol':
        return debugProtocol(c, (args[2] ?? '').toLowerCase());
      // no persistence yet: the dataset stays in memory, which is what a reload would restore
      case 'reload':
      case 'loadaof':
      case 'jmap':
      case 'change-repl-id':
      case 'quicklist-packed-threshold':
      case 'replybuffer':
        c.reply.ok();
        return;
      case 'htstats-key': {
        const v = c.ks(args[2] ?? '').get(args[2] ?? '');
        if (v === undefined) throw new CommandError(Err.NO_SUCH_KEY);
        c.reply.verbatim(`[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: ${isString(v) ? 0 : (v as CollectionValue).size()}\n`);
        return;
      }
      case 'stringmatch-len':
        c.reply.simple('OK');
        return;
      case 'gc': {
        v8.setFlagsFromString('--expose-gc');
        (vm.runInNewContext('gc') as () => void)();
        c.reply.ok();
        return;
      }
      default:
        throw new CommandError(`ERR unknown subcommand '${args[1]!}'. Try DEBUG HELP.`);
    }
  },
});

export const debugCommands: CommandSpec[] = [debug];
