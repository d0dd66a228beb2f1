/** `numkeys key [key ...]` argument handling shared by LMPOP, ZMPOP, SINTERCARD, ZINTERCARD, ZUNION … */
import { CommandError, Err } from './errors.ts';
import { isOpt, parseRange } from './parse.ts';

/** Key positions for a command whose numkeys argument is at `at` (COMMAND GETKEYS, routing). */
export function numkeysPositions(at: number): (args: readonly string[]) => number[] {
  return (args) => {
    const n = Number(args[at]);
    if (!Number.isInteger(n) || n <= 0) return [];
    return Array.from({ length: Math.min(n, args.length - at - 1) }, (_, i) => at + 1 + i);
  };
}

/** SINTERCARD / ZINTERCARD: `numkeys key... [LIMIT limit]` from args[1]. */
export function parseIntercard(args: readonly string[], numkeysError: string): { keys: string[]; limit: number } {
  const numkeys = parseRange(args[1]!, 1, Infinity, numkeysError);
  if (numkeys > args.length - 2) throw new CommandError("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let j = 2 + numkeys; j < args.length; j++) {
    if (isOpt(args[j]!, 'LIMIT') && j < args.length - 1) {
      limit = parseRange(args[++j]!, 0, Infinity, "ERR LIMIT can't be negative");
    } else throw new CommandError(Err.SYNTAX);
  }
  return { keys: args.slice(2, 2 + numkeys), limit };
}
