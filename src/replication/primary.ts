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
import { command, type CommandSpec } from '../commands/spec.ts';
import { writeRdb } from '../persistence/rdb-writer.ts';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';

interface Replica {
  client: Client;
  db: number;
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

  constructor(server: ServerState) {
    this.server = server;
    for (const shard of server.engine.shards) {
      shard.onKeyEvent((db, key, event) => {
        if (event === 'expired' && this.replicas.size !== 0) this.feed(db, ['DEL', key]);
      });
    }
  }

  get active(): boolean {
    return this.replicas.size !== 0;
  }

  /** Total writes so far, to tell whether a command changed anything. */
  dirty(): number {
    let n = 0;
    for (const s of this.server.engine.shards) n += s.stats.dirty;
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

  feed(db: number, args: readonly string[]): void {
    for (const r of this.replicas) {
      const sock = r.client.socket;
      if (!sock || r.client.closed) {
        this.replicas.delete(r);
        continue;
      }
      if (r.db !== db) {
        const sel = encode(['SELECT', String(db)]);
        sock.write(sel);
        r.db = db;
      }
      const buf = encode(args);
      this.offset += buf.length;
      sock.write(buf);
    }
  }

  attach(c: Client, psync: boolean): void {
    const rdb = writeRdb(this.server.engine);
    const sock = c.socket;
    if (!sock) return;
    c.reply.flush(sock);
    if (psync) sock.write(`+FULLRESYNC ${this.server.runId} ${this.offset}\r\n`);
    sock.write(`$${rdb.length}\r\n`);
    sock.write(rdb);
    const r: Replica = { client: c, db: -1 };
    this.replicas.add(r);
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
  handler(c) {
    c.reply.ok();
  },
});

export const replicationCommands: CommandSpec[] = [sync, psync, replconf];
