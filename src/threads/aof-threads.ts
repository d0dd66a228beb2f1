/**
 * The AOF with threads (docs/threads.md, "The AOF with threads").
 *
 * Every thread appends to the same incr file (O_APPEND, one write() per
 * flush, each starting with its own SELECT). The file's order is one the
 * threads could have run in, because a thread writes its buffer before
 * another thread can see its changes: when it is held, when it releases a
 * thread it held, and before it sends job replies (link.beforeOthersSee,
 * Jobs.beforeAnswers). With appendfsync always that write is fsynced, so a
 * reply never leaves before its write is on disk, wherever it ran.
 *
 * A rewrite runs on the thread that starts it. It holds every other thread:
 * each writes its buffer, switches to the new incr file and starts its part
 * of the new base at that cut (the walk BGSAVE uses), and the rewriting
 * thread appends the parts to its own base.
 *
 * Loading: each thread replays the whole files on its own, with the other
 * threads' keys in its guest shard (loading-remote.ts), so a command mixing
 * keys of several threads (a file written by Redis or by one thread) finds
 * them all; then it keeps only its own keys.
 */
import { join } from 'node:path';
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import type { RdbSaveOptions } from '../persistence/rdb-writer.ts';
import type { AofThreads } from '../persistence/aof.ts';
import { writeBasePart } from '../persistence/aof-rewrite.ts';
import { aofOf } from '../commands/server/aof.ts';
import { SHARED, type LinkRequest, type ThreadLink } from './link.ts';
import { LoadingRemote } from './loading-remote.ts';
import { PartRounds, reportPart } from './parts.ts';

/** The requests a held thread answers here. */
export const AOF_OPS = new Set(['aof-switch', 'aof-on', 'aof-flush', 'aof-reload']);

export function threadAof(state: ServerState<Client>, link: ThreadLink): { aof: AofThreads; serve: (req: LinkRequest, from: number) => unknown; onDone: (m: LinkRequest) => void } {
  const words = link.words;
  const rounds = new PartRounds();

  const aof: AofThreads = {
    index: link.index,
    switchAndSnapshot(incr: string | null, rdb: boolean, opts: RdbSaveOptions, dir: string): Promise<string[]> {
      // keys this thread borrowed in this turn (a write pipelined before BGREWRITEAOF) go back before the owners cut
      state.engine.remote?.flushBack();
      return rounds.start((id) => state.others!({ op: 'aof-switch', id, incr, rdb, opts, dir }) as string[]);
    },
    flushAll(): void {
      state.engine.remote?.flushBack();
      state.others!({ op: 'aof-flush' });
    },
    allOn(): void {
      if (!link.closing) state.others!({ op: 'aof-on' });
    },
    reloadAll(): void {
      state.others!({ op: 'aof-reload' });
    },
    claimRewrite: () => words.cas(SHARED.REWRITE, 0, link.index + 1),
    endRewrite(): void {
      words.cas(SHARED.REWRITE, link.index + 1, 0);
    },
    rewriteRunning: () => words.load(SHARED.REWRITE) !== 0,
    loadAlone() {
      const engine = state.engine;
      const before = engine.remote;
      const alone = new LoadingRemote(engine);
      engine.remote = alone;
      return {
        into: alone.into,
        readOnly: false,
        finish(): void {
          alone.finish();
          engine.remote = before;
        },
      };
    },
  };

  const serve = (req: LinkRequest, from: number): unknown => {
    const a = aofOf(state);
    switch (req.op) {
      case 'aof-switch': {
        // this thread's writes so far go to the old file; from now on to the new one
        if (a.state !== 'off') a.writer.flushAndSync();
        if (req.incr !== null) {
          // the AOF being turned on (CONFIG SET appendonly yes on that thread): this thread joins it
          if (a.state === 'off') a.joinRewrite(req.incr as string);
          else a.writer.openFile(req.incr as string);
        }
        const id = req.id as number;
        const file = join(req.dir as string, `temp-rewriteaof-part-${process.pid}-${link.index}-${id}.aof`);
        reportPart(link, from, 'aof-part-done', id, writeBasePart(state.engine, req.rdb as boolean, req.opts as RdbSaveOptions, file));
        return file;
      }
      case 'aof-on':
        a.rewriteJoined();
        return undefined;
      case 'aof-flush':
        if (a.state !== 'off') a.writer.flushAndSync();
        return undefined;
      case 'aof-reload':
        a.reload();
        return undefined;
      default:
        throw new Error(`unknown AOF request ${req.op}`);
    }
  };

  return { aof, serve, onDone: (m) => rounds.done(m) };
}
