/**
 * Commands of an HTTP request, run for a session of their own that lives as
 * long as the request (server/command-session.ts: the same dispatch as RESP
 * connections, each reply handed back once it may leave). Replies come back
 * as Upstash's REST API writes them (protocol/reply-json.ts).
 */
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { CommandSession } from '../command-session.ts';
import type { User } from '../../security/acl-user.ts';
import { arrayItemsToJson, replyToJson, type JsonReply } from '../../protocol/reply-json.ts';

export class HttpSession extends CommandSession {
  /** Replies in base64 (`Upstash-Encoding: base64`). */
  readonly base64: boolean;

  /** Runs as `user`; MONITOR shows `addr`. */
  constructor(state: ServerState<Client>, user: User, addr: string, base64: boolean) {
    super(state, user, addr);
    this.base64 = base64;
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
    // the request went away meanwhile
    if (b.length === 0) return { json: 'null', error: null, next: 0 };
    return arrayItemsToJson(b, 0, b.length, this.base64) ?? replyToJson(b, 0, b.length, this.base64);
  }
}

/** `{"result":…}` or `{"error":"…"}`. */
export const envelope = (r: JsonReply): string => (r.error !== null ? `{"error":${r.json}}` : `{"result":${r.json}}`);
