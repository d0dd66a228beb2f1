/**
 * SYNC, PSYNC, REPLCONF, WAIT and ROLE (the primary side of replication,
 * src/replication/primary.ts), REPLICAOF / SLAVEOF (the replica side,
 * src/replication/replica.ts) and FAILOVER (src/replication/failover.ts).
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { parseInteger } from '../core/parse.ts';
import type { Client } from '../../server/client.ts';
import { clientInfoLine } from '../../server/client-info.ts';
import { getConfigNumber, getConfigValue } from '../../config/config.ts';
import { becomePrimary, followPrimary } from '../../replication/role.ts';
import { Failover } from '../../replication/failover.ts';
import { waitaof } from './waitaof.ts';

/** A replica whose own link is not up has no dataset to give (Redis's syncCommand). */
function refuseWithoutLink(c: Client): void {
  // a primary failing over lets no replica sync with it
  if (c.server.replication.failover !== null) throw new CommandError("NOMASTERLINK Can't SYNC while failing over");
  const link = c.server.replicaOf;
  if (link !== null && !link.up()) throw new CommandError("NOMASTERLINK Can't SYNC while not connected with my master");
}

/** How the primary's log names a replica (replicationGetSlaveName): its address and listening port. */
function replicaName(c: Client): string {
  const ip = c.addr.replace(/:\d+$/, '');
  const port = (c.ext as { listeningPort?: number }).listeningPort ?? 0;
  return port !== 0 ? `${ip}:${port}` : `${ip}:<unknown-replica-port>`;
}

const sync = command({
  name: 'sync', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c) {
    // already a replica: ignored (no reply on the link)
    if (c.ext.replica === true) return;
    refuseWithoutLink(c);
    c.server.replication.attach(c, false);
  },
});

const psync = command({
  name: 'psync', arity: -3, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    if (c.ext.replica === true) return;
    if (args.length > 3 && args[3]!.toLowerCase() === 'failover') takeOver(c, args[1]!);
    refuseWithoutLink(c);
    if (!/^-?\d+$/.test(args[2]!)) {
      c.server.log('warning', `Replica ${replicaName(c)} asks for synchronization but with a wrong offset`);
      throw new CommandError(Err.NOT_INTEGER);
    }
    c.server.replication.attach(c, true, args[1], args[2]);
  },
});

/**
 * PSYNC <replid> <offset> FAILOVER from this replica's primary, which is
 * failing over to it (Redis's syncCommand): it becomes a primary, and the
 * PSYNC goes on to continue the old primary's history (+CONTINUE).
 */
function takeOver(c: Client, replid: string): void {
  const s = c.server;
  s.log('warning', `Failover request received for replid ${replid}.`);
  if (s.replicaOf === null) throw new CommandError("ERR PSYNC FAILOVER can't be sent to a master.");
  if (replid.toLowerCase() !== s.replication.replid.toLowerCase()) throw new CommandError('ERR PSYNC FAILOVER replid must match my replid.');
  becomePrimary(s);
  s.log('notice', `MASTER MODE enabled (failover request from '${clientInfoLine(c, s.monitors)}')`);
}

const replconf = command({
  name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    const feed = c.server.replication;
    for (let j = 1; j + 1 < args.length; j += 2) {
      const opt = args[j]!.toLowerCase();
      // ACK <offset> [FACK <aofoffset>] (Redis 7.2: where the replica's AOF is fsynced)
      if (opt === 'ack') return feed.ack(c, Number(args[j + 1]), args.length > j + 3 && args[j + 2]!.toLowerCase() === 'fack' ? Number(args[j + 3]) : -1);
      if (opt === 'getack') return;
      if (opt === 'listening-port') feed.setListeningPort(c, Number(args[j + 1]));
      if (opt === 'ip-address') feed.setAnnouncedIp(c, args[j + 1]!);
      // a replica that understands +CONTINUE <replid> (PSYNC2)
      if (opt === 'capa') {
        const capa = args[j + 1]!.toLowerCase();
        if (capa === 'psync2') c.ext.psync2 = true;
        // eof: it takes a diskless transfer ($EOF:<mark>)
        ((c.ext.replCapa ??= new Set<string>()) as Set<string>).add(capa);
      }
    }
    if (args.length % 2 === 0) throw new CommandError(Err.SYNTAX);
    c.reply.ok();
  },
});

const WAIT_ON_REPLICA = 'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';

/** WAIT numreplicas timeout */
const wait = command({
  name: 'wait', arity: 3, flags: ['blocking'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic',
  acl: ['@connection'], groupAcl: false,
  handler(c, args) {
    if (c.server.replicaOf !== null) throw new CommandError(WAIT_ON_REPLICA);
    const numreplicas = parseInteger(args[1]!);
    const timeout = parseInteger(args[2]!, 'ERR timeout is not an integer or out of range');
    if (timeout < 0) throw new CommandError('ERR timeout is negative');
    const feed = c.server.replication;
    // Redis 7.2 (#11713): the client's own last write is what must be acknowledged (a script's client never wrote)
    const woff = c.ext.script === true ? 0 : c.woff;
    const now = feed.ackedAt(woff);
    // inside MULTI (and scripts) WAIT cannot block: it answers with what is acknowledged now
    if (c.inExec || c.ext.script || (now >= numreplicas && feed.threads === null)) return c.reply.int(now);
    const wait = feed.threads === null ? feed.waitHere(numreplicas, timeout, false, woff) : feed.waitForAcks(numreplicas, timeout);
    return wait.then((n) => c.reply.int(n));
  },
});

/** ROLE */
const role = command({
  name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@admin', '@dangerous'],
  handler(c) {
    const link = c.server.replicaOf;
    if (link !== null) {
      const [name, host, port, state, offset] = link.role();
      c.reply.array(5);
      c.reply.bulk(name);
      c.reply.bulk(host);
      c.reply.int(port);
      c.reply.bulk(state);
      c.reply.int(offset);
      return;
    }
    const feed = c.server.replication;
    const { offset, entries } = feed.threads?.role() ?? { offset: feed.offset, entries: feed.roleEntries() };
    c.reply.array(3);
    c.reply.bulk('master');
    c.reply.int(offset);
    c.reply.array(entries.length);
    for (const e of entries) {
      c.reply.array(3);
      for (const x of e) c.reply.bulk(x);
    }
  },
});

/** REPLICAOF host port | NO ONE (SLAVEOF: the same under its old name) */
function replicaofCommand(name: string): CommandSpec {
  return command({
    name, arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'], firstKey: 0, lastKey: 0, step: 0,
    group: 'server',
    handler(c, args) {
      const s = c.server;
      // a cluster node's replication follows the fleet (CLUSTER REPLICATE)
      if (s.cluster !== null) throw new CommandError('ERR REPLICAOF not allowed in cluster mode.');
      if (s.replication.failover !== null) throw new CommandError('ERR REPLICAOF not allowed while failing over.');
      if (args[1]!.toLowerCase() === 'no' && args[2]!.toLowerCase() === 'one') {
        if (s.replicaOf !== null) {
          becomePrimary(s);
          s.log('notice', `MASTER MODE enabled (user request from '${clientInfoLine(c, s.monitors)}')`);
        }
        return c.reply.ok();
      }
      if (c.ext.replica) throw new CommandError('ERR Command is not valid when client is a replica.');
      const port = /^-?\d+$/.test(args[2]!) ? Number(args[2]) : NaN;
      if (!(port >= 0 && port <= 65535)) throw new CommandError('ERR Invalid master port');
      const link = s.replicaOf;
      if (link !== null && link.host.toLowerCase() === args[1]!.toLowerCase() && link.port === port) {
        s.log('notice', 'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
        return c.reply.simple('OK Already connected to specified master');
      }
      followPrimary(s, args[1]!, port);
      s.log('notice', `REPLICAOF ${args[1]}:${port} enabled (user request from '${clientInfoLine(c, s.monitors)}')`);
      c.reply.ok();
    },
  });
}

const replicaof = replicaofCommand('replicaof');
const slaveof = replicaofCommand('slaveof');

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds] (Redis's failoverCommand) */
const failover = command({
  name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    const s = c.server;
    if (getConfigValue(s.config, 'cluster-enabled') === 'yes') throw new CommandError('ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.');
    const feed = s.replication;
    if (args.length === 2 && args[1]!.toLowerCase() === 'abort') {
      if (feed.failover === null) throw new CommandError('ERR No failover in progress.');
      feed.failover.abort('Failover manually aborted');
      return c.reply.ok();
    }
    let timeoutMs = 0;
    let force = false;
    let target: { host: string; port: number } | null = null;
    for (let j = 1; j < args.length; j++) {
      const opt = args[j]!.toLowerCase();
      if (opt === 'timeout' && j + 1 < args.length && timeoutMs === 0) {
        timeoutMs = parseInteger(args[++j]!);
        if (timeoutMs <= 0) throw new CommandError('ERR FAILOVER timeout must be greater than 0');
      } else if (opt === 'to' && j + 2 < args.length && target === null) {
        target = { port: parseInteger(args[j + 2]!), host: args[j + 1]! };
        j += 2;
      } else if (opt === 'force' && !force) force = true;
      else throw new CommandError(Err.SYNTAX);
    }
    if (feed.failover !== null) throw new CommandError('ERR FAILOVER already in progress.');
    if (s.replicaOf !== null) throw new CommandError('ERR FAILOVER is not valid when server is a replica.');
    if (feed.connectedReplicas === 0) throw new CommandError('ERR FAILOVER requires connected replicas.');
    if (force && (timeoutMs === 0 || target === null)) throw new CommandError('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
    // the failover's pause and hand-over run on one thread so far (docs/replication.md)
    if (getConfigNumber(s.config, 'threads', 1) > 1) throw new CommandError('ERR FAILOVER is not supported with threads > 1 yet');
    if (target !== null) {
      const r = feed.findReplica(target.host, target.port);
      if (r === null) throw new CommandError('ERR FAILOVER target HOST and PORT is not a replica.');
      if (!r.online) throw new CommandError('ERR FAILOVER target replica is not online.');
      s.log('notice', `FAILOVER requested to ${target.host}:${target.port}.`);
    } else s.log('notice', 'FAILOVER requested to any replica.');
    Failover.start(s, { target, timeoutMs, force });
    c.reply.ok();
  },
});

export const replicationCommands: CommandSpec[] = [sync, psync, replconf, wait, waitaof, role, replicaof, slaveof, failover];
