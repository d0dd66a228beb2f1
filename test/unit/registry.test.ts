import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allCommands } from '../../src/commands/index.ts';
import { Registry } from '../../src/commands/core/registry.ts';
import { command, type Command, type CommandSpec } from '../../src/commands/core/spec.ts';
import { COMMAND_DOCS } from '../../src/commands/core/command-meta.ts';
import { commandKeys, keySpecsOf } from '../../src/commands/core/key-specs.ts';

const registry = new Registry(allCommands());

test('the registry builds from every family without duplicate names', () => {
  const names = allCommands().map((s) => s.name);
  assert.equal(new Set(names).size, names.length, `duplicates: ${names.filter((n, i) => names.indexOf(n) !== i).join(', ')}`);
  assert.equal(registry.commands.length, names.length);
  const dup: CommandSpec = command({ name: 'get', arity: 2, flags: [], firstKey: 1, lastKey: 1, step: 1, group: 'string', handler() {} });
  assert.throws(() => new Registry([...allCommands(), dup]), /duplicate command spec 'get'/);
});

test('every command has a handler, or subcommands that all have one', () => {
  for (const cmd of registry.commands) {
    const s = cmd.spec;
    assert.ok(s.handler !== undefined || (s.subcommands?.length ?? 0) > 0, `${s.name}: no handler and no subcommands`);
    assert.equal(s.name, s.name.toLowerCase(), `${s.name}: names are lower case`);
    assert.notEqual(s.arity, 0, `${s.name}: arity`);
    const subNames = new Set<string>();
    for (const sub of s.subcommands ?? []) {
      assert.ok(sub.handler, `${s.name}|${sub.name}: no handler`);
      assert.ok(!subNames.has(sub.name), `${s.name}|${sub.name}: duplicate subcommand`);
      subNames.add(sub.name);
      assert.ok(sub.arity >= 2 || sub.arity <= -2, `${s.name}|${sub.name}: a subcommand's arity counts the container and itself`);
    }
  }
});

test('specs are well formed: key positions', () => {
  for (const cmd of registry.all()) {
    const s = cmd.spec;
    if (s.firstKey > 0) {
      assert.ok(s.step > 0, `${cmd.fullName}: step`);
      assert.ok(s.lastKey < 0 || s.lastKey >= s.firstKey, `${cmd.fullName}: lastKey`);
    } else assert.equal(s.lastKey, 0, `${cmd.fullName}: lastKey without firstKey`);
  }
});

/** Redis's populateCommandLegacyRangeSpec: first/last/step implied by the key specs. */
function legacyRange(cmd: Command): [number, number, number] {
  const specs = keySpecsOf(cmd);
  let first = Infinity;
  let last = 0;
  let prev = 0;
  for (const k of specs) {
    if (k.begin.type !== 'index' || k.find.type !== 'range') continue;
    if (specs.length > 1 && (k.find.keystep !== 1 || (prev !== 0 && prev !== k.begin.index - 1))) continue;
    first = Math.min(first, k.begin.index);
    const abs = k.find.lastkey >= 0 ? k.find.lastkey + k.begin.index : k.find.lastkey;
    last = (last >>> 0) >= (abs >>> 0) ? last : abs;
    prev = last;
    if (specs.length === 1) return [k.begin.index, last, k.find.keystep];
  }
  return first === Infinity ? [0, 0, 0] : [first, last, 1];
}

test("first/last/step of every spec agree with Redis's key specs", () => {
  for (const cmd of registry.all()) {
    if (!COMMAND_DOCS[cmd.fullName] && !COMMAND_DOCS[cmd.fullName.split('|')[0]!]) continue;
    const s = cmd.spec;
    assert.deepEqual([s.firstKey, s.lastKey, s.step], legacyRange(cmd), cmd.fullName);
  }
});

test('every command and subcommand has its documentation, and every documented command exists', () => {
  const names = new Set([...registry.all()].map((c) => c.fullName));
  for (const cmd of registry.all()) {
    const doc = COMMAND_DOCS[cmd.fullName];
    assert.ok(doc, `no documentation of ${cmd.fullName}`);
    assert.equal(doc.group, cmd.spec.group === 'sorted_set' ? 'sorted-set' : cmd.spec.group, cmd.fullName);
    assert.ok(doc.summary.length > 0, `${cmd.fullName}: summary`);
    assert.match(doc.since, /^\d+\.\d+\.\d+$/, `${cmd.fullName}: since`);
  }
  for (const name of Object.keys(COMMAND_DOCS)) assert.ok(names.has(name), `${name} is documented but not a command`);
});

test('command metadata parses and names real command shapes', () => {
  for (const [name, meta] of Object.entries(COMMAND_DOCS)) {
    assert.match(name, /^[a-z_-]+(\|[a-z_-]+)?$/);
    for (const ks of meta.ks ?? []) assert.match(ks, /^[A-Za-z_ ]+\|(i\d+|k[^,]+,-?\d+|u)\|(r-?\d+,\d+,\d+|n\d+,\d+,\d+|u)(\|.*)?$/, `${name}: ${ks}`);
  }
});

test('key extraction follows the key specs (and the getkeys procedures where Redis has one)', () => {
  const keys = (line: string[]): Array<[string, string]> | null => {
    let cmd = registry.lookup(line[0]!);
    if (cmd?.subcommands && line.length > 1) cmd = cmd.subcommands.get(line[1]!.toLowerCase());
    assert.ok(cmd, line[0]);
    const r = commandKeys(cmd, line);
    return r === null ? null : r.map((k) => [line[k.pos]!, k.flags.join(' ')]);
  };
  assert.deepEqual(keys(['GET', 'k']), [['k', 'RO access']]);
  assert.deepEqual(keys(['SET', 'k', 'v']), [['k', 'OW update']]);
  assert.deepEqual(keys(['SET', 'k', 'v', 'GET']), [['k', 'RW access update']]);
  assert.deepEqual(keys(['MSET', 'a', '1', 'b', '2']), [['a', 'OW update'], ['b', 'OW update']]);
  assert.deepEqual(keys(['LMOVE', 'a', 'b', 'LEFT', 'RIGHT']), [['a', 'RW access delete'], ['b', 'RW insert']]);
  assert.deepEqual(keys(['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2']), [['d', 'OW update'], ['a', 'RO access'], ['b', 'RO access']]);
  assert.deepEqual(keys(['ZUNIONSTORE', 'd', 'x', 'a']), null);
  assert.deepEqual(keys(['SORT', 'k', 'BY', 'w_*', 'STORE', 'dst']), [['k', 'RO access'], ['dst', 'OW update']]);
  assert.deepEqual(keys(['BLPOP', 'a', 'b', '0']), [['a', 'RW access delete'], ['b', 'RW access delete']]);
  assert.deepEqual(keys(['LMPOP', '2', 'a', 'b', 'LEFT']), [['a', 'RW access delete'], ['b', 'RW access delete']]);
  assert.deepEqual(keys(['MEMORY', 'USAGE', 'k']), [['k', 'RO']]);
});
