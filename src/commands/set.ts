/** set family: command specs and handlers. */
import type { CommandSpec } from './spec.ts';

export const setCommands: CommandSpec[] = [];
