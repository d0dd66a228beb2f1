/**
 * Script bodies by SHA1 and their shebang flags (eval.c
 * evalExtractShebangFlags, script.c scripts_flags_def).
 */
import { createHash } from 'node:crypto';
import { splitInlineArgs } from '../protocol/inline-args.ts';

/** No shebang: EVAL's backwards-compatible mode (flags come from the commands it runs). */
export const FLAG_EVAL_COMPAT = 1;
export const FLAG_NO_WRITES = 2;
export const FLAG_ALLOW_OOM = 4;
export const FLAG_ALLOW_STALE = 8;
export const FLAG_NO_CLUSTER = 16;
export const FLAG_ALLOW_CROSS_SLOT = 32;

/** A script flagged no-cluster, run in cluster mode (scriptPrepareForRun). */
export const NO_CLUSTER = "ERR Can not run script on cluster, 'no-cluster' flag is set.";

const FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['no-writes', FLAG_NO_WRITES],
  ['allow-oom', FLAG_ALLOW_OOM],
  ['allow-stale', FLAG_ALLOW_STALE],
  ['no-cluster', FLAG_NO_CLUSTER],
  ['allow-cross-slot-keys', FLAG_ALLOW_CROSS_SLOT],
];

export interface Script {
  readonly sha: string;
  readonly body: string;
  readonly flags: number;
  /** Slot of the compiled function in the VM's function table. */
  readonly id: number;
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

/** The flags of a script body and the length of its shebang line, or the error text (without "ERR "). */
export function shebangFlags(body: string): { flags: number; shebangLen: number } | string {
  if (!body.startsWith('#!')) return { flags: FLAG_EVAL_COMPAT, shebangLen: 0 };
  const nl = body.indexOf('\n');
  if (nl < 0) return 'Invalid script shebang';
  const parts = splitInlineArgs(body.slice(0, nl));
  if (parts === null || parts.length === 0) return 'Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (let j = 1; j < parts.length; j++) {
    const p = parts[j]!;
    if (!p.startsWith('flags=')) return `Unknown lua shebang option: ${p}`;
    const list = p.slice(6);
    if (list === '') continue;
    for (const f of list.split(',')) {
      const def = FLAG_NAMES.find(([name]) => name === f);
      if (!def) return `Unexpected flag in script shebang: ${f}`;
      flags |= def[1];
    }
  }
  return { flags, shebangLen: nl };
}

/** How many scripts EVAL keeps (Redis 7.4's LRU_LIST_LENGTH); SCRIPT LOAD's are never evicted. */
export const EVAL_SCRIPTS_KEPT = 500;

/** SHA1 → script, with the memory Redis would account for them. */
export class ScriptCache {
  private readonly bySha = new Map<string, Script>();
  /** Scripts EVAL created, least recently run first (Redis 7.4, #13108). */
  private readonly evalLru = new Map<string, Script>();
  bodyBytes = 0;

  get size(): number {
    return this.bySha.size;
  }

  /**
   * The script found last: an EVALSHA of the same script again is one
   * string comparison, not a hash of 40 new characters and a Map lookup.
   */
  private last: Script | null = null;

  /** Looks up a SHA1 in any letter case. */
  get(sha: string): Script | undefined {
    const last = this.last;
    if (last !== null && sha === last.sha) return last;
    const s = this.bySha.get(sha) ?? this.bySha.get(sha.toLowerCase());
    if (s !== undefined) this.last = s;
    return s;
  }

  /**
   * Adds a script; one EVAL created joins the LRU, first evicting the least
   * recently run while EVAL_SCRIPTS_KEPT are there (`evict` frees each).
   */
  add(s: Script, fromEval = false, evict?: (old: Script) => void): void {
    if (fromEval) {
      while (this.evalLru.size >= EVAL_SCRIPTS_KEPT) {
        const old = this.evalLru.values().next().value!;
        this.evalLru.delete(old.sha);
        this.bySha.delete(old.sha);
        if (this.last === old) this.last = null;
        this.bodyBytes -= old.body.length + 40;
        evict?.(old);
      }
      this.evalLru.set(s.sha, s);
    }
    this.bySha.set(s.sha, s);
    if (this.last !== null && this.last.sha === s.sha) this.last = null;
    this.bodyBytes += s.body.length + 40;
  }

  /** EVAL / EVALSHA ran s: the most recently used of EVAL's scripts. */
  touch(s: Script): void {
    if (!this.evalLru.delete(s.sha)) return;
    this.evalLru.set(s.sha, s);
  }

  clear(): void {
    this.bySha.clear();
    this.evalLru.clear();
    this.last = null;
    this.bodyBytes = 0;
  }
}
