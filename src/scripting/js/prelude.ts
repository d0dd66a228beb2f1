/**
 * The JavaScript every `#!js` library's QuickJS context runs before the
 * library: the `redis` registration API, the `client` handed to functions
 * and triggers, and the conversions between Redis replies and JS values.
 *
 * Only strings cross between QuickJS and the host, so a call costs few
 * crossings: arguments go out as one packed string of their bytes, a reply
 * comes back as its RESP bytes, and what a function returns goes out as
 * the RESP bytes of the caller's reply. Text is UTF-8 on the wire: a JS
 * string becomes its UTF-8 bytes (one char per byte in the packed strings).
 */
export const JS_PRELUDE = String.raw`
(function (hostCall, hostLog, libName, redisVersion, redisVersionNum) {
'use strict';
const fns = new Map();
const triggers = new Map();
let loading = true;
let now = 0;
let resp = 2;

// UTF-8: a JS string <-> its bytes as a string of chars 0-255
const toBytes = (s) => unescape(encodeURIComponent(s));
function lossy(b) {
  let out = '';
  for (let i = 0; i < b.length; ) {
    const c = b.charCodeAt(i);
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0) { out += c < 0x80 ? b[i] : '\uFFFD'; i++; continue; }
    try { out += decodeURIComponent(escape(b.slice(i, i + n))); i += n; } catch (e) { out += '\uFFFD'; i++; }
  }
  return out;
}
const fromBytes = (b) => {
  if (!/[\x80-\xff]/.test(b)) return b;
  try { return decodeURIComponent(escape(b)); } catch (e) { return lossy(b); }
};
function bytesOf(v) {
  const u = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
  return s;
}
function bufferOf(b) {
  const u = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
  return u.buffer;
}

// packed strings: <length>:<bytes> ...
function pack(list) {
  let s = '';
  for (const x of list) s += x.length + ':' + x;
  return s;
}
function unpack(s) {
  const out = [];
  for (let i = 0; i < s.length; ) {
    const c = s.indexOf(':', i);
    const n = +s.slice(i, c);
    out.push(s.slice(c + 1, c + 1 + n));
    i = c + 1 + n;
  }
  return out;
}

function argBytes(a) {
  if (typeof a === 'string') return toBytes(a);
  if (typeof a === 'number' || typeof a === 'bigint') return String(a);
  if (a instanceof ArrayBuffer || ArrayBuffer.isView(a)) return bytesOf(a);
  throw new TypeError('client.call arguments must be strings, numbers, bigints or ArrayBuffers');
}

// a Redis reply (RESP2 or RESP3 bytes) as JS values
function redisError(text) {
  const e = new Error(fromBytes(text));
  Object.defineProperty(e, 'redis', { value: true });
  return e;
}
function parse(s, raw) {
  let i = 0;
  const line = () => { const e = s.indexOf('\r\n', i); const l = s.slice(i, e); i = e + 2; return l; };
  const bulk = (n) => { const b = s.slice(i, i + n); i += n + 2; return raw ? bufferOf(b) : fromBytes(b); };
  function val() {
    const t = s[i++];
    switch (t) {
      case '+': return fromBytes(line());
      case '-': return redisError(line());
      case ':': { const l = line(); const n = Number(l); return Number.isSafeInteger(n) ? n : BigInt(l); }
      case '$': { const n = +line(); return n < 0 ? null : bulk(n); }
      case '*': case '~': case '>': {
        const n = +line();
        if (n < 0) return null;
        const a = new Array(n);
        for (let k = 0; k < n; k++) a[k] = val();
        return a;
      }
      case '%': {
        const n = +line();
        const o = {};
        for (let k = 0; k < n; k++) {
          const key = val();
          Object.defineProperty(o, typeof key === 'string' ? key : key instanceof ArrayBuffer ? fromBytes(bytesOf(key)) : String(key), { value: val(), enumerable: true, writable: true, configurable: true });
        }
        return o;
      }
      case '_': line(); return null;
      case ',': { const l = line(); return l === 'inf' ? Infinity : l === '-inf' ? -Infinity : l === 'nan' ? NaN : Number(l); }
      case '#': return line() === 't';
      case '(': return BigInt(line());
      case '=': { const n = +line(); const b = s.slice(i + 4, i + n); i += n + 2; return raw ? bufferOf(b) : fromBytes(b); }
      case '|': { const n = +line(); for (let k = 0; k < 2 * n; k++) val(); return val(); }
      default: throw new Error('unexpected reply from Redis');
    }
  }
  const v = val();
  if (v instanceof Error && v.redis) throw v;
  return v;
}

// strings cross to the host as C strings: a 0x00 byte travels as U+0100 (worker.ts)
const hideNul = (b) => (b.indexOf('\0') < 0 ? b : b.replace(/\0/g, '\u0100'));
const showNul = (s) => (s.indexOf('\u0100') < 0 ? s : s.replace(/\u0100/g, '\0'));

function call(args, raw) {
  if (args.length === 0) throw new TypeError('client.call needs a command name');
  const r = showNul(hostCall(hideNul(pack(args.map(argBytes)))));
  if (r[0] === 'X') throw redisError(r.slice(1));
  return parse(r.slice(1), raw);
}
const client = Object.freeze({
  call: (...args) => call(args, false),
  callRaw: (...args) => call(args, true),
});

// a JS value as the caller's reply
function clean(t) { return t.replace(/[\r\n]+/g, ' '); }
function enc(v, out, depth) {
  if (depth > 64) throw new RangeError('reply nested too deeply');
  if (v === null || v === undefined) { out.push(resp === 3 ? '_\r\n' : '$-1\r\n'); return; }
  switch (typeof v) {
    case 'string': { const b = toBytes(v); out.push('$' + b.length + '\r\n' + b + '\r\n'); return; }
    case 'number':
      if (Number.isSafeInteger(v)) { out.push(':' + v + '\r\n'); return; }
      {
        const d = v === Infinity ? 'inf' : v === -Infinity ? '-inf' : Number.isNaN(v) ? 'nan' : String(v);
        out.push(resp === 3 ? ',' + d + '\r\n' : '$' + d.length + '\r\n' + d + '\r\n');
      }
      return;
    case 'bigint': out.push(':' + v + '\r\n'); return;
    case 'boolean': out.push(resp === 3 ? (v ? '#t\r\n' : '#f\r\n') : (v ? ':1\r\n' : ':0\r\n')); return;
    case 'object': break;
    default: throw new TypeError('a function cannot return a ' + typeof v);
  }
  if (v instanceof Error) { out.push('-' + errorText(v) + '\r\n'); return; }
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) { const b = bytesOf(v); out.push('$' + b.length + '\r\n' + b + '\r\n'); return; }
  if (Array.isArray(v)) { out.push('*' + v.length + '\r\n'); for (const x of v) enc(x, out, depth + 1); return; }
  if (v instanceof Set) { out.push((resp === 3 ? '~' : '*') + v.size + '\r\n'); for (const x of v) enc(x, out, depth + 1); return; }
  const entries = v instanceof Map ? [...v] : Object.entries(v);
  out.push(resp === 3 ? '%' + entries.length + '\r\n' : '*' + 2 * entries.length + '\r\n');
  for (const [k, x] of entries) { enc(typeof k === 'string' || k instanceof ArrayBuffer ? k : String(k), out, depth + 1); enc(x, out, depth + 1); }
}

// an error as a reply: Redis's own errors as they came, others as ERR with where they were thrown
// the innermost frame in the library's own code (not the prelude's: a bad return value has none)
function where(e) {
  for (const line of String(e.stack || '').split('\n')) {
    const m = /\(([^()]*):(\d+):(\d+)\)|at ([^\s()]+):(\d+):(\d+)/.exec(line);
    if (m !== null && (m[1] !== undefined ? m[1] : m[4]) === libName) return ' (at ' + libName + ':' + (m[1] !== undefined ? m[2] + ':' + m[3] : m[5] + ':' + m[6]) + ')';
  }
  return '';
}
function errorText(e) {
  if (e instanceof Error) {
    if (e.redis) return clean(toBytes(e.message));
    const msg = e.name === 'Error' ? e.message : e.name + ': ' + e.message;
    const coded = e.name === 'Error' && /^[A-Z][A-Z0-9_]*( |$)/.test(msg);
    return clean(toBytes((coded ? '' : 'ERR ') + msg + where(e)));
  }
  const s = String(e);
  return clean(toBytes(/^[A-Z][A-Z0-9_]*( |$)/.test(s) ? s : 'ERR ' + s));
}

// determinism: the clock is the script's (frozen) time; Math.random restarts from one seed each run
let seed = 0;
Math.random = function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const RealDate = Date;
function ScriptDate(...a) {
  if (new.target === undefined) return new RealDate(now).toString();
  return a.length === 0 ? new RealDate(now) : new RealDate(...a);
}
ScriptDate.prototype = RealDate.prototype;
ScriptDate.now = () => now;
ScriptDate.UTC = RealDate.UTC;
ScriptDate.parse = RealDate.parse;
globalThis.Date = ScriptDate;

const FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys', 'raw-arguments'];
function checkName(what, name) {
  if (!loading) throw new Error(what + ' can only be called while the library loads (FUNCTION LOAD)');
  if (typeof name !== 'string' || !/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
  }
}
function options(o) {
  if (o === undefined || o === null) return {};
  if (typeof o !== 'object') throw new TypeError('the options argument must be an object');
  return o;
}
function addTrigger(kind, name, prefix, fn, opts) {
  checkName(kind === 'k' ? 'redis.registerKeySpaceTrigger' : 'redis.registerStreamTrigger', name);
  if (typeof prefix !== 'string' && !(prefix instanceof ArrayBuffer)) throw new TypeError('the prefix must be a string');
  if (typeof fn !== 'function') throw new TypeError('the trigger callback must be a function');
  if (triggers.has(name)) throw new Error('Trigger ' + name + ' already exists in the library');
  const o = options(opts);
  triggers.set(name, { kind, prefix: typeof prefix === 'string' ? toBytes(prefix) : bytesOf(prefix), fn, desc: o.description == null ? null : String(o.description) });
}
const redis = Object.freeze({
  apiVersion: '1.0',
  redisVersion,
  redisVersionNum,
  functionFlags: Object.freeze({
    NO_WRITES: 'no-writes', ALLOW_OOM: 'allow-oom', ALLOW_STALE: 'allow-stale', NO_CLUSTER: 'no-cluster',
    ALLOW_CROSS_SLOT_KEYS: 'allow-cross-slot-keys', RAW_ARGUMENTS: 'raw-arguments',
  }),
  registerFunction(name, fn, opts) {
    checkName('redis.registerFunction', name);
    if (typeof fn !== 'function') throw new TypeError('the function callback must be a function');
    if (fns.has(name)) throw new Error('Function already exists in the library');
    const o = options(opts);
    const flags = o.flags === undefined ? [] : o.flags;
    if (!Array.isArray(flags)) throw new TypeError('flags must be an array of strings');
    for (const f of flags) if (!FLAGS.includes(f)) throw new Error('unknown flag given: ' + String(f));
    fns.set(name, { fn, flags: [...new Set(flags)], desc: o.description == null ? null : String(o.description) });
  },
  registerKeySpaceTrigger(name, prefix, fn, opts) { addTrigger('k', name, prefix, fn, opts); },
  registerStreamTrigger(name, prefix, fn, opts) { addTrigger('s', name, prefix, fn, opts); },
  log(msg, level) {
    const l = level === undefined ? 'notice' : String(level);
    if (!['debug', 'verbose', 'notice', 'warning'].includes(l)) throw new Error('Invalid log level: ' + l);
    hostLog(l, hideNul(toBytes(String(msg))));
  },
});
globalThis.redis = redis;
globalThis.console = Object.freeze({
  log: (...a) => hostLog('notice', hideNul(toBytes(a.map(String).join(' ')))),
  warn: (...a) => hostLog('warning', hideNul(toBytes(a.map(String).join(' ')))),
  error: (...a) => hostLog('warning', hideNul(toBytes(a.map(String).join(' ')))),
});

function meta() {
  loading = false;
  return JSON.stringify({
    functions: [...fns].map(([n, f]) => [n, f.flags, f.desc]),
    triggers: [...triggers].map(([n, t]) => [t.kind, n, t.prefix, t.desc]),
  });
}

function reply(v) {
  if (v !== null && typeof v === 'object' && typeof v.then === 'function') throw new TypeError('functions must return their result, not a promise');
  const out = [];
  enc(v, out, 0);
  return 'O' + out.join('');
}

// one run: f (function), k (keyspace trigger), s (stream trigger); 'O' + reply bytes or 'E' + error text
function run(input) {
  return hideNul(runShown(showNul(input)));
}
function runShown(input) {
  const p = unpack(input);
  const kind = p[0];
  now = +p[2];
  resp = +p[3];
  seed = 0;
  try {
    if (kind === 'f') {
      const f = fns.get(p[1]);
      const raw = f.flags.includes('raw-arguments');
      const nk = +p[4];
      const conv = raw ? bufferOf : fromBytes;
      const keys = p.slice(5, 5 + nk).map(conv);
      const args = p.slice(5 + nk).map(conv);
      return reply(f.fn(client, keys, args));
    }
    const t = triggers.get(p[1]);
    if (kind === 'k') {
      t.fn(client, { event: p[5], key: fromBytes(p[6]), keyRaw: bufferOf(p[6]), db: +p[4] });
    } else {
      const key = fromBytes(p[6]);
      const r = call(['XRANGE', bufferOf(p[6]), p[7], p[7]], false);
      const e = Array.isArray(r) && r.length === 1 ? r[0] : [p[7], []];
      const record = [];
      for (let i = 0; i + 1 < e[1].length; i += 2) record.push([e[1][i], e[1][i + 1]]);
      t.fn(client, { stream: key, streamRaw: bufferOf(p[6]), id: p[7], record, db: +p[4] });
    }
    return 'O';
  } catch (e) {
    // a Redis error passed on was counted in the error stats when the command failed: 'e'
    return (e instanceof Error && e.redis ? 'e' : 'E') + errorText(e);
  }
}
return { meta, run };
})
`;
