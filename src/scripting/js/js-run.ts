/**
 * One run of a `#!js` library's function or trigger under the script
 * runner (js-functions.ts for FCALL, triggers.ts for triggers): starting
 * it in the JS engine, ending it when its outcome comes (now, or later for
 * a run past busy-reply-threshold), and the error reply of a failed run.
 */
import type { ServerState } from '../../server/server-state.ts';
import type { Client } from '../../server/client.ts';
import { CommandError, CountedError } from '../../commands/core/errors.ts';
import type { RunCtx, ScriptRunner } from '../runner.ts';
import { JsEngine, type Outcome } from './js-engine.ts';

const KILLED = 'ERR Script killed by user with SCRIPT KILL...';

/** Starts a run of a library's function or trigger: client.call sees RESP3. */
export function runJs(server: ServerState<Client>, runner: ScriptRunner, ctx: RunCtx, key: string, input: string): Outcome | Promise<Outcome> {
  ctx.client.reply.resp = 3;
  try {
    return JsEngine.of(server).run(runner, ctx, key, input);
  } catch (e) {
    runner.end(ctx);
    throw e;
  }
}

/** Hands the outcome to `use` and ends the run, now or when a run past the threshold ends. */
export function settle(out: Outcome | Promise<Outcome>, runner: ScriptRunner, ctx: RunCtx, use: (o: Outcome) => void): void | Promise<void> {
  const done = (o: Outcome): void => {
    try {
      use(o);
    } finally {
      runner.end(ctx);
    }
  };
  if (typeof out === 'string') return done(out);
  return out.then(done, (e: unknown) => {
    runner.end(ctx);
    throw e;
  });
}

/** The error reply of a run that failed: E (counted now), e (a Redis error passed on, counted when it happened), K (killed). */
export function outcomeError(out: Outcome): CommandError {
  if (out === 'K') return new CommandError(KILLED);
  const msg = out.slice(1);
  return out[0] === 'e' ? new CountedError(msg) : new CommandError(msg);
}
