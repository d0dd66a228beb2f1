/**
 * types/functions.d.ts, the types of `#!js` function libraries, checked by
 * tsc the way a library author uses them: `/// <reference types=
 * "shardis/functions" />` in a .js library with checkJs and strict, the
 * package found in node_modules through the package.json entries the
 * package ships (`exports` "./functions" for node16/nodenext/bundler
 * resolution, `typesVersions` for node10). The fixture
 * (test/fixtures/functions-types/library.js) and the worked examples
 * (examples/functions/*.js) must check clean, and every `@ts-expect-error`
 * in the fixture must be an error (tsc reports an unused one), so types that
 * are too loose fail as well as types that are too strict; broken.js must
 * fail with the errors it holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(root, 'node_modules/typescript/bin/tsc');
const FIXTURES = join(root, 'test/fixtures/functions-types');
const EXAMPLES = join(root, 'examples/functions');

/** The entries package.json gives types/functions.d.ts (the README's npm section lists them). */
const PACKAGE_ENTRIES = {
  exports: { './functions': { types: './types/functions.d.ts' } },
  typesVersions: { '*': { functions: ['./types/functions.d.ts'] } },
};

/**
 * Runs tsc on copies of `files` in a project whose node_modules holds
 * shardis with just those entries (a reference directive is resolved from
 * the file's own folder); its output, with paths from the project, and exit code.
 */
function typecheck(files: string[], moduleResolution: 'nodenext' | 'node10' | 'bundler'): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-fn-types-'));
  try {
    for (const f of files) copyFileSync(f, join(dir, basename(f)));
    const pkg = join(dir, 'node_modules/shardis');
    mkdirSync(join(pkg, 'types'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'shardis', type: 'module', ...PACKAGE_ENTRIES }));
    symlinkSync(join(root, 'types/functions.d.ts'), join(pkg, 'types/functions.d.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2023',
        lib: ['es2023'],
        module: moduleResolution === 'node10' ? 'commonjs' : moduleResolution === 'bundler' ? 'esnext' : 'nodenext',
        moduleResolution,
        types: [],
        allowJs: true,
        checkJs: true,
        strict: true,
        noEmit: true,
      },
      files: files.map((f) => basename(f)),
    }));
    const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], { encoding: 'utf8', cwd: dir });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.js')).map((f) => join(EXAMPLES, f));

for (const resolution of ['nodenext', 'node10', 'bundler'] as const) {
  test(`the fixture library and the examples check against types/functions.d.ts (moduleResolution ${resolution})`, () => {
    assert.equal(examples.length, 3);
    const { code, out } = typecheck([join(FIXTURES, 'library.js'), ...examples], resolution);
    assert.equal(out.trim(), '');
    assert.equal(code, 0);
  });
}

test('a library using the API wrongly fails to check, one error per mistake', () => {
  const { code, out } = typecheck([join(FIXTURES, 'broken.js')], 'nodenext');
  assert.equal(code, 2);
  const errors = out.trim().split('\n');
  assert.equal(errors.length, 3, out);
  assert.match(errors[0]!, /^broken\.js\(4,59\): error TS2339: Property 'byteLength' does not exist on type 'string'\.$/);
  assert.match(errors[1]!, /^broken\.js\(5,78\): error TS2339: Property 'toUpperCase' does not exist on type 'ArrayBuffer'\.$/);
  assert.match(errors[2]!, /^broken\.js\(6,57\): error TS2820: Type '"raw-argument"' is not assignable to type 'FunctionFlag'\. Did you mean '"raw-arguments"'\?$/);
});
