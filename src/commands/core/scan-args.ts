/** Parsing shared by SCAN, HSCAN, SSCAN and ZSCAN: cursor and MATCH / COUNT / TYPE options. */
import { CommandError, Err } from './errors.ts';
import { isOpt, parseInt64OrNull } from './parse.ts';

export interface ScanOptions {
  cursor: number;
  match: string | null;
  count: number;
  type: string | null;
}

/** args[from] is the cursor; options follow. TYPE is accepted only when allowType. */
export function parseScanArgs(args: readonly string[], from: number, allowType: boolean): ScanOptions {
  const cur = args[from]!;
  // strtoul as Redis: an optional sign, digits (none: 0), at most ULONG_MAX; a negative one wraps
  const digits = cur.charCodeAt(0) === 43 || cur.charCodeAt(0) === 45 ? cur.slice(1) : cur;
  if ((digits.length === 0 && cur.length !== 0) || !/^\d*$/.test(digits) || (digits.length > 19 && BigInt(digits) > 18446744073709551615n)) throw new CommandError('ERR invalid cursor');
  let value = digits.length === 0 ? 0n : BigInt(digits);
  if (cur.charCodeAt(0) === 45 && value !== 0n) value = 18446744073709551616n - value;
  const opts: ScanOptions = { cursor: Number(value), match: null, count: 10, type: null };
  for (let i = from + 1; i < args.length; i += 2) {
    const a = args[i]!;
    if (i + 1 >= args.length) throw new CommandError(Err.SYNTAX);
    const v = args[i + 1]!;
    if (isOpt(a, 'COUNT')) {
      const n = parseInt64OrNull(v);
      if (n === null) throw new CommandError(Err.NOT_INTEGER);
      if (n < 1) throw new CommandError(Err.SYNTAX);
      opts.count = n;
    } else if (isOpt(a, 'MATCH')) {
      opts.match = v === '*' ? null : v;
    } else if (allowType && isOpt(a, 'TYPE')) {
      opts.type = v.toLowerCase();
    } else {
      throw new CommandError(Err.SYNTAX);
    }
  }
  return opts;
}
