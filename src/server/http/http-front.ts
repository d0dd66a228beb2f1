/**
 * The HTTP front end (`http-port`; docs/http.md), compatible with Upstash's
 * REST API so that `@upstash/redis` works against shardis unchanged:
 *
 *   POST /                 a command as a JSON array: ["SET","k","v"]
 *   GET|POST /set/k/v      a command in the path (a POST body is its last argument)
 *   POST /pipeline         commands as a JSON array of arrays, each replied to
 *   POST /multi-exec       the same in one MULTI/EXEC (atomic)
 *   /subscribe/<ch>…, /psubscribe/<pattern>…, /monitor   server-sent events
 *   GET /healthz, /readyz  liveness; readiness once the dataset is loaded
 *   GET /metrics          Prometheus text, redis_exporter's names (server/metrics.ts)
 *   GET /dashboard        the live dashboard page, its files and GET /dashboard/api/stats (dashboard.ts)
 *
 * Replies are `{"result":…}` or `{"error":"…"}` (pipelines: an array of
 * those), with every string in base64 under `Upstash-Encoding: base64`.
 * Statuses: 400 for a command error or a malformed body, 401 without a
 * valid token, 403 when the ACL refuses, 404 for an unknown command or
 * route, 413 for a body over `http-max-body-size`, 503 past `maxclients`
 * (every route but /healthz and /readyz opens a connection as maxclients
 * counts them: a command request while it runs, a stream while it is open).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { refusedPeer, socketCertUser } from '../../security/tls.ts';
import type { Duplex } from 'node:stream';
import querystring from 'node:querystring';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { getConfigNumber, getConfigValue } from '../../config/config.ts';
import { listenAll } from '../listen.ts';
import { requestToken } from './http-auth.ts';
import { userForRequest } from '../tokens.ts';
import { CommandSession } from '../command-session.ts';
import { BadCommand, commandOf, commandsOf, envelope, runJson, runPipeline, runTransaction } from '../json-commands.ts';
import { openStream } from './sse.ts';
import { feedSpecOf, openFeedStream } from './feed-sse.ts';
import type { JsonReply } from '../../protocol/reply-json.ts';
import { admit, admitUnlisted, MAXCLIENTS_ERROR } from '../admit.ts';
import { metricsText } from '../metrics.ts';
import type { User } from '../../security/acl-user.ts';
import { dashboardFile, dashboardStats, sendDashboardFile, unauthorizedPage } from './dashboard.ts';
import { RATE_LIMITED } from '../../security/rate-limit.ts';

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'ERR the request body is not valid JSON');
  }
}

/** The status of a command's error: 403 when the ACL refused it, 404 for an unknown command, else 400. */
function errorStatus(r: JsonReply): number {
  const msg = r.error ?? '';
  if (msg.startsWith('NOPERM')) return 403;
  if (msg.startsWith('NOAUTH') || msg.startsWith('WRONGPASS')) return 401;
  if (msg.startsWith('ERR unknown command')) return 404;
  if (msg.startsWith(RATE_LIMITED)) return 429;
  return 400;
}

export class HttpFront {
  private readonly state: ServerState<Client>;
  private readonly servers: Array<Server | HttpsServer> = [];
  port = 0;
  /** Takes HTTP upgrade requests (the WebSocket front end sets it); without one they are refused. */
  upgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | null = null;

  /** Serves only /metrics, /healthz and /readyz, on `metrics-port` (else everything, on `http-port`). */
  private readonly metricsOnly: boolean;

  constructor(state: ServerState<Client>, metricsOnly = false) {
    this.state = state;
    this.metricsOnly = metricsOnly;
  }

  /** Listens on `http-port` (or `metrics-port`) of every bind address (none when 0); `reusePort` beside the other threads. */
  async listen(reusePort = false): Promise<number> {
    const cfg = this.state.config;
    const port = getConfigNumber(cfg, this.metricsOnly ? 'metrics-port' : 'http-port', 0);
    if (port === 0) return 0;
    // tls-http yes: HTTPS (and so WSS) with the TLS context and tls-auth-clients policy of the RESP TLS port;
    // the metrics port stays plain HTTP (scrapers and probes reach it without certificates)
    const secure = !this.metricsOnly && getConfigValue(cfg, 'tls-http') === 'yes';
    const make = (): Server | HttpsServer => {
      const opts = { noDelay: true, keepAliveTimeout: 60_000 };
      const onRequest = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
      let srv: Server | HttpsServer;
      if (secure) {
        const https = createHttpsServer({ ...this.state.tls.serverOptions(), ...opts }, onRequest);
        https.on('secureConnection', (socket: TLSSocket) => {
          if (refusedPeer(cfg, socket) !== null) socket.destroy();
        });
        this.state.tls.attach(https);
        srv = https;
      } else srv = createServer(opts, onRequest);
      srv.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (this.upgrade !== null) this.upgrade(req, socket, head);
        else socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      });
      return srv;
    };
    const { servers, port: bound } = await listenAll(make, port, cfg.bind, reusePort);
    this.servers.push(...servers);
    this.port = bound;
    return bound;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = getConfigValue(this.state.config, 'http-cors-origin') ?? '';
    if (origin !== '') {
      // browsers (shardis/client in a page) call from other origins; tokens travel in a header, never cookies
      res.setHeader('Access-Control-Allow-Origin', origin);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Upstash-Encoding, Last-Event-ID',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
    }
    try {
      await this.route(req, res);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : e instanceof BadCommand ? 400 : 500;
      const msg = e instanceof Error ? e.message : String(e);
      if (status === 500) this.state.log('warning', `HTTP ${req.method} ${req.url}: ${msg}`);
      if (!res.headersSent) this.send(res, status, JSON.stringify({ error: msg }));
      else res.end();
      // a body too big is not read to its end: the connection goes
      if (status === 413) req.socket.destroySoon();
    }
  }

  private send(res: ServerResponse, status: number, json: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const first = (segments[0] ?? '').toLowerCase();
    if (segments.length === 1 && (first === 'healthz' || first === 'readyz')) {
      const ready = first === 'healthz' || this.state.ready;
      this.send(res, ready ? 200 : 503, ready ? '{"result":"OK"}' : '{"error":"LOADING Redis is loading the dataset in memory"}');
      return;
    }
    const user = userForRequest(this.state, requestToken(req.headers.authorization, url.searchParams), socketCertUser(this.state.config, req.socket));
    const addr = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    if (first === 'dashboard' && !this.metricsOnly) return this.dashboard(req, res, segments.slice(1).join('/'), user, addr);
    if (user === null) throw new HttpError(401, 'Unauthorized');
    if (first === 'feed' && segments.length === 1) {
      const spec = feedSpecOf(url.searchParams, this.state.config.databases);
      if (typeof spec === 'string') throw new HttpError(400, spec);
      const last = req.headers['last-event-id'];
      await this.body(req);
      // a feed is no client of the server, but a connection while it lasts
      const release = admitUnlisted(this.state);
      if (release === null) throw new HttpError(503, MAXCLIENTS_ERROR);
      res.on('close', release);
      openFeedStream(this.state, req, res, user, spec, url.searchParams.get('from') ?? (typeof last === 'string' && last !== '' ? last : null));
      return;
    }
    if (first === 'subscribe' || first === 'psubscribe' || first === 'monitor') {
      const args = [first, ...segments.slice(1).map(pathArg)];
      if (first !== 'monitor' && args.length < 2) throw new HttpError(400, `ERR wrong number of arguments for '${first}' command`);
      await this.body(req);
      // the stream's session is a client from here on: admitted and registered with no await between
      if (!admit(this.state)) throw new HttpError(503, MAXCLIENTS_ERROR);
      openStream(this.state, req, res, user, addr, args);
      return;
    }
    if (first === 'metrics' && segments.length === 1) return this.metrics(req, res, user, addr);
    if (this.metricsOnly) throw new HttpError(404, 'ERR this port (metrics-port) serves GET /metrics, /healthz and /readyz only');
    const body = await this.body(req);
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    // the request's session is not among the server's clients (CLIENT LIST), but a connection while it runs
    const release = admitUnlisted(this.state);
    if (release === null) throw new HttpError(503, MAXCLIENTS_ERROR);
    const session = new CommandSession(this.state, user, addr);
    // rate limits: the request's path and body are its input bytes (in delay mode its commands wait for them)
    if (this.state.rateLimits.on) this.state.rateLimits.read(session, (req.url?.length ?? 0) + body.length);
    // the session ends with the request: a client that goes away takes its blocked command with it, and
    // what a command left behind (a SUBSCRIBE, MONITOR, CLIENT TRACKING) is dropped, as when a connection closes
    res.on('close', () => {
      session.close();
      release();
    });
    if (segments.length === 1 && (first === 'pipeline' || first === 'multi-exec')) {
      const list = commandsOf(parseJson(body));
      if (first === 'pipeline') {
        this.send(res, 200, `[${(await runPipeline(session, list, base64)).map(envelope).join(',')}]`);
        return;
      }
      const r = await runTransaction(session, list, base64);
      if (Array.isArray(r)) this.send(res, 200, `[${r.map(envelope).join(',')}]`);
      else this.send(res, errorStatus(r), envelope(r));
      return;
    }
    let args: string[];
    if (segments.length === 0) {
      if (req.method !== 'POST') throw new HttpError(404, 'ERR send a command: POST a JSON array to /, or name it in the path');
      args = commandOf(parseJson(body));
    } else {
      args = segments.map(pathArg);
      if (body.length > 0) args.push(body.latin1Slice());
    }
    const r = await runJson(session, args, base64);
    this.send(res, r.error !== null ? errorStatus(r) : 200, envelope(r));
  }

  /** GET /metrics: Prometheus text from INFO ALL, run as the request's user (server/metrics.ts). */
  private async metrics(req: IncomingMessage, res: ServerResponse, user: User, addr: string): Promise<void> {
    await this.body(req);
    const release = admitUnlisted(this.state);
    if (release === null) throw new HttpError(503, MAXCLIENTS_ERROR);
    const session = new CommandSession(this.state, user, addr);
    try {
      const m = await metricsText(session);
      if ('error' in m) throw new HttpError(m.error.startsWith('NOPERM') ? 403 : 500, m.error);
      res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Length': Buffer.byteLength(m.text) });
      res.end(m.text);
    } finally {
      session.close();
      release();
    }
  }

  /** /dashboard (dashboard.ts): the page and its stats need a token as every route does; its script and style do not. */
  private async dashboard(req: IncomingMessage, res: ServerResponse, path: string, user: User | null, addr: string): Promise<void> {
    await this.body(req);
    if (path === '' || path === 'index.html') {
      if (user === null) return unauthorizedPage(req, res);
      return sendDashboardFile(res, 200, dashboardFile('index.html')!);
    }
    if (path === 'api/stats') {
      if (user === null) throw new HttpError(401, 'Unauthorized');
      const release = admitUnlisted(this.state);
      if (release === null) throw new HttpError(503, MAXCLIENTS_ERROR);
      const session = new CommandSession(this.state, user, addr);
      try {
        const json = await dashboardStats(session);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), 'Cache-Control': 'no-store' });
        res.end(json);
      } finally {
        session.close();
        release();
      }
      return;
    }
    const f = dashboardFile(path);
    if (f === null) throw new HttpError(404, 'ERR no such file of the dashboard');
    sendDashboardFile(res, 200, f);
  }

  /** The request's body, refused (413) past http-max-body-size. */
  private body(req: IncomingMessage): Promise<Buffer> {
    const max = getConfigNumber(this.state.config, 'http-max-body-size', 512 * 1024 * 1024);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return Promise.reject(new HttpError(413, `ERR request body of ${declared} bytes is over http-max-body-size (${max})`));
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let n = 0;
      req.on('data', (chunk: Buffer) => {
        n += chunk.length;
        if (n > max) {
          req.removeAllListeners('data');
          req.pause();
          reject(new HttpError(413, `ERR request body is over http-max-body-size (${max})`));
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }
}

/** A path segment as an argument: percent-escapes are bytes. */
function pathArg(segment: string): string {
  // querystring.unescapeBuffer: documented, not in @types/node
  return (querystring as unknown as { unescapeBuffer(s: string): Buffer }).unescapeBuffer(segment).latin1Slice();
}
