/**
 * What a FUNCTION library is, for the registry (functions.ts) and the
 * engines that run libraries (Lua there, JavaScript in js/): its
 * functions, and for a `#!js` library its worker instance and triggers.
 * Types and the engine names only, so that the registry and the JS modules need not import
 * each other.
 */

export interface FunctionInfo {
  readonly name: string;
  readonly desc: string | null;
  readonly flags: number;
  /** Flags of shardis's own a JS function declared (raw-arguments), listed after Redis's. */
  readonly extraFlags?: readonly string[];
  /** Key of the callback in the Lua-side table. */
  id: number;
  readonly lib: Library;
}

export interface Library {
  readonly name: string;
  /** LUA or JS (FUNCTION LIST's engine). */
  readonly engine: Engine;
  /** The whole source, "#!lua name=…" line included (what FUNCTION LIST WITHCODE and RDB files hold). */
  readonly code: string;
  readonly functions: Map<string, FunctionInfo>;
  /** A JS library: its key in the worker (unique, so a failed REPLACE keeps the old one) and its triggers. */
  readonly js?: JsLibrary;
}

export type Engine = 'LUA' | 'JS';
export const ENGINES: readonly Engine[] = ['LUA', 'JS'];

export interface JsLibrary {
  /** The library's instance in the worker (unique per load). */
  readonly key: string;
  readonly triggers: TriggerInfo[];
}

export interface TriggerStats {
  triggered: number;
  finished: number;
  failed: number;
  lastError: string | null;
  lastMs: number;
  totalMs: number;
}

export interface TriggerInfo {
  readonly lib: Library;
  readonly kind: 'keyspace' | 'stream';
  readonly name: string;
  /** The key prefix (bytes, one char each). */
  readonly prefix: string;
  readonly desc: string | null;
  readonly stats: TriggerStats;
}
