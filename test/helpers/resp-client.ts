/**
 * A minimal raw RESP client for tests: sends commands as multibulk (or raw
 * bytes) and reads replies either parsed or as the exact bytes the server sent.
 */
import { connect, type Socket } from 'node:net';

export type Reply =
  | string
  | number
  | bigint
  | null
  | boolean
  | ReplyError
  | Reply[]
  | { map: Array<[Reply, Reply]> }
  | { set: Reply[] }
  | { double: string }
  | { push: Reply[] }
  | { verbatim: string };

export class ReplyError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Length in bytes of the first complete reply in buf starting at pos, or -1 if incomplete. */
export function replyLength(buf: Buffer, pos = 0): number {
  const r = parseAt(buf, pos);
  return r === null ? -1 : r[1] - pos;
}

/** Parses one complete reply given as its raw bytes (latin1). */
export function parseReply(raw: string): Reply {
  const r = parseAt(Buffer.from(raw, 'latin1'), 0);
  if (r === null) throw new Error(`incomplete reply: ${JSON.stringify(raw.slice(0, 200))}`);
  return r[0];
}

function parseAt(buf: Buffer, pos: number): [Reply, number] | null {
  if (pos >= buf.length) return null;
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.latin1Slice(pos + 1, nl);
  const next = nl + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new ReplyError(line), next];
    case ':':
      return [Number(line), next];
    case '(':
      return [BigInt(line), next];
    case ',':
      return [{ double: line }, next];
    case '#':
      return [line === 't', next];
    case '_':
      return [null, next];
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return [null, next];
      if (next + n + 2 > buf.length) return null;
      const s = buf.latin1Slice(next, next + n);
      if (type === '!') return [new ReplyError(s), next + n + 2];
      return [type === '=' ? { verbatim: s } : s, next + n + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const count = type === '%' ? n * 2 : n;
      const items: Reply[] = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = parseAt(buf, p);
        if (r === null) return null;
        items.push(r[0]);
        p = r[1];
      }
      if (type === '~') return [{ set: items }, p];
      if (type === '>') return [{ push: items }, p];
      if (type === '%') {
        const pairs: Array<[Reply, Reply]> = [];
        for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
        return [{ map: pairs }, p];
      }
      return [items, p];
    }
    default:
      throw new Error(`bad reply type byte ${JSON.stringify(type)} in ${JSON.stringify(buf.latin1Slice(pos, Math.min(buf.length, pos + 40)))}`);
  }
}

export class RespClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly socket: Socket;
  /** Applied to the reply of each call()/callRaw(), given the command (the compat harness reads an older Redis's replies as 7.4's). */
  rewrite: ((raw: string, args: readonly (string | number | Buffer)[]) => string) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    const s = connect({ port, host });
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('error', rej);
    });
    return new RespClient(s);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async waitData(timeoutMs: number): Promise<void> {
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`timed out waiting for reply; buffered: ${JSON.stringify(this.buf.latin1Slice(0, 200))}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        res();
      });
    });
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(...args: (string | number | Buffer)[]): void {
    this.socket.write(encodeCommand(args));
  }

  /** Reads the next reply's exact bytes (latin1). */
  async readRaw(timeoutMs = 5000): Promise<string> {
    for (;;) {
      const n = this.buf.length > 0 ? replyLength(this.buf) : -1;
      if (n >= 0) {
        const s = this.buf.latin1Slice(0, n);
        this.buf = this.buf.subarray(n);
        return s;
      }
      if (this.closed) throw new Error('connection closed');
      await this.waitData(timeoutMs);
    }
  }

  async read(timeoutMs = 5000): Promise<Reply> {
    return parseReply(await this.readRaw(timeoutMs));
  }

  /** Sends a command and returns its parsed reply. */
  async call(...args: (string | number | Buffer)[]): Promise<Reply> {
    return parseReply(await this.callRaw(...args));
  }

  /** Sends a command and returns its raw reply bytes. */
  async callRaw(...args: (string | number | Buffer)[]): Promise<string> {
    this.send(...args);
    const raw = await this.readRaw();
    return this.rewrite ? this.rewrite(raw, args) : raw;
  }

  /** Resolves once the server has closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    while (!this.closed) await this.waitData(timeoutMs);
  }

  /** Everything received and not yet read, as latin1. */
  pending(): string {
    return this.buf.latin1Slice(0, this.buf.length);
  }

  close(): void {
    this.socket.destroy();
  }
}
