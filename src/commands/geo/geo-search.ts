/**
 * GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and
 * GEOSEARCHSTORE: Redis 7.0's georadiusGeneric. Arguments are checked in
 * Redis's order (the source key's type first), the 9 geohash boxes around
 * the shape are scanned in Redis's order, then results are sorted (a stable
 * sort as glibc's qsort, or Redis's partial pqsort under COUNT), replied or
 * stored.
 */
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInteger } from '../core/parse.ts';
import { maxListpackEntries, maxListpackValue, storeResult, zsetAt } from '../zset/zset-common.ts';
import { parseBox, parseLonLat, parseRadius, replyCoord, replyDistance, replyLongLong } from './geo-parse.ts';
import { ZSetValue } from '../../datatypes/zset.ts';
import { CIRCULAR_TYPE, RECTANGLE_TYPE, align52, areasByShape, decodeScore, distanceInShape, type GeoShape } from '../../datatypes/geohash.ts';
import type { Client } from '../../server/client.ts';

export const RADIUS_COORDS = 1;
export const RADIUS_MEMBER = 2;
export const RADIUS_NOSTORE = 4;
export const GEOSEARCH = 8;
export const GEOSEARCHSTORE = 16;

const SORT_NONE = 0, SORT_ASC = 1, SORT_DESC = 2;

/** Found points as parallel columns (Redis's geoArray). */
class GeoArray {
  lon: number[] = [];
  lat: number[] = [];
  dist: number[] = [];
  score: number[] = [];
  member: string[] = [];
  used = 0;

  append(lon: number, lat: number, dist: number, score: number, member: string): void {
    const i = this.used++;
    this.lon[i] = lon;
    this.lat[i] = lat;
    this.dist[i] = dist;
    this.score[i] = score;
    this.member[i] = member;
  }
}

const XY = new Float64Array(2);

/** longLatFromMember: the member's decoded position into XY, or the "could not decode" error. */
function memberPosition(z: ZSetValue, member: string): void {
  const score = z.score(member);
  if (score === undefined) throw new CommandError('ERR could not decode requested zset member');
  decodeScore(score, XY);
}

/** geoGetPointsInRange: members with min <= score < max inside the shape; stops at `limit` (ANY). */
function pointsInRange(z: ZSetValue, min: number, max: number, shape: GeoShape, ga: GeoArray, limit: number): void {
  z.walkScore({ min, max, minex: false, maxex: true }, (member, score) => {
    decodeScore(score, XY);
    const d = distanceInShape(shape, XY[0]!, XY[1]!);
    if (!(d < 0)) ga.append(XY[0]!, XY[1]!, d, score, member);
    return !(ga.used !== 0 && limit !== 0 && ga.used >= limit);
  });
}

/** membersOfAllNeighbors: the centre box and its 8 neighbours, skipping a box equal to the previous one. */
function membersOfAllNeighbors(z: ZSetValue, shape: GeoShape, ga: GeoArray, limit: number): void {
  const boxes = areasByShape(shape);
  let last = 0;
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i]!;
    if (b.bits === 0 && b.step === 0) continue;
    if (last !== 0 && b.bits === boxes[last]!.bits && b.step === boxes[last]!.step) continue;
    if (ga.used !== 0 && limit !== 0 && ga.used >= limit) break;
    pointsInRange(z, align52(b), align52({ bits: b.bits + 1, step: b.step }), shape, ga, limit);
    last = i;
  }
}

type Cmp = (a: number, b: number) => number;

function swap(a: number[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function vecswap(a: number[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3(a: number[], i: number, j: number, k: number, cmp: Cmp): number {
  return cmp(a[i]!, a[j]!) < 0
    ? (cmp(a[j]!, a[k]!) < 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? k : i))
    : (cmp(a[j]!, a[k]!) > 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? i : k));
}

/**
 * Redis's pqsort.c (Bentley-McIlroy quicksort that only recurses into parts
 * overlapping elements lrange..rrange), on a[base .. base+n-1]. Ported step
 * for step so ties come out in Redis's order.
 */
function pqsort(a: number[], base: number, n: number, cmp: Cmp, lrange: number, rrange: number): void {
  for (;;) {
    if (n < 7) {
      for (let pm = base + 1; pm < base + n; pm++) {
        for (let pl = pm; pl > base && cmp(a[pl - 1]!, a[pl]!) > 0; pl--) swap(a, pl, pl - 1);
      }
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1, pb = base + 1;
    let pc = base + n - 1, pd = base + n - 1;
    for (;;) {
      let r = 0;
      while (pb <= pc && (r = cmp(a[pb]!, a[base]!)) <= 0) {
        if (r === 0) swap(a, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc]!, a[base]!)) >= 0) {
        if (r === 0) swap(a, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    const outside = (lo: number, cnt: number): boolean =>
      (lrange < lo && rrange < lo) || (lrange > lo + cnt - 1 && rrange > lo + cnt - 1);
    if ((r = pb - pa) > 1 && !outside(base, r)) pqsort(a, base, r, cmp, lrange, rrange);
    if ((r = pd - pc) > 1) {
      base = pn - r;
      n = r;
      if (!outside(base, n)) continue;
    }
    return;
  }
}

/** Parsed GEORADIUS / GEOSEARCH options. */
interface SearchOptions {
  withDist: boolean;
  withHash: boolean;
  withCoords: boolean;
  sort: number;
  any: boolean;
  count: number;
  storeKey: string | null;
  storeDist: boolean;
}

/**
 * georadiusGeneric: `srcKeyIndex` is where the source key is (2 for
 * GEOSEARCHSTORE), `flags` the variant.
 */
export function georadiusGeneric(c: Client, args: string[], srcKeyIndex: number, flags: number): void {
  const srcKey = args[srcKeyIndex]!;
  const z = zsetAt(c.ks(srcKey), srcKey, true);
  const shape: GeoShape = { type: 0, lon: 0, lat: 0, conversion: 0, radius: 0, width: 0, height: 0 };
  let baseArgs: number;
  const o: SearchOptions = { withDist: false, withHash: false, withCoords: false, sort: SORT_NONE, any: false, count: 0, storeKey: null, storeDist: false };
  if ((flags & RADIUS_COORDS) !== 0) {
    baseArgs = 6;
    shape.type = CIRCULAR_TYPE;
    [shape.lon, shape.lat] = parseLonLat(args, 2);
    [shape.radius, shape.conversion] = parseRadius(args, baseArgs - 2);
  } else if ((flags & RADIUS_MEMBER) !== 0) {
    // without a source key the member and radius go unchecked: only the reply kind matters
    baseArgs = 5;
    if (z !== undefined) {
      shape.type = CIRCULAR_TYPE;
      memberPosition(z, args[2]!);
      shape.lon = XY[0]!;
      shape.lat = XY[1]!;
      [shape.radius, shape.conversion] = parseRadius(args, baseArgs - 2);
    }
  } else {
    baseArgs = 2;
    if ((flags & GEOSEARCHSTORE) !== 0) {
      baseArgs = 3;
      o.storeKey = args[1]!;
    }
  }

  let fromMember = false, fromLoc = false, byRadius = false, byBox = false;
  const remaining = args.length - baseArgs;
  const storeOk = (flags & RADIUS_NOSTORE) === 0 && (flags & GEOSEARCH) === 0;
  const search = (flags & GEOSEARCH) !== 0;
  for (let i = 0; i < remaining; i++) {
    const a = args[baseArgs + i]!;
    if (isOpt(a, 'WITHDIST')) o.withDist = true;
    else if (isOpt(a, 'WITHHASH')) o.withHash = true;
    else if (isOpt(a, 'WITHCOORD')) o.withCoords = true;
    else if (isOpt(a, 'ANY')) o.any = true;
    else if (isOpt(a, 'ASC')) o.sort = SORT_ASC;
    else if (isOpt(a, 'DESC')) o.sort = SORT_DESC;
    else if (isOpt(a, 'COUNT') && i + 1 < remaining) {
      o.count = parseInteger(args[baseArgs + ++i]!);
      if (o.count <= 0) throw new CommandError('ERR COUNT must be > 0');
    } else if (isOpt(a, 'STORE') && i + 1 < remaining && storeOk) {
      o.storeKey = args[baseArgs + ++i]!;
      o.storeDist = false;
    } else if (isOpt(a, 'STOREDIST') && i + 1 < remaining && storeOk) {
      o.storeKey = args[baseArgs + ++i]!;
      o.storeDist = true;
    } else if (isOpt(a, 'STOREDIST') && search && (flags & GEOSEARCHSTORE) !== 0) {
      o.storeDist = true;
    } else if (isOpt(a, 'FROMMEMBER') && i + 1 < remaining && search && !fromLoc) {
      if (z !== undefined) {
        memberPosition(z, args[baseArgs + i + 1]!);
        shape.lon = XY[0]!;
        shape.lat = XY[1]!;
      }
      fromMember = true;
      i++;
    } else if (isOpt(a, 'FROMLONLAT') && i + 2 < remaining && search && !fromMember) {
      [shape.lon, shape.lat] = parseLonLat(args, baseArgs + i + 1);
      fromLoc = true;
      i += 2;
    } else if (isOpt(a, 'BYRADIUS') && i + 2 < remaining && search && !byBox) {
      [shape.radius, shape.conversion] = parseRadius(args, baseArgs + i + 1);
      shape.type = CIRCULAR_TYPE;
      byRadius = true;
      i += 2;
    } else if (isOpt(a, 'BYBOX') && i + 3 < remaining && search && !byRadius) {
      [shape.width, shape.height, shape.conversion] = parseBox(args, baseArgs + i + 1);
      shape.type = RECTANGLE_TYPE;
      byBox = true;
      i += 3;
    } else throw new CommandError(Err.SYNTAX);
  }

  if (o.storeKey !== null && (o.withDist || o.withHash || o.withCoords)) {
    const what = (flags & GEOSEARCHSTORE) !== 0 ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    throw new CommandError(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (search && !(fromMember || fromLoc)) throw new CommandError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args[0]}`);
  if (search && !(byRadius || byBox)) throw new CommandError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${args[0]}`);
  if (o.any && o.count === 0) throw new CommandError('ERR the ANY argument requires COUNT argument');

  if (z === undefined) {
    if (o.storeKey !== null) {
      const ks = c.ks(o.storeKey);
      if (ks.delete(o.storeKey)) ks.modified(o.storeKey, 'del');
      c.reply.int(0);
    } else c.reply.array(0);
    return;
  }

  // COUNT without an order returns the closest ones (not with ANY)
  if (o.count !== 0 && o.sort === SORT_NONE && !o.any) o.sort = SORT_ASC;
  const ga = new GeoArray();
  membersOfAllNeighbors(z, shape, ga, o.any ? o.count : 0);
  if (ga.used === 0 && o.storeKey === null) return c.reply.array(0);
  const total = ga.used;
  const returned = o.count === 0 || total < o.count ? total : o.count;
  const order: number[] = new Array<number>(total);
  for (let i = 0; i < total; i++) order[i] = i;
  if (o.sort !== SORT_NONE) {
    const dist = ga.dist;
    const asc = (x: number, y: number): number => (dist[x]! > dist[y]! ? 1 : dist[x] === dist[y] ? 0 : -1);
    const cmp = o.sort === SORT_ASC ? asc : (x: number, y: number): number => -asc(x, y);
    if (returned === total) order.sort(cmp); // stable, as glibc's merge sort
    else pqsort(order, 0, total, cmp, 0, returned - 1);
  }
  if (o.storeKey === null) replyPoints(c, ga, order, returned, shape.conversion, o);
  else storePoints(c, ga, order, returned, shape.conversion, o, (flags & GEOSEARCH) !== 0 ? 'geosearchstore' : 'georadiusstore');
}

function replyPoints(c: Client, ga: GeoArray, order: number[], n: number, conversion: number, o: SearchOptions): void {
  const options = (o.withDist ? 1 : 0) + (o.withCoords ? 1 : 0) + (o.withHash ? 1 : 0);
  const r = c.reply;
  r.array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (options !== 0) r.array(options + 1);
    r.bulk(ga.member[i]!);
    if (o.withDist) replyDistance(c, ga.dist[i]! / conversion);
    if (o.withHash) replyLongLong(c, ga.score[i]!);
    if (o.withCoords) {
      r.array(2);
      replyCoord(c, ga.lon[i]!);
      replyCoord(c, ga.lat[i]!);
    }
  }
}

/** Stores the results as Redis: a skiplist built from them, packed when it fits the listpack limits. */
function storePoints(c: Client, ga: GeoArray, order: number[], n: number, conversion: number, o: SearchOptions, event: string): void {
  const members: string[] = [];
  const scores: number[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const member = ga.member[i]!;
    // a member found twice (overlapping boxes) keeps its first score
    if (seen.has(member)) continue;
    seen.add(member);
    members.push(member);
    scores.push(o.storeDist ? ga.dist[i]! / conversion : ga.score[i]!);
  }
  storeResult(c, o.storeKey!, ZSetValue.fromColumns(members, scores, maxListpackEntries(c), maxListpackValue(c))!, event);
}
