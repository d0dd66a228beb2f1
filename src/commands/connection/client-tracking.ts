/**
 * CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO, as Redis 7.0's
 * clientCommand (networking.c); the machinery is src/reactivity/tracking.ts.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import type { Client } from '../../server/client.ts';
import { getTracking, TF, trackingFlags, trackingOf, trackingRedirect } from '../../reactivity/tracking.ts';
import { prefixCollision } from '../../reactivity/tracking-proto.ts';

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP] */
function clientTracking(c: Client, args: string[]): void {
  let redir = 0;
  let options = 0;
  const prefixes: string[] = [];
  for (let j = 3; j < args.length; j++) {
    const a = args[j]!;
    const more = args.length - 1 - j;
    if (isOpt(a, 'REDIRECT') && more > 0) {
      j++;
      if (redir !== 0) throw new CommandError('ERR A client can only redirect to a single other client');
      const id = parseInt64OrNull(args[j]!);
      if (id === null) throw new CommandError(Err.NOT_INTEGER);
      redir = id;
      const target = c.server.clients.get(id);
      const here = target !== undefined && !target.closed;
      if (!here && c.server.clientsElsewhere?.exists(id) !== true) throw new CommandError('ERR The client ID you want redirect to does not exist');
    } else if (isOpt(a, 'BCAST')) options |= TF.BCAST;
    else if (isOpt(a, 'OPTIN')) options |= TF.OPTIN;
    else if (isOpt(a, 'OPTOUT')) options |= TF.OPTOUT;
    else if (isOpt(a, 'NOLOOP')) options |= TF.NOLOOP;
    else if (isOpt(a, 'PREFIX') && more > 0) prefixes.push(args[++j]!);
    else throw new CommandError(Err.SYNTAX);
  }
  const mode = args[2]!;
  if (isOpt(mode, 'ON')) {
    const flags = trackingFlags(c);
    if (!(options & TF.BCAST) && prefixes.length !== 0) throw new CommandError('ERR PREFIX option requires BCAST mode to be enabled');
    if (flags & TF.ON && (flags & TF.BCAST) !== (options & TF.BCAST)) {
      throw new CommandError("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if (options & TF.BCAST && options & (TF.OPTIN | TF.OPTOUT)) throw new CommandError('ERR OPTIN and OPTOUT are not compatible with BCAST');
    if (options & TF.OPTIN && options & TF.OPTOUT) throw new CommandError("ERR You can't specify both OPTIN mode and OPTOUT mode");
    if ((options & TF.OPTIN && flags & TF.OPTOUT) || (options & TF.OPTOUT && flags & TF.OPTIN)) {
      throw new CommandError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    const t = getTracking(c.server);
    if (options & TF.BCAST) {
      const err = prefixCollision(trackingOf(c)?.prefixes, prefixes);
      if (err !== null) throw new CommandError(err);
    }
    t.enable(c, redir, options, prefixes);
  } else if (isOpt(mode, 'OFF')) {
    c.server.tracking?.disable(c);
  } else {
    throw new CommandError(Err.SYNTAX);
  }
  c.reply.ok();
}

/** CLIENT CACHING YES|NO: the next command (or transaction) is cached (OPTIN) or not (OPTOUT). */
function clientCaching(c: Client, args: string[]): void {
  const t = trackingOf(c);
  if (t === undefined || (t.flags & TF.ON) === 0) {
    throw new CommandError('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  }
  const opt = args[2]!;
  if (isOpt(opt, 'YES')) {
    if (!(t.flags & TF.OPTIN)) throw new CommandError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (isOpt(opt, 'NO')) {
    if (!(t.flags & TF.OPTOUT)) throw new CommandError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    throw new CommandError(Err.SYNTAX);
  }
  t.flags |= TF.CACHING;
  c.reply.ok();
}

/** CLIENT TRACKINGINFO: flags, redirect and prefixes of this connection. */
function clientTrackingInfo(c: Client): void {
  const t = trackingOf(c);
  const f = t?.flags ?? 0;
  const r = c.reply;
  r.map(3);
  r.bulk('flags');
  const flags = [f & TF.ON ? 'on' : 'off'];
  if (f & TF.BCAST) flags.push('bcast');
  if (f & TF.OPTIN) {
    flags.push('optin');
    if (f & TF.CACHING) flags.push('caching-yes');
  }
  if (f & TF.OPTOUT) {
    flags.push('optout');
    if (f & TF.CACHING) flags.push('caching-no');
  }
  if (f & TF.NOLOOP) flags.push('noloop');
  if (f & TF.BROKEN_REDIR) flags.push('broken_redirect');
  r.set(flags.length);
  for (const s of flags) r.bulk(s);
  r.bulk('redirect');
  r.int(trackingRedirect(c));
  r.bulk('prefixes');
  // a rax iterates its keys in byte order
  const prefixes = t?.prefixes ? [...t.prefixes].sort() : [];
  r.bulkArray(prefixes);
}

function sub(name: string, arity: number, handler: (c: Client, args: string[]) => void): CommandSpec {
  return command({
    name, arity, flags: ['noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0, group: 'connection', handler,
  });
}

export const trackingSubcommands: CommandSpec[] = [
  sub('tracking', -3, clientTracking),
  sub('caching', 3, clientCaching),
  sub('getredir', 2, (c) => c.reply.int(trackingRedirect(c))),
  sub('trackinginfo', 2, clientTrackingInfo),
];
