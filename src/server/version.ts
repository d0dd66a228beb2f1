/** Versions reported by INFO, HELLO and LOLWUT-style introspection. */
import { readFileSync } from 'node:fs';

/** The Redis version whose behaviour shardis implements (clients check redis_version). */
export const REDIS_VERSION = '7.4.1';

/** shardis's own version, from package.json. */
export const SHARDIS_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
