/**
 * Commands of an HTTP request, run through the same dispatch as RESP
 * connections (ACL, commandstats, SLOWLOG, MONITOR, notifications,
 * tracking, AOF and replication see no difference), for a session of their
 * own: a socketless Client authenticated as the request's user, which lives
 * as long as the request. A reply leaves as a RESP connection's would: after
 * what must precede it (tracking invalidations, with appendfsync always the
 * AOF write). Replies come back as Upstash's REST API writes them
 * (protocol/reply-json.ts).
 */
import type { ServerState } from '../server-state.ts';
import { Client, replyHold } from '../client.ts';
import { execute } from '../dispatch.ts';
import type { User } from '../../security/acl-user.ts';
import { arrayItemsToJson, replyToJson, type JsonReply } from '../../protocol/reply-json.ts';

export class HttpSession extends Client {
  /** Replies in base64 (`Upstash-Encoding: base64`). */
  readonly base64: boolean;
  private delivered: ((bytes: Buffer) => void) | null = null;

  /** Runs as `user`; MONITOR shows `addr`. */
  constructor(state: ServerState<Client>, user: User, addr: string, base64: boolean) {
    super(state, null);
    this.user = user;
    this.authenticated = true;
    this.ext.monitorAddr = addr;
    this.base64 = base64;
  }

  /** The reply leaves once nothing must go first; it may be called again later (the AOF hold releases it). */
  override flush(): void {
    if (this.closed || this.reply.len === 0) return;
    if (this.server.beforeReply !== null) this.server.beforeReply();
    if (replyHold.fn !== null && replyHold.fn(this)) return;
    const bytes = Buffer.from(this.reply.buf.subarray(0, this.reply.len));
    this.server.stats.netOutputBytes += bytes.length;
    this.reply.len = 0;
    this.reply.pushEnd = 0;
    const d = this.delivered;
    this.delivered = null;
    d?.(bytes);
  }

  /** Runs one command: its reply bytes, once they may leave. */
  async replyOf(args: string[]): Promise<Buffer> {
    this.reply.len = 0;
    const r = execute(this, args);
    if (r !== undefined) await r;
    if (this.reply.len === 0) return Buffer.alloc(0);
    const out = new Promise<Buffer>((resolve) => (this.delivered = resolve));
    this.flush();
    return out;
  }

  /** Runs one command: its reply as JSON. */
  async one(args: string[]): Promise<JsonReply> {
    const b = await this.replyOf(args);
    if (b.length === 0) return { json: 'null', error: null, next: 0 };
    return replyToJson(b, 0, b.length, this.base64);
  }

  /** Commands one after another (a pipeline, not atomic): each one's reply. */
  async pipeline(cmds: string[][]): Promise<JsonReply[]> {
    const out: JsonReply[] = [];
    for (const args of cmds) out.push(await this.one(args));
    return out;
  }

  /**
   * Commands in one MULTI/EXEC (atomic): each one's reply, or the error that
   * ended the transaction (EXECABORT when a command was refused as queued).
   */
  async transaction(cmds: string[][]): Promise<JsonReply[] | JsonReply> {
    const begun = await this.one(['MULTI']);
    if (begun.error !== null) return begun;
    for (const args of cmds) await this.replyOf(args);
    const b = await this.replyOf(['EXEC']);
    return arrayItemsToJson(b, 0, b.length, this.base64) ?? replyToJson(b, 0, b.length, this.base64);
  }
}

/** `{"result":…}` or `{"error":"…"}`. */
export const envelope = (r: JsonReply): string => (r.error !== null ? `{"error":${r.json}}` : `{"result":${r.json}}`);
