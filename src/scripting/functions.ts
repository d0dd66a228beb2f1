/**
 * FUNCTION libraries (functions.c, function_lua.c): the registry of
 * libraries and their functions, compiling a library (running its code
 * with the load-time API so it registers its functions), and FCALL.
 *
 * Libraries are compiled in the EVAL engine's Lua state; their Lua values
 * (the callbacks, the environment, the helpers of function-sandbox.ts) are
 * kept in a table of the Lua registry, which any C-function frame can
 * reach. SCRIPT FLUSH makes a new Lua state: every library is compiled
 * again in it. The registry is the engine's function store, so libraries
 * are saved in RDB files and the ones an RDB file holds are compiled.
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import {
  raw, cfunction, pushFunction, pushString, toString, cstr, loadChunk, pop, hookfunction,
  LUA_OK, LUA_REGISTRYINDEX, T_STRING, MASK_COUNT, MASK_LINE,
} from './lua-vm.ts';
import { pushErrorTable, errorInfo, pushStringArray } from './convert.ts';
import { ScriptEngine } from './engine.ts';
import { splitInlineArgs } from '../protocol/inline-args.ts';
import { FUNCTION_PRELUDE, REG_KEY, pushTable, readRegisterArgs } from './function-sandbox.ts';
export { FUNCTION_FLAGS } from './function-sandbox.ts';
import { functionStore, setFunctionStore, type FunctionStore } from '../persistence/rdb-functions.ts';
import { compileJs, dropJs, callJs } from './js/js-functions.ts';
import { ENGINES, type FunctionInfo, type Library } from './library.ts';
export { ENGINES, type Engine, type FunctionInfo, type Library } from './library.ts';
import { Triggers } from './js/triggers.ts';

const BAD_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
export const LOAD_TIMEOUT_MS = 500;

const validName = (s: string): boolean => /^[A-Za-z0-9_]+$/.test(s);
const isEngine = (e: string): boolean => (ENGINES as readonly string[]).includes(e.toUpperCase());

/** The library name and the code after the shebang line, or the error (functionExtractLibMetaData). */
export function libraryMeta(code: string): { name: string; engine: string; body: string } | string {
  // as RedisGears 2's libraries: #!js api_version=1.0 name=lib
  if (!code.startsWith('#!')) return 'Missing library metadata';
  const nl = code.indexOf('\n');
  if (nl < 0) return 'Invalid library metadata';
  const parts = splitInlineArgs(code.slice(0, nl));
  if (parts === null || parts.length === 0) return 'Invalid library metadata';
  const engine = parts[0]!.slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
      name = p.slice(5);
      continue;
    }
    if (engine.toUpperCase() === 'JS' && p.slice(0, 12).toLowerCase() === 'api_version=') {
      if (p.slice(12) !== '1.0') return `Unsupported api_version ${p.slice(12)} (shardis supports 1.0)`;
      continue;
    }
    return `Invalid metadata value given: ${p}`;
  }
  if (name === null) return 'Library name was not given';
  return { name, engine, body: code.slice(nl) };
}

interface LoadCtx {
  readonly lib: Library;
  readonly start: number;
  readonly timeout: number;
}

const registries = new WeakMap<ServerState<Client>, FunctionRegistry>();

export class FunctionRegistry implements FunctionStore {
  readonly libraries = new Map<string, Library>();
  /** By lower-cased name (function names are case-insensitive, library names are not). */
  readonly functions = new Map<string, FunctionInfo>();
  readonly engine: ScriptEngine;
  private nextId = 1;
  private loading: LoadCtx | null = null;
  private readonly register: number;
  private readonly hook: number;

  static of(server: ServerState<Client>): FunctionRegistry {
    let r = registries.get(server);
    if (r === undefined) {
      const before = functionStore(server.engine).list();
      r = new FunctionRegistry(ScriptEngine.of(server));
      registries.set(server, r);
      setFunctionStore(server.engine, r);
      // libraries read from an RDB file before the registry existed
      for (const code of before) r.add(code);
    }
    return r;
  }

  /** The registry if functions were ever used, or libraries were read from an RDB file. */
  static peek(server: ServerState<Client>): FunctionRegistry | undefined {
    const r = registries.get(server);
    if (r !== undefined || functionStore(server.engine).list().length === 0) return r;
    return FunctionRegistry.of(server);
  }

  /** Bytes the libraries take, as Redis accounts for them roughly (used_memory_functions). */
  memory(): number {
    let n = 0;
    for (const lib of this.libraries.values()) {
      n += 64 + lib.name.length + lib.code.length;
      for (const fi of lib.functions.values()) n += 48 + fi.name.length + (fi.desc?.length ?? 0);
    }
    return n;
  }

  private constructor(engine: ScriptEngine) {
    this.engine = engine;
    this.register = cfunction((L) => this.registerFunction(L));
    this.hook = hookfunction((l) => this.onLoadHook(l));
    this.install();
    engine.onOpen.push(() => this.reopen());
  }

  /** Creates the Lua-side table in the engine's (new) state. */
  private install(): void {
    const L = this.engine.L;
    if (!loadChunk(L, FUNCTION_PRELUDE, '@prelude')) throw new Error('function prelude: ' + toString(L, -1));
    this.engine.pushGlobals();
    pushFunction(L, this.register);
    if (raw.lua_pcallk(L, 2, 3, 0, 0, 0) !== LUA_OK) throw new Error('function prelude: ' + toString(L, -1));
    raw.lua_createtable(L, 0, 8);
    raw.lua_rotate(L, -4, 1);
    raw.lua_setfield(L, -4, cstr('bind'));
    raw.lua_setfield(L, -3, cstr('loading'));
    raw.lua_setfield(L, -2, cstr('env'));
    raw.lua_setfield(L, LUA_REGISTRYINDEX, cstr(REG_KEY));
  }

  /** After SCRIPT FLUSH: the libraries compiled again in the new state. */
  private reopen(): void {
    this.install();
    for (const lib of this.libraries.values()) {
      if (lib.engine !== 'LUA') continue;
      const again = this.compile(lib.code, 0);
      if (typeof again === 'string') continue;
      for (const [name, fi] of again.functions) {
        const old = lib.functions.get(name);
        if (old) old.id = fi.id;
      }
    }
  }

  // FunctionStore (RDB)
  list(): string[] {
    return [...this.libraries.values()].map((l) => l.code);
  }

  add(code: string, replace = false): string | null {
    const r = this.create(code, replace, 0);
    return typeof r === 'string' ? r : null;
  }

  clear(): void {
    for (const lib of [...this.libraries.values()]) this.remove(lib);
  }

  /**
   * FUNCTION LOAD (functionsCreateWithLibraryCtx): compiles and links a
   * library; its name, or the error text (without "ERR ").
   */
  create(code: string, replace: boolean, timeout: number): string | { name: string } {
    const meta = libraryMeta(code);
    if (typeof meta === 'string') return meta;
    if (!validName(meta.name)) return BAD_NAME;
    if (!isEngine(meta.engine)) return `Engine '${meta.engine}' not found`;
    const old = this.libraries.get(meta.name);
    if (old && !replace) return `Library '${meta.name}' already exists`;
    if (old) this.unlink(old);
    const lib = this.compile(code, timeout);
    if (typeof lib !== 'string') {
      for (const name of lib.functions.keys()) {
        if (this.functions.has(name.toLowerCase())) {
          this.free(lib);
          if (old) this.link(old);
          return `Function ${name} already exists`;
        }
      }
      this.link(lib);
      if (old) this.free(old);
      return { name: lib.name };
    }
    if (old) this.link(old);
    return lib;
  }

  /** FUNCTION DELETE / FLUSH. */
  remove(lib: Library): void {
    this.unlink(lib);
    this.free(lib);
  }

  /**
   * FUNCTION RESTORE: compiles the libraries of a payload apart, then adds
   * them (libraryJoin) or, for FLUSH, swaps them in; the error text or null.
   */
  restore(codes: readonly string[], policy: 'append' | 'replace' | 'flush'): string | null {
    const libs = new Map<string, Library>();
    const fns = new Set<string>();
    const fail = (msg: string): string => {
      for (const l of libs.values()) this.free(l);
      return msg;
    };
    for (const code of codes) {
      const meta = libraryMeta(code);
      if (typeof meta === 'string') return fail(meta);
      if (!validName(meta.name)) return fail(BAD_NAME);
      if (!isEngine(meta.engine)) return fail(`Engine '${meta.engine}' not found`);
      if (libs.has(meta.name)) return fail(`Library '${meta.name}' already exists`);
      const lib = this.compile(code, 0);
      if (typeof lib === 'string') return fail(lib);
      for (const name of lib.functions.keys()) {
        if (fns.has(name.toLowerCase())) {
          this.free(lib);
          return fail(`Function ${name} already exists`);
        }
        fns.add(name.toLowerCase());
      }
      libs.set(lib.name, lib);
    }
    if (policy === 'flush') {
      this.clear();
    } else {
      const replaced: Library[] = [];
      const undo = (msg: string): string => {
        for (const l of replaced) this.link(l);
        return fail(msg);
      };
      for (const lib of libs.values()) {
        const old = this.libraries.get(lib.name);
        if (!old) continue;
        if (policy !== 'replace') return undo(`Library ${lib.name} already exists`);
        this.unlink(old);
        replaced.push(old);
      }
      for (const lib of libs.values()) {
        for (const name of lib.functions.keys()) if (this.functions.has(name.toLowerCase())) return undo(`Function ${name} already exists`);
      }
      for (const l of replaced) this.free(l);
    }
    for (const lib of libs.values()) this.link(lib);
    return null;
  }

  private link(lib: Library): void {
    if (lib.js !== undefined) Triggers.of(this.engine.server).attach(lib);
    this.libraries.set(lib.name, lib);
    for (const fi of lib.functions.values()) this.functions.set(fi.name.toLowerCase(), fi);
  }

  private unlink(lib: Library): void {
    if (lib.js !== undefined) Triggers.of(this.engine.server).detach(lib);
    this.libraries.delete(lib.name);
    for (const name of lib.functions.keys()) this.functions.delete(name.toLowerCase());
  }

  /** Drops the Lua callbacks of a library (a JS library: its engine instance). */
  private free(lib: Library): void {
    if (lib.js !== undefined) return dropJs(this.engine.server, lib.js);
    const L = this.engine.L;
    pushTable(L);
    for (const fi of lib.functions.values()) {
      raw.lua_pushnumber(L, fi.id);
      raw.lua_pushnil(L);
      raw.lua_rawset(L, -3);
    }
    pop(L, 1);
  }

  /** Runs a library's code with the load-time API (luaEngineCreate); the library, or the error text. */
  private compile(code: string, timeout: number): Library | string {
    const meta = libraryMeta(code);
    if (typeof meta === 'string') return meta;
    if (meta.engine.toUpperCase() === 'JS') return compileJs(this.engine.server, meta.name, code, meta.body, timeout);
    const lib: Library = { name: meta.name, engine: 'LUA', code, functions: new Map() };
    const L = this.engine.L;
    const top = raw.lua_gettop(L);
    if (!loadChunk(L, meta.body, '@user_function')) {
      const msg = (toString(L, -1) ?? '').replace(/near <eof>$/, "near '<eof>'");
      raw.lua_settop(L, top);
      return 'Error compiling function: ' + msg;
    }
    pushTable(L);
    raw.lua_getfield(L, -1, cstr('env'));
    raw.lua_setupvalue(L, -3, 1);
    this.setLoading(L, true);
    pop(L, 1);
    this.loading = { lib, start: Date.now(), timeout };
    raw.lua_sethook(L, this.hook, MASK_COUNT, 100000);
    let st: number;
    try {
      st = raw.lua_pcallk(L, 0, 0, 0, 0, 0);
    } finally {
      raw.lua_sethook(L, 0, 0, 0);
      this.loading = null;
      pushTable(L);
      this.setLoading(L, false);
      pop(L, 1);
    }
    if (st !== LUA_OK) {
      if (raw.lua_type(L, -1) === T_STRING) {
        // Lua 5.1's wording of the culprit, as the sandbox's msg51
        pushString(L, (toString(L, -1) ?? '').replace(/attempt to ([a-z ]*?) a ([a-z]+) value \(([a-z]+) '(.*?)'\)$/, "attempt to $1 $3 '$4' (a $2 value)"));
      }
      const info = errorInfo(L);
      raw.lua_settop(L, top);
      this.free(lib);
      return 'Error registering functions: ' + (info.msg ?? '');
    }
    raw.lua_settop(L, top);
    if (lib.functions.size === 0) return 'No functions registered';
    return lib;
  }

  /** Calls table.loading(on), the table on top. */
  private setLoading(L: number, on: boolean): void {
    raw.lua_getfield(L, -1, cstr('loading'));
    raw.lua_pushboolean(L, on ? 1 : 0);
    raw.lua_callk(L, 1, 0, 0, 0);
  }

  private onLoadHook(l: number): void {
    const ctx = this.loading;
    if (ctx === null || ctx.timeout <= 0 || Date.now() - ctx.start <= ctx.timeout) return;
    raw.lua_sethook(l, this.hook, MASK_LINE, 0);
    pushErrorTable(l, 'FUNCTION LOAD timeout');
    raw.lua_error(l);
  }

  /** redis.register_function (luaRegisterFunction). */
  private registerFunction(L: number): number {
    const ctx = this.loading;
    const fail = (msg: string): number => {
      pushErrorTable(L, msg);
      return -1;
    };
    if (ctx === null) return fail('redis.register_function can only be called on FUNCTION LOAD command');
    const args = readRegisterArgs(L);
    if (typeof args === 'string') return fail(args);
    const { name, desc, flags } = args;
    if (!validName(name)) return fail(BAD_NAME);
    if (ctx.lib.functions.has(name)) return fail('Function already exists in the library');
    const id = this.nextId++;
    // table[id] = table.pending
    pushTable(L);
    raw.lua_pushnumber(L, id);
    raw.lua_getfield(L, -2, cstr('pending'));
    raw.lua_rawset(L, -3);
    pop(L, 1);
    ctx.lib.functions.set(name, { name, desc, flags, id, lib: ctx.lib });
    return 0;
  }

  /**
   * FCALL: runs a function with KEYS = args[3, 3+numkeys) and ARGV the
   * rest, passed as its two arguments.
   */
  call(caller: Client, fi: FunctionInfo, args: string[], numkeys: number, ro: boolean): void | Promise<void> {
    const engine = this.engine;
    if (fi.lib.js !== undefined) return callJs(engine, fi.lib.js, fi, caller, args, numkeys, ro);
    const ctx = engine.runner.begin(caller, fi.name, fi.flags, ro, false);
    return engine.invoke(ctx, (L) => {
      pushTable(L);
      raw.lua_getfield(L, -1, cstr('bind'));
      raw.lua_pushnumber(L, fi.id);
      raw.lua_rawget(L, -3);
      pushStringArray(L, args, 3, 3 + numkeys);
      pushStringArray(L, args, 3 + numkeys, args.length);
      raw.lua_callk(L, 3, 1, 0, 0);
      raw.lua_rotate(L, -2, 1);
      pop(L, 1);
    });
  }
}
