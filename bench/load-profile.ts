/**
 * Times loading a dump.rdb into a fresh in-process engine (start-up load
 * without the server around it), for profiling the RDB loader:
 *
 *   node --cpu-prof bench/load-profile.ts path/to/dump.rdb
 *
 * Not a test: nothing here asserts a timing.
 */
import { Engine } from '../src/engine/engine.ts';
import { loadSnapshot } from '../src/persistence/snapshot.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: load-profile.ts dump.rdb');
for (let round = 0; round < 2; round++) {
  const engine = new Engine({ shards: 1, databases: 16 });
  const t0 = performance.now();
  const res = loadSnapshot(engine, file, {
    limits: { setMaxIntsetEntries: 512, setMaxListpackEntries: 128, setMaxListpackValue: 64, hashMaxListpackEntries: 128, hashMaxListpackValue: 64, zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 },
    allowDup: false, dropExpired: true, verifyChecksum: true, log: () => {},
  });
  console.log(`round ${round}: ${res.keysLoaded} keys in ${(performance.now() - t0).toFixed(0)} ms`);
  engine.close();
}
