/**
 * When the dataset was last saved, and how: LASTSAVE, INFO persistence
 * (rdb_changes_since_last_save, rdb_last_save_time, rdb_saves) and the saves
 * FLUSHALL and SHUTDOWN make read and update this. The persistence family
 * replaces `saveHooks.save` with its own snapshot writer and calls
 * markSaved after each successful save.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeRdb } from '../persistence/rdb-writer.ts';
import { getConfigValue } from '../config/config.ts';
import type { ServerState } from '../server/server-state.ts';

export interface SaveState {
  /** Sum of the shards' dirty counters at the last save. */
  dirtyAtSave: number;
  /** Unix time (seconds) of the last successful save (start-up time before any). */
  lastSave: number;
  saves: number;
  lastStatus: 'ok' | 'err';
}

const states = new WeakMap<ServerState, SaveState>();

export function saveState(s: ServerState): SaveState {
  let st = states.get(s);
  if (!st) {
    st = { dirtyAtSave: 0, lastSave: Math.floor(s.startedAt / 1000), saves: 0, lastStatus: 'ok' };
    states.set(s, st);
  }
  return st;
}

/** Writes made since start-up (Redis's server.dirty without resets). */
export function totalDirty(s: ServerState): number {
  let n = 0;
  for (const sh of s.engine.shards) n += sh.stats.dirty;
  return n;
}

/** Records a successful save of the current dataset. */
export function markSaved(s: ServerState): void {
  const st = saveState(s);
  st.dirtyAtSave = totalDirty(s);
  st.lastSave = Math.floor(Date.now() / 1000);
  st.saves++;
  st.lastStatus = 'ok';
}

/** True when "save" has at least one save point (FLUSHALL and SHUTDOWN then save, as Redis). */
export function hasSavePoints(s: ServerState): boolean {
  return (getConfigValue(s.config, 'save') ?? '') !== '';
}

/** Saves the dataset in the foreground as dir/dbfilename; false (and logged) on failure. */
function saveRdbFile(s: ServerState): boolean {
  const file = join(s.config.dir, getConfigValue(s.config, 'dbfilename') ?? 'dump.rdb');
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, writeRdb(s.engine));
    renameSync(tmp, file);
  } catch (e) {
    s.log('warning', `Failed saving the DB: ${(e as Error).message}`);
    saveState(s).lastStatus = 'err';
    return false;
  }
  s.log('notice', 'DB saved on disk');
  markSaved(s);
  return true;
}

export const saveHooks: { save: (s: ServerState) => boolean } = { save: saveRdbFile };
