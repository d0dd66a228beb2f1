/**
 * Geo family: positions kept in a sorted set as 52-bit geohash scores.
 * GEOADD, GEODIST, GEOHASH, GEOPOS here; the radius and box searches in
 * geo-search.ts; argument parsing and C number formats in geo-parse.ts.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt } from '../core/parse.ts';
import { zsetAdd, zsetAddMany, zsetAt } from '../zset/zset-common.ts';
import { ZADD_ADDED, ZADD_NX, ZADD_UPDATED, ZADD_XX, ZSetValue, zaddCounts } from '../../datatypes/zset.ts';
import { parseLonLat, parseUnit, replyCoord, replyDistance } from './geo-parse.ts';
import { GEOSEARCH, GEOSEARCHSTORE, RADIUS_COORDS, RADIUS_MEMBER, RADIUS_NOSTORE, georadiusGeneric } from './geo-search.ts';
import { decodeScore, distance, encodeInRanges, scoreOf } from '../../datatypes/geohash.ts';

const XY = new Float64Array(2);
const XY2 = new Float64Array(2);

// Scores of the current GEOADD (entries past its element count are stale); handlers never nest.
const scores: number[] = [];

/**
 * GEOADD key [NX | XX] [CH] longitude latitude member [...]: every pair is
 * checked first, then it is Redis's ZADD with the geohash scores (its reply,
 * 'zadd' event and listpack rules; replicated as that ZADD).
 */
const geoadd = command({
  name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    let xx = false, nx = false, ch = false, longIdx = 2;
    for (; longIdx < args.length; longIdx++) {
      const o = args[longIdx]!;
      if (isOpt(o, 'NX')) nx = true;
      else if (isOpt(o, 'XX')) xx = true;
      else if (isOpt(o, 'CH')) ch = true;
      else break;
    }
    const elements = (args.length - longIdx) / 3;
    // no elements at all is ZADD's syntax error
    if ((args.length - longIdx) % 3 !== 0 || (xx && nx) || elements === 0) throw new CommandError(Err.SYNTAX);
    for (let i = 0; i < elements; i++) {
      const [lon, lat] = parseLonLat(args, longIdx + i * 3);
      scores[i] = scoreOf(lon, lat);
    }
    if (c.server.replication.active) {
      const zargs = ['ZADD', ...args.slice(1, longIdx)];
      for (let i = 0; i < elements; i++) zargs.push(String(scores[i]), args[longIdx + i * 3 + 2]!);
      c.propagate = zargs;
    }
    const key = args[1]!;
    const ks = c.ks(key);
    let z = zsetAt(ks, key);
    if (z === undefined) {
      if (xx) return c.reply.int(0);
      z = new ZSetValue();
      ks.set(key, z);
    }
    let added = 0, updated = 0;
    const flags = (nx ? ZADD_NX : 0) | (xx ? ZADD_XX : 0);
    if (elements === 1) {
      const out = zsetAdd(c, z, args[longIdx + 2]!, scores[0]!, flags);
      if (out === ZADD_ADDED) added++;
      else if (out === ZADD_UPDATED) updated++;
    } else {
      // several members: applied in turn, a packed set rebuilt once
      zsetAddMany(c, z, args, longIdx + 2, 3, scores, elements, flags);
      added = zaddCounts.added;
      updated = zaddCounts.updated;
    }
    if (added + updated > 0) ks.modified(key, 'zadd');
    c.reply.int(ch ? added + updated : added);
  },
});

/** GEODIST key member1 member2 [M | KM | FT | MI]: the unit is checked before the key. */
const geodist = command({
  name: 'geodist', arity: -4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    let toMeter = 1;
    if (args.length === 5) toMeter = parseUnit(args[4]!);
    else if (args.length > 5) throw new CommandError(Err.SYNTAX);
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    const s1 = z?.score(args[2]!);
    const s2 = z?.score(args[3]!);
    if (s1 === undefined || s2 === undefined) return c.reply.nullBulk();
    decodeScore(s1, XY);
    decodeScore(s2, XY2);
    replyDistance(c, distance(XY[0]!, XY[1]!, XY2[0]!, XY2[1]!) / toMeter);
  },
});

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The standard 11-character geohash of a score (re-encoded over ±90° latitude, last char '0'). */
export function geohashString(score: number): string {
  decodeScore(score, XY);
  const bits = encodeInRanges(-180, 180, -90, 90, XY[0]!, XY[1]!, 26);
  let s = '';
  for (let i = 0; i < 10; i++) s += GEO_ALPHABET[Math.floor(bits / 2 ** (52 - (i + 1) * 5)) & 0x1f];
  return s + '0';
}

/** GEOHASH key [member ...] */
const geohash = command({
  name: 'geohash', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    c.reply.array(args.length - 2);
    for (let j = 2; j < args.length; j++) {
      const score = z?.score(args[j]!);
      if (score === undefined) c.reply.nullBulk();
      else c.reply.bulk(geohashString(score));
    }
  },
});

/** GEOPOS key [member ...]: a null array for a missing member. */
const geopos = command({
  name: 'geopos', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    c.reply.array(args.length - 2);
    for (let j = 2; j < args.length; j++) {
      const score = z?.score(args[j]!);
      if (score === undefined) {
        c.reply.nullArray();
        continue;
      }
      decodeScore(score, XY);
      c.reply.array(2);
      replyCoord(c, XY[0]!);
      replyCoord(c, XY[1]!);
    }
  },
});

/** georadiusGetKeys: the source key and the last STORE / STOREDIST key (scanned from argument 5). */
function radiusKeys(args: readonly string[]): number[] {
  let stored = -1;
  for (let i = 5; i < args.length; i++) {
    const a = args[i]!;
    if ((isOpt(a, 'STORE') || isOpt(a, 'STOREDIST')) && i + 1 < args.length) stored = ++i;
  }
  return stored < 0 ? [1] : [1, stored];
}

/** GEORADIUS key longitude latitude radius unit [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key] */
const georadius = command({
  name: 'georadius', arity: -6, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo', keys: radiusKeys,
  handler(c, args) {
    georadiusGeneric(c, args, 1, RADIUS_COORDS);
  },
});

/** GEORADIUSBYMEMBER key member radius unit [options as GEORADIUS] */
const georadiusbymember = command({
  name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo', keys: radiusKeys,
  handler(c, args) {
    georadiusGeneric(c, args, 1, RADIUS_MEMBER);
  },
});

/** GEORADIUS_RO key longitude latitude radius unit [options without STORE] */
const georadiusRo = command({
  name: 'georadius_ro', arity: -6, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    georadiusGeneric(c, args, 1, RADIUS_COORDS | RADIUS_NOSTORE);
  },
});

/** GEORADIUSBYMEMBER_RO key member radius unit [options without STORE] */
const georadiusbymemberRo = command({
  name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    georadiusGeneric(c, args, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
  },
});

/** GEOSEARCH key FROMMEMBER member | FROMLONLAT lon lat  BYRADIUS r unit | BYBOX w h unit [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH] */
const geosearch = command({
  name: 'geosearch', arity: -7, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'geo',
  handler(c, args) {
    georadiusGeneric(c, args, 1, GEOSEARCH);
  },
});

/** GEOSEARCHSTORE destination source (as GEOSEARCH, without WITH*) [STOREDIST] */
const geosearchstore = command({
  name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'geo',
  handler(c, args) {
    georadiusGeneric(c, args, 2, GEOSEARCH | GEOSEARCHSTORE);
  },
});

export const geoCommands: CommandSpec[] = [geoadd, geodist, geohash, geopos, georadius, georadiusbymember, georadiusRo, georadiusbymemberRo, geosearch, geosearchstore];
