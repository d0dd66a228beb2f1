/**
 * No module of src/ imports itself through others: every static `import` /
 * `export … from` is an edge, type-only ones (`import type`, `export type …
 * from`) included, and the graph has no cycle. The dependencies run one way:
 * front end → dispatch → command families → Client → ServerState → services
 * (which take a Session and narrow views of the server, server/host.ts) →
 * engine, command metadata, datatypes, config, protocol.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const SRC = join(import.meta.dirname, '../../src');
const EDGE = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const comp: string[] = [];
    for (;;) {
      const w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
      if (w === v) break;
    }
    if (comp.length > 1) out.push(comp);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('src/ has no import cycle, type-only imports included', () => {
  const graph = new Map<string, string[]>();
  for (const f of files(SRC)) {
    const deps = [...readFileSync(f, 'utf8').matchAll(EDGE)].map((m) => normalize(join(dirname(f), m[1]!)));
    graph.set(f, deps);
  }
  assert.ok(graph.size > 100, `${graph.size} modules read`);
  const found = cycles(graph).map((c) => c.map((f) => relative(SRC, f)).sort());
  assert.deepEqual(found, []);
});

test('the cycle finder finds a cycle', () => {
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(cycles(g).map((c) => c.sort()), [['a', 'b', 'c']]);
});

test('type-only imports and re-exports are edges', () => {
  const src = "import type { A } from './a.ts';\nexport type { B } from '../b.ts';\nimport { type C, d } from './c.ts';\nimport x from 'node:fs';\n";
  assert.deepEqual([...src.matchAll(EDGE)].map((m) => m[1]), ['./a.ts', '../b.ts', './c.ts']);
});
