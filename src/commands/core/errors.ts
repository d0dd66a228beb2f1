/** Redis error replies, byte for byte. Handlers throw CommandError with one of these. */
export const Err = {
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  /** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX): LLONG_MIN, which cannot be negated */
  LONG_RANGE: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  NOT_FLOAT: 'ERR value is not a valid float',
  SYNTAX: 'ERR syntax error',
  NO_SUCH_KEY: 'ERR no such key',
  OUT_OF_RANGE: 'ERR index out of range',
  OVERFLOW: 'ERR increment or decrement would overflow',
  DB_INDEX: 'ERR DB index is out of range',
  INVALID_DB: 'ERR invalid DB index',
  SAME_OBJECT: 'ERR source and destination objects are the same',
  INVALID_EXPIRE: 'ERR invalid expire time in \'%s\' command',
  NAN_OR_INF: 'ERR increment would produce NaN or Infinity',
  HASH_NOT_INTEGER: 'ERR hash value is not an integer',
  HASH_NOT_FLOAT: 'ERR hash value is not a float',
  STRING_TOO_LONG: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  POSITIVE: 'ERR value is out of range, must be positive',
  MIN_MAX_FLOAT: 'ERR min or max is not a float',
  MIN_MAX_LEX: 'ERR min or max not valid string range item',
  NOAUTH: 'NOAUTH Authentication required.',
  READONLY_REPLICA: "READONLY You can't write against a read only replica.",
  NOPROTO: 'NOPROTO unsupported protocol version',
  TIMEOUT: 'ERR timeout is not a float or out of range',
  TIMEOUT_NEGATIVE: 'ERR timeout is negative',
  TIMEOUT_RANGE: 'ERR timeout is out of range',
} as const;

/** A command failed with a Redis error reply (message includes the code, e.g. "ERR ..."). */
export class CommandError extends Error {}

/**
 * An error reply whose errorstats were already counted where it arose (a
 * script relaying the error of a command it ran): only failed_calls counts it.
 */
export class CountedError extends CommandError {}

export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

export function unknownSubcommand(sub: string, container: string): string {
  return `ERR unknown subcommand '${truncate(sub)}'. Try ${container.toUpperCase()} HELP.`;
}

export function unknownCommand(name: string, args: readonly string[]): string {
  let list = '';
  for (const a of args) {
    if (list.length >= 128) break;
    list += `'${a.slice(0, 128 - list.length)}' `;
  }
  return `ERR unknown command '${truncate(name)}', with args beginning with: ${list}`;
}

function truncate(s: string): string {
  return s.length > 128 ? s.slice(0, 128) : s;
}
