/**
 * Pieces of the narrow views that services take of the server instead of
 * ServerState (which sits above them and satisfies every view): logging,
 * and the hooks where services install their per-command checks and RESET
 * cleanups.
 */
import type { CommandInfo } from '../commands/core/command.ts';
import type { Session } from './session.ts';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

export interface Logger {
  log(level: LogLevel, msg: string): void;
}

/** A check run before every command: null lets it run, else the error reply. */
export type SessionGate = (c: Session, cmd: CommandInfo, args: string[]) => string | null;

/** Where services install checks before every command and cleanups of RESET. */
export interface CommandHooks {
  readonly gates: { push(gate: SessionGate): unknown };
  readonly resetHooks: { push(hook: (c: Session) => void): unknown };
}
