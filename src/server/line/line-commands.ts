/**
 * The line protocol's commands (docs/line.md), each run as the Redis
 * command(s) it stands for through the session's dispatch, and the reply
 * turned into one line:
 *
 *   GET k           → GET k:        the value | ERR key not found
 *   SET k v…        → SET k v:      OK (the value is the rest of the line)
 *   DELETE k        → DEL k:        OK | ERR key not found
 *   LIST            → SCAN … (db 0): the keys, comma-separated
 *   AUTH password   → AUTH password: OK | ERR invalid password
 *
 * Lines are bytes (latin1 strings, one char per byte), as RESP arguments.
 */
import type { CommandSession } from '../command-session.ts';
import { readReply } from '../../protocol/reply-read.ts';

const MINUS = 45;
const COLON = 58;

/** A value or key with a line break cannot be one line. */
const LINE_BREAK = /[\r\n]/;

/** A Redis error as a line: its own text, but for the errors the protocol names. */
export function errorLine(msg: string): string {
  if (msg.startsWith('WRONGTYPE ')) return 'ERR wrong type';
  // a script past busy-reply-threshold
  if (msg.startsWith('BUSY ')) return 'BUSY';
  if (msg.startsWith('NOAUTH ')) return 'ERR authentication required';
  if (msg.startsWith('WRONGPASS ')) return 'ERR invalid password';
  return msg.startsWith('ERR ') ? msg : `ERR ${msg}`;
}

/** The reply as a line when it is an error, else null. */
function failed(b: Buffer): string | null {
  return b[0] === MINUS ? errorLine(b.latin1Slice(1, b.indexOf(13))) : null;
}

type Done = (line: string) => void;

/** Runs one command and answers `ok(reply)`, or its error as a line. */
function run(s: CommandSession, args: string[], done: Done, ok: (b: Buffer) => string): void {
  s.runCommand(args, (b) => done(failed(b) ?? ok(b)));
}

/** The words of `rest` (runs of spaces between them). */
const words = (rest: string): string[] => rest.split(' ').filter((w) => w !== '');

const ARITY = 'ERR wrong number of arguments';

/** LIST: SCAN db 0 to its end (not a snapshot: a key changed meanwhile may be missing or listed). */
function list(s: CommandSession, done: Done, cursor: string, keys: Set<string>): void {
  s.runCommand(['SCAN', cursor, 'COUNT', '1000'], (b) => {
    const err = failed(b);
    if (err !== null) return done(err);
    const next = readReply(b, readReply(b, 0).next);
    let p = readReply(b, next.next).next;
    while (p < b.length) {
      const k = readReply(b, p);
      keys.add(k.text!);
      p = k.next;
    }
    if (next.text !== '0') return list(s, done, next.text!, keys);
    const all = [...keys];
    done(all.some((k) => LINE_BREAK.test(k)) ? 'ERR a key holds a newline' : all.join(','));
  });
}

/**
 * Runs one line (without its line break, not empty) and answers its reply
 * line: before returning when nothing waits, else once it may leave.
 */
export function runLine(s: CommandSession, line: string, done: Done): void {
  const sp = line.indexOf(' ');
  const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  const rest = sp < 0 ? '' : line.slice(sp + 1);
  if (verb === 'AUTH') {
    if (rest === '') return done(ARITY);
    return run(s, ['AUTH', rest], done, () => 'OK');
  }
  if (s.server.acl.authRequired(s)) return done('ERR authentication required');
  switch (verb) {
    case 'GET': {
      const w = words(rest);
      if (w.length !== 1) return done(ARITY);
      return run(s, ['GET', w[0]!], done, (b) => {
        const v = readReply(b, 0).text;
        if (v === null) return 'ERR key not found';
        return LINE_BREAK.test(v) ? 'ERR value holds a newline' : v;
      });
    }
    case 'SET': {
      const from = /^ */.exec(rest)![0].length;
      const end = rest.indexOf(' ', from);
      if (from === rest.length || end < 0) return done(ARITY);
      return run(s, ['SET', rest.slice(from, end), rest.slice(end + 1)], done, () => 'OK');
    }
    case 'DELETE': {
      const w = words(rest);
      if (w.length !== 1) return done(ARITY);
      return run(s, ['DEL', w[0]!], done, (b) => (b[0] === COLON && readReply(b, 0).text !== '0' ? 'OK' : 'ERR key not found'));
    }
    case 'LIST':
      if (words(rest).length !== 0) return done(ARITY);
      return list(s, done, '0', new Set());
    default:
      return done('ERR unknown command');
  }
}
