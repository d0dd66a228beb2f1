/**
 * Types for shardis JavaScript function libraries (`#!js api_version=1.0`),
 * the globals a library's code sees: `redis` (registration, logging, flags,
 * versions) and `console`. Reference them from a library:
 *
 *   /// <reference types="shardis/functions" />
 *
 * and type-check it with `checkJs` (a .js library) or as TypeScript
 * compiled to JavaScript before FUNCTION LOAD. The runtime is QuickJS
 * (ES2023) without Node or browser APIs: no require, process, timers, fs or
 * fetch, so compile with `"lib": ["es2023"]` and no `@types/node`.
 * The types are in the ShardisFunctions namespace (JSDoc:
 * `@type {ShardisFunctions.FunctionCallback}`). See docs/js-functions.md.
 */

declare namespace ShardisFunctions {
  /** A value replied by Redis to `client.call` (RESP3): strings UTF-8 decoded, maps as plain objects, big numbers and integers past 2^53 as bigint. */
  export type RedisValue = string | number | bigint | boolean | null | RedisValue[] | { [field: string]: RedisValue };

  /** A value replied by Redis to `client.callRaw`: as RedisValue, but bulk and verbatim strings are ArrayBuffers of their bytes (status replies such as OK stay strings). */
  export type RawRedisValue = ArrayBuffer | string | number | bigint | boolean | null | RawRedisValue[] | { [field: string]: RawRedisValue };

  /** An argument of `client.call`: a string (sent as UTF-8), a number or bigint (sent as its decimal text), or bytes. */
  export type RedisArg = string | number | bigint | ArrayBuffer | ArrayBufferView;

  /**
   * What a function may return, written as the caller's reply (in the
   * caller's RESP version): string → bulk string, safe integer / bigint →
   * integer, other number → double (RESP2: bulk string), boolean → RESP3
   * boolean (RESP2: 1 / 0), null / undefined → null, Array → array, Set →
   * set (RESP2: array), Map or plain object → map (RESP2: flat array), bytes
   * → bulk string, an Error → an error reply. Not a Promise.
   */
  export type FunctionResult =
    | string
    | number
    | bigint
    | boolean
    | null
    | undefined
    | void
    | ArrayBuffer
    | ArrayBufferView
    | Error
    | FunctionResult[]
    | Set<FunctionResult>
    | Map<unknown, FunctionResult>
    | { [field: string]: FunctionResult };

  /** Flags of a function, as FUNCTION LIST shows them. */
  export type FunctionFlag = 'no-writes' | 'allow-oom' | 'allow-stale' | 'no-cluster' | 'allow-cross-slot-keys' | 'raw-arguments';

  /** Levels of `redis.log` (the server's loglevel filters them). */
  export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

  /** The client a function or trigger calls Redis with: commands run at once, inside the function's atomic run. */
  export interface RedisClient {
    /**
     * Runs a command; its reply as JS values (RESP3), typed RedisValue
     * (narrow it, or name the type you expect: `call<number>('INCR', k)`
     * in TypeScript, a JSDoc cast in JavaScript). A Redis error reply is thrown as an Error whose message is the error text (e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`). */
    call<T extends RedisValue = RedisValue>(command: RedisArg, ...args: RedisArg[]): T;
    /** As call, with bulk strings as ArrayBuffers (binary-safe). */
    callRaw<T extends RawRedisValue = RawRedisValue>(command: RedisArg, ...args: RedisArg[]): T;
  }

  /** Keys and arguments of a function: strings (UTF-8 decoded), ArrayBuffers with the raw-arguments flag. */
  export type FunctionArgument<Flags extends readonly FunctionFlag[]> = 'raw-arguments' extends Flags[number] ? ArrayBuffer : string;

  /** `(client, keys, args)`: FCALL fn numkeys key… arg… calls it with keys and args. */
  export type FunctionCallback<Flags extends readonly FunctionFlag[] = []> = (
    client: RedisClient,
    keys: FunctionArgument<Flags>[],
    args: FunctionArgument<Flags>[],
  ) => FunctionResult;

  export interface FunctionOptions<Flags extends readonly FunctionFlag[] = readonly FunctionFlag[]> {
    /** Flags, as names or `redis.functionFlags.*`. */
    flags?: Flags;
    /** FUNCTION LIST's description. */
    description?: string;
  }

  export interface TriggerOptions {
    /** FUNCTION LIST's description of the trigger. */
    description?: string;
  }

  /** What a keyspace trigger gets for each write to a key under its prefix. */
  export interface KeySpaceEvent {
    /** The keyspace event's name, as keyspace notifications name it: `set`, `del`, `expired`, `hset`, `incrby`, `rename_to` … */
    readonly event: string;
    /** The key, UTF-8 decoded. */
    readonly key: string;
    /** The key's bytes. */
    readonly keyRaw: ArrayBuffer;
    /** The database of the write. */
    readonly db: number;
  }

  /** What a stream trigger gets for each entry XADD appends to a stream under its prefix. */
  export interface StreamEntry {
    /** The stream's key, UTF-8 decoded. */
    readonly stream: string;
    /** The stream key's bytes. */
    readonly streamRaw: ArrayBuffer;
    /** The entry ID, `ms-seq`. */
    readonly id: string;
    /** The entry's fields and values, in order. */
    readonly record: Array<[field: string, value: string]>;
    /** The database of the write. */
    readonly db: number;
  }

  export type KeySpaceTriggerCallback = (client: RedisClient, event: KeySpaceEvent) => void;
  export type StreamTriggerCallback = (client: RedisClient, entry: StreamEntry) => void;

  export interface RedisFunctionsApi {
    /** The API version the library declared and shardis runs: "1.0". */
    readonly apiVersion: '1.0';
    /** The Redis version shardis reports, e.g. "7.4.1". */
    readonly redisVersion: string;
    /** That version as a number, major * 65536 + minor * 256 + patch (7.4.1: 459777). */
    readonly redisVersionNum: number;
    readonly functionFlags: {
      readonly NO_WRITES: 'no-writes';
      readonly ALLOW_OOM: 'allow-oom';
      readonly ALLOW_STALE: 'allow-stale';
      readonly NO_CLUSTER: 'no-cluster';
      readonly ALLOW_CROSS_SLOT_KEYS: 'allow-cross-slot-keys';
      readonly RAW_ARGUMENTS: 'raw-arguments';
    };
    /**
     * Registers a function for FCALL / FCALL_RO (only while the library
     * loads). Names: letters, digits and underscores. With the raw-arguments
     * flag its keys and args are ArrayBuffers.
     */
    registerFunction<const Flags extends readonly FunctionFlag[] = []>(name: string, callback: FunctionCallback<Flags>, options?: FunctionOptions<Flags>): void;
    /** Runs `callback` right after each command that writes a key starting with `prefix` (once per key event). */
    registerKeySpaceTrigger(name: string, prefix: string | ArrayBuffer, callback: KeySpaceTriggerCallback, options?: TriggerOptions): void;
    /** Runs `callback` for each entry XADD appends to a stream whose key starts with `prefix`. */
    registerStreamTrigger(name: string, prefix: string | ArrayBuffer, callback: StreamTriggerCallback, options?: TriggerOptions): void;
    /** Writes a line to the server's log at `level` (default notice). */
    log(message: string, level?: LogLevel): void;
  }
}

/** The registration and logging API of a `#!js` library. */
declare const redis: ShardisFunctions.RedisFunctionsApi;

/** console.log logs at notice, console.warn and console.error at warning (the server's log). */
interface Console {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}
declare var console: Console;
