/**
 * Execute and Pipeline: commands of a gRPC call, run for a session of the
 * call's own (server/command-session.ts: the same dispatch as RESP
 * connections, each reply handed back once it may leave), each reply sent
 * as a Reply message. A Redis error is a Reply (its `error` set), not a
 * gRPC status: statuses say what went wrong with the call itself
 * (UNAUTHENTICATED, INVALID_ARGUMENT for a command without arguments,
 * RESOURCE_EXHAUSTED past maxclients, ABORTED when the server closed the
 * session).
 */
import type { Writable } from 'node:stream';
import { status, type handleBidiStreamingCall, type handleUnaryCall } from '@grpc/grpc-js';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import type { User } from '../../security/acl-user.ts';
import { CommandSession } from '../command-session.ts';
import { commandReply, type ReplyMessage } from '../../protocol/reply-tree.ts';
import type { CommandMessage } from './proto.ts';
import { MAXCLIENTS, UNAUTHENTICATED, callUser, endCall, peerAddr, type AnyCall } from './call-user.ts';
import { admit } from '../admit.ts';
import { argBytes } from '../../security/rate-limit.ts';

const EMPTY_COMMAND = 'a Command needs args: the command name, then its arguments';
const CLOSED = 'the session was closed by the server (CLIENT KILL, an ACL change, shutdown)';

/** What a command that replies nothing (CLIENT REPLY OFF …) answers Execute with. */
const NULL_REPLY: ReplyMessage = { null: {} };

/**
 * Commands that turn a session into a listener, whose pushes have no place
 * in a stream of one Reply per command: SUBSCRIBE and PSUBSCRIBE have the
 * Subscribe rpc instead.
 */
const LISTENING = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'monitor']);

/** A Command's arguments as the dispatcher takes them (one char per byte), or null when it has none. */
function argsOf(cmd: CommandMessage): string[] | null {
  const a = cmd.args;
  if (a === undefined || a.length === 0) return null;
  return a.map((b) => b.latin1Slice());
}

/**
 * Runs one command in `session`, after a SELECT when `db` names another
 * database than the session's (its error, if it fails, is the command's
 * reply, and the command does not run): its Reply, or null when it replies
 * nothing.
 */
async function runCommand(session: CommandSession, args: string[], db: number | undefined): Promise<ReplyMessage | null> {
  const name = args[0]!.toLowerCase();
  if (LISTENING.has(name)) {
    return { error: `ERR ${name.toUpperCase()} is not available in Execute or Pipeline: the Subscribe rpc subscribes to channels and patterns` };
  }
  if (db !== undefined && db !== session.db) {
    const selected = commandReply(await session.replyOf(['SELECT', String(db)]));
    if (selected !== null && 'error' in selected) return selected;
  }
  // rate limits: the command's arguments are its input bytes
  const limits = session.server.rateLimits;
  if (limits.on) limits.read(session, argBytes(args));
  return commandReply(await session.replyOf(args));
}

/**
 * A session for a call, among the server's clients while it lasts (CLIENT
 * LIST, CLIENT KILL, CLIENT UNBLOCK), so counted against maxclients; null
 * when the server has maxclients connections already.
 */
function openSession(state: ServerState<Client>, call: AnyCall, user: User): CommandSession | null {
  if (!admit(state)) return null;
  const session = new CommandSession(state, user, peerAddr(call));
  state.clients.set(session.id, session);
  // a client that cancels takes its blocked command with it
  call.on('cancelled', () => session.close());
  return session;
}

function internalError(state: ServerState<Client>, e: unknown): { code: status; details: string } {
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  state.log('warning', `gRPC: ${msg}`);
  return { code: status.INTERNAL, details: e instanceof Error ? e.message : String(e) };
}

/** Execute: one command, in a session that lasts the call. */
export function executeHandler(state: ServerState<Client>): handleUnaryCall<CommandMessage, ReplyMessage> {
  return (call, callback) => {
    const user = callUser(state, call);
    if (user === null) return callback(UNAUTHENTICATED);
    const args = argsOf(call.request);
    if (args === null) return callback({ code: status.INVALID_ARGUMENT, details: EMPTY_COMMAND });
    const session = openSession(state, call, user);
    if (session === null) return callback(MAXCLIENTS);
    runCommand(session, args, call.request.db).then(
      (reply) => {
        const killed = session.closed;
        session.close();
        if (call.cancelled) return;
        if (killed) callback({ code: status.ABORTED, details: CLOSED });
        else callback(null, reply ?? NULL_REPLY);
      },
      (e: unknown) => {
        session.close();
        callback(internalError(state, e));
      },
    );
  };
}

/** Resolves once `call` takes more writes (or is gone). */
function drained(call: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
  });
}

/**
 * Pipeline: the commands of the stream in one session, as a RESP
 * connection's: the next one is read only once the one before has replied,
 * so a blocking command holds those behind it and replies come back in
 * order. The call ends when the client half-closes (OK), after QUIT (OK),
 * at a command without arguments (INVALID_ARGUMENT) or when the server
 * closes the session (ABORTED); a client that cancels closes the session.
 */
export function pipelineHandler(state: ServerState<Client>): handleBidiStreamingCall<CommandMessage, ReplyMessage> {
  return (call) => {
    const user = callUser(state, call);
    if (user === null) return endCall(call, UNAUTHENTICATED.code, UNAUTHENTICATED.details);
    const session = openSession(state, call, user);
    if (session === null) return endCall(call, MAXCLIENTS.code, MAXCLIENTS.details);
    // closed by the server (CLIENT KILL, ACL DELUSER, SHUTDOWN): the call ends with it (after an end of
    // our own, or a cancel, this does nothing)
    session.onClose.push(() => endCall(call, status.ABORTED, CLOSED));
    const finish = (code: status, details?: string): false => {
      endCall(call, code, details);
      session.close();
      return false;
    };
    /** Runs one command and sends its reply: whether to read the next. */
    const step = async (cmd: CommandMessage): Promise<boolean> => {
      const args = argsOf(cmd);
      if (args === null) return finish(status.INVALID_ARGUMENT, EMPTY_COMMAND);
      const reply = await runCommand(session, args, cmd.db);
      if (session.closed) return false;
      if (reply !== null && !call.write(reply)) await drained(call);
      if (session.closeAfterReply) return finish(status.OK);
      return !session.closed;
    };
    // 'end' comes as soon as the last command is read, maybe while it still runs: the call ends after it
    let running = false;
    let halfClosed = false;
    call.on('data', (cmd: CommandMessage) => {
      call.pause();
      running = true;
      step(cmd).then(
        (more) => {
          running = false;
          if (!more) return;
          if (halfClosed) finish(status.OK);
          else call.resume();
        },
        (e: unknown) => {
          const err = internalError(state, e);
          finish(err.code, err.details);
        },
      );
    });
    call.on('end', () => {
      halfClosed = true;
      if (!running) finish(status.OK);
    });
  };
}
