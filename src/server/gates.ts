/** The checks every command passes before it runs. */
import type { ServerState } from './server-state.ts';
import { Err } from '../commands/core/errors.ts';
import type { Client } from './client.ts';
import type { CommandFlag, CommandInfo } from '../commands/core/command.ts';
import { ACL_OK, aclErrorMessage } from '../security/acl.ts';
import { getConfigValue } from '../config/config.ts';
import { LOADING_ERR } from './loading.ts';
import { clientInfoLine } from './client-info.ts';

export function installGates(state: ServerState<Client>): void {
  const acl = state.acl;
  // AUTH: while the default user needs a password, only no_auth commands run before authentication
  state.gates.push((c, cmd) => {
    if (c.authenticated || !acl.authRequired(c)) return null;
    const top = cmd.parent ?? cmd;
    if (top.spec.flags.includes('no_auth')) return null;
    return Err.NOAUTH;
  });
  // ACL: the user's permissions for the command, its keys and channels (denials go to ACL LOG)
  state.gates.push((c, cmd, args) => {
    const res = acl.check(c, cmd, args);
    if (res.result === ACL_OK) return null;
    acl.logDenial(c, res, cmd, args, acl.context(c));
    return 'NOPERM ' + aclErrorMessage(res.result, c.user.name, cmd, args[res.idx] ?? '', false);
  });
  // cluster mode: the command's keys must be served here (MOVED, ASK, CROSSSLOT …), as Redis checks right after ACLs
  state.gates.push((c, cmd, args) => (state.clusterGate === null ? null : state.clusterGate(c, cmd, args)));
  // min-replicas-to-write: on a primary, writes (and an EXEC with one queued) need that many replicas within min-replicas-max-lag
  state.gates.push((c, cmd) => (queuesWrite(c, cmd) && !state.replication.enoughReplicas() ? NOREPLICAS : null));
  // maxmemory-clients, then maxmemory, before every command (processCommand's evictClients and
  // performEvictions): the biggest clients are disconnected, then keys evicted (maxmemory-policy);
  // commands that may use memory get OOM when that cannot bring memory under the limit
  const mem = state.memory;
  state.gates.push((c, cmd) => {
    if (!mem.evictClients(c)) return CLIENT_EVICTED;
    // a replica's primary is obeyed (its writes were allowed where they ran); a replica evicts nothing
    // unless replica-ignore-maxmemory is off (the primary's evictions reach it as DELs)
    if (state.maxmemory === 0 || c.ext.master === true) return null;
    if (state.replicaOf !== null && getConfigValue(state.config, 'replica-ignore-maxmemory') !== 'no') return null;
    return mem.enforce() || !mayUseMemory(c, cmd) ? null : OOM;
  });
  // a replica: writes only from its primary (replica-read-only), and nothing but `stale` commands while
  // the link is down with replica-serve-stale-data no
  state.gates.push((c, cmd) => {
    const link = state.replicaOf;
    // with threads, a setting (FUNCTION LOAD, SWAPDB …) replayed from the thread that ran it: the master client's there
    if (link === null || c.ext.master === true || c.ext.replay === true) return null;
    if (queuedFlags(c, cmd, 'write') && getConfigValue(state.config, 'replica-read-only') !== 'no') return Err.READONLY_REPLICA;
    if (!link.up() && getConfigValue(state.config, 'replica-serve-stale-data') === 'no' && !cmd.spec.flags.includes('stale')) return MASTERDOWN;
    return null;
  });
  // a replica's link carries only REPLCONF: what would answer on it ends the link (logInvalidUseAndFreeClientAsync)
  state.gates.push((c, cmd) => {
    const top = cmd.parent ?? cmd;
    if (c.ext.replica !== true || top.fullName === 'replconf' || top.fullName === 'sync' || top.fullName === 'psync') return null;
    const f = cmd.spec.flags;
    const keyspace = cmd.isWrite || f.includes('readonly') || f.includes('may_replicate');
    if (keyspace) state.log('warning', `== CRITICAL == This master is sending an error to its replica: '${REPLICA_KEYSPACE}' after processing the command '${cmd.fullName}'`);
    state.log('warning', `Replica generated a reply to command '${cmd.fullName}', disconnecting it: ${clientInfoLine(c, state.monitors, [])}`);
    setImmediate(() => c.close());
    return keyspace ? `ERR ${REPLICA_KEYSPACE}` : REPLICA_LINK;
  });
  // a full sync loading: LOADING for what may not run meanwhile (processCommand's loading checks)
  state.gates.push((c, cmd) => {
    const l = state.loading;
    if (l === null) return null;
    if (!l.async) return !cmd.spec.flags.includes('loading') || queuedWithout(c, cmd, 'loading') ? LOADING_ERR : null;
    return queuedFlags(c, cmd, 'no_async_loading') ? LOADING_ERR : null;
  });
}

/** An EXEC with a queued command that lacks the flag. */
function queuedWithout(c: Client, cmd: CommandInfo, flag: CommandFlag): boolean {
  if (cmd.fullName !== 'exec') return false;
  const tx = c.ext.multi as { queue: Array<[CommandInfo, string[]]> } | undefined;
  return tx !== undefined && tx.queue.some(([q]) => !q.spec.flags.includes(flag));
}

/** The command has the flag, or it is an EXEC with a queued command that has it (Redis counts the transaction's flags). */
function queuedFlags(c: Client, cmd: CommandInfo, flag: CommandFlag): boolean {
  if (flag === 'write' ? cmd.isWrite : cmd.spec.flags.includes(flag)) return true;
  if (cmd.fullName !== 'exec') return false;
  const tx = c.ext.multi as { queue: Array<[CommandInfo, string[]]> } | undefined;
  return tx !== undefined && tx.queue.some(([q]) => (flag === 'write' ? q.isWrite : q.spec.flags.includes(flag)));
}

const REPLICA_KEYSPACE = "Replica can't interact with the keyspace";
/** Never sent (the link is closed); counted as the command's rejection. */
const REPLICA_LINK = 'ERR command not allowed on a replication link';

const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/** The reply of a client evicted by its own command (never sent: its connection is closed). */
const CLIENT_EVICTED = 'ERR client evicted';

/** A denyoom command, or an EXEC with one queued. */
function mayUseMemory(c: Client, cmd: CommandInfo): boolean {
  return queuedFlags(c, cmd, 'denyoom');
}

/** A write command, or an EXEC with one queued (processCommand's is_write_command). */
function queuesWrite(c: Client, cmd: CommandInfo): boolean {
  if (cmd.isWrite) return true;
  if (cmd.fullName !== 'exec') return false;
  const tx = c.ext.multi as { queue: Array<[CommandInfo, string[]]> } | undefined;
  return tx !== undefined && tx.queue.some(([q]) => q.isWrite);
}

const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
