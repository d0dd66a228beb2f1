/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 *         [AUTH password | AUTH2 username password] [KEYS key …]
 *
 * As Redis's migrateCommand: the keys' DUMP payloads go to the target as
 * RESTORE (RESTORE-ASKING in cluster mode) over a connection cached per
 * host:port for 10 seconds; keys the target accepted are deleted here
 * (unless COPY) and replicated as one DEL. The transfer runs without
 * blocking the server, so other clients are served meanwhile.
 */
import net from 'node:net';
import { command } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import { getConfigValue } from '../../config/config.ts';
import { dumpPayload } from '../../persistence/rdb-writer.ts';
import { saveOptions } from '../../persistence/save-state.ts';
import type { Client } from '../../server/client.ts';
import type { ServerState } from '../../server/server-state.ts';
import type { Value } from '../../datatypes/value.ts';

const CACHE_ITEMS = 64;
const CACHE_TTL_S = 10;

class TimeoutError extends Error {}

/** A connection to a MIGRATE target with a line reader (connSyncReadLine). */
class TargetConn {
  readonly sock: net.Socket;
  lastDbid = -1;
  lastUse = Date.now();
  private buf = '';
  private failed: Error | null = null;
  private waiter: (() => void) | null = null;

  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setNoDelay(true);
    // a cached connection must not keep the process alive
    sock.unref();
    sock.on('data', (d: Buffer) => {
      this.buf += d.latin1Slice(0, d.length);
      this.waiter?.();
    });
    const fail = (e: Error): void => {
      this.failed ??= e;
      this.waiter?.();
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<TargetConn> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new TimeoutError('connect timeout'));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new TargetConn(sock));
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** The next reply line without its CRLF. */
  readLine(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new TimeoutError('read timeout'));
      }, timeoutMs);
      const check = (): void => {
        const nl = this.buf.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          this.waiter = null;
          const line = this.buf.slice(0, nl).replace(/\r$/, '');
          this.buf = this.buf.slice(nl + 1);
          resolve(line);
        } else if (this.failed !== null) {
          clearTimeout(timer);
          this.waiter = null;
          reject(this.failed);
        }
      };
      this.waiter = check;
      check();
    });
  }

  write(b: Buffer): void {
    if (this.failed !== null) throw this.failed;
    this.sock.write(b);
  }

  close(): void {
    this.sock.destroy();
  }
}

const caches = new WeakMap<ServerState<Client>, Map<string, TargetConn>>();

function cacheOf(s: ServerState<Client>): Map<string, TargetConn> {
  let m = caches.get(s);
  if (m === undefined) {
    m = new Map();
    caches.set(s, m);
    // migrateCloseTimedoutSockets, from serverCron
    const timer = setInterval(() => {
      const now = Date.now();
      for (const [name, conn] of m!) {
        if ((now - conn.lastUse) / 1000 > CACHE_TTL_S) {
          conn.close();
          m!.delete(name);
        }
      }
    }, 1000);
    timer.unref();
  }
  return m;
}

/** Cached target connections (INFO migrate_cached_sockets). */
export function migrateCachedSockets(s: ServerState<Client>): number {
  return caches.get(s)?.size ?? 0;
}

async function getConn(s: ServerState<Client>, host: string, port: string, timeoutMs: number): Promise<TargetConn> {
  const cache = cacheOf(s);
  const name = `${host}:${port}`;
  const cached = cache.get(name);
  if (cached !== undefined) {
    cached.lastUse = Date.now();
    return cached;
  }
  if (cache.size >= CACHE_ITEMS) {
    const victims = [...cache.keys()];
    const v = victims[Math.floor(Math.random() * victims.length)]!;
    cache.get(v)!.close();
    cache.delete(v);
  }
  let conn: TargetConn;
  try {
    conn = await TargetConn.connect(host, parseInt(port, 10), timeoutMs);
  } catch {
    throw new CommandError('IOERR error or timeout connecting to the client');
  }
  cache.set(name, conn);
  return conn;
}

function closeConn(s: ServerState<Client>, host: string, port: string): void {
  const cache = cacheOf(s);
  const name = `${host}:${port}`;
  cache.get(name)?.close();
  cache.delete(name);
}

function bulk(parts: Buffer[], s: string | Buffer): void {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
}

function longArg(s: string): number {
  const v = parseInt64OrNull(s);
  if (v === null) throw new CommandError(Err.NOT_INTEGER);
  return v;
}

async function migrate(c: Client, args: string[]): Promise<void> {
  let copy = false;
  let replace = false;
  let username: string | null = null;
  let password: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    const a = args[j]!;
    if (isOpt(a, 'COPY')) copy = true;
    else if (isOpt(a, 'REPLACE')) replace = true;
    else if (isOpt(a, 'AUTH')) {
      if (more < 1) throw new CommandError(Err.SYNTAX);
      password = args[++j]!;
    } else if (isOpt(a, 'AUTH2')) {
      if (more < 2) throw new CommandError(Err.SYNTAX);
      username = args[++j]!;
      password = args[++j]!;
    } else if (isOpt(a, 'KEYS')) {
      if (args[3]!.length !== 0) throw new CommandError('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
      firstKey = j + 1;
      numKeys = args.length - j - 1;
      break;
    } else throw new CommandError(Err.SYNTAX);
  }
  let timeout = longArg(args[5]!);
  const dbid = longArg(args[4]!);
  if (timeout <= 0) timeout = 1000;
  const host = args[1]!;
  const port = args[2]!;
  const s = c.server;

  const present: string[] = [];
  for (let j = 0; j < numKeys; j++) {
    const k = args[firstKey + j]!;
    if (c.ks(k).lookupRead(k) !== undefined) present.push(k);
  }
  if (present.length === 0) return c.reply.simple('NOKEY');
  const cluster = getConfigValue(s.config, 'cluster-enabled') === 'yes';

  for (let attempt = 0; ; attempt++) {
    const mayRetry = attempt === 0;
    const conn = await getConn(s, host, port, timeout);
    const parts: Buffer[] = [];
    if (password !== null) {
      parts.push(Buffer.from(username !== null ? '*3\r\n' : '*2\r\n'));
      bulk(parts, 'AUTH');
      if (username !== null) bulk(parts, username);
      bulk(parts, password);
    }
    const select = conn.lastDbid !== dbid;
    if (select) {
      parts.push(Buffer.from('*2\r\n'));
      bulk(parts, 'SELECT');
      bulk(parts, String(dbid));
    }
    // serialize now: keys that expired since the lookup are left out
    const keys: string[] = [];
    const now = s.engine.now();
    const opts = saveOptions(s);
    for (const k of present) {
      const ks = c.ks(k);
      const v: Value | undefined = ks.get(k);
      if (v === undefined) continue;
      let ttl = 0;
      const at = ks.getExpire(k);
      if (at !== undefined) {
        ttl = at - now;
        if (ttl < 0) continue;
        if (ttl < 1) ttl = 1;
      }
      keys.push(k);
      parts.push(Buffer.from(replace ? '*5\r\n' : '*4\r\n'));
      bulk(parts, cluster ? 'RESTORE-ASKING' : 'RESTORE');
      bulk(parts, k);
      bulk(parts, String(ttl));
      bulk(parts, dumpPayload(v, opts));
      if (replace) bulk(parts, 'REPLACE');
    }
    let writeError = false;
    let timedOut = false;
    let socketError = false;
    let errorFromTarget: string | null = null;
    const deleted: string[] = [];
    let j = 0;
    try {
      try {
        conn.write(Buffer.concat(parts));
      } catch (e) {
        writeError = true;
        throw e;
      }
      const authReply = password !== null ? await conn.readLine(timeout) : '';
      const selectReply = select ? await conn.readLine(timeout) : '';
      for (j = 0; j < keys.length; j++) {
        let line: string;
        try {
          line = await conn.readLine(timeout);
        } catch (e) {
          if (e instanceof TimeoutError) timedOut = true;
          socketError = true;
          break;
        }
        if (authReply.startsWith('-') || selectReply.startsWith('-') || line.startsWith('-')) {
          if (errorFromTarget === null) {
            conn.lastDbid = -1;
            const err = authReply.startsWith('-') ? authReply : selectReply.startsWith('-') ? selectReply : line;
            errorFromTarget = `ERR Target instance replied with error: ${err.slice(1)}`;
          }
        } else if (!copy) {
          const k = keys[j]!;
          const ks = c.ks(k);
          if (ks.delete(k)) {
            ks.modified(k, 'del');
            deleted.push(k);
          }
        }
      }
    } catch (e) {
      if (e instanceof TimeoutError) timedOut = true;
      socketError = true;
      j = 0;
    }
    if (deleted.length > 0 && s.replication.active) s.replication.feed(c.db, ['DEL', ...deleted]);
    if (errorFromTarget === null && socketError && j === 0 && mayRetry && !timedOut) {
      closeConn(s, host, port);
      continue;
    }
    if (socketError) closeConn(s, host, port);
    if (errorFromTarget !== null) throw new CommandError(errorFromTarget);
    if (socketError) throw new CommandError(`IOERR error or timeout ${writeError ? 'writing' : 'reading'} to target instance`);
    conn.lastDbid = dbid;
    c.reply.ok();
    return;
  }
}

/** MIGRATE's keys: `key`, or with KEYS (and an empty key) the rest of the arguments. */
function migrateKeys(args: readonly string[]): number[] {
  for (let i = 6; i < args.length; i++) {
    if (isOpt(args[i]!, 'KEYS') && args[3]!.length === 0) {
      const out: number[] = [];
      for (let k = i + 1; k < args.length; k++) out.push(k);
      return out;
    }
  }
  return [3];
}

export const migrateCommand = command({
  name: 'migrate', arity: -6, flags: ['write', 'movablekeys'], firstKey: 3, lastKey: 3, step: 1,
  group: 'generic',
  acl: ['@keyspace', '@dangerous'],
  keys: migrateKeys,
  handler: migrate,
});
