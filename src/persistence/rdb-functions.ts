/**
 * Function libraries carried by RDB files (RDB_OPCODE_FUNCTION2: the source
 * of each FUNCTION LOAD, "#!lua name=…" first line included). Until the
 * scripting family keeps its own registry, loaded libraries are kept here
 * per engine and written back on the next save; scripting takes over with
 * setFunctionStore(engine, itsRegistry).
 */
import type { Engine } from '../engine/engine.ts';
import { RdbOut } from './rdb-out.ts';
import { RdbIn } from './rdb-in.ts';
import { crc64 } from './crc64.ts';
import { RDB_OP, RdbError } from './rdb-types.ts';
import { RDB_VERSION_7_0 } from './rdb-version.ts';
import { verifyDumpPayload } from './dump-payload.ts';

export interface FunctionStore {
  /** Every library's source, to save. */
  list(): string[];
  /** Adds a library read from an RDB file (replacing one of the same name if `replace`: DEBUG RELOAD MERGE); an error message when it can't be created. */
  add(code: string, replace?: boolean): string | null;
  /** Drops every library (a flushing reload). */
  clear(): void;
}

/** The default store: the sources as they were read. */
class SourceList implements FunctionStore {
  readonly codes: string[] = [];
  list(): string[] {
    return this.codes.slice();
  }
  add(code: string): string | null {
    this.codes.push(code);
    return null;
  }
  clear(): void {
    this.codes.length = 0;
  }
}

const stores = new WeakMap<Engine, FunctionStore>();

/** The function store of a server's engine. */
export function functionStore(engine: Engine): FunctionStore {
  let s = stores.get(engine);
  if (s === undefined) {
    s = new SourceList();
    stores.set(engine, s);
  }
  return s;
}

/** Installs the scripting family's registry as the engine's function store. */
export function setFunctionStore(engine: Engine, store: FunctionStore): void {
  stores.set(engine, store);
}

/**
 * RDB_OPCODE_FUNCTION (7.0 release candidates): name, engine, optional
 * description and body, turned into the FUNCTION2 payload as rdbFunctionLoad does.
 */
export function legacyFunctionPayload(name: string, engineName: string, body: string): string {
  return `#!${engineName} name=${name}\n${body}`;
}

/**
 * FUNCTION DUMP's payload (functionDumpCommand): one FUNCTION2 record per
 * library, then the RDB version (2 bytes LE) and a CRC-64 (8 bytes LE).
 */
export function functionsPayload(codes: readonly string[]): Buffer {
  const out = new RdbOut({ compress: true, checksum: false, initial: 256 });
  for (const code of codes) {
    out.byte(RDB_OP.FUNCTION2);
    out.string(code);
  }
  // libraries hold nothing that needs a newer version (rdb-version.ts)
  out.byte(RDB_VERSION_7_0 & 0xff);
  out.byte(RDB_VERSION_7_0 >> 8);
  const body = out.done();
  return Buffer.concat([body, crc64(body)]);
}

/**
 * The libraries in a FUNCTION RESTORE payload, or the error FUNCTION RESTORE
 * replies with (without its "ERR " prefix).
 */
export function readFunctionsPayload(p: Buffer, skipChecksum: boolean): string[] | { error: string } {
  if (!verifyDumpPayload(p, skipChecksum)) return { error: 'payload version or checksum are wrong' };
  const inp = new RdbIn(p.subarray(0, p.length - 10));
  const codes: string[] = [];
  try {
    while (inp.remaining > 0) {
      const type = inp.byte();
      if (type === RDB_OP.FUNCTION) {
        const name = inp.string();
        const engineName = inp.string();
        if (inp.count() !== 0) inp.string();
        codes.push(legacyFunctionPayload(name, engineName, inp.string()));
      } else if (type === RDB_OP.FUNCTION2) codes.push(inp.string());
      else return { error: 'given type is not a function' };
    }
  } catch (e) {
    if (e instanceof RdbError) return { error: 'Failed loading library payload' };
    throw e;
  }
  return codes;
}
