/** Lua scripting commands: EVAL, EVALSHA, SCRIPT (being built). */
import type { CommandSpec } from './spec.ts';

export const scriptingCommands: CommandSpec[] = [];
