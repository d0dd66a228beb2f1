/** The checks every command passes before it runs. */
import type { ServerState } from './server-state.ts';
import { Err } from '../commands/errors.ts';
import type { Client } from './client.ts';
import type { Command } from '../commands/registry.ts';

export function installGates(state: ServerState): void {
  // AUTH: with requirepass set, only no_auth commands run before authentication
  state.gates.push((c, cmd) => {
    if (state.config.requirepass === '' || c.authenticated) return null;
    const top = cmd.parent ?? cmd;
    if (top.spec.flags.includes('no_auth')) return null;
    return Err.NOAUTH;
  });
  // maxmemory: commands that may use memory first evict keys (maxmemory-policy), and get OOM when
  // that cannot bring memory under the limit
  state.gates.push((c, cmd) => {
    if (state.maxmemory === 0 || !mayUseMemory(c, cmd)) return null;
    return state.memory.enforce() ? null : OOM;
  });
}

/** A denyoom command, or an EXEC with one queued (Redis counts the transaction's flags). */
function mayUseMemory(c: Client, cmd: Command): boolean {
  if (cmd.spec.flags.includes('denyoom')) return true;
  if (cmd.fullName !== 'exec') return false;
  const tx = c.ext.multi as { queue: Array<[Command, string[]]> } | undefined;
  return tx !== undefined && tx.queue.some(([q]) => q.spec.flags.includes('denyoom'));
}

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
