/**
 * Geohash arithmetic ported from Redis 7.0's geohash.c / geohash_helper.c:
 * 52-bit interleaved scores (26 bits of latitude in the even positions, 26
 * of longitude in the odd ones), decoding, the neighbour boxes of a radius or
 * box search, and haversine distances with Redis's earth radius. Every step
 * keeps C's order of double operations so results match to the last bit.
 *
 * Trigonometry uses glibc's algorithms (geo-libm.ts), as Redis gets them.
 *
 * A hash is a plain number: at most 52 significant bits, exact in a double.
 * 64-bit C values are handled as two 32-bit words where needed.
 */

import { asin, cos, sin } from './geo-libm.ts';

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO32 = 4294967296;

/** A geohash of `step` bits per coordinate (Redis's GeoHashBits); step 0 with bits 0 is "none". */
export interface GeoHashBits {
  bits: number;
  step: number;
}

/** The cell a hash covers (Redis's GeoHashArea). */
export interface GeoHashArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

export const CIRCULAR_TYPE = 1;
export const RECTANGLE_TYPE = 2;

/** A search area (Redis's GeoShape); sizes are in `conversion` units (meters per unit). */
export interface GeoShape {
  type: number;
  lon: number;
  lat: number;
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

function spread16(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

function compact16(w: number): number {
  w &= 0x55555555;
  w = (w | (w >>> 1)) & 0x33333333;
  w = (w | (w >>> 2)) & 0x0f0f0f0f;
  w = (w | (w >>> 4)) & 0x00ff00ff;
  return (w | (w >>> 8)) & 0x0000ffff;
}

/** interleave64: x (latitude) in the even bits, y (longitude) in the odd bits; inputs up to 2^26. */
function interleave(x: number, y: number): number {
  const lo = (spread16(x & 0xffff) | (spread16(y & 0xffff) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo;
}

/** C's double → uint32_t for the non-negative offsets geohashEncode converts. */
function toU32(d: number): number {
  return d >= TWO32 ? 0 : Math.trunc(d) >>> 0;
}

/**
 * geohashEncode over the given ranges: the hash bits, or -1 when the point
 * is outside them or outside Redis's WGS84 limits.
 */
export function encodeInRanges(lonMin: number, lonMax: number, latMin: number, latMax: number, lon: number, lat: number, step: number): number {
  if (step > 32 || step === 0) return -1;
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return -1;
  if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) return -1;
  let latOffset = (lat - latMin) / (latMax - latMin);
  let lonOffset = (lon - lonMin) / (lonMax - lonMin);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return interleave(toU32(latOffset), toU32(lonOffset));
}

/** geohashEncodeWGS84: the hash of a point at `step` bits, -1 when out of range. */
export function encode(lon: number, lat: number, step: number): number {
  return encodeInRanges(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, lon, lat, step);
}

/** geohashAlign52Bits: the hash shifted to a 52-bit score. */
export function align52(h: GeoHashBits): number {
  return h.bits * 2 ** (52 - h.step * 2);
}

/** The sorted set score of a point (GEOADD), or -1 when it cannot be encoded. */
export function scoreOf(lon: number, lat: number): number {
  const bits = encode(lon, lat, GEO_STEP_MAX);
  return bits < 0 ? -1 : bits;
}

// Words of the last toWords() call (no allocation on the search path).
let HI = 0;
let LO = 0;

/** C's (uint64_t)d on x86-64 (what decodeGeohash does to a score), into HI/LO. */
function toWords(d: number): void {
  const t = Math.trunc(d);
  if (t >= 0 && t < 18446744073709551616) {
    HI = Math.floor(t / TWO32);
    LO = t - HI * TWO32;
  } else if (t < 0 && t > -9223372036854775808) {
    const u = BigInt.asUintN(64, BigInt(t));
    HI = Number(u >> 32n);
    LO = Number(u & 0xffffffffn);
  } else if (t < 0) {
    HI = 0x80000000;
    LO = 0;
  } else {
    // cvttsd2si overflow gives 0x8000000000000000, xored back with the sign bit (NaN too)
    HI = 0;
    LO = 0;
  }
}

/** geohashDecode of the hash in HI/LO (not zero, as Redis's step-26 scores never are). */
function decodeWords(step: number, out: GeoHashArea): void {
  const ilato = compact16(HI) * 65536 + compact16(LO);
  const ilono = compact16(HI >>> 1) * 65536 + compact16(LO >>> 1);
  const div = 2 ** step;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  out.latMin = GEO_LAT_MIN + (ilato * 1.0 / div) * latScale;
  out.latMax = GEO_LAT_MIN + (((ilato + 1) >>> 0) * 1.0 / div) * latScale;
  out.lonMin = GEO_LONG_MIN + (ilono * 1.0 / div) * lonScale;
  out.lonMax = GEO_LONG_MIN + (((ilono + 1) >>> 0) * 1.0 / div) * lonScale;
}

/** geohashDecode of a hash. */
export function decodeArea(h: GeoHashBits, out: GeoHashArea): void {
  HI = Math.floor(h.bits / TWO32);
  LO = h.bits >>> 0;
  decodeWords(h.step, out);
}

const AREA: GeoHashArea = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };

/**
 * decodeGeohash: the longitude/latitude of a score (the centre of its cell,
 * clamped to the WGS84 limits) into xy[0], xy[1].
 */
export function decodeScore(score: number, xy: Float64Array | number[]): void {
  toWords(score);
  decodeWords(GEO_STEP_MAX, AREA);
  let x = (AREA.lonMin + AREA.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (AREA.latMin + AREA.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  xy[0] = x;
  xy[1] = y;
}

const EVEN = 0x5555555555555555n;
const ODD = 0xaaaaaaaaaaaaaaaan;
const U64 = 0xffffffffffffffffn;

/** geohash_move_x / geohash_move_y: one cell east/west (odd bits) or north/south (even bits). */
function move(h: GeoHashBits, d: number, lonAxis: boolean): GeoHashBits {
  if (d === 0) return h;
  const bits = BigInt(h.bits);
  const shift = BigInt(64 - h.step * 2);
  let moving = bits & (lonAxis ? ODD : EVEN);
  const keep = bits & (lonAxis ? EVEN : ODD);
  const zz = (lonAxis ? EVEN : ODD) >> shift;
  if (d > 0) moving = (moving + (zz + 1n)) & U64;
  else moving = ((moving | zz) - (zz + 1n)) & U64;
  moving &= (lonAxis ? ODD : EVEN) >> shift;
  return { bits: Number(moving | keep), step: h.step };
}

function neighbour(h: GeoHashBits, dx: number, dy: number): GeoHashBits {
  return move(move(h, dx, true), dy, false);
}

/** geohashEstimateStepsByRadius: bits precision of the 9 search boxes. */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat] around the shape's centre. */
export function boundingBox(s: GeoShape): [number, number, number, number] {
  const height = s.conversion * (s.type === CIRCULAR_TYPE ? s.radius : s.height / 2);
  const width = s.conversion * (s.type === CIRCULAR_TYPE ? s.radius : s.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(s.lat - latDelta)));
  const south = s.lat < 0;
  return [
    south ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop,
    s.lat - latDelta,
    south ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop,
    s.lat + latDelta,
  ];
}

const NONE: GeoHashBits = { bits: 0, step: 0 };

/**
 * geohashCalculateAreasByShapeWGS84: the centre cell and its 8 neighbours
 * covering the shape, in the order Redis searches them (centre, N, S, E, W,
 * NE, NW, SE, SW); useless neighbours are { bits: 0, step: 0 }.
 */
export function areasByShape(s: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(s);
  const radiusMeters = (s.type === CIRCULAR_TYPE ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2))) * s.conversion;
  let steps = estimateStepsByRadius(radiusMeters, s.lat);
  let hash: GeoHashBits = { bits: encode(s.lon, s.lat, steps), step: steps };
  const north = { ...AREA }, south = { ...AREA }, east = { ...AREA }, west = { ...AREA };
  decodeArea(neighbour(hash, 0, 1), north);
  decodeArea(neighbour(hash, 0, -1), south);
  decodeArea(neighbour(hash, 1, 0), east);
  decodeArea(neighbour(hash, -1, 0), west);
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = { bits: encode(s.lon, s.lat, steps), step: steps };
  }
  const area = { ...AREA };
  decodeArea(hash, area);
  const out = [
    hash,
    neighbour(hash, 0, 1), neighbour(hash, 0, -1), neighbour(hash, 1, 0), neighbour(hash, -1, 0),
    neighbour(hash, 1, 1), neighbour(hash, -1, 1), neighbour(hash, 1, -1), neighbour(hash, -1, -1),
  ];
  if (steps >= 2) {
    const N = 1, S = 2, E = 3, W = 4, NE = 5, NW = 6, SE = 7, SW = 8;
    if (area.latMin < minLat) out[S] = out[SW] = out[SE] = NONE;
    if (area.latMax > maxLat) out[N] = out[NE] = out[NW] = NONE;
    if (area.lonMin < minLon) out[W] = out[SW] = out[NW] = NONE;
    if (area.lonMax > maxLon) out[E] = out[SE] = out[NE] = NONE;
  }
  return out;
}

/** geohashGetLatDistance: meters between two latitudes on a meridian. */
export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** geohashGetDistance: haversine distance in meters. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = sin((lat2r - lat1r) / 2);
  const a = u * u + cos(lat1r) * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
}

/** distance() with V8's sin/cos/asin: within ~1e-14 relative of it short of antipodes (a cheap filter). */
function roughDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((degRad(lon2) - degRad(lon1)) / 2);
  const u = Math.sin((degRad(lat2) - degRad(lat1)) / 2);
  const a = u * u + Math.cos(degRad(lat1)) * Math.cos(degRad(lat2)) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** True when (lon1, lat1)-(lon2, lat2) is certainly farther than `limit`: the exact distance need not be computed. */
function clearlyBeyond(lon1: number, lat1: number, lon2: number, lat2: number, limit: number): boolean {
  const d = roughDistance(lon1, lat1, lon2, lat2);
  return d > limit * (1 + 1e-9) && d < 1.9e7;
}

/**
 * geoWithinShape after decoding: the distance from the shape's centre to
 * (lon, lat), or -1 when the point is outside the shape.
 */
export function distanceInShape(s: GeoShape, lon: number, lat: number): number {
  if (s.type === CIRCULAR_TYPE) {
    const limit = s.radius * s.conversion;
    if (clearlyBeyond(s.lon, s.lat, lon, lat, limit)) return -1;
    const d = distance(s.lon, s.lat, lon, lat);
    return d > limit ? -1 : d;
  }
  const widthM = s.width * s.conversion;
  const heightM = s.height * s.conversion;
  if (latDistance(lat, s.lat) > heightM / 2) return -1;
  if (clearlyBeyond(lon, lat, s.lon, lat, widthM / 2) || distance(lon, lat, s.lon, lat) > widthM / 2) return -1;
  return distance(s.lon, s.lat, lon, lat);
}
