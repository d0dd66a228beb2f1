/**
 * The line protocol's listener (`line-port`; docs/line.md): a plain TCP
 * text protocol for the simplest clients (`nc`), each connection a
 * LineConnection. With threads every thread listens on the port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { getConfigNumber } from '../../config/config.ts';
import { listenAll } from '../listen.ts';
import { admit, refuseSocket, MAXCLIENTS_ERROR } from '../admit.ts';
import { LineConnection } from './line-connection.ts';

export class LineFront {
  private readonly state: ServerState<Client>;
  private servers: Server[] = [];

  constructor(state: ServerState<Client>) {
    this.state = state;
  }

  /** Listens on `line-port` of every bind address (none when 0); the port. */
  async listen(reusePort = false): Promise<number> {
    const cfg = this.state.config;
    const port = getConfigNumber(cfg, 'line-port', 0);
    if (port === 0) return 0;
    const r = await listenAll(() => createServer({ noDelay: true }, (socket) => this.accept(socket)), port, cfg.bind, reusePort);
    this.servers = r.servers;
    return r.port;
  }

  private accept(socket: Socket): void {
    const st = this.state;
    if (!admit(st)) return refuseSocket(socket, `${MAXCLIENTS_ERROR}\n`);
    // the connection wires itself to the socket's events
    new LineConnection(st, socket);
  }

  /** Stops listening; the connections close with the server's clients (RespServer.close). */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
