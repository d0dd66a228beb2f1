/**
 * The WebSocket front end (docs/http.md, "WebSocket"): upgrade requests to
 * `/ws` on the HTTP port (HttpFront.upgrade), authenticated as HTTP
 * requests are (`Authorization: Bearer` or `?_token=`), each socket a
 * WsConnection. Refusals are HTTP answers to the upgrade request: 404 for
 * another path, 400 for a bad `?encoding=`, 401 without a valid token, 503
 * past maxclients.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { getConfigNumber } from '../../config/config.ts';
import { requestToken } from '../http/http-auth.ts';
import { userForRequest } from '../tokens.ts';
import { socketCertUser } from '../../security/tls.ts';
import { WsConnection } from './ws-connection.ts';
import { admit, MAXCLIENTS_ERROR } from '../admit.ts';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' };

/** Answers an upgrade request with an HTTP error (a JSON body, as the HTTP front end's) and closes. */
function refuse(socket: Duplex, status: number, error: string): void {
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class WsFront {
  private readonly state: ServerState<Client>;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  constructor(state: ServerState<Client>) {
    this.state = state;
  }

  /** Takes an upgrade request of the HTTP front end. */
  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // a peer that resets before the handshake ends must not take the server down
    socket.on('error', () => socket.destroy());
    const st = this.state;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'ERR WebSocket connections go to /ws');
    const encoding = url.searchParams.get('encoding');
    if (encoding !== null && encoding !== 'base64' && encoding !== 'utf8') return refuse(socket, 400, 'ERR encoding is base64 or utf8');
    const user = userForRequest(st, requestToken(req.headers.authorization, url.searchParams), socketCertUser(st.config, req.socket));
    if (user === null) return refuse(socket, 401, 'Unauthorized');
    if (!admit(st)) return refuse(socket, 503, MAXCLIENTS_ERROR);
    // frames past http-max-body-size close the socket with 1009 (read per upgrade: CONFIG SET applies to new sockets)
    this.wss.options.maxPayload = getConfigNumber(st.config, 'http-max-body-size', 512 * 1024 * 1024);
    const addr = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    this.wss.handleUpgrade(req, socket, head, (ws) => new WsConnection(st, ws, user, addr, encoding === 'base64'));
  };

  /** Closes every socket (the HTTP server's close waits for upgraded ones too). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
