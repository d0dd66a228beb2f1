/** Parsing shared by SCAN, HSCAN, SSCAN and ZSCAN: cursor and MATCH / COUNT / TYPE / NOVALUES options. */
import { CommandError, Err } from './errors.ts';
import { isOpt, parseInt64OrNull } from './parse.ts';

export interface ScanOptions {
  cursor: number;
  match: string | null;
  count: number;
  type: string | null;
  /** HSCAN … NOVALUES: fields only. */
  noValues: boolean;
}

/** Which SCAN a parse is for: the options it takes beyond MATCH and COUNT (TYPE: SCAN's, NOVALUES: HSCAN's). */
export type ScanKind = 'keys' | 'hash' | 'set' | 'zset';

/**
 * args[from] is the cursor; options follow, parsed in order as Redis's
 * scanGenericCommand (so the first bad one decides the error).
 */
export function parseScanArgs(args: readonly string[], from: number, kind: ScanKind): ScanOptions {
  const cur = args[from]!;
  // strtoul as Redis: an optional sign, digits (none: 0), at most ULONG_MAX; a negative one wraps
  const digits = cur.charCodeAt(0) === 43 || cur.charCodeAt(0) === 45 ? cur.slice(1) : cur;
  if ((digits.length === 0 && cur.length !== 0) || !/^\d*$/.test(digits) || (digits.length > 19 && BigInt(digits) > 18446744073709551615n)) throw new CommandError('ERR invalid cursor');
  let value = digits.length === 0 ? 0n : BigInt(digits);
  if (cur.charCodeAt(0) === 45 && value !== 0n) value = 18446744073709551616n - value;
  const opts: ScanOptions = { cursor: Number(value), match: null, count: 10, type: null, noValues: false };
  for (let i = from + 1; i < args.length; ) {
    const a = args[i]!;
    const hasValue = i + 1 < args.length;
    if (hasValue && isOpt(a, 'COUNT')) {
      const n = parseInt64OrNull(args[i + 1]!);
      if (n === null) throw new CommandError(Err.NOT_INTEGER);
      if (n < 1) throw new CommandError(Err.SYNTAX);
      opts.count = n;
      i += 2;
    } else if (hasValue && isOpt(a, 'MATCH')) {
      const v = args[i + 1]!;
      opts.match = v === '*' ? null : v;
      i += 2;
    } else if (hasValue && kind === 'keys' && isOpt(a, 'TYPE')) {
      opts.type = args[i + 1]!.toLowerCase();
      i += 2;
    } else if (isOpt(a, 'NOVALUES')) {
      // Redis 7.4
      if (kind !== 'hash') throw new CommandError('ERR NOVALUES option can only be used in HSCAN');
      opts.noValues = true;
      i += 1;
    } else {
      throw new CommandError(Err.SYNTAX);
    }
  }
  return opts;
}
