/**
 * Readers for the encodings older RDB files hold (Redis ≤ 6.2): ziplist
 * (ziplist.c) and zipmap (zipmap.c, Redis ≤ 2.4 hashes). Both validate as
 * Redis's deep integrity checks do and return the entries as strings, or
 * null when the bytes are malformed.
 */

/**
 * Ziplist: <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>* <0xFF>;
 * entry: <prevlen: 1 byte, or 0xFE + u32 LE> <encoding> <data>.
 */
export function ziplistStrings(d: Uint8Array, start: number, end: number): string[] | null {
  const size = end - start;
  if (size < 11) return null;
  const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  if (b.readUInt32LE(start) !== size || d[end - 1] !== 0xff) return null;
  const tail = start + b.readUInt32LE(start + 4);
  const declared = b.readUInt16LE(start + 8);
  const last = end - 1;
  const out: string[] = [];
  let p = start + 10;
  let prevSize = 0;
  let lastEntry = start + 10;
  while (p < last) {
    const entry = p;
    let prevlen: number;
    if (d[p]! < 254) {
      prevlen = d[p]!;
      p += 1;
    } else if (d[p] === 254) {
      if (p + 5 > last) return null;
      prevlen = b.readUInt32LE(p + 1);
      p += 5;
    } else return null;
    if (prevlen !== prevSize) return null;
    if (p >= last) return null;
    const e = d[p]!;
    const kind = e & 0xc0;
    if (kind !== 0xc0) {
      let len: number;
      if (kind === 0x00) {
        len = e & 0x3f;
        p += 1;
      } else if (kind === 0x40) {
        if (p + 2 > last) return null;
        len = ((e & 0x3f) << 8) | d[p + 1]!;
        p += 2;
      } else {
        if (e !== 0x80 || p + 5 > last) return null;
        len = b.readUInt32BE(p + 1);
        p += 5;
      }
      if (p + len > last) return null;
      out.push(b.latin1Slice(p, p + len));
      p += len;
    } else {
      let v: number | bigint;
      let n: number;
      if (e === 0xc0) n = 2;
      else if (e === 0xd0) n = 4;
      else if (e === 0xe0) n = 8;
      else if (e === 0xf0) n = 3;
      else if (e === 0xfe) n = 1;
      else if (e >= 0xf1 && e <= 0xfd) n = 0;
      else return null;
      if (p + 1 + n > last) return null;
      if (n === 0) v = (e & 0x0f) - 1;
      else if (n === 8) v = b.readBigInt64LE(p + 1);
      else v = b.readIntLE(p + 1, n);
      out.push(String(v));
      p += 1 + n;
    }
    prevSize = p - entry;
    lastEntry = entry;
  }
  if (p !== last) return null;
  if (out.length > 0 && tail !== lastEntry) return null;
  if (out.length === 0 && tail !== start + 10) return null;
  if (declared !== 65535 && declared !== out.length) return null;
  return out;
}

/**
 * Zipmap: <count: 1 byte> (<len> <field> <len> <free: 1 byte> <value> <free bytes>)* <0xFF>,
 * a len being one byte below 254, else 254 + u32 LE. Returns field, value, field, value …
 */
export function zipmapStrings(d: Uint8Array, start: number, end: number): string[] | null {
  const size = end - start;
  if (size < 2 || d[end - 1] !== 0xff) return null;
  const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const last = end - 1;
  const out: string[] = [];
  let p = start + 1;
  const readLen = (): number => {
    if (p >= last) return -1;
    const x = d[p]!;
    if (x < 254) {
      p += 1;
      return x;
    }
    if (x !== 254 || p + 5 > last) return -1;
    const l = b.readUInt32LE(p + 1);
    p += 5;
    return l;
  };
  let count = 0;
  while (p < last) {
    const fl = readLen();
    if (fl < 0 || p + fl > last) return null;
    out.push(b.latin1Slice(p, p + fl));
    p += fl;
    const vl = readLen();
    if (vl < 0 || p + 1 > last) return null;
    const free = d[p++]!;
    if (p + vl + free > last) return null;
    out.push(b.latin1Slice(p, p + vl));
    p += vl + free;
    count++;
  }
  if (count === 0) return null;
  if (d[start] !== 254 && d[start] !== count) return null;
  return out;
}
