/**
 * A @grpc/grpc-js client of proto/shardis.proto for tests, built from the
 * same file the server loads; and a Reply as a plain value to compare with
 * what ioredis returns.
 */
import * as grpc from '@grpc/grpc-js';
import { shardisService } from '../../src/server/grpc/proto.ts';

/** A Reply as the client decodes it (`value` names the field that is set). */
export interface Reply {
  value?: string;
  string?: Buffer;
  error?: string;
  integer?: string;
  big_integer?: string;
  double?: number;
  boolean?: boolean;
  null?: object;
  array?: { items?: Reply[] };
}

export interface Command {
  args: Array<string | Buffer>;
  db?: number;
}

export interface Message {
  channel: Buffer;
  message: Buffer;
  pattern?: Buffer;
}

export interface FeedMessage {
  type: string;
  position: string;
  json: string;
}

/** A Redis error as a plain value. */
export class ReplyError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** A Reply as ioredis would return it: strings as UTF-8 text, integers as numbers, errors as ReplyError. */
export function plain(r: Reply): unknown {
  switch (r.value) {
    case 'string':
      return r.string!.toString('utf8');
    case 'error':
      return new ReplyError(r.error!);
    case 'integer':
      return Number(r.integer);
    case 'big_integer':
      return BigInt(r.big_integer!);
    case 'double':
      return r.double;
    case 'boolean':
      return r.boolean;
    case 'null':
      return null;
    case 'array':
      return (r.array!.items ?? []).map(plain);
    default:
      throw new Error(`a Reply with nothing set: ${JSON.stringify(r)}`);
  }
}

const service = shardisService();

const encodeCommand = (c: Command): Buffer => service.Execute!.requestSerialize({ args: c.args.map((a) => Buffer.from(a)), db: c.db });
const decodeReply = (b: Buffer): Reply => service.Execute!.responseDeserialize(b) as Reply;

export class ShardisClient {
  readonly raw: grpc.Client;
  private readonly token: string | null;

  /**
   * A client of its own connection (no subchannel shared with other clients), so that `threads` spread them;
   * `credentials`: TLS ones for a server with tls-grpc yes.
   */
  constructor(port: number, token: string | null = null, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()) {
    this.raw = new grpc.Client(`127.0.0.1:${port}`, credentials, { 'grpc.use_local_subchannel_pool': 1 });
    this.token = token;
  }

  metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token !== null) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  /** Execute: the Reply, or a rejection with the call's ServiceError. */
  execute(args: Array<string | Buffer>, db?: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.raw.makeUnaryRequest('/shardis.v1.Shardis/Execute', encodeCommand, decodeReply, { args, db }, this.metadata(), (e, r) => (e ? reject(e) : resolve(r!)));
    });
  }

  /** Execute, the Reply as a plain value. */
  async call(...args: Array<string | Buffer>): Promise<unknown> {
    return plain(await this.execute(args));
  }

  pipeline(): grpc.ClientDuplexStream<Command, Reply> {
    return this.raw.makeBidiStreamRequest('/shardis.v1.Shardis/Pipeline', encodeCommand, decodeReply, this.metadata());
  }

  subscribe(channels: Array<string | Buffer>, patterns: Array<string | Buffer> = []): grpc.ClientReadableStream<Message> {
    const req = { channels: channels.map((c) => Buffer.from(c)), patterns: patterns.map((p) => Buffer.from(p)) };
    return this.raw.makeServerStreamRequest(
      '/shardis.v1.Shardis/Subscribe',
      (r: typeof req) => service.Subscribe!.requestSerialize(r),
      (b: Buffer) => service.Subscribe!.responseDeserialize(b) as Message,
      req,
      this.metadata(),
    );
  }

  watch(req: { keys?: string[]; patterns?: string[]; prefixes?: string[]; db?: number; from?: string }): grpc.ClientReadableStream<FeedMessage> {
    const body = { keys: (req.keys ?? []).map((k) => Buffer.from(k)), patterns: (req.patterns ?? []).map((k) => Buffer.from(k)), prefixes: (req.prefixes ?? []).map((k) => Buffer.from(k)), db: req.db, from: req.from };
    return this.raw.makeServerStreamRequest(
      '/shardis.v1.Shardis/Watch',
      (r: typeof body) => service.Watch!.requestSerialize(r),
      (b: Buffer) => service.Watch!.responseDeserialize(b) as FeedMessage,
      body,
      this.metadata(),
    );
  }

  /** Execute with a request body of raw bytes (a malformed message). */
  executeRaw(body: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.raw.makeUnaryRequest('/shardis.v1.Shardis/Execute', (b: Buffer) => b, decodeReply, body, this.metadata(), (e, r) => (e ? reject(e) : resolve(r!)));
    });
  }

  close(): void {
    this.raw.close();
  }
}

/** The status a call failed with. */
export async function statusOf(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: err.code, details: err.details };
  }
  throw new Error('the call succeeded');
}

/** The status a streaming call ends with (OK included), once every message before it was emitted. */
export function endOf(call: grpc.ClientReadableStream<Message> | grpc.ClientDuplexStream<Command, Reply>): Promise<{ code: number; details: string }> {
  // the status may come while messages still wait in the stream's buffer: an OK call's 'end' follows
  // them, a failed one's buffered messages are emitted on the next ticks
  const ended = new Promise<void>((resolve) => {
    call.on('end', () => resolve());
    // the error carries the same status: handled here so that it is not thrown
    call.on('error', () => setImmediate(resolve));
  });
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  return Promise.all([status, ended]).then(([s]) => ({ code: s.code, details: s.details }));
}

export { grpc };
