/** Redis Cluster key → hash slot mapping: CRC16/XMODEM of the key or its {hash tag}, mod 16384. */
export const SLOT_COUNT = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  TABLE[i] = c;
}

/** CRC16 (XMODEM) of latin1 string s[start, end). */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

/** Hash slot of a key, honouring the first non-empty {tag}. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(key) & (SLOT_COUNT - 1);
}

/**
 * Redis's patternHashSlot: the one slot every key a pattern can form hashes
 * to (its {tag} or the whole pattern), or -1 where a wildcard or an escape
 * comes first.
 */
export function patternHashSlot(pattern: string): number {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' || ch === '?' || ch === '[' || ch === '\\') return -1;
    if (open === -1 && ch === '{') open = i;
    else if (open >= 0 && ch === '}' && i === open + 1) open = -2; // '{}': the whole key is hashed
    else if (open >= 0 && ch === '}') return crc16(pattern, open + 1, i) & (SLOT_COUNT - 1);
  }
  return crc16(pattern) & (SLOT_COUNT - 1);
}
