/**
 * One connection of the line protocol (docs/line.md): lines in, one reply
 * line each, in order. Its lines run one after another on its session, as
 * a RESP connection's commands; while they complete at once a whole
 * pipeline is answered in one write.
 *
 * Memory stays bounded:
 * - at most MAX_WAITING lines wait (read, not yet answered, the running one
 *   included); a line read past that is not kept: it is answered BUSY in
 *   its turn (consecutive ones are one counter in the queue);
 * - a line longer than MAX_LINE is answered `ERR line too long` in its turn
 *   and the connection closes;
 * - while OUTPUT_HIGH_WATER bytes of replies wait unread, no line runs and
 *   the socket is not read (TCP backpressure).
 */
import type { Socket } from 'node:net';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { CommandSession } from '../command-session.ts';
import { INLINE_MAX_SIZE } from '../../protocol/resp-parser.ts';
import { runLine } from './line-commands.ts';

/** Lines waiting (the running one included) past which further lines are answered BUSY. */
export const MAX_WAITING = 1024;
/** The longest line, as Redis's inline requests (PROTO_INLINE_MAX_SIZE). */
export const MAX_LINE = INLINE_MAX_SIZE;
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;
/** Replies gathered for one write at most (a pipeline of big values is written as it goes). */
const OUT_BATCH = 64 * 1024;
const BUSY_BATCH = 4096;

const LF = 10;
const CR = 13;

/** A queue entry: a line to run, a count of lines to answer BUSY, or the line too long that ends the connection. */
type Entry = string | number | typeof TOO_LONG;
const TOO_LONG = Symbol('too long');

export class LineConnection {
  private readonly state: ServerState<Client>;
  private readonly socket: Socket;
  private readonly session: CommandSession;
  private readonly queue: Entry[] = [];
  /** Lines in the queue or running (BUSY counts excluded). */
  private waiting = 0;
  /** The start of a line whose end has not arrived. */
  private partial: Buffer[] = [];
  private partialLen = 0;
  /** A line is running and has not answered yet. */
  private running = false;
  /** Replies not yet written (one write per batch). */
  private out = '';
  private ended = false;

  constructor(state: ServerState<Client>, socket: Socket) {
    this.state = state;
    this.socket = socket;
    const addr = `${socket.remoteAddress}:${socket.remotePort}`;
    // the default user; authenticated at once when it needs no password, as a RESP connection
    const d = state.acl.defaultUser;
    this.session = new CommandSession(state, d, addr, d.nopass && d.enabled);
    state.clients.set(this.session.id, this.session);
    // CLIENT KILL, ACL changes …: the session's end is the connection's
    this.session.onClose.push(() => socket.destroy());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => this.session.close());
    socket.on('close', () => this.session.close());
  }

  private onData(chunk: Buffer): void {
    this.state.stats.netInputBytes += chunk.length;
    this.session.lastInteraction = Date.now();
    // rate limits: the bytes read (in delay mode the lines' commands wait for them)
    if (this.state.rateLimits.on) this.state.rateLimits.read(this.session, chunk.length);
    let from = 0;
    // each line runs as soon as it is read: only lines behind one that waits are queued
    for (let lf = chunk.indexOf(LF); lf >= 0 && !this.ended; lf = chunk.indexOf(LF, from)) {
      this.take(chunk, from, lf);
      from = lf + 1;
      this.drain();
    }
    if (from < chunk.length && !this.ended) {
      this.partial.push(chunk.subarray(from));
      this.partialLen += chunk.length - from;
      if (this.partialLen > MAX_LINE) this.tooLong();
    }
    this.drain();
    this.flush();
  }

  /** One whole line: chunk[from, lf) after what was partial. */
  private take(chunk: Buffer, from: number, lf: number): void {
    let bytes = chunk.subarray(from, lf);
    if (this.partialLen > 0) {
      bytes = Buffer.concat([...this.partial, bytes]);
      this.partial = [];
      this.partialLen = 0;
    }
    if (bytes.length > MAX_LINE) return this.tooLong();
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    // leading spaces are no part of the command; an empty line is no request (as Redis's inline protocol)
    const line = bytes.latin1Slice(0, end).replace(/^ +/, '');
    if (line === '') return;
    if (this.waiting >= MAX_WAITING) {
      const at = this.queue.length - 1;
      const last = this.queue[at];
      if (typeof last === 'number') this.queue[at] = last + 1;
      else this.queue.push(1);
      return;
    }
    this.waiting++;
    this.queue.push(line);
  }

  /** Nothing more is read: the lines before are answered, then `ERR line too long`, then the connection closes. */
  private tooLong(): void {
    this.ended = true;
    this.partial = [];
    this.partialLen = 0;
    this.queue.push(TOO_LONG);
    this.socket.pause();
  }

  /** Answers the queue in order while lines complete at once (into `out`); a line that waits continues it when it answers. */
  private drain(): void {
    while (!this.running && this.queue.length > 0 && !this.session.closed) {
      if (this.out.length > OUT_BATCH) this.flush();
      if (this.socket.writableLength > OUTPUT_HIGH_WATER) {
        this.socket.pause();
        break;
      }
      const head = this.queue.shift()!;
      if (head === TOO_LONG) {
        this.out += 'ERR line too long\n';
        this.flush();
        this.socket.end();
        return;
      }
      if (typeof head === 'number') {
        // a long run is written a batch at a time, under the same output bound as replies
        const n = Math.min(head, BUSY_BATCH);
        this.out += 'BUSY\n'.repeat(n);
        if (head > n) this.queue.unshift(head - n);
        continue;
      }
      this.running = true;
      let sync = true;
      runLine(this.session, head, (reply) => {
        this.running = false;
        this.waiting--;
        this.out += reply + '\n';
        // a line that waited (a key of another thread, CLIENT PAUSE, the AOF) continues the queue
        if (!sync) {
          this.drain();
          this.flush();
        }
      });
      sync = false;
    }
  }

  private flush(): void {
    // (the session counted its replies' bytes in net output)
    if (this.out === '' || this.session.closed) return;
    this.socket.write(this.out, 'latin1');
    this.out = '';
  }

  private onDrain(): void {
    if (!this.ended) this.socket.resume();
    this.drain();
    this.flush();
  }
}
