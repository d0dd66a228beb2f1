/**
 * How CLIENT LIST describes a connection (also ACL LOG's client-info): its
 * type and its line of fields, as Redis 7.0's clientCommand and catClientInfoString.
 */
import type { CommandInfo } from '../commands/core/command.ts';
import { trackingListFlags, trackingRedirect } from '../reactivity/tracking.ts';
import type { Session } from './session.ts';

/** Client types as CLIENT LIST TYPE / CLIENT KILL TYPE name them (Redis's getClientType). */
export type ClientType = 'normal' | 'replica' | 'pubsub' | 'master';

export function clientType(c: Session): ClientType {
  if (c.ext.master) return 'master';
  if (c.ext.replica) return 'replica';
  if (c.subscriptions + c.patternSubscriptions + c.shardSubscriptions > 0) return 'pubsub';
  return 'normal';
}

/** The flags= letters, in Redis's order. */
function clientFlags(c: Session, monitors: ReadonlySet<Session>): string {
  let f = '';
  if (monitors.has(c)) f += 'O';
  else if (c.ext.replica) f += 'S';
  if (c.ext.master) f += 'M';
  if (c.subscriptions + c.patternSubscriptions + c.shardSubscriptions > 0) f += 'P';
  if (c.ext.multi) f += 'x';
  if (c.blocked) f += 'b';
  if (c.ext.tracking !== undefined) f += trackingListFlags(c);
  if (c.ext.multi && c.ext.watchDirty) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.noEvict) f += 'e';
  if (c.noTouch) f += 'T';
  return f === '' ? 'N' : f;
}

function argsMem(args: readonly string[]): number {
  let n = 0;
  for (const a of args) n += a.length;
  return n;
}

/** Whole seconds of a time in ms (CLIENT LIST age, idle; CLIENT KILL MAXAGE). */
export const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * One CLIENT LIST / CLIENT INFO line with the fields Redis 7.4 prints, in its
 * order (7.2 added lib-name / lib-ver, 7.4 watch) (`monitors`: the server's MONITOR clients, flag O). `args` are the
 * running command's arguments when `c` is the client asking (argv-mem; other
 * clients are between commands).
 */
export function clientInfoLine(c: Session, monitors: ReadonlySet<Session>, args: readonly string[] | null = null): string {
  const now = seconds(Date.now());
  const fd = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle?.fd ?? -1;
  const tx = c.ext.multi as { queue: Array<[CommandInfo, string[]]>; bytes: number } | undefined;
  const multiMem = tx ? tx.bytes : 0;
  const qbuf = c.closed ? 0 : c.queryBufSize;
  const argvMem = args ? argsMem(args) : 0;
  const rbs = c.reply.buf.length;
  const obl = Math.min(c.reply.len, rbs);
  const omem = c.socket?.writableLength ?? 0;
  const events = c.closed || !c.socket ? '' : omem > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${fd} name=${c.name}` +
    ` age=${now - seconds(c.createdAt)} idle=${now - seconds(c.lastInteraction)} flags=${clientFlags(c, monitors)} db=${c.db}` +
    ` sub=${c.subscriptions} psub=${c.patternSubscriptions} ssub=${c.shardSubscriptions} multi=${tx ? tx.queue.length : -1}` +
    ` watch=${(c.ext.watched as unknown[] | undefined)?.length ?? 0}` +
    ` qbuf=${qbuf} qbuf-free=${qbuf > 0 ? Math.max(0, 16384 - qbuf) : 0} argv-mem=${argvMem} multi-mem=${multiMem}` +
    ` rbs=${rbs} rbp=${obl} obl=${obl} oll=0 omem=${omem} tot-mem=${qbuf + argvMem + multiMem + rbs + omem + 1024}` +
    ` events=${events} cmd=${c.lastCommand} user=${c.user.name} redir=${trackingRedirect(c)} resp=${c.resp}` +
    ` lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}
