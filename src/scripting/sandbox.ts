/**
 * The scripts' world, as Redis 7.0 builds it (script_lua.c, eval.c): the
 * globals Redis's Lua 5.1 offers (no io, require, loadfile, dofile,
 * print; of os only os.clock, as 7.4), 5.1 names Lua 5.4 dropped (unpack, loadstring, table.getn,
 * math.mod …), every library table read-only, reading an undeclared global
 * an error, writing any global an error, pcall returning the message of
 * Redis error tables, and the error handler that adds source and line.
 *
 * Lua 5.4 has no read-only tables, so they are proxies: an empty table
 * whose metatable reads through to the real one and refuses writes.
 * Scripts run with _ENV = a proxy of the globals table; EVAL sets KEYS and
 * ARGV in the real one.
 */

/**
 * The prelude chunk. Called with a table of the JS-implemented functions;
 * returns G (the real globals), P (the scripts' _ENV), the runner
 * (runs a script under xpcall with the error handler) and the
 * memory probe.
 */
export const PRELUDE = String.raw`
local js = ...
local _G0 = _G
local type, tostring, error, rawget0, rawset0, setmetatable0, getmetatable0 = type, tostring, error, rawget, rawset, setmetatable, getmetatable
local next, pairs, select, xpcall, pcall0 = next, pairs, select, xpcall, pcall
local math0, string0, table0, coroutine0 = math, string, table, coroutine
local dbg_getinfo = debug.getinfo

local RO = setmetatable0({}, {__mode = 'k'})
local function ro_error() error('Attempt to modify a readonly table', 2) end
local function readonly(t)
  local mt = {__index = t, __newindex = ro_error, __len = function() return #t end, __pairs = function() return next, t, nil end}
  mt.__metatable = setmetatable0({}, {__index = mt, __newindex = ro_error, __metatable = false})
  local p = setmetatable0({}, mt)
  RO[p] = t
  RO[mt.__metatable] = mt
  return p
end
local function copy(t) local c = {} for k, v in next, t do c[k] = v end return c end

local G = {}
for _, k in next, {'xpcall', 'tostring', 'next', 'assert', 'tonumber', 'rawequal', 'collectgarbage', 'type',
                   'select', 'pairs', 'ipairs', 'error'} do
  G[k] = _G0[k]
end
G._VERSION = 'Lua 5.1'
G.unpack = table0.unpack
G.gcinfo = function() return math0.floor(collectgarbage('count')) end
G.getmetatable = getmetatable0
G.setmetatable = function(t, mt)
  if RO[t] then error('Attempt to modify a readonly table', 0) end
  return setmetatable0(t, mt)
end
G.rawset = function(t, k, v)
  if RO[t] then error('Attempt to modify a readonly table', 2) end
  return rawset0(t, k, v)
end
G.rawget = function(t, k)
  local b = RO[t]
  if b then return rawget0(b, k) end
  return rawget0(t, k)
end

local P
local load0 = load
G.load = function(chunk, name, mode, env) return load0(chunk, name, 't', env or P) end
G.loadstring = function(s, name) return load0(s, name or s, 't', P) end

-- Lua 5.4 names the culprit after the type ("attempt to index a nil value (field 'x')"),
-- Lua 5.1 before it ("attempt to index field 'x' (a nil value)")
local gsub0 = string0.gsub
local function msg51(m)
  return (gsub0(m, "attempt to ([%a ]-) a (%a+) value %((%a+) '(.-)'%)$", "attempt to %1 %3 '%4' (a %2 value)"))
end

local function pcall_fix(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then return false, m end
  elseif type(e) == 'string' then
    return false, msg51(e)
  end
  return false, e
end
G.pcall = function(...) return pcall_fix(pcall0(...)) end

local m = copy(math0)
m.mod = math0.fmod
m.pow = function(x, y) return x ^ y end
m.log10 = function(x) return math0.log(x, 10) end
m.ldexp = function(x, e) return x * 2.0 ^ e end
m.frexp = function(x)
  if x == 0 or x ~= x or x == math0.huge or x == -math0.huge then return x, 0 end
  local e = math0.floor(math0.log(math0.abs(x), 2)) + 1
  local f = x / 2.0 ^ e
  if math0.abs(f) >= 1 then f = f / 2; e = e + 1 elseif math0.abs(f) < 0.5 then f = f * 2; e = e - 1 end
  return f, e
end
m.cosh = function(x) return (math0.exp(x) + math0.exp(-x)) / 2 end
m.sinh = function(x) return (math0.exp(x) - math0.exp(-x)) / 2 end
m.tanh = function(x) local a, b = math0.exp(x), math0.exp(-x) return (a - b) / (a + b) end
m.atan2 = function(y, x) return math0.atan(y, x) end
m.random = js.random
m.randomseed = js.randomseed

local s = copy(string0)
s.gfind = string0.gmatch
-- Lua 5.1's string.format truncates floats given to integer conversions (%d, %x, %c …)
local format0, tointeger, floor, ceil = string0.format, math0.tointeger, math0.floor, math0.ceil
local function fmt_args(fmt, ...)
  local args = table0.pack(...)
  local i = 0
  for spec in string0.gmatch(fmt, '%%[-+ #0]*%d*%.?%d*(.)') do
    if spec ~= '%' then
      i = i + 1
      local a = args[i]
      if (spec == 'd' or spec == 'i' or spec == 'o' or spec == 'u' or spec == 'x' or spec == 'X' or spec == 'c')
          and type(a) == 'number' and math0.type(a) == 'float' then
        local t = a >= 0 and floor(a) or ceil(a)
        args[i] = tointeger(t) or t
      end
    end
  end
  local format = format0
  local r = format(fmt, table0.unpack(args, 1, args.n))
  return r
end
s.format = function(fmt, ...)
  local ok, r = pcall0(format0, fmt, ...)
  if ok then return r end
  if type(fmt) == 'string' then
    ok, r = pcall0(fmt_args, fmt, ...)
    if ok then return r end
  end
  error((string0.gsub(tostring(r), '^prelude:%d+: ', '')), 2)
end

local t = copy(table0)
t.getn = function(a) return #a end
t.setn = function() error("'setn' is obsolete", 2) end
t.maxn = function(a)
  local n = 0
  for k in next, a do if type(k) == 'number' and k > n then n = k end end
  return n
end
t.foreach = function(a, f) for k, v in next, a do local r = f(k, v) if r ~= nil then return r end end end
t.foreachi = function(a, f) for i = 1, #a do local r = f(i, a[i]) if r ~= nil then return r end end end

-- what Lua 5.4 added is not there in Redis's 5.1
for _, k in next, {'type', 'tointeger', 'ult', 'maxinteger', 'mininteger'} do m[k] = nil end
for _, k in next, {'pack', 'unpack', 'packsize'} do s[k] = nil end
for _, k in next, {'pack', 'unpack', 'move'} do t[k] = nil end
local co = copy(coroutine0)
co.close, co.isyieldable = nil, nil

G.math = readonly(m)
G.string = readonly(s)
-- ("x"):format(...) and the like use the same string library
getmetatable0('').__index = G.string
G.table = readonly(t)
G.coroutine = readonly(co)
G.bit = readonly(js.bit)
G.cjson = readonly(js.cjson)
G.cmsgpack = readonly(js.cmsgpack)
G.struct = readonly(js.struct)
-- Redis 7.4 (#12971): os with clock only, the CPU seconds the server process used
G.os = readonly({clock = _G0.os.clock})
G.redis = readonly(js.redis)

setmetatable0(G, {__index = function(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end})
P = readonly(G)
rawset0(G, '_G', P)

local function handler(err)
  -- the function that raised: past C functions and this sandbox's own helpers
  local level = 2
  local i = dbg_getinfo(level, 'nSl')
  while i and (i.what == 'C' or i.source == '@prelude' or i.source == '@bit') and level < 6 do
    level = level + 1
    i = dbg_getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. msg51(tostring(err))} end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

local function run(f)
  local ok, r = xpcall(f, handler)
  return ok, r
end

local function memory() return collectgarbage('count') end

return G, P, run, memory
`;

/** Redis's bit library (LuaBitOp) on Lua 5.4's integer operators, 32-bit semantics. */
export const BITOP = String.raw`
local floor, tointeger, fmod, mtype, ltype, tonumber, error, select = math.floor, math.tointeger, math.fmod, math.type, type, tonumber, error, select
local format = string.format
local function tobit(x)
  if mtype(x) ~= 'integer' then
    local n = tonumber(x)
    if n == nil then error("bad argument #1 (number expected, got " .. ltype(x) .. ")", 3) end
    if mtype(n) ~= 'integer' then
      local r = floor(n + 0.5)
      if r - n == 0.5 and r % 2 == 1 then r = r - 1 end
      r = fmod(r, 4294967296.0)
      n = tointeger(r) or 0
    end
    x = n
  end
  x = x & 0xffffffff
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end
local bit = {}
bit.tobit = function(x) return tobit(x) end
bit.bnot = function(x) return tobit(~tobit(x)) end
bit.band = function(x, ...) local r = tobit(x) for i = 1, select('#', ...) do r = r & tobit((select(i, ...))) end return tobit(r) end
bit.bor = function(x, ...) local r = tobit(x) for i = 1, select('#', ...) do r = r | tobit((select(i, ...))) end return tobit(r) end
bit.bxor = function(x, ...) local r = tobit(x) for i = 1, select('#', ...) do r = r ~ tobit((select(i, ...))) end return tobit(r) end
bit.lshift = function(x, n) return tobit((tobit(x) & 0xffffffff) << (tobit(n) & 31)) end
bit.rshift = function(x, n) return tobit((tobit(x) & 0xffffffff) >> (tobit(n) & 31)) end
bit.arshift = function(x, n) return tobit(tobit(x) >> (tobit(n) & 31)) end
bit.rol = function(x, n) local v, k = tobit(x) & 0xffffffff, tobit(n) & 31 return tobit((v << k) | (v >> ((32 - k) & 31))) end
bit.ror = function(x, n) local v, k = tobit(x) & 0xffffffff, tobit(n) & 31 return tobit((v >> k) | (v << ((32 - k) & 31))) end
bit.bswap = function(x)
  local v = tobit(x) & 0xffffffff
  return tobit(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | (v >> 24))
end
bit.tohex = function(x, n)
  local v = tobit(x) & 0xffffffff
  n = n == nil and 8 or tobit(n)
  local up = n < 0
  if up then n = -n end
  if n > 8 then n = 8 end
  if n == 0 then return '' end
  if n < 8 then v = v & ((1 << (4 * n)) - 1) end
  return format(up and ('%0' .. n .. 'X') or ('%0' .. n .. 'x'), v)
end
return bit
`;
