/** The checks every command passes before it runs. */
import type { ServerState } from './server-state.ts';
import { Err } from '../commands/errors.ts';

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
  state.gates.push((_c, cmd) => {
    if (state.maxmemory === 0 || !cmd.spec.flags.includes('denyoom')) return null;
    const now = Date.now();
    if (now - sampledAt >= 10) {
      const m = process.memoryUsage();
      used = EMPTY_SERVER + Math.max(0, m.heapUsed + m.external - base);
      sampledAt = now;
    }
    return used > state.maxmemory ? OOM : null;
  });
}

/** used_memory of an empty Redis 7.0. */
const EMPTY_SERVER = 900 * 1024;
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
