/**
 * AOF family: BGREWRITEAOF, and the wiring of a server's Aof (persistence/aof.ts)
 * into the propagation stream, reply holding, CONFIG SET, INFO persistence
 * and DEBUG LOADAOF.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { addInfoFields } from './info.ts';
import { debugHooks } from './debug.ts';
import { bgsaveRunning, otherBackgroundJob } from '../../persistence/save-state.ts';
import { Aof } from '../../persistence/aof.ts';
import { AofError } from '../../persistence/aof-manifest.ts';
import { Client, replyHold } from '../../server/client.ts';
import { execute } from '../../server/dispatch.ts';
import type { ServerState } from '../../server/server-state.ts';

/** Each server's AOF, by the server object. */
const aofs = new WeakMap<object, Aof>();

const NULL_SINK = { write: (): boolean => true };

/** AOF loading runs a file's commands as a fake client, authenticated, replies dropped. */
function aofReplayer(s: ServerState<Client>): () => (args: string[]) => void {
  return () => {
    const fake = new Client(s, null);
    fake.authenticated = true;
    fake.ext.aofLoading = true;
    return (args) => {
      void execute(fake, args);
      fake.reply.flush(NULL_SINK);
    };
  };
}

/** The AOF of a server (created on first use). */
export function aofOf(s: ServerState<Client>): Aof {
  let a = aofs.get(s);
  if (!a) {
    a = new Aof(s, aofReplayer(s));
    aofs.set(s, a);
  }
  return a;
}

replyHold.fn = (c: Client): boolean => {
  const a = aofs.get(c.server);
  return a !== undefined && a.state !== 'off' && a.writer.hold(c);
};

/**
 * Start-up: loads the AOF when appendonly is yes (throws with the reason when
 * it can't: the server must not start without its data), then keeps the AOF
 * fed by the propagation stream and follows CONFIG SET.
 */
export function startAof(s: ServerState<Client>): Aof {
  const a = aofOf(s);
  try {
    a.loadAtStartup();
  } catch (e) {
    if (e instanceof AofError) {
      s.log('warning', `Fatal error loading the AOF: ${e.message}`);
      throw new Error(`Fatal error loading the append only file: ${e.message}`);
    }
    throw e;
  }
  s.flushAppendOnly = () => {
    if (a.state !== 'off') a.writer.flushNow();
  };
  // a replica's full sync replaced the dataset: the AOF is rewritten from it (Redis's restartAOFAfterSYNC)
  s.onDatasetReplaced = () => {
    // one already running wrote the old dataset: another follows it
    if (a.state !== 'off' && !a.startRewrite()) a.rewriteScheduled = true;
  };
  const orig = s.onConfigChange.bind(s);
  s.onConfigChange = (names: string[]): void => {
    orig(names);
    a.onConfigChange(names);
  };
  a.startCron();
  return a;
}

/** prepareForShutdown's AOF check: false (logged) while the first AOF is still being written, unless forced. */
export function aofShutdownCheck(s: ServerState<Client>, force: boolean): boolean {
  const a = aofs.get(s);
  if (!a || a.state !== 'wait_rewrite') return true;
  if (force) {
    s.log('warning', 'Writing initial AOF. Exit anyway.');
    return true;
  }
  s.log('warning', "Writing initial AOF, can't exit.");
  return false;
}

addInfoFields('persistence', (s) => {
  const a = aofs.get(s);
  if (!a) return [];
  const fields: Array<[string, string | number]> = [
    ['aof_enabled', a.state !== 'off' ? 1 : 0],
    ['aof_rewrite_in_progress', a.rewriteInProgress ? 1 : 0],
    ['aof_rewrite_scheduled', a.rewriteScheduled ? 1 : 0],
    ['aof_last_rewrite_time_sec', a.lastRewriteSecs],
    ['aof_current_rewrite_time_sec', a.currentRewriteSecs],
    ['aof_last_bgrewrite_status', a.lastBgrewriteStatus],
    ['aof_rewrites', a.rewrites],
    ['aof_rewrites_consecutive_failures', a.consecutiveFailures],
    ['aof_last_write_status', a.writer.lastWriteStatus],
  ];
  if (a.state !== 'off') {
    fields.push(
      ['aof_current_size', a.currentSize],
      ['aof_base_size', a.rewriteBaseSize],
      ['aof_pending_rewrite', a.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', a.writer.bufferLength],
      ['aof_pending_bio_fsync', a.writer.fsyncPending],
      ['aof_delayed_fsync', a.writer.delayedFsync],
    );
  }
  return fields;
});

debugHooks.loadAof = (c: Client): void => {
  try {
    aofOf(c.server).debugLoad();
  } catch (e) {
    c.server.log('warning', `Error loading the AOF: ${(e as Error).message}`);
    throw new CommandError('ERR Error loading the AOF');
  }
};

debugHooks.aofFlushSleep = (c: Client, us: number): void => {
  aofOf(c.server).writer.flushSleepUs = Math.max(0, us);
};

// BGSAVE waits for a running rewrite, as Redis runs one child at a time
otherBackgroundJob.active = (s) => aofs.get(s)?.rewriteInProgress ?? false;

/** BGREWRITEAOF: inside MULTI, or while a BGSAVE writes, it is scheduled, as Redis does. */
const bgrewriteaof = command({
  name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c) {
    const a = aofOf(c.server);
    if (a.rewriteInProgress) throw new CommandError('ERR Background append only file rewriting already in progress');
    if (c.inExec || bgsaveRunning(c.server)) {
      a.rewriteScheduled = true;
      return c.reply.simple('Background append only file rewriting scheduled');
    }
    if (!a.startRewrite()) throw new CommandError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
    c.reply.simple('Background append only file rewriting started');
  },
});

export const aofCommands: CommandSpec[] = [bgrewriteaof];
