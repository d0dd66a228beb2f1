/**
 * Geo argument parsing (coordinates, units, radius and box sizes, with
 * Redis's error replies) and the C number formats geo replies use: printf
 * "%f" in the coordinate error, fixedpoint_d2string(…, 4) for distances and
 * "%.17Lf" trimmed (addReplyHumanLongDouble) for coordinates.
 */
import { CommandError } from '../core/errors.ts';
import { string2d } from '../zset/zset-parse.ts';
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN } from '../../datatypes/geohash.ts';
import type { Client } from '../../server/client.ts';

const TWO63 = 9223372036854775808;

/** getDoubleFromObjectOrReply with `msg` (default: not a valid float). */
export function parseGeoDouble(s: string, msg = 'ERR value is not a valid float'): number {
  const v = string2d(s);
  if (v === null) throw new CommandError(msg);
  return v;
}

/** extractLongLatOrReply: longitude at args[i], latitude at args[i + 1], within Redis's limits. */
export function parseLonLat(args: readonly string[], i: number): [number, number] {
  const lon = parseGeoDouble(args[i]!);
  const lat = parseGeoDouble(args[i + 1]!);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new CommandError(`ERR invalid longitude,latitude pair ${printfFixed(lon, 6)},${printfFixed(lat, 6)}`);
  }
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit (case-insensitive m, km, ft, mi). */
export function parseUnit(u: string): number {
  switch (u.toLowerCase()) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
    default: throw new CommandError('ERR unsupported unit provided. please use M, KM, FT, MI');
  }
}

/** extractDistanceOrReply: [radius, meters per unit] from `radius unit` at args[i]. */
export function parseRadius(args: readonly string[], i: number): [number, number] {
  const d = parseGeoDouble(args[i]!, 'ERR need numeric radius');
  if (d < 0) throw new CommandError('ERR radius cannot be negative');
  return [d, parseUnit(args[i + 1]!)];
}

/** extractBoxOrReply: [width, height, meters per unit] from `width height unit` at args[i]. */
export function parseBox(args: readonly string[], i: number): [number, number, number] {
  const w = parseGeoDouble(args[i]!, 'ERR need numeric width');
  const h = parseGeoDouble(args[i + 1]!, 'ERR need numeric height');
  if (h < 0 || w < 0) throw new CommandError('ERR height or width cannot be negative');
  return [w, h, parseUnit(args[i + 2]!)];
}

/** The exact value of a finite non-negative double as mantissa * 2^exp. */
function decompose(a: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mant |= 1n << 52n;
  return [mant, (biased === 0 ? 1 : biased) - 1075];
}

/** `digits` fractional digits of a finite non-negative double, rounded half to even on its exact value. */
function exactFixed(a: number, digits: number): string {
  const [mant, exp] = decompose(a);
  let q: bigint;
  if (exp >= 0) q = (mant << BigInt(exp)) * 10n ** BigInt(digits);
  else {
    const num = mant * 10n ** BigInt(digits);
    const den = 1n << BigInt(-exp);
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  }
  if (digits === 0) return q.toString();
  const s = q.toString().padStart(digits + 1, '0');
  return s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits);
}

/** glibc's printf("%.<digits>f", d) (round half to even on the exact binary value). */
export function printfFixed(d: number, digits: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  const neg = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  // toFixed is exact except that it rounds ties up; a tie needs a binary fraction of at most digits+1 places
  const s = a < 1e21 && !Number.isInteger(a * 2 ** (digits + 1)) ? a.toFixed(digits) : exactFixed(a, digits);
  return neg ? '-' + s : s;
}

/** ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a bare '.') removed, "-0" as "0". */
export function humanDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let s = printfFixed(d, 17);
  if (s.includes('.')) {
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48) end--;
    if (s.charCodeAt(end - 1) === 46) end--;
    s = s.slice(0, end);
  }
  return s === '-0' ? '0' : s;
}

/** C's rint (round half to even). */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** fixedpoint_d2string(d, 4): distances as "%.4f" through llrint(d * 10000). */
export function distanceText(d: number): string {
  if (d === 0) return '0.0000';
  let v = rint(d * 10000);
  if (Number.isNaN(v) || v >= TWO63 || v < -TWO63) v = -TWO63; // llrint's out-of-range result
  const neg = v < 0;
  let s = (Math.abs(v) < 1e21 ? String(Math.abs(v)) : BigInt(Math.abs(v)).toString()).padStart(5, '0');
  s = s.slice(0, s.length - 4) + '.' + s.slice(s.length - 4);
  return neg ? '-' + s : s;
}

/** addReplyDoubleDistance: always a bulk string. */
export function replyDistance(c: Client, d: number): void {
  c.reply.bulk(distanceText(d));
}

/** addReplyHumanLongDouble: a bulk string in RESP2, a RESP3 double. */
export function replyCoord(c: Client, d: number): void {
  const s = humanDouble(d);
  if (c.resp === 3) c.reply.raw(',' + s + '\r\n');
  else c.reply.bulk(s);
}

/** C's (long long) of a double on x86-64 (WITHHASH replies the score so). */
export function replyLongLong(c: Client, d: number): void {
  const t = Math.trunc(d);
  if (!(t < TWO63 && t >= -TWO63)) c.reply.intText('-9223372036854775808');
  else if (Math.abs(t) <= Number.MAX_SAFE_INTEGER) c.reply.int(t);
  else c.reply.intText(BigInt(t).toString());
}
