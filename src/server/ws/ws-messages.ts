/**
 * The WebSocket front end's messages (docs/http.md, "WebSocket"): one JSON
 * object per frame, read into a request, and the replies written back.
 *
 *   {"id":1,"cmd":["SET","k","v"]}            → {"id":1,"result":"OK"} | {"id":1,"error":"…"}
 *   {"id":2,"pipeline":[[…],[…]]}             → {"id":2,"results":[{"result":…},{"error":"…"}]}
 *   {"id":3,"multi":[[…],[…]]}                → the same, atomic (MULTI/EXEC)
 *   {"id":4,"subscribe":["news"]}             → {"id":4,"result":[["subscribe","news",1]]}
 *   (psubscribe, unsubscribe, punsubscribe alike; an empty unsubscribe list: all)
 *   {"id":5,"watch":{"keys":[…],"patterns":[…],"prefixes":[…],"db":0,"from":"…"}}
 *                                             → {"id":5,"result":"OK"}, then {"feed":5,"type":"snapshot",…} …
 *   {"id":6,"unwatch":5}                      → {"id":6,"result":"OK"}
 *
 * `"encoding":"base64"` (or the socket's `?encoding=base64`) writes the
 * reply's strings in base64; `"encoding":"utf8"` overrides the socket's.
 */
import { BadCommand, argOf, commandOf, commandsOf } from '../json-commands.ts';
import type { FeedSpec } from '../../reactivity/feeds.ts';

export type SubscriptionVerb = 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe';

/** A message read: what to run, or the error to answer in its turn. */
export type WsRequest =
  | { kind: 'cmd'; id: string; base64: boolean; args: string[] }
  | { kind: 'pipeline' | 'multi'; id: string; base64: boolean; cmds: string[][] }
  | { kind: 'subscription'; id: string; base64: boolean; verb: SubscriptionVerb; names: string[] }
  | { kind: 'watch'; id: string; spec: FeedSpec; from: string | null }
  | { kind: 'unwatch'; id: string; feed: string }
  | { kind: 'bad'; id: string; error: string };

const ACTIONS = ['cmd', 'pipeline', 'multi', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'watch', 'unwatch'] as const;
type Action = (typeof ACTIONS)[number];
const FIELDS = new Set<string>([...ACTIONS, 'id', 'encoding']);

/** Commands that turn a session into a stream; on a WebSocket subscriptions have messages of their own. */
const STREAMING = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'monitor']);

function refuseStreaming(args: string[]): string[] {
  const name = args[0]!.toLowerCase();
  if (!STREAMING.has(name)) return args;
  if (name === 'monitor') throw new BadCommand('ERR MONITOR is not available on a WebSocket (the HTTP front end streams it at /monitor)');
  if (name === 'ssubscribe') throw new BadCommand('ERR SSUBSCRIBE is not available on a WebSocket');
  throw new BadCommand(`ERR ${name.toUpperCase()} on a WebSocket is a message of its own: {"${name}":[…]}`);
}

/** The request's `id` as JSON text ('' when it has none). */
function idOf(m: Record<string, unknown>): string {
  const id = m.id;
  if (id === undefined) return '';
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return JSON.stringify(id);
  throw new BadCommand('ERR "id" is a string or a number');
}

function encodingOf(m: Record<string, unknown>, socketBase64: boolean): boolean {
  const e = m.encoding;
  if (e === undefined) return socketBase64;
  if (e === 'base64') return true;
  if (e === 'utf8') return false;
  throw new BadCommand('ERR "encoding" is "base64" or "utf8"');
}

function namesOf(v: unknown, verb: SubscriptionVerb): string[] {
  if (!Array.isArray(v)) throw new BadCommand(`ERR "${verb}" is a JSON array of names`);
  if (v.length === 0 && (verb === 'subscribe' || verb === 'psubscribe')) throw new BadCommand(`ERR "${verb}" needs at least one name`);
  return v.map(argOf);
}

const WATCH_FIELDS = new Set(['keys', 'patterns', 'prefixes', 'db', 'from']);

/** A watch message's feed (docs/feeds.md): keys, patterns, prefixes as arrays of names, db, from. */
function feedOf(v: unknown, base64: boolean): { spec: FeedSpec; from: string | null } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadCommand('ERR "watch" is an object: {"keys":[…],"patterns":[…],"prefixes":[…],"db":0,"from":"…"}');
  const w = v as Record<string, unknown>;
  for (const k of Object.keys(w)) if (!WATCH_FIELDS.has(k)) throw new BadCommand(`ERR unknown watch field "${k}"`);
  const list = (name: string): string[] => {
    const l = w[name] ?? [];
    if (!Array.isArray(l)) throw new BadCommand(`ERR "${name}" is a JSON array of names`);
    return l.map(argOf);
  };
  const db = w.db ?? 0;
  if (typeof db !== 'number' || !Number.isInteger(db) || db < 0) throw new BadCommand('ERR DB index is out of range');
  const from = w.from ?? null;
  if (from !== null && typeof from !== 'string') throw new BadCommand('ERR "from" is a position string');
  const spec: FeedSpec = { db, keys: list('keys'), patterns: list('patterns'), prefixes: list('prefixes'), base64 };
  if (spec.keys.length + spec.patterns.length + spec.prefixes.length === 0) throw new BadCommand('ERR a feed needs at least one key, pattern or prefix');
  return { spec, from };
}

/** Reads one frame's text; never throws (a bad message is a request answered with its error). */
export function readMessage(text: string, socketBase64: boolean): WsRequest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { kind: 'bad', id: '', error: 'ERR the message is not valid JSON' };
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return { kind: 'bad', id: '', error: 'ERR a message is a JSON object' };
  const msg = m as Record<string, unknown>;
  let id = '';
  try {
    id = idOf(msg);
    for (const k of Object.keys(msg)) if (!FIELDS.has(k)) throw new BadCommand(`ERR unknown field "${k}"`);
    const actions = ACTIONS.filter((a) => msg[a] !== undefined);
    if (actions.length !== 1) throw new BadCommand(`ERR a message has exactly one of ${ACTIONS.map((a) => `"${a}"`).join(', ')}`);
    const action: Action = actions[0]!;
    const base64 = encodingOf(msg, socketBase64);
    const v = msg[action];
    if (action === 'cmd') return { kind: 'cmd', id, base64, args: refuseStreaming(commandOf(v)) };
    if (action === 'pipeline' || action === 'multi') return { kind: action, id, base64, cmds: commandsOf(v).map(refuseStreaming) };
    if (action === 'watch') {
      if (id === '') throw new BadCommand('ERR a watch needs an "id": its messages carry it as "feed"');
      return { kind: 'watch', id, ...feedOf(v, base64) };
    }
    if (action === 'unwatch') {
      if (typeof v !== 'string' && typeof v !== 'number') throw new BadCommand('ERR "unwatch" is the id of a watch');
      return { kind: 'unwatch', id, feed: JSON.stringify(v) };
    }
    return { kind: 'subscription', id, base64, verb: action, names: namesOf(v, action) };
  } catch (e) {
    if (!(e instanceof BadCommand)) throw e;
    return { kind: 'bad', id, error: e.message };
  }
}

/** A reply: `body` is the JSON object's fields after the id (`"result":…`). */
export function replyText(id: string, body: string): string {
  return id === '' ? `{${body}}` : `{"id":${id},${body}}`;
}

/** An error reply. */
export const errorText = (id: string, error: string): string => replyText(id, `"error":${JSON.stringify(error)}`);
