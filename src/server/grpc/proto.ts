/**
 * proto/shardis.proto, shipped at the package's root, loaded with
 * @grpc/proto-loader; and the messages as the loader hands them over (bytes
 * as Buffers, unset fields absent, int64s as decimal strings).
 */
import { fileURLToPath } from 'node:url';
import { loadSync, type Options, type ServiceDefinition } from '@grpc/proto-loader';

/** Three folders up from src/server/grpc/ and from the built dist/server/grpc/ alike. */
export const PROTO_PATH = fileURLToPath(new URL('../../../proto/shardis.proto', import.meta.url));

/** How the server (and the tests' clients) read the messages. */
export const PROTO_OPTIONS: Options = { keepCase: true, longs: String, defaults: false, oneofs: true };

/** A Command as decoded: no `args` when the list is empty, no `db` unless set. */
export interface CommandMessage {
  args?: Buffer[];
  db?: number;
}

export interface SubscribeRequestMessage {
  channels?: Buffer[];
  patterns?: Buffer[];
}

export interface MessageMessage {
  channel: Buffer;
  message: Buffer;
  pattern?: Buffer;
}

export interface WatchRequestMessage {
  keys?: Buffer[];
  patterns?: Buffer[];
  prefixes?: Buffer[];
  db?: number;
  from?: string;
}

export interface FeedMessageMessage {
  type: string;
  position: string;
  json: string;
}

/** The Shardis service of the proto. */
export function shardisService(): ServiceDefinition {
  const def = loadSync(PROTO_PATH, PROTO_OPTIONS)['shardis.v1.Shardis'];
  if (def === undefined || 'format' in def) throw new Error(`${PROTO_PATH}: no service shardis.v1.Shardis`);
  return def;
}
