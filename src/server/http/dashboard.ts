/**
 * The live dashboard (`/dashboard` on the HTTP port; README "Dashboard"):
 *
 *   GET /dashboard               the page (401 page without a valid token where one is required)
 *   GET /dashboard/<file>        its script and style (src/server/http/dashboard/), no token:
 *                                the same public files the npm package ships, holding no data
 *   GET /dashboard/client/<m>.js shardis/client's modules, which the page imports
 *   GET /dashboard/api/stats     INFO ALL, SLOWLOG GET and (in cluster mode) CLUSTER INFO as
 *                                JSON, run as the request's user: a refused part is its NOPERM
 *
 * The page keeps the `?_token=` it was opened with for its own requests
 * (this endpoint, the command route and the WebSocket of the key browser).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import type { CommandSession } from '../command-session.ts';
import { runJson } from '../json-commands.ts';
import { parseInfo } from '../metrics.ts';

// beside this module: src/server/http/dashboard/ in a checkout, dist/server/http/dashboard/ in the package (npm run build copies it)
const STATIC_DIR = new URL('./dashboard/', import.meta.url);
// shardis/client as the server runs it: src/client/*.ts (types stripped on the way out) or dist/client/*.js
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const CLIENT_DIR = new URL('../../client/', import.meta.url);

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** How many slow log entries the stats carry. */
const SLOWLOG_ENTRIES = 32;

const cache = new Map<string, string>();

/** A static file of the page, or a module of shardis/client, by its path below /dashboard/; null when there is none. */
export function dashboardFile(path: string): { type: string; body: string } | null {
  let m = /^client\/([a-z-]+)\.js$/.exec(path);
  if (m !== null) {
    const name = m[1]!;
    let js = cache.get(path);
    if (js === undefined) {
      const file = new URL(`${name}.${FROM_SOURCE ? 'ts' : 'js'}`, CLIENT_DIR);
      if (!existsSync(file)) return null;
      const text = readFileSync(file, 'utf8');
      js = FROM_SOURCE ? stripTypeScriptTypes(text).replace(/(from\s+'\.\/[a-z-]+)\.ts'/g, "$1.js'") : text;
      cache.set(path, js);
    }
    return { type: TYPES.js!, body: js };
  }
  m = /^([a-z-]+)\.(js|css|html)$/.exec(path);
  if (m === null) return null;
  let body = cache.get(path);
  if (body === undefined) {
    const file = new URL(path, STATIC_DIR);
    if (!existsSync(file)) return null;
    body = readFileSync(file, 'utf8');
    cache.set(path, body);
  }
  return { type: TYPES[m[2]!]!, body };
}

/** Sends a file of the dashboard (no caching: a restarted server may serve another version). */
export function sendDashboardFile(res: ServerResponse, status: number, f: { type: string; body: string }): void {
  res.writeHead(status, { 'Content-Type': f.type, 'Content-Length': Buffer.byteLength(f.body), 'Cache-Control': 'no-cache' });
  res.end(f.body);
}

/** The page answered without a valid token. */
export function unauthorizedPage(req: IncomingMessage, res: ServerResponse): void {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>shardis dashboard: 401</title></head>
<body><h1>401 Unauthorized</h1><p data-testid="unauthorized">This server needs a token: open
<code>/dashboard?_token=&lt;token&gt;</code> (the default user's password, or an <code>http-token</code>).</p></body></html>`;
  res.writeHead(401, { 'Content-Type': TYPES.html!, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

type Part = unknown;

/** One command's reply as JSON, or `{error}` with Redis's text (NOPERM …). */
async function part(session: CommandSession, args: string[]): Promise<{ result: Part } | { error: string }> {
  const r = await runJson(session, args, false);
  if (r.error !== null) return { error: r.error };
  return { result: JSON.parse(r.json) as Part };
}

/** `k:v` lines (INFO, CLUSTER INFO) as an object of sections of fields. */
function sections(text: string, first: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, fields] of parseInfo(`# ${first}\r\n${text}`)) out[name] = Object.fromEntries(fields);
  return out;
}

/**
 * The dashboard's numbers now, as JSON: `info` (INFO ALL SHARDIS by section),
 * `slowlog` (SLOWLOG GET's entries) and `cluster` (CLUSTER INFO's fields;
 * null when cluster mode is off), each replaced by `{"error": …}` when the
 * user may not run it; `time` is the server's clock (ms).
 */
export async function dashboardStats(session: CommandSession): Promise<string> {
  const out: Record<string, unknown> = { time: Date.now() };
  const info = await part(session, ['INFO', 'ALL', 'SHARDIS']);
  out.info = 'error' in info ? info : sections(String(info.result), 'Server');
  const slowlog = await part(session, ['SLOWLOG', 'GET', String(SLOWLOG_ENTRIES)]);
  out.slowlog = 'error' in slowlog ? slowlog : slowlog.result;
  const enabled = 'error' in info ? null : (out.info as Record<string, Record<string, string>>).cluster?.cluster_enabled;
  out.cluster = null;
  // without INFO, ask anyway: an error other than "cluster support disabled" is worth showing (NOPERM)
  if (enabled === '1' || enabled === null) {
    const cluster = await part(session, ['CLUSTER', 'INFO']);
    if (!('error' in cluster)) out.cluster = sections(String(cluster.result), 'Cluster').cluster ?? {};
    else if (!/cluster support disabled/i.test(cluster.error)) out.cluster = cluster;
  }
  return JSON.stringify(out);
}
