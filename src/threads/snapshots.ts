/**
 * Snapshots with threads (docs/threads.md, "Snapshots"): one Redis-format
 * file holding every thread's shards.
 *
 * The thread that saves takes the lock and holds every other thread, so all
 * of them cut the dataset at one point: no command spanning threads runs
 * between the cuts. SAVE asks each held thread for its sections there and
 * then. BGSAVE has each one start a background walk of its own shards
 * (the same walk as BGSAVE's with one thread) writing its sections to a part
 * file; the saving thread writes the header and its own sections, appends
 * the parts as their 'part-done' notices come, and ends the file. Redis's
 * loader takes a database's keys in several SELECTDB sections as in one.
 *
 * Every thread loads the keys it owns from that file (rdb-load.ts skips the
 * others'), at start-up and for DEBUG RELOAD.
 */
import { join } from 'node:path';
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import type { RdbSaveOptions } from '../persistence/rdb-writer.ts';
import { savePartAsync, sectionsNow, type ThreadSaves } from '../persistence/snapshot.ts';
import { emptyData, loadRdbFile, markSaved, saveState, totalDirty } from '../persistence/save-state.ts';
import { functionStore } from '../persistence/rdb-functions.ts';
import { SHARED, type LinkRequest, type ThreadLink } from './link.ts';
import { PartRounds, reportPart } from './parts.ts';

/** The requests a held thread answers here. */
export const SNAPSHOT_OPS = new Set(['part-now', 'part-start', 'saved', 'reload']);

/** The saving thread's side (ServerState.threadSaves) and the owners' handler of snapshot requests. */
export function threadSnapshots(state: ServerState<Client>, link: ThreadLink): { saves: ThreadSaves; serve: (req: LinkRequest, from: number) => unknown; onDone: (m: LinkRequest) => void } {
  const words = link.words;
  const others = (req: LinkRequest): unknown[] => state.others!(req);
  const rounds = new PartRounds();

  const saves: ThreadSaves = {
    now(opts: RdbSaveOptions): Uint8Array[] {
      // keys this thread borrowed in this turn (a write pipelined before SAVE) go back before the owners cut
      state.engine.remote?.flushBack();
      return others({ op: 'part-now', opts }) as Uint8Array[];
    },
    start(opts: RdbSaveOptions, dir: string): Promise<string[]> {
      state.engine.remote?.flushBack();
      return rounds.start((id) => others({ op: 'part-start', id, opts, dir }) as string[]);
    },
    claimBackground: () => words.cas(SHARED.BGSAVE, 0, link.index + 1),
    endBackground(): void {
      words.cas(SHARED.BGSAVE, link.index + 1, 0);
    },
    backgroundRunning: () => words.load(SHARED.BGSAVE) !== 0,
    syncSaves: () => words.load(SHARED.SYNC_SAVES),
    countSyncSave(): void {
      words.add(SHARED.SYNC_SAVES, 1);
    },
    saved(ok: boolean): void {
      if (link.closing) return;
      // a background save ends in this thread's event loop, where it is never held
      others({ op: 'saved', ok });
    },
    publishChanges(n: number): void {
      words.store(words.of(SHARED.CHANGES, link.index), Math.min(n, 0x7fffffff));
    },
    othersChanges(): number {
      let n = 0;
      for (let t = 0; t < link.count; t++) if (t !== link.index) n += words.load(words.of(SHARED.CHANGES, t));
      return n;
    },
    reload(merge: boolean, flush: boolean): void {
      others({ op: 'reload', merge, flush });
    },
  };

  const serve = (req: LinkRequest, from: number): unknown => {
    const st = saveState(state);
    switch (req.op) {
      case 'part-now':
        st.dirtyAtBgsave = totalDirty(state);
        return sectionsNow(state.engine, req.opts as RdbSaveOptions);
      case 'part-start': {
        st.dirtyAtBgsave = totalDirty(state);
        const id = req.id as number;
        const file = join(req.dir as string, `temp-part-${process.pid}-${link.index}-${id}.rdb`);
        reportPart(link, from, 'part-done', id, savePartAsync(state.engine, file, req.opts as RdbSaveOptions));
        return file;
      }
      case 'saved':
        if (req.ok === true) markSaved(state, st.dirtyAtBgsave);
        else st.lastStatus = 'err';
        return undefined;
      case 'reload':
        if (req.flush === true) {
          emptyData(state);
          functionStore(state.engine).clear();
        }
        loadRdbFile(state, req.merge as boolean);
        return undefined;
      default:
        throw new Error(`unknown snapshot request ${req.op}`);
    }
  };

  return { saves, serve, onDone: (m) => rounds.done(m) };
}
