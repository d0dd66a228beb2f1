/**
 * Loading one file of a multi-part AOF into the dataset: a base written with
 * the RDB preamble (a whole .rdb file, or an old-style RDB followed by
 * commands) or a file of commands, replayed by a fake client.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { getConfigValue } from '../config/config.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { CommandCatalog } from '../commands/core/command.ts';
import { loadLimits, type SaveHost } from './save-state.ts';
import { RdbIn } from './rdb-in.ts';
import { loadRdb } from './rdb-load.ts';
import { AofError, type AofFileInfo } from './aof-manifest.ts';
import { fileSize, replayAof } from './aof-loader.ts';

/** What loading an AOF file needs of the server. */
export interface AofLoadHost extends SaveHost {
  /** Commands the file names must exist. */
  readonly registry: CommandCatalog;
}

/**
 * Makes the fake client that replays one file and returns its runner of one
 * command (given from above: commands run through dispatch and their
 * handlers, which sit above persistence).
 */
export type AofReplayer = () => (args: string[]) => void;

/**
 * With threads: a thread loading the files on its own, with every key
 * (threads/loading-remote.ts): where other threads' keys of the base go, and
 * whether the files are only read (every thread but the first).
 */
export interface AloneLoad {
  into: (key: string, db: number) => Keyspace;
  readOnly: boolean;
}

/** One file: RDB (a base written with the preamble) or commands. True when its tail was truncated. Throws AofError. */
export function loadAofFile(server: AofLoadHost, replayer: AofReplayer, f: AofFileInfo, file: string, loadTruncated: boolean, alone: AloneLoad | null = null): boolean {
  const size = fileSize(file);
  if (size === 0) return false;
  const head = Buffer.alloc(5);
  const fd = openSync(file, 'r');
  readSync(fd, head, 0, 5, 0);
  closeSync(fd);
  const data = readFileSync(file);
  let start = 0;
  if (head.toString('latin1') === 'REDIS') {
    // a base written with the RDB preamble: the whole .rdb file, or (old style) an RDB followed by commands
    const oldStyle = !f.name.endsWith('.rdb');
    if (f.type !== 'b') throw new AofError(`The AOF file ${f.name} starts with an RDB preamble, which only a base file may hold`);
    server.log('notice', oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    const s = server;
    const inp = new RdbIn(data, { checksum: getConfigValue(s.config, 'rdbchecksum') !== 'no' });
    try {
      loadRdb(inp, s.engine, {
        limits: loadLimits(s), allowDup: false, dropExpired: true,
        verifyChecksum: getConfigValue(s.config, 'rdbchecksum') !== 'no',
        log: (level, msg) => s.log(level, msg),
        remoteInto: alone?.into,
      });
    } catch (e) {
      throw new AofError(oldStyle
        ? `Error reading the RDB preamble of the AOF file ${f.name}, AOF loading aborted: ${(e as Error).message}`
        : `Error reading the RDB base file ${f.name}, AOF loading aborted: ${(e as Error).message}`);
    }
    start = inp.offset;
    if (start >= data.length) return false;
    if (oldStyle) server.log('notice', 'Reading the remaining AOF tail...');
  }
  const replay = replayer();
  const registry = server.registry;
  const res = replayAof(file, f.name, data, start, {
    loadTruncated,
    readOnly: alone?.readOnly,
    log: (level, msg) => server.log(level, msg),
    run: (args) => {
      if (registry.lookup(args[0]!) === undefined) throw new AofError(`Unknown command '${args[0]}' reading the append only file ${f.name}`);
      replay(args);
    },
  });
  return res.truncatedAt >= 0;
}
