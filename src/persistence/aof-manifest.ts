/**
 * Redis 7's multi-part AOF layout: dir/appenddirname holds a base file
 * (`<appendfilename>.<seq>.base.rdb|aof`), incremental files
 * (`<appendfilename>.<seq>.incr.aof`) and the manifest naming them
 * (`<appendfilename>.manifest`, lines `file <name> seq <n> type b|h|i`).
 * The manifest is replaced atomically (temp file, fsync, rename, fsync dir).
 */
import { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

export interface AofManifest {
  base: AofFileInfo | null;
  history: AofFileInfo[];
  incrs: AofFileInfo[];
  baseSeq: number;
  incrSeq: number;
}

/** A manifest or AOF file that can't be used: the message says why (as Redis logs it). */
export class AofError extends Error {}

export function emptyManifest(): AofManifest {
  return { base: null, history: [], incrs: [], baseSeq: 0, incrSeq: 0 };
}

export function cloneManifest(m: AofManifest): AofManifest {
  return { base: m.base && { ...m.base }, history: m.history.map((f) => ({ ...f })), incrs: m.incrs.map((f) => ({ ...f })), baseSeq: m.baseSeq, incrSeq: m.incrSeq };
}

export function manifestName(prefix: string): string {
  return `${prefix}.manifest`;
}

/** getAofManifestAsString: base, then history, then incrementals. */
export function formatManifest(m: AofManifest): string {
  let s = '';
  const line = (f: AofFileInfo): string => `file ${quoteName(f.name)} seq ${f.seq} type ${f.type}\n`;
  if (m.base) s += line(m.base);
  for (const f of m.history) s += line(f);
  for (const f of m.incrs) s += line(f);
  return s;
}

/** sdscatrepr-style quoting for names with spaces or odd bytes (as aofInfoFormat). */
function quoteName(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !name.includes('"') && !name.includes("'") && !name.includes('\\')) return name;
  let s = '"';
  for (const ch of name) {
    if (ch === '\\' || ch === '"') s += '\\' + ch;
    else if (ch === '\n') s += '\\n';
    else if (ch === '\r') s += '\\r';
    else if (ch === '\t') s += '\\t';
    else if (ch >= ' ' && ch <= '~') s += ch;
    else s += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
  }
  return s + '"';
}

function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+))/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < line.length) {
    re.lastIndex = pos;
    m = re.exec(line);
    if (!m) return null;
    pos = re.lastIndex;
    if (m[1] !== undefined) out.push(m[1].replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, h: string | undefined, c: string | undefined) =>
      (h !== undefined ? String.fromCharCode(parseInt(h, 16)) : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c!)));
    else out.push(m[2] ?? m[3]!);
  }
  return out;
}

/** aofLoadManifestFromFile: strict, throws AofError with Redis's message (and the line). */
export function parseManifest(text: string): AofManifest {
  const m = emptyManifest();
  const lines = text.split('\n');
  if (text === '') throw new AofError('Found an empty AOF manifest');
  let maxSeq = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (i === lines.length - 1 && raw === '') break;
    if (raw.startsWith('#')) continue;
    const fail = (msg: string): never => {
      throw new AofError(`${msg} (reading the manifest file, at line ${i + 1}: '${raw.trim()}')`);
    };
    // fgets without a newline: Redis reads it as a line longer than its buffer
    if (i === lines.length - 1 || raw.length > 1024) fail('The AOF manifest file contains too long line');
    const line = raw.trim();
    if (line === '') fail('Invalid AOF manifest file format');
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) fail('Invalid AOF manifest file format');
    let name = '';
    let seq = 0;
    let type = '';
    for (let j = 0; j < argv!.length; j += 2) {
      const k = argv![j]!.toLowerCase();
      const v = argv![j + 1]!;
      if (k === 'file') {
        name = v;
        if (name.includes('/')) fail("File can't be a path, just a filename");
      } else if (k === 'seq') seq = parseInt(v, 10) || 0;
      else if (k === 'type') type = v[0] ?? '';
    }
    if (name === '' || seq === 0 || type === '') fail('Invalid AOF manifest file format');
    if (type === 'b') {
      if (m.base) fail('Found duplicate base file information');
      m.base = { name, seq, type };
      m.baseSeq = seq;
    } else if (type === 'h') m.history.push({ name, seq, type });
    else if (type === 'i') {
      if (seq <= maxSeq) fail('Found a non-monotonic sequence number');
      m.incrs.push({ name, seq, type });
      m.incrSeq = seq;
      maxSeq = seq;
    } else fail('Unknown AOF file type');
  }
  return m;
}

/** Reads dir/manifest; null when the directory or the manifest doesn't exist. */
export function readManifest(aofDir: string, prefix: string): AofManifest | null {
  const file = join(aofDir, manifestName(prefix));
  if (!existsSync(file)) return null;
  return parseManifest(readFileSync(file, 'latin1'));
}

export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** persistAofManifest: temp file, fsync, rename over the manifest, fsync the directory. */
export function persistManifest(aofDir: string, prefix: string, m: AofManifest): void {
  const name = manifestName(prefix);
  const tmp = join(aofDir, `temp-${name}`);
  const fd = openSync(tmp, 'w');
  try {
    const b = Buffer.from(formatManifest(m), 'latin1');
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(aofDir, name));
  fsyncDir(aofDir);
}

/** getNewBaseFileNameAndMarkPreAsHistory */
export function newBase(m: AofManifest, prefix: string, rdb: boolean): AofFileInfo {
  if (m.base) {
    m.base.type = 'h';
    m.history.push(m.base);
  }
  const f: AofFileInfo = { name: `${prefix}.${++m.baseSeq}.base.${rdb ? 'rdb' : 'aof'}`, seq: m.baseSeq, type: 'b' };
  m.base = f;
  return f;
}

/** getNewIncrAofName */
export function newIncr(m: AofManifest, prefix: string): AofFileInfo {
  const f: AofFileInfo = { name: `${prefix}.${++m.incrSeq}.incr.aof`, seq: m.incrSeq, type: 'i' };
  m.incrs.push(f);
  return f;
}

/** markRewrittenIncrAofAsHistory: every incremental file but the last becomes history. */
export function markRewrittenIncrsAsHistory(m: AofManifest): void {
  while (m.incrs.length > 1) {
    const f = m.incrs.shift()!;
    f.type = 'h';
    m.history.push(f);
  }
}
