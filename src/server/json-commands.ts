/**
 * Commands as JSON, shared by the HTTP and WebSocket front ends: a command
 * is a JSON array of arguments (strings, numbers, or `{"base64":"…"}` for
 * bytes that are not UTF-8 text), and each reply becomes JSON as Upstash's
 * REST API writes it (protocol/reply-json.ts): `{"result":…}` or
 * `{"error":"…"}`.
 */
import type { CommandSession } from './command-session.ts';
import { arrayItemsToJson, replyToJson, type JsonReply } from '../protocol/reply-json.ts';

/** A request that is not a well-formed command; its message is the error text the client gets. */
export class BadCommand extends Error {}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

/** A JSON value of a command array as an argument: a byte string (latin1, one char per byte), as RESP arguments are. */
export function argOf(v: unknown): string {
  if (typeof v === 'string') return Buffer.from(v, 'utf8').latin1Slice();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const b = (v as { base64?: unknown }).base64;
    if (keys.length === 1 && typeof b === 'string') {
      if (!BASE64.test(b)) throw new BadCommand('ERR an argument\'s "base64" is not valid base64');
      return Buffer.from(b, 'base64').latin1Slice();
    }
  }
  throw new BadCommand('ERR a command is a JSON array of strings, numbers and {"base64":"…"} arguments');
}

/** A command: a non-empty JSON array of arguments. */
export function commandOf(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new BadCommand('ERR a command is a non-empty JSON array');
  return v.map(argOf);
}

/** Commands of a pipeline or transaction: a non-empty JSON array of commands. */
export function commandsOf(v: unknown): string[][] {
  if (!Array.isArray(v) || v.length === 0) throw new BadCommand('ERR a pipeline is a non-empty JSON array of commands');
  return v.map(commandOf);
}

const PUSH = 62;
const NULL_REPLY: JsonReply = { json: 'null', error: null, next: 0 };

/** Where the command's reply starts in `b`: after any RESP3 push that reached the session meanwhile (tracking); -1 when none (CLIENT REPLY OFF). */
function replyStart(b: Buffer): number {
  let p = 0;
  while (p < b.length && b[p] === PUSH) p = replyToJson(b, p, b.length, false).next;
  return p < b.length ? p : -1;
}

/** Runs one command: its reply as JSON (strings in base64 with `base64`). */
export async function runJson(s: CommandSession, args: string[], base64: boolean): Promise<JsonReply> {
  const b = await s.replyOf(args);
  const p = replyStart(b);
  return p < 0 ? NULL_REPLY : replyToJson(b, p, b.length, base64);
}

/** Commands one after another (a pipeline, not atomic): each one's reply. */
export async function runPipeline(s: CommandSession, cmds: string[][], base64: boolean): Promise<JsonReply[]> {
  const out: JsonReply[] = [];
  for (const args of cmds) out.push(await runJson(s, args, base64));
  return out;
}

/**
 * Commands in one MULTI/EXEC (atomic): each one's reply, or the one reply
 * that ended the transaction (EXECABORT when a command was refused as
 * queued, null when a WATCHed key changed).
 */
export async function runTransaction(s: CommandSession, cmds: string[][], base64: boolean): Promise<JsonReply[] | JsonReply> {
  const begun = await runJson(s, ['MULTI'], base64);
  if (begun.error !== null) return begun;
  for (const args of cmds) await s.replyOf(args);
  const b = await s.replyOf(['EXEC']);
  const p = replyStart(b);
  if (p < 0) return NULL_REPLY;
  return arrayItemsToJson(b, p, b.length, base64) ?? replyToJson(b, p, b.length, base64);
}

/** `"result":…` or `"error":"…"`: the fields of a reply's JSON object. */
export const replyFields = (r: JsonReply): string => (r.error !== null ? `"error":${r.json}` : `"result":${r.json}`);

/** `{"result":…}` or `{"error":"…"}`. */
export const envelope = (r: JsonReply): string => `{${replyFields(r)}}`;
