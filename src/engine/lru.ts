/**
 * Per-key access tracking as Redis's robj.lru field (evict.c): one 24-bit
 * word per key, kept in the key table beside the key's slot (KeyTable.word:
 * an Int32Array made when the first word is set; string values are plain
 * JS strings, so the value itself cannot carry a field).
 *   LRU policies (and every non-LFU one): the LRU clock of the last access,
 *     in seconds modulo 2^24 (LRU_CLOCK_RESOLUTION 1000 ms).
 *   LFU policies: the minute of the last decrement (16 bits) << 8 | a
 *     logarithmic access counter (8 bits), LFULogIncr / LFUDecrAndReturn.
 * Switching policy at run time leaves the words as they are, as Redis does
 * ("LRU and LFU data will take some time to adjust").
 *
 * The clock is cached in the policy and refreshed by a timer (every 100 ms,
 * as Redis's serverCron refreshes server.lruclock): reading Date.now() on
 * every key access would cost more than the access itself.
 */

/** LRU_CLOCK_MAX: the clock wraps at 2^24 seconds. */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
/** LFU_INIT_VAL: the counter of a key that has just been created. */
export const LFU_INIT_VAL = 5;

/** What a server's maxmemory-policy / lfu-log-factor / lfu-decay-time say about tracking; shared by its keyspaces. */
export class LruPolicy {
  /** An LFU maxmemory policy is selected: accesses count frequency instead of recency. */
  lfu = false;
  /** An LRU maxmemory policy is selected (snapshots then save each key's idle time). */
  lru = false;
  /**
   * Accesses are recorded. Off until something needs them (an LRU/LFU
   * policy, OBJECT IDLETIME/FREQ, DEBUG OBJECT, an IDLETIME/FREQ hint), so
   * a server that never asks pays no word write per command and no word
   * array; keys not accessed since count as accessed when their
   * keyspace started, was flushed or loaded (Keyspace.lruBase).
   */
  tracking = false;
  /**
   * The running command's client is in CLIENT NO-TOUCH mode and the command
   * is not TOUCH (Redis 7.2's CLIENT_NO_TOUCH): its lookups leave the LRU
   * clock / LFU counter as they are. Set around each command (dispatch.ts).
   */
  noTouch = false;
  /** With threads: tells the other threads once tracking starts here (threads/runtime.ts). */
  onStart: (() => void) | null = null;
  /** lfu-log-factor */
  logFactor = 10;
  /** lfu-decay-time (minutes per counter decrement; 0 = no decay) */
  decayTime = 1;
  /** LRU_CLOCK(): seconds modulo 2^24, as of the last tick(). */
  clock = 0;
  /** LFUGetTimeInMinutes(), as of the last tick(). */
  minutes = 0;

  constructor() {
    this.tick(Date.now());
  }

  /** Refreshes the cached clock. */
  tick(nowMs: number): void {
    this.clock = lruClock(nowMs);
    this.minutes = Math.floor(nowMs / 60000) & 65535;
  }
}

/** getLRUClock: seconds modulo 2^24. */
export function lruClock(nowMs: number): number {
  return (nowMs / 1000) & LRU_CLOCK_MAX;
}

/** The word of a value created now (createObject). */
export function freshWord(p: LruPolicy): number {
  return p.lfu ? (p.minutes << 8) | LFU_INIT_VAL : p.clock;
}

/** estimateObjectIdleTime, in ms, of an LRU word. */
export function idleMs(p: LruPolicy, word: number): number {
  const clock = p.clock;
  return clock >= word ? (clock - word) * 1000 : (clock + (LRU_CLOCK_MAX - word)) * 1000;
}

/** LFUDecrAndReturn: the counter of an LFU word with decay applied. */
export function lfuCounter(p: LruPolicy, word: number): number {
  const ldt = word >>> 8;
  const counter = word & 255;
  if (p.decayTime === 0) return counter;
  const now = p.minutes;
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = Math.floor(elapsed / p.decayTime);
  return periods === 0 ? counter : periods > counter ? 0 : counter - periods;
}

/** LFULogIncr */
function lfuLogIncr(p: LruPolicy, counter: number): number {
  if (counter === 255) return 255;
  const baseval = counter - LFU_INIT_VAL;
  const prob = 1 / ((baseval < 0 ? 0 : baseval) * p.logFactor + 1);
  return Math.random() < prob ? counter + 1 : counter;
}

/** updateLFU: the word after one more access (`word` undefined: a key with no word yet). */
export function lfuTouch(p: LruPolicy, word: number | undefined): number {
  const counter = word === undefined ? LFU_INIT_VAL : lfuCounter(p, word);
  return (p.minutes << 8) | lfuLogIncr(p, counter);
}

/** The word that RESTORE … IDLETIME / an RDB IDLE opcode give (objectSetLRUOrLFU). */
export function wordForIdle(p: LruPolicy, idleSecs: number): number {
  let abs = p.clock - idleSecs;
  if (abs < 0) abs += LRU_CLOCK_MAX;
  // the 24-bit field keeps the low bits of what is still negative
  return ((abs % 16777216) + 16777216) % 16777216;
}

/** The word that RESTORE … FREQ / an RDB FREQ opcode give (objectSetLRUOrLFU). */
export function wordForFreq(p: LruPolicy, freq: number): number {
  return (p.minutes << 8) | freq;
}
