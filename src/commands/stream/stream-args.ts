/**
 * Argument parsing shared by the stream commands: IDs (strict, interval,
 * `<ms>-*`), the XADD/XTRIM trimming options, the stream at a key, the node
 * size settings, and Redis's stream error messages.
 */
import { CommandError, Err } from '../core/errors.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import { getConfigNumber } from '../../config/config.ts';
import { StreamValue, type TrimSpec } from '../../datatypes/stream.ts';
import { decrId, incrId, parseStreamId, type ParsedId, type StreamID, type U64 } from '../../datatypes/stream-id.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';
import { mustObeyClient } from '../../server/session.ts';
import { msDeadlineChecked } from '../../engine/blocking.ts';

export const XErr = {
  INVALID_ID: 'ERR Invalid stream ID specified as stream command argument',
  START_INTERVAL: 'ERR invalid start ID for the interval',
  END_INTERVAL: 'ERR invalid end ID for the interval',
  TOO_LARGE: 'ERR Elements are too large to be stored',
  SMALLER: 'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  ZERO: 'ERR The ID specified in XADD must be greater than 0-0',
  EXHAUSTED: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  NO_KEY_XGROUP: 'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  BUSYGROUP: 'BUSYGROUP Consumer Group name already exists',
} as const;

/** A string as C's %s prints it: up to the first NUL byte. */
export function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** The stream at `key` (undefined when missing) or WRONGTYPE. */
export function streamAt(ks: Keyspace, key: string, read = false): StreamValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof StreamValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/** streamParseStrictIDOrReply: no `-` / `+`; missing sequence = missingSeq. */
export function strictId(arg: string, missingSeq: U64 = 0): StreamID {
  const id = parseStreamId(arg, missingSeq, true, false);
  if (id === null) throw new CommandError(XErr.INVALID_ID);
  return id;
}

/** streamParseIDOrReply: `-` and `+` allowed. */
export function looseId(arg: string, missingSeq: U64 = 0): StreamID {
  const id = parseStreamId(arg, missingSeq, false, false);
  if (id === null) throw new CommandError(XErr.INVALID_ID);
  return id;
}

/**
 * The start (or end) of a range: `(` makes it exclusive (then strict),
 * incomplete IDs take missingSeq; exclusive bounds move one ID inwards.
 */
export function rangeStart(arg: string): StreamID {
  if (arg.length > 1 && arg.charCodeAt(0) === 40) {
    const id = incrId(strictId(arg.slice(1), 0));
    if (id === null) throw new CommandError(XErr.START_INTERVAL);
    return id;
  }
  return looseId(arg, 0);
}

export function rangeEnd(arg: string): StreamID {
  const max = 18446744073709551615n;
  if (arg.length > 1 && arg.charCodeAt(0) === 40) {
    const id = decrId(strictId(arg.slice(1), max));
    if (id === null) throw new CommandError(XErr.END_INTERVAL);
    return id;
  }
  return looseId(arg, max);
}

/** getLongLongFromObjectOrReply (with an optional message). */
export function longLong(arg: string, err: string = Err.NOT_INTEGER): number {
  const v = parseInt64OrNull(arg);
  if (v === null) throw new CommandError(err);
  return v;
}

/** Case-insensitive option match. */
export function opt(arg: string, upper: string): boolean {
  return arg.length === upper.length && arg.toUpperCase() === upper;
}

export function nodeMaxEntries(c: Client): number {
  return getConfigNumber(c.server.config, 'stream-node-max-entries', 100);
}

export function nodeMaxBytes(c: Client): number {
  return getConfigNumber(c.server.config, 'stream-node-max-bytes', 4096);
}

/** Parsed XADD / XTRIM options (streamAddTrimArgs). */
export interface AddTrimArgs {
  trim: TrimSpec | null;
  /** Index of the MAXLEN/MINID threshold argument (rewritten for replication). */
  trimArgIdx: number;
  /** XADD: the ID argument's index, the ID (null for `*`) and whether its sequence was given. */
  idPos: number;
  id: ParsedId | null;
  noMkStream: boolean;
}

const BOTH = 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible';

/** streamParseAddOrTrimArgsOrReply */
export function parseAddTrim(c: Client, args: readonly string[], xadd: boolean): AddTrimArgs {
  let maxlen: boolean | null = null;
  let approx = false;
  let count = 0;
  let minid: StreamID = { ms: 0, seq: 0 };
  let limit = 0;
  let limitGiven = false;
  const out: AddTrimArgs = { trim: null, trimArgIdx: 0, idPos: 0, id: null, noMkStream: false };
  let i = 2;
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const a = args[i]!;
    if (xadd && a === '*') break;
    if (more && (opt(a, 'MAXLEN') || opt(a, 'MINID'))) {
      if (maxlen !== null) throw new CommandError(BOTH);
      const isMax = a.length === 6;
      approx = false;
      const next = args[i + 1]!;
      if (more >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (isMax) {
        count = longLong(args[i + 1]!);
        if (count < 0) throw new CommandError('ERR The MAXLEN argument must be >= 0.');
      } else {
        minid = strictId(args[i + 1]!);
      }
      i++;
      maxlen = isMax;
      out.trimArgIdx = i;
    } else if (more && opt(a, 'LIMIT')) {
      limit = longLong(args[i + 1]!);
      if (limit < 0) throw new CommandError('ERR The LIMIT argument must be >= 0.');
      limitGiven = true;
      i++;
    } else if (xadd && opt(a, 'NOMKSTREAM')) {
      out.noMkStream = true;
    } else if (xadd) {
      const id = parseStreamId(a, 0, true, true);
      if (id === null) throw new CommandError(XErr.INVALID_ID);
      out.id = id;
      break;
    } else {
      throw new CommandError(Err.SYNTAX);
    }
  }
  out.idPos = i;
  if (limit !== 0 && maxlen === null) throw new CommandError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && maxlen === null) throw new CommandError('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (mustObeyClient(c)) {
    // commands from a primary or the AOF were rewritten to be exact
    limit = 0;
  } else if (limitGiven) {
    if (!approx) throw new CommandError('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (approx) {
    limit = 100 * nodeMaxEntries(c);
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else {
    limit = 0;
  }
  if (maxlen !== null) out.trim = { maxlen, count, minid, approx, limit };
  return out;
}

/**
 * A blocking timeout in milliseconds (XREAD/XREADGROUP BLOCK): an integer,
 * not negative; 0 waits forever.
 */
export function parseMsTimeout(arg: string): number {
  const v = parseInt64OrNull(arg);
  if (v === null) throw new CommandError('ERR timeout is not an integer or out of range');
  if (v < 0) throw new CommandError(Err.TIMEOUT_NEGATIVE);
  return msDeadlineChecked(BigInt(arg));
}
