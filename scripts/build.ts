/**
 * `npm run build` (and `prepack`): a clean dist/ compiled from src/ by
 * tsconfig.build.json, plus every file under src/ that is not TypeScript
 * (static assets the compiled code finds beside itself through
 * import.meta.url), so that the package ships dist/ without src/.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

let assets = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.[cm]?ts$/.test(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(dist, relative(src, from)));
  assets++;
}
// on standard error: `npm pack --json` prints its JSON on standard output after this
process.stderr.write(`dist/ built (${assets} asset file${assets === 1 ? '' : 's'} copied from src/)\n`);
