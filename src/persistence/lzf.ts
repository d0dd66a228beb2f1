/**
 * LZF as Redis builds it (lzf_c.c / lzf_d.c with HLOG 16, VERY_FAST, not
 * ULTRA_FAST), so compressed strings in RDB files and DUMP payloads come out
 * byte for byte as Redis writes them.
 *
 * Compressed format:
 *   000LLLLL <L+1 bytes>          literal run of 1..32 bytes
 *   LLLooooo oooooooo             back reference of L+2 (3..8) bytes, offset o+1
 *   111ooooo LLLLLLLL oooooooo    back reference of L+9 bytes
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * The hash table of positions. Entries hold base + position + 1 of the call
 * that wrote them; a value not above the current call's base is an empty slot,
 * so the table needs no clearing between calls.
 */
const htab = new Int32Array(HSIZE);
let nextBase = 0;

const idx = (h: number): number => ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);

/**
 * Compresses inp[0, inLen) into out; returns the compressed length, or 0 when
 * it does not fit in outLen bytes (the caller then stores the string as is).
 */
export function lzfCompress(inp: Uint8Array, inLen: number, out: Uint8Array, outLen: number): number {
  if (inLen === 0 || outLen === 0) return 0;
  if (nextBase > 0x7ffffff0 - inLen) {
    htab.fill(0);
    nextBase = 0;
  }
  const base = nextBase;
  nextBase += inLen + 1;
  const inEnd = inLen;
  const outEnd = outLen;
  let ip = 0;
  let op = 1; // start run
  let lit = 0;
  let hval = (inp[0]! << 8) | (inLen > 1 ? inp[1]! : 0);
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | inp[ip + 2]!) >>> 0;
    const slot = idx(hval);
    const stored = htab[slot]!;
    const ref = stored > base ? stored - base - 1 : -1;
    htab[slot] = base + ip + 1;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && inp[ref + 2] === inp[ip + 2] && inp[ref] === inp[ip] && inp[ref + 1] === inp[ip + 1]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo run if length is zero
      match: {
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (inp[ref + len] !== inp[ip + len]) break match;
          }
        }
        do len++;
        while (len < maxlen && inp[ref + len] === inp[ip + len]);
      }
      len -= 2; // len is now #octets - 1
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2;
      hval = (inp[ip]! << 8) | inp[ip + 1]!;
      hval = ((hval << 8) | inp[ip + 2]!) >>> 0;
      htab[idx(hval)] = base + ip + 1;
      ip++;
      hval = ((hval << 8) | inp[ip + 2]!) >>> 0;
      htab[idx(hval)] = base + ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = inp[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return 0;
  while (ip < inEnd) {
    lit++;
    out[op++] = inp[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return op;
}

/**
 * Decompresses inp[start, end) into out (exactly out.length bytes expected);
 * returns the decompressed length, or 0 on corrupt input.
 */
export function lzfDecompress(inp: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let ip = start;
  let op = 0;
  const outEnd = out.length;
  while (ip < end) {
    let ctrl = inp[ip++]!;
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outEnd || ip + ctrl > end) return 0;
      for (let k = 0; k < ctrl; k++) out[op++] = inp[ip++]!;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= end) return 0;
      if (len === 7) {
        len += inp[ip++]!;
        if (ip >= end) return 0;
      }
      ref -= inp[ip++]!;
      if (op + len + 2 > outEnd || ref < 0) return 0;
      len += 2;
      for (let k = 0; k < len; k++) out[op++] = out[ref++]!;
    }
  }
  return op;
}
