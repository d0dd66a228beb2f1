/**
 * The primary side of replication: SYNC / PSYNC send an RDB snapshot of the
 * dataset, then every write command is streamed to the replica as RESP (with
 * SELECT when the database changes, DEL for expired keys).
 *
 * Known gaps (tracked for the replication issue): commands are propagated as
 * received rather than rewritten to their deterministic form (Redis sends
 * SET … PXAT for SET … EX, SREM for SPOP …), and pops served to blocked
 * clients are not propagated.
 */
import { command, type CommandSpec } from '../commands/core/spec.ts';
import { CommandError, Err } from '../commands/core/errors.ts';
import { parseInteger } from '../commands/core/parse.ts';
import { writeRdb } from '../persistence/rdb-writer.ts';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';

/**
 * Another consumer of the write stream (the AOF): it receives exactly the
 * command vectors the replicas do (rewritten forms, MULTI/EXEC, DEL for
 * expired keys), tracking its own SELECTs.
 */
export interface PropagationSink {
  feed(db: number, args: readonly string[]): void;
}

interface Replica {
  client: Client;
  /** Offset the replica last acknowledged (REPLCONF ACK). */
  ackOffset: number;
  /** Port it listens on (REPLCONF listening-port), for ROLE. */
  listeningPort: number;
}

/** A client in WAIT: resolved once `numreplicas` replicas acknowledged `offset`, or at its deadline. */
interface AckWaiter {
  offset: number;
  numreplicas: number;
  done: (acked: number) => void;
}

function encode(args: readonly string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

export class ReplicationFeed {
  readonly replicas = new Set<Replica>();
  private readonly server: ServerState;
  /** Replication offset: bytes streamed so far. */
  offset = 0;
  /** The AOF while it is on (set and cleared by the AOF): propagation fans out to it and the replicas. */
  sink: PropagationSink | null = null;

  constructor(server: ServerState) {
    this.server = server;
    server.engine.onKeyEvent((db, key, event) => {
      if ((event === 'expired' || event === 'evicted') && this.active && !server.engine.replaying) this.feed(db, ['DEL', key]);
    });
  }

  /** Someone consumes the write stream (a replica or the AOF): handlers then record c.propagate. */
  get active(): boolean {
    return this.replicas.size !== 0 || this.sink !== null;
  }

  /** Total writes so far, to tell whether a command changed anything. */
  dirty(): number {
    let n = 0;
    for (const s of this.server.engine.eventShards) n += s.stats.dirty;
    return n;
  }

  /**
   * Streams what a client's command did: the command as sent, or the vector
   * the handler left in c.propagate (Redis's rewriteClientCommandVector,
   * e.g. PEXPIREAT for EXPIRE); inside EXEC it is collected for MULTI/EXEC.
   */
  propagate(c: Client, args: readonly string[]): void {
    const vec = c.propagate ?? args;
    c.propagate = null;
    const tx = c.ext.txPropagate as Array<[number, readonly string[]]> | undefined;
    if (tx) tx.push([c.db, vec]);
    else this.feed(c.db, vec);
  }

  /** Starts collecting an EXEC's writes. */
  beginExec(c: Client): void {
    if (this.active) c.ext.txPropagate = [];
  }

  /** Streams the collected writes wrapped in MULTI/EXEC (nothing if none wrote). */
  endExec(c: Client, db: number): void {
    const tx = c.ext.txPropagate as Array<[number, readonly string[]]> | undefined;
    c.ext.txPropagate = undefined;
    if (!tx || tx.length === 0) return;
    this.feed(tx[0]![0], ['MULTI']);
    for (const [d, vec] of tx) this.feed(d, vec);
    this.feed(db, ['EXEC']);
  }

  /** Database the stream last selected; -1 makes the next write send SELECT (a new replica). */
  private streamDb = -1;

  feed(db: number, args: readonly string[]): void {
    if (this.sink !== null) this.sink.feed(db, args);
    if (this.replicas.size === 0) return;
    let buf = encode(args);
    if (db !== this.streamDb) {
      buf = Buffer.concat([encode(['SELECT', String(db)]), buf]);
      this.streamDb = db;
    }
    this.feedRaw(buf);
  }

  /** Appends bytes to the stream every replica receives (one offset for all). */
  feedRaw(buf: Buffer): void {
    this.offset += buf.length;
    for (const r of this.replicas) {
      const sock = r.client.socket;
      if (!sock || r.client.closed) {
        this.replicas.delete(r);
        continue;
      }
      sock.write(buf);
    }
  }

  private readonly ackWaiters = new Set<AckWaiter>();

  /** Replicas that acknowledged at least `offset`. */
  ackedAt(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.ackOffset >= offset) n++;
    return n;
  }

  /** REPLCONF ACK from a replica's connection. */
  ack(c: Client, offset: number): void {
    for (const r of this.replicas) {
      if (r.client !== c) continue;
      if (offset > r.ackOffset) r.ackOffset = offset;
    }
    for (const w of this.ackWaiters) {
      const n = this.ackedAt(w.offset);
      if (n >= w.numreplicas) w.done(n);
    }
  }

  setListeningPort(c: Client, port: number): void {
    (c.ext as { listeningPort?: number }).listeningPort = port;
    for (const r of this.replicas) if (r.client === c) r.listeningPort = port;
  }

  /** WAIT: resolves with the replicas that reached the current offset, at the latest after timeoutMs (0 = never). */
  waitForAcks(numreplicas: number, timeoutMs: number): Promise<number> {
    const offset = this.offset;
    const now = this.ackedAt(offset);
    if (now >= numreplicas) return Promise.resolve(now);
    // ask the replicas for their offsets now rather than at their next periodic ACK
    if (this.replicas.size !== 0) this.feedRaw(encode(['REPLCONF', 'GETACK', '*']));
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const w: AckWaiter = {
        offset,
        numreplicas,
        done: (n) => {
          this.ackWaiters.delete(w);
          if (timer !== null) clearTimeout(timer);
          resolve(n);
        },
      };
      this.ackWaiters.add(w);
      if (timeoutMs > 0) timer = setTimeout(() => w.done(this.ackedAt(offset)), timeoutMs);
    });
  }

  /** Replicas for ROLE: [ip, port, acknowledged offset]. */
  roleEntries(): Array<[string, string, string]> {
    return [...this.replicas].map((r) => [r.client.addr.replace(/:\d+$/, ''), String(r.listeningPort), String(r.ackOffset)]);
  }

  attach(c: Client, psync: boolean): void {
    const rdb = writeRdb(this.server.engine);
    const sock = c.socket;
    if (!sock) return;
    c.reply.flush(sock);
    if (psync) sock.write(`+FULLRESYNC ${this.server.runId} ${this.offset}\r\n`);
    sock.write(`$${rdb.length}\r\n`);
    sock.write(rdb);
    const r: Replica = { client: c, ackOffset: 0, listeningPort: (c.ext as { listeningPort?: number }).listeningPort ?? 0 };
    this.replicas.add(r);
    this.streamDb = -1;
    c.onClose.push(() => this.replicas.delete(r));
    // a replica's own commands (REPLCONF ACK …) get no replies
    c.replyMode = 'off';
    c.ext.replica = true;
  }
}

const sync = command({
  name: 'sync', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'An internal command used in replication.', complexity: '',
  handler(c) {
    c.server.replication.attach(c, false);
  },
});

const psync = command({
  name: 'psync', arity: -3, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.0', summary: 'An internal command used in replication.', complexity: '',
  handler(c) {
    c.server.replication.attach(c, true);
  },
});

const replconf = command({
  name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '3.0.0', summary: 'An internal command for configuring the replication stream.', complexity: 'O(1)',
  handler(c, args) {
    const feed = c.server.replication;
    for (let j = 1; j + 1 < args.length; j += 2) {
      const opt = args[j]!.toLowerCase();
      if (opt === 'ack') return feed.ack(c, Number(args[j + 1]));
      if (opt === 'getack') return;
      if (opt === 'listening-port') feed.setListeningPort(c, Number(args[j + 1]));
    }
    if (args.length % 2 === 0) throw new CommandError(Err.SYNTAX);
    c.reply.ok();
  },
});

/** WAIT numreplicas timeout */
const wait = command({
  name: 'wait', arity: 3, flags: ['noscript'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', since: '3.0.0', summary: 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', complexity: 'O(1)',
  acl: ['@connection'], groupAcl: false,
  handler(c, args) {
    const numreplicas = parseInteger(args[1]!);
    const timeout = parseInteger(args[2]!, 'ERR timeout is not an integer or out of range');
    if (timeout < 0) throw new CommandError('ERR timeout is negative');
    const feed = c.server.replication;
    // inside MULTI (and scripts) WAIT cannot block: it answers with what is acknowledged now
    if (c.inExec || c.ext.script) return c.reply.int(feed.ackedAt(feed.offset));
    return feed.waitForAcks(numreplicas, timeout).then((n) => c.reply.int(n));
  },
});

/** ROLE */
const role = command({
  name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.12', summary: 'Return the role of the instance in the context of replication', complexity: 'O(1)',
  acl: ['@admin', '@dangerous'],
  handler(c) {
    const feed = c.server.replication;
    const entries = feed.roleEntries();
    c.reply.array(3);
    c.reply.bulk('master');
    c.reply.int(feed.offset);
    c.reply.array(entries.length);
    for (const e of entries) {
      c.reply.array(3);
      for (const x of e) c.reply.bulk(x);
    }
  },
});

export const replicationCommands: CommandSpec[] = [sync, psync, replconf, wait, role];
