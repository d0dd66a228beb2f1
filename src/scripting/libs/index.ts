/** The C libraries Redis links into its Lua (cjson, cmsgpack, struct), written against the Lua API. */
import { raw, cstr } from '../lua-vm.ts';
import { pushCjson } from './cjson.ts';
import { pushCmsgpack } from './cmsgpack.ts';
import { pushStruct } from './struct.ts';

/** Sets cjson, cmsgpack and struct on the table on top of the stack. */
export function pushLibraries(L: number): void {
  pushCjson(L);
  raw.lua_setfield(L, -2, cstr('cjson'));
  pushCmsgpack(L);
  raw.lua_setfield(L, -2, cstr('cmsgpack'));
  pushStruct(L);
  raw.lua_setfield(L, -2, cstr('struct'));
}
