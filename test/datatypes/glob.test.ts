import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from '../../src/datatypes/glob.ts';

test('glob patterns as Redis matches them', () => {
  const yes: Array<[string, string]> = [['*', 'abc'], ['a*', 'abc'], ['*c', 'abc'], ['a?c', 'abc'], ['[ab]x', 'bx'], ['[^ab]x', 'cx'], ['[a-c]', 'b'], ['[c-a]', 'b'], ['a\\*', 'a*'], ['h*llo*', 'hello world'], ['*a*b*', 'xaxxbx']];
  const no: Array<[string, string]> = [['*', ''], ['a*', 'bac'], ['a?c', 'ac'], ['[ab]x', 'cx'], ['[^ab]x', 'ax'], ['a\\*', 'ab'], ['abc', 'abcd']];
  for (const [p, s] of yes) assert.ok(globMatch(p, s), `${p} should match ${s}`);
  for (const [p, s] of no) assert.ok(!globMatch(p, s), `${p} should not match ${s}`);
  assert.ok(globMatch('ABC', 'abc', true));
});
