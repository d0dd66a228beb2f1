/**
 * The RESP front end: TCP listeners (and the `unixsocket` one) handing each
 * connection to a Client.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { getConfigValue } from '../config/config.ts';
import { Client, type Requests } from './client.ts';
import { chainJob, execute } from './dispatch.ts';
import type { ServerState } from './server-state.ts';
import { listenAll } from './listen.ts';
import { admit, refuseSocket, MAXCLIENTS_ERROR } from './admit.ts';

/** Connections run what they read through dispatch. */
const REQUESTS: Requests = { execute, chainJob };

export class RespServer {
  private readonly servers: Server[] = [];

  private readonly state: ServerState<Client>;

  constructor(state: ServerState<Client>) {
    this.state = state;
  }

  /**
   * Listens on every bind address; `reusePort`: beside the other threads'
   * listeners on the same port; `unix`: on the Unix socket too (one thread does).
   */
  async listen(reusePort = false, unix = true): Promise<number> {
    const { config } = this.state;
    const { servers, port } = await listenAll(() => createServer({ noDelay: true }, (socket) => this.accept(socket)), config.port, config.bind, reusePort);
    this.servers.push(...servers);
    this.state.port = port;
    if (unix) await this.listenUnix();
    return port;
  }

  /** `unixsocket <path>` (with `unixsocketperm`): local clients without TCP, as Redis's. */
  private async listenUnix(): Promise<void> {
    const path = getConfigValue(this.state.config, 'unixsocket') ?? '';
    if (path === '') return;
    // a socket file left by a server that died: Redis unlinks it too
    try {
      if (lstatSync(path).isSocket()) unlinkSync(path);
    } catch {
      // no file there
    }
    const srv = createServer((socket) => this.accept(socket, path));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ path }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    // an octal setting, shown as written (700)
    const perm = parseInt(getConfigValue(this.state.config, 'unixsocketperm') ?? '0', 8);
    if (perm !== 0) chmodSync(path, perm);
    this.servers.push(srv);
    this.state.log('notice', `The server is now ready to accept connections at ${path}`);
  }

  private accept(socket: Socket, unixPath: string | null = null): void {
    const st = this.state;
    if (!admit(st)) return refuseSocket(socket, `-${MAXCLIENTS_ERROR}\r\n`);
    const c = new Client(st, socket, REQUESTS);
    c.unixPath = unixPath;
    st.clients.set(c.id, c);
  }

  async close(): Promise<void> {
    // stop accepting, then drop the connections: server.close() waits for them
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of [...this.state.clients.values()]) c.close();
    await closed;
  }
}
