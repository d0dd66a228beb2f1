/**
 * Records a reference Redis's command documentation into
 * src/commands/core/command-docs.json, the metadata COMMAND DOCS, COMMAND
 * INFO (tips, key specs) and COMMAND GETKEYS read:
 *
 *   redis-server --port 7041 --save '' &   # the reference (7.4.1)
 *   node compat/record-command-docs.ts 7041
 *
 * Each command and subcommand, by full name ("config|get"), keeps Redis's
 * COMMAND DOCS fields and its COMMAND INFO tips and key specs (in the
 * notation key-specs.ts parses). Entries for commands the reference lacks
 * (newer Redis's, added by hand from its commands/*.json) are kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { RespClient, type Reply } from '../test/helpers/resp-client.ts';
import type { CommandDoc, DocArg } from '../src/commands/core/command-meta.ts';

const OUT = new URL('../src/commands/core/command-docs.json', import.meta.url);

type Obj = Record<string, unknown>;

/** RESP3 maps as objects, sets and arrays as arrays. */
function plain(r: Reply): unknown {
  if (Array.isArray(r)) return r.map(plain);
  if (r && typeof r === 'object' && 'map' in r) return Object.fromEntries(r.map.map(([k, v]) => [String(k), plain(v)]));
  if (r && typeof r === 'object' && 'set' in r) return r.set.map(plain);
  return r;
}

function argOf(a: Obj): DocArg {
  const out: DocArg = { name: a.name as string, type: a.type as DocArg['type'] };
  if (a.display_text !== undefined && a.display_text !== a.name) out.display = a.display_text as string;
  if (a.key_spec_index !== undefined) out.ks = a.key_spec_index as number;
  if (a.token !== undefined) out.token = a.token as string;
  if (a.summary !== undefined) out.summary = a.summary as string;
  if (a.since !== undefined) out.since = a.since as string;
  if (a.deprecated_since !== undefined) out.deprecatedSince = a.deprecated_since as string;
  if (a.flags !== undefined) out.flags = a.flags as string[];
  if (a.arguments !== undefined) out.args = (a.arguments as Obj[]).map(argOf);
  return out;
}

/** A key spec in key-specs.ts's notation: "FLAGS|BEGIN|FIND[|notes]". */
function keySpecText(k: Obj): string {
  const bs = k.begin_search as Obj;
  const fk = k.find_keys as Obj;
  const bspec = bs.spec as Obj;
  const fspec = fk.spec as Obj;
  const begin = bs.type === 'index' ? `i${bspec.index}` : bs.type === 'keyword' ? `k${bspec.keyword},${bspec.startfrom}` : 'u';
  const find = fk.type === 'range' ? `r${fspec.lastkey},${fspec.keystep},${fspec.limit}`
    : fk.type === 'keynum' ? `n${fspec.keynumidx},${fspec.firstkey},${fspec.keystep}` : 'u';
  const parts = [(k.flags as string[]).join(' '), begin, find];
  if (k.notes !== undefined) parts.push(k.notes as string);
  return parts.join('|');
}

function docOf(d: Obj, info: unknown[]): CommandDoc {
  const out: CommandDoc = { summary: d.summary as string, since: d.since as string, group: d.group as string };
  if (d.complexity !== undefined) out.complexity = d.complexity as string;
  if (d.doc_flags !== undefined) out.docFlags = d.doc_flags as string[];
  if (d.deprecated_since !== undefined) out.deprecatedSince = d.deprecated_since as string;
  if (d.replaced_by !== undefined) out.replacedBy = d.replaced_by as string;
  if (d.history !== undefined) out.history = d.history as Array<[string, string]>;
  if (d.arguments !== undefined) out.args = (d.arguments as Obj[]).map(argOf);
  const tips = info[7] as string[];
  if (tips.length) out.tips = tips;
  const ks = info[8] as Obj[];
  if (ks.length) out.ks = ks.map(keySpecText);
  return out;
}

const c = await RespClient.connect(Number(process.argv[2] ?? 6379));
await c.call('HELLO', '3');
const docs = plain(await c.call('COMMAND', 'DOCS')) as Record<string, Obj>;
const infos = new Map<string, unknown[]>();
for (const i of plain(await c.call('COMMAND', 'INFO')) as unknown[][]) {
  infos.set(i[0] as string, i);
  for (const s of i[9] as unknown[][]) infos.set(s[0] as string, s);
}
c.close();

const out: Record<string, CommandDoc> = {};
for (const [name, d] of Object.entries(docs)) {
  out[name] = docOf(d, infos.get(name)!);
  for (const [sub, sd] of Object.entries((d.subcommands ?? {}) as Record<string, Obj>)) out[sub] = docOf(sd, infos.get(sub)!);
}
// newer commands than the reference, kept as they were added by hand
const old = JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, CommandDoc>;
for (const [name, d] of Object.entries(old)) out[name] ??= d;
const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
// one command per line: diffs stay readable
const lines = Object.entries(sorted).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
writeFileSync(OUT, `{\n${lines.join(',\n')}\n}\n`);
console.log(`${lines.length} commands written to ${OUT.pathname}`);
