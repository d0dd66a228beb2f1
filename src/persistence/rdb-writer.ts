/**
 * Writes the dataset in Redis's RDB format (version 9), using the plain
 * encodings every Redis ≥ 2.x loads: string, list (RDB_TYPE_LIST), set,
 * hash and zset with binary doubles (RDB_TYPE_ZSET_2). The checksum is left
 * 0, which Redis accepts as "checksum disabled".
 */
import type { Engine } from '../engine/engine.ts';
import { isString, stringOf, type Value } from '../datatypes/value.ts';
import { ListValue } from '../datatypes/list.ts';
import { SetValue } from '../datatypes/set.ts';
import { HashValue } from '../datatypes/hash.ts';
import { ZSetValue } from '../datatypes/zset.ts';

const OP = { AUX: 0xfa, RESIZEDB: 0xfb, EXPIRETIME_MS: 0xfc, SELECTDB: 0xfe, EOF: 0xff } as const;
const TYPE = { STRING: 0, LIST: 1, SET: 2, HASH: 4, ZSET_2: 5 } as const;

class RdbOut {
  private chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.allocUnsafe(Math.max(64 * 1024, n));
    this.pos = 0;
  }

  byte(b: number): void {
    this.room(1);
    this.cur[this.pos++] = b;
  }

  length(n: number): void {
    if (n < 64) this.byte(n);
    else if (n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.byte(0x80);
      this.room(4);
      this.cur.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      this.byte(0x81);
      this.room(8);
      this.cur.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  string(s: string | Buffer): void {
    this.length(s.length);
    this.room(s.length);
    if (typeof s === 'string') this.pos += this.cur.latin1Write(s, this.pos);
    else this.pos += s.copy(this.cur, this.pos);
  }

  double(d: number): void {
    this.room(8);
    this.cur.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  ms(t: number): void {
    this.room(8);
    this.cur.writeBigInt64LE(BigInt(t), this.pos);
    this.pos += 8;
  }

  raw(s: string): void {
    this.room(s.length);
    this.pos += this.cur.latin1Write(s, this.pos);
  }

  done(): Buffer {
    this.chunks.push(this.cur.subarray(0, this.pos));
    return Buffer.concat(this.chunks);
  }
}

function writeValue(out: RdbOut, v: Value): void {
  if (isString(v)) {
    out.byte(TYPE.STRING);
    return;
  }
  if (v instanceof ListValue) out.byte(TYPE.LIST);
  else if (v instanceof SetValue) out.byte(TYPE.SET);
  else if (v instanceof HashValue) out.byte(TYPE.HASH);
  else if (v instanceof ZSetValue) out.byte(TYPE.ZSET_2);
  else throw new Error(`RDB: unsupported type ${v.type}`);
}

function writeBody(out: RdbOut, v: Value): void {
  if (isString(v)) return out.string(typeof v === 'string' ? v : stringOf(v));
  if (v instanceof ListValue) {
    out.length(v.length);
    for (const s of v.entries()) out.string(s);
  } else if (v instanceof SetValue) {
    out.length(v.size());
    for (const s of v.entries()) out.string(s);
  } else if (v instanceof HashValue) {
    out.length(v.map.size);
    for (const [f, x] of v.map) {
      out.string(f);
      out.string(x);
    }
  } else if (v instanceof ZSetValue) {
    out.length(v.size());
    // Redis loads zsets in any order; write from the highest score like Redis does
    for (let n = v.zsl.tail; n; n = n.backward) {
      out.string(n.member);
      out.double(n.score);
    }
  }
}

/** The whole dataset as an RDB file. */
export function writeRdb(engine: Engine): Buffer {
  const out = new RdbOut();
  out.raw('REDIS0009');
  out.byte(OP.AUX);
  out.string('redis-ver');
  out.string('7.0.15');
  out.byte(OP.AUX);
  out.string('redis-bits');
  out.string('64');
  const now = engine.now();
  for (let db = 0; db < engine.databases; db++) {
    const spaces = engine.keyspaces(db);
    let keys = 0;
    let expires = 0;
    for (const ks of spaces) {
      keys += ks.size;
      expires += ks.expires.size;
    }
    if (keys === 0) continue;
    out.byte(OP.SELECTDB);
    out.length(db);
    out.byte(OP.RESIZEDB);
    out.length(keys);
    out.length(expires);
    for (const ks of spaces) {
      for (const [key, v] of ks.data) {
        const when = ks.expires.size === 0 ? undefined : ks.expires.get(key);
        if (when !== undefined) {
          if (when <= now) continue;
          out.byte(OP.EXPIRETIME_MS);
          out.ms(when);
        }
        writeValue(out, v);
        out.string(key);
        writeBody(out, v);
      }
    }
  }
  out.byte(OP.EOF);
  for (let i = 0; i < 8; i++) out.byte(0);
  return out.done();
}
