/**
 * Replays an AOF file (RESP commands, `#` annotation lines skipped) as
 * loadSingleAppendOnlyFile does: each command is handed to `run`; a torn
 * tail (or a MULTI without its EXEC at the end) is truncated when
 * aof-load-truncated is yes, and is a fatal error otherwise. A format error
 * is always fatal: nothing is silently dropped.
 */
import { closeSync, openSync, readFileSync, truncateSync, fstatSync } from 'node:fs';
import { AofError } from './aof-manifest.ts';

export type AofLog = (level: 'notice' | 'warning', msg: string) => void;

export interface ReplayOptions {
  /** Runs one command; throws AofError when it can't (unknown command). */
  run: (args: string[]) => void;
  loadTruncated: boolean;
  log: AofLog;
  /**
   * With threads, a thread other than the first reads the file while the
   * first may append to it: a torn tail is another thread's write in
   * progress, left as it is (the first thread already checked the file).
   */
  readOnly?: boolean;
}

export interface ReplayResult {
  commands: number;
  /** The file had a torn tail that was cut at this offset (-1 when not). */
  truncatedAt: number;
}

/** Size of a file, 0 when missing. */
export function fileSize(file: string): number {
  try {
    const fd = openSync(file, 'r');
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

/** Replays the commands of `data` starting at `start`; `name` is the file name used in messages. */
export function replayAof(file: string, name: string, data: Buffer, start: number, opts: ReplayOptions): ReplayResult {
  let pos = start;
  let validUpTo = start;
  let validBeforeMulti = start;
  let inMulti = false;
  let commands = 0;
  const n = data.length;
  const line = (): string | null => {
    if (pos >= n) return null;
    let end = data.indexOf(10, pos);
    if (end < 0 || end - pos > 1024 * 1024) {
      // fgets without the newline: what is there is the line (the next read then fails)
      end = n - 1;
    }
    const s = data.toString('latin1', pos, end + 1);
    pos = end + 1;
    return s;
  };
  const fmterr = (): never => {
    throw new AofError(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
  };
  let eof = false;
  outer: for (;;) {
    const l = line();
    if (l === null) break;
    if (l[0] === '#') continue;
    if (l[0] !== '*') fmterr();
    if (l.length < 2 || !l.endsWith('\n')) {
      eof = true;
      break;
    }
    const argc = parseInt(l.slice(1), 10);
    if (!(argc >= 1)) fmterr();
    const args: string[] = new Array(argc);
    for (let j = 0; j < argc; j++) {
      const h = line();
      if (h === null || (!h.endsWith('\n') && h[0] === '$')) {
        eof = true;
        break outer;
      }
      if (h[0] !== '$') fmterr();
      const len = parseInt(h.slice(1), 10) || 0;
      if (pos + len + 2 > n) {
        eof = true;
        break outer;
      }
      args[j] = data.toString('latin1', pos, pos + len);
      pos += len + 2;
    }
    const cmd = args[0]!.toLowerCase();
    if (cmd === 'multi') {
      validBeforeMulti = validUpTo;
      inMulti = true;
    } else if (cmd === 'exec' || cmd === 'discard') inMulti = false;
    opts.run(args);
    commands++;
    validUpTo = pos;
  }
  if (!eof && inMulti) {
    opts.log('warning', `Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
    eof = true;
  } else if (eof && inMulti) validUpTo = validBeforeMulti;
  if (!eof || opts.readOnly === true) return { commands, truncatedAt: -1 };
  if (opts.loadTruncated) {
    opts.log('warning', `!!! Warning: short read while loading the AOF file ${name}!!!`);
    opts.log('warning', `!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    truncateSync(file, validUpTo);
    opts.log('warning', `AOF ${name} loaded anyway because aof-load-truncated is enabled`);
    return { commands, truncatedAt: validUpTo };
  }
  throw new AofError(`Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
}

export function readAofFile(file: string): Buffer {
  return readFileSync(file);
}
