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
}
