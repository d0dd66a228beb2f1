/** Expiry argument handling shared by SET, GETEX, SETEX/PSETEX and the EXPIRE family. */
import { CommandError } from '../core/errors.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import { Err } from '../core/errors.ts';

export const INT64_MAX_NUM = 9223372036854775807;

export function invalidExpire(cmdName: string): CommandError {
  return new CommandError(`ERR invalid expire time in '${cmdName}' command`);
}

/**
 * Redis's getExpireMillisecondsOrReply: `value` in seconds (unit 1000) or
 * ms (unit 1); relative values have `now` added. Returns absolute ms.
 */
export function expireMs(value: string, unit: 1 | 1000, relative: boolean, now: number, cmdName: string): number {
  const n = parseInt64OrNull(value);
  if (n === null) throw new CommandError(Err.NOT_INTEGER);
  if (n <= 0 || (unit === 1000 && n > INT64_MAX_NUM / 1000)) throw invalidExpire(cmdName);
  let ms = n * unit;
  if (relative) {
    if (ms > INT64_MAX_NUM - now) throw invalidExpire(cmdName);
    ms += now;
  }
  return ms;
}
