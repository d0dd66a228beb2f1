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
  // maxmemory: with no eviction policy implemented, commands that may grow memory are refused over the
  // limit. Memory counts as an empty Redis's ~0.9 MB plus what the heap grew since start-up (the JS
  // runtime's own ~10 MB are not data).
  const startup = process.memoryUsage();
  const base = startup.heapUsed + startup.external;
  let sampledAt = 0;
  let used = 0;
  state.gates.push((c, cmd) => {
    if (state.maxmemory === 0 || !mayUseMemory(c, cmd)) return null;
    const now = Date.now();
    if (now - sampledAt >= 10) {
      const m = process.memoryUsage();
      used = EMPTY_SERVER + Math.max(0, m.heapUsed + m.external - base);
      sampledAt = now;
    }
    return used > state.maxmemory ? OOM : null;
  });
}

/** A denyoom command, or an EXEC with one queued (Redis counts the transaction's flags). */
function mayUseMemory(c: Client, cmd: Command): boolean {
  if (cmd.spec.flags.includes('denyoom')) return true;
  if (cmd.fullName !== 'exec') return false;
  const tx = c.ext.multi as { queue: Array<[Command, string[]]> } | undefined;
  return tx !== undefined && tx.queue.some(([q]) => q.spec.flags.includes('denyoom'));
}

/** used_memory of an empty Redis 7.0. */
const EMPTY_SERVER = 900 * 1024;
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
