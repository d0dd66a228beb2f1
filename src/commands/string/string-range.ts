/** String family, ranges: GETRANGE, SUBSTR, SETRANGE, LCS. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isString, stringOf } from '../../datatypes/value.ts';
import { setRangeRaw } from '../../datatypes/string-raw.ts';
import { isOpt, parseInteger } from '../core/parse.ts';
import { checkStringLength, readString } from './string-common.ts';

function getrangeLike(name: string): CommandSpec {
  return command({
    name, arity: 4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
    group: 'string',
    handler(c, args) {
      let start = parseInteger(args[2]!);
      let end = parseInteger(args[3]!);
      const s = readString(c, args[1]!);
      if (s === null) return c.reply.bulk('');
      const len = s.length;
      if (start < 0 && end < 0 && start > end) return c.reply.bulk('');
      if (start < 0) start = len + start;
      if (end < 0) end = len + end;
      if (start < 0) start = 0;
      if (end < 0) end = 0;
      if (end >= len) end = len - 1;
      if (start > end || len === 0) return c.reply.bulk('');
      if (typeof s === 'string') c.reply.bulk(s.slice(start, end + 1));
      else c.reply.bulkBuffer(s.subarray(start, end + 1));
    },
  });
}

/** SETRANGE key offset value — the value becomes raw (a Buffer), changed in place when it already is one. */
const setrange = command({
  name: 'setrange', arity: 4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    const value = args[3]!;
    const offset = parseInteger(args[2]!);
    if (offset < 0) throw new CommandError('ERR offset is out of range');
    const ks = c.ks(key);
    const v = ks.get(key);
    if (v !== undefined && !isString(v)) throw new CommandError(Err.WRONGTYPE);
    // setting nothing changes nothing, not even the encoding
    if (value.length === 0) return c.reply.int(v === undefined ? 0 : v.length);
    checkStringLength(c, offset, value.length);
    const next = setRangeRaw(v, offset, value);
    if (v === undefined) ks.set(key, next);
    else if (next !== v) ks.replace(key, next);
    ks.modified(key, 'setrange');
    c.reply.int(next.length);
  },
});

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN] */
const lcs = command({
  name: 'lcs', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 2, step: 1,
  group: 'string',
  handler(c, args) {
    const va = c.ks(args[1]!).lookupRead(args[1]!);
    const vb = c.ks(args[2]!).lookupRead(args[2]!);
    if ((va !== undefined && !isString(va)) || (vb !== undefined && !isString(vb))) {
      throw new CommandError('ERR The specified keys must contain string values');
    }
    let getlen = false;
    let getidx = false;
    let withmatchlen = false;
    let minmatchlen = 0;
    for (let j = 3; j < args.length; j++) {
      const opt = args[j]!;
      if (isOpt(opt, 'IDX')) getidx = true;
      else if (isOpt(opt, 'LEN')) getlen = true;
      else if (isOpt(opt, 'WITHMATCHLEN')) withmatchlen = true;
      else if (isOpt(opt, 'MINMATCHLEN') && j < args.length - 1) {
        minmatchlen = Math.max(0, parseInteger(args[++j]!));
      } else throw new CommandError(Err.SYNTAX);
    }
    if (getlen && getidx) throw new CommandError('ERR If you want both the length and indexes, please just use IDX.');
    const alen = va === undefined ? 0 : va.length;
    const blen = vb === undefined ? 0 : vb.length;
    if (alen >= 0xfffffffe || blen >= 0xfffffffe) throw new CommandError('ERR String too long for LCS');
    // the (alen+1)*(blen+1) table of uint32 is bounded as Redis bounds it
    if ((alen + 1) * (blen + 1) * 4 > c.server.config.protoMaxBulkLen) {
      throw new CommandError('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    }
    const a = va === undefined ? '' : stringOf(va);
    const b = vb === undefined ? '' : stringOf(vb);
    const w = blen + 1;
    const table = new Uint32Array((alen + 1) * w);
    for (let i = 1; i <= alen; i++) {
      for (let j = 1; j <= blen; j++) {
        table[i * w + j] = a.charCodeAt(i - 1) === b.charCodeAt(j - 1)
          ? table[(i - 1) * w + j - 1]! + 1
          : Math.max(table[(i - 1) * w + j]!, table[i * w + j - 1]!);
      }
    }
    const total = table[alen * w + blen]!;
    if (getlen) return c.reply.int(total);
    const result: string[] = new Array<string>(total);
    const ranges: number[][] = [];
    let idx = total;
    let i = alen;
    let j = blen;
    let aStart = alen, aEnd = 0, bStart = 0, bEnd = 0;
    while (i > 0 && j > 0) {
      let emit = false;
      if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
        result[idx - 1] = a[i - 1]!;
        if (aStart === alen) {
          aStart = aEnd = i - 1;
          bStart = bEnd = j - 1;
        } else if (aStart === i && bStart === j) {
          aStart--;
          bStart--;
        } else {
          emit = true;
        }
        if (aStart === 0 || bStart === 0) emit = true;
        idx--;
        i--;
        j--;
      } else {
        if (table[(i - 1) * w + j]! > table[i * w + j - 1]!) i--;
        else j--;
        if (aStart !== alen) emit = true;
      }
      const matchLen = aEnd - aStart + 1;
      if (emit) {
        if (minmatchlen === 0 || matchLen >= minmatchlen) ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
        aStart = alen;
      }
    }
    if (!getidx) return c.reply.bulk(result.join(''));
    c.reply.map(2);
    c.reply.bulk('matches');
    c.reply.array(ranges.length);
    for (const [as, ae, bs, be, ml] of ranges) {
      c.reply.array(withmatchlen ? 3 : 2);
      c.reply.array(2);
      c.reply.int(as!);
      c.reply.int(ae!);
      c.reply.array(2);
      c.reply.int(bs!);
      c.reply.int(be!);
      if (withmatchlen) c.reply.int(ml!);
    }
    c.reply.bulk('len');
    c.reply.int(total);
  },
});

export const stringRangeCommands: CommandSpec[] = [getrangeLike('getrange'), getrangeLike('substr'), setrange, lcs];
