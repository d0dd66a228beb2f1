/** Geo commands (being built for issue 3). */
import type { CommandSpec } from './spec.ts';

export const geoCommands: CommandSpec[] = [];
