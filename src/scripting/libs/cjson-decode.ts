/** cjson's JSON parser (lua_cjson.c json_next_token / json_parse_*): tokens, errors and depth limit as Redis's. */
import { raw, pushString } from '../lua-vm.ts';
import { strtod } from './numfmt.ts';

export interface Config {
  sparseConvert: number;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: number;
  keepBuffer: number;
  precision: number;
}

const TOKEN_NAMES = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END'];
export const [OBJ_BEGIN, OBJ_END, ARR_BEGIN, ARR_END, STRING, NUMBER, BOOLEAN, NULL, COLON, COMMA, END] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const ERROR = -1;

export class Decoder {
  pos = 0;
  depth = 0;
  type = END;
  index = 0;
  str = '';
  num = 0;
  bool = false;
  err = '';
  private readonly L: number;
  private readonly cfg: Config;
  private readonly s: string;
  constructor(L: number, cfg: Config, s: string) {
    this.L = L;
    this.cfg = cfg;
    this.s = s;
  }

  private error(what: string): void {
    this.type = ERROR;
    this.index = this.pos;
    this.err = what;
  }

  next(): void {
    const s = this.s;
    let c = this.pos < s.length ? s.charCodeAt(this.pos) : 0;
    while (c === 32 || c === 9 || c === 10 || c === 13) c = ++this.pos < s.length ? s.charCodeAt(this.pos) : 0;
    this.index = this.pos;
    switch (c) {
      case 0: this.type = END; return;
      case 123: this.type = OBJ_BEGIN; this.pos++; return;
      case 125: this.type = OBJ_END; this.pos++; return;
      case 91: this.type = ARR_BEGIN; this.pos++; return;
      case 93: this.type = ARR_END; this.pos++; return;
      case 44: this.type = COMMA; this.pos++; return;
      case 58: this.type = COLON; this.pos++; return;
      case 34: this.string(); return;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      if (!this.cfg.decodeInvalidNumbers && this.invalidNumber()) return this.error('invalid number');
      return this.number();
    }
    if (s.startsWith('true', this.pos)) {
      this.type = BOOLEAN;
      this.bool = true;
      this.pos += 4;
    } else if (s.startsWith('false', this.pos)) {
      this.type = BOOLEAN;
      this.bool = false;
      this.pos += 5;
    } else if (s.startsWith('null', this.pos)) {
      this.type = NULL;
      this.pos += 4;
    } else if (this.cfg.decodeInvalidNumbers && (c === 43 || c === 105 || c === 73 || c === 110 || c === 78) && this.invalidNumber()) {
      this.number();
    } else this.error('invalid token');
  }

  private invalidNumber(): boolean {
    const s = this.s;
    let p = this.pos;
    if (s[p] === '+') return true;
    if (s[p] === '-') p++;
    if (s[p] === '0') {
      const c2 = s[p + 1] ?? '';
      return c2 === 'x' || c2 === 'X' || (c2 >= '0' && c2 <= '9');
    }
    if ((s[p] ?? '') <= '9') return false;
    const w = s.slice(p, p + 3).toLowerCase();
    return w === 'inf' || w === 'nan';
  }

  private number(): void {
    const r = strtod(this.s, this.pos);
    if (r.end === this.pos) return this.error('invalid number');
    this.type = NUMBER;
    this.num = r.value;
    this.pos = r.end;
  }

  private string(): void {
    const s = this.s;
    let out = '';
    let p = this.pos + 1;
    for (;;) {
      if (p >= s.length || s.charCodeAt(p) === 0) {
        this.pos = p;
        return this.error('unexpected end of string');
      }
      const ch = s[p]!;
      if (ch === '"') break;
      if (ch !== '\\') {
        out += ch;
        p++;
        continue;
      }
      const e = s[p + 1];
      const simple = e === '"' ? '"' : e === '\\' ? '\\' : e === '/' ? '/' : e === 'b' ? '\b' : e === 't' ? '\t' : e === 'n' ? '\n' : e === 'f' ? '\f' : e === 'r' ? '\r' : null;
      if (simple !== null) {
        out += simple;
        p += 2;
        continue;
      }
      if (e !== 'u') {
        this.pos = p;
        return this.error('invalid escape code');
      }
      const u = unicodeEscape(s, p);
      if (u === null) {
        this.pos = p;
        return this.error('invalid unicode escape code');
      }
      out += u[0];
      p += u[1];
    }
    this.pos = p + 1;
    this.type = STRING;
    this.str = out;
  }

  fail(expected: string): never {
    const found = this.type === ERROR ? this.err : TOKEN_NAMES[this.type]!;
    throw new Error(`Expected ${expected} but found ${found} at character ${this.index + 1}`);
  }

  private descend(): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth || raw.lua_checkstack(this.L, 3) === 0) {
      throw new Error(`Found too many nested data structures (${this.depth}) at character ${this.pos}`);
    }
  }

  /** Pushes the value whose first token is current. */
  value(): void {
    const L = this.L;
    switch (this.type) {
      case STRING: pushString(L, this.str); return;
      case NUMBER: raw.lua_pushnumber(L, this.num); return;
      case BOOLEAN: raw.lua_pushboolean(L, this.bool ? 1 : 0); return;
      case NULL: raw.lua_pushlightuserdata(L, 0); return;
      case OBJ_BEGIN: return this.object();
      case ARR_BEGIN: return this.array();
      default: this.fail('value');
    }
  }

  private object(): void {
    const L = this.L;
    this.descend();
    raw.lua_createtable(L, 0, 0);
    this.next();
    if (this.type === OBJ_END) {
      this.depth--;
      return;
    }
    for (;;) {
      if (this.type !== STRING) this.fail('object key string');
      pushString(L, this.str);
      this.next();
      if (this.type !== COLON) this.fail('colon');
      this.next();
      this.value();
      raw.lua_rawset(L, -3);
      this.next();
      if (this.type === OBJ_END) {
        this.depth--;
        return;
      }
      if (this.type !== COMMA) this.fail('comma or object end');
      this.next();
    }
  }

  private array(): void {
    const L = this.L;
    this.descend();
    raw.lua_createtable(L, 0, 0);
    this.next();
    if (this.type === ARR_END) {
      this.depth--;
      return;
    }
    for (let i = 1; ; i++) {
      raw.lua_pushnumber(L, i);
      this.value();
      raw.lua_rawset(L, -3);
      this.next();
      if (this.type === ARR_END) {
        this.depth--;
        return;
      }
      if (this.type !== COMMA) this.fail('comma or array end');
      this.next();
    }
  }
}

function hex4(s: string, at: number): number {
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

/** A \uXXXX escape (or surrogate pair) at `p` as UTF-8 bytes, with the escape's length. */
function unicodeEscape(s: string, p: number): [string, number] | null {
  let cp = hex4(s, p + 2);
  if (cp < 0) return null;
  let len = 6;
  if ((cp & 0xf800) === 0xd800) {
    if (cp & 0x400) return null;
    if (s[p + 6] !== '\\' || s[p + 7] !== 'u') return null;
    const low = hex4(s, p + 8);
    if (low < 0 || (low & 0xfc00) !== 0xdc00) return null;
    cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
    len = 12;
  }
  return [Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1'), len];
}

