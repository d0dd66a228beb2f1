/**
 * A full sync's RDB in place of the dataset (Redis's readSyncBulkPayload
 * after the transfer): every database emptied, the file loaded with its
 * expired keys too (on a replica the primary's DELs remove them).
 */
import { getConfigValue } from '../config/config.ts';
import { RdbIn } from '../persistence/rdb-in.ts';
import { loadRdb } from '../persistence/rdb-load.ts';
import { functionStore } from '../persistence/rdb-functions.ts';
import { emptyData, loadLimits, type SaveHost } from '../persistence/save-state.ts';

/** Loads `rdb` as the whole dataset; returns the stream's database (the repl-stream-db AUX field, else 0). Throws RdbError. */
export function loadSyncRdb(s: SaveHost, rdb: Buffer): number {
  emptyData(s);
  functionStore(s.engine).clear();
  const checksum = getConfigValue(s.config, 'rdbchecksum') !== 'no';
  try {
    const res = loadRdb(new RdbIn(rdb, { checksum }), s.engine, {
      limits: loadLimits(s),
      allowDup: false,
      dropExpired: false,
      verifyChecksum: checksum,
      log: (level, msg) => s.log(level, msg),
    });
    s.log('verbose', `MASTER <-> REPLICA sync: ${res.keysLoaded} keys loaded`);
    const db = Number(res.aux.get('repl-stream-db') ?? 0);
    return Number.isInteger(db) && db >= 0 && db < s.engine.databases ? db : 0;
  } catch (e) {
    // no half-loaded dataset stays behind
    emptyData(s);
    functionStore(s.engine).clear();
    throw e;
  }
}
