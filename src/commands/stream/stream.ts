/**
 * Stream commands (Redis 7.0's t_stream.c): entries in stream-add.ts,
 * reads and blocking reads in stream-read.ts, consumer groups in
 * stream-group.ts and stream-claim.ts, introspection in stream-info.ts;
 * the data type is datatypes/stream.ts.
 */
import type { CommandSpec } from '../core/spec.ts';
import { streamAddCommands } from './stream-add.ts';
import { streamReadCommands } from './stream-read.ts';
import { streamGroupCommands } from './stream-group.ts';
import { streamClaimCommands } from './stream-claim.ts';
import { streamInfoCommands } from './stream-info.ts';

export const streamCommands: CommandSpec[] = [
  ...streamAddCommands,
  ...streamReadCommands,
  ...streamGroupCommands,
  ...streamClaimCommands,
  ...streamInfoCommands,
];
