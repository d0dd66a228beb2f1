/** The RESP front end: a TCP listener handing each connection to a Client. */
import { createServer, type Server, type Socket } from 'node:net';
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

  /** Listens on every bind address; `reusePort`: beside the other threads' listeners on the same port. */
  async listen(reusePort = false): Promise<number> {
    const { config } = this.state;
    const { servers, port } = await listenAll(() => createServer({ noDelay: true }, (socket) => this.accept(socket)), config.port, config.bind, reusePort);
    this.servers.push(...servers);
    this.state.port = port;
    return port;
  }

  private accept(socket: Socket): void {
    const st = this.state;
    if (!admit(st)) return refuseSocket(socket, `-${MAXCLIENTS_ERROR}\r\n`);
    const c = new Client(st, socket, REQUESTS);
    st.clients.set(c.id, c);
  }

  async close(): Promise<void> {
    // stop accepting, then drop the connections: server.close() waits for them
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of [...this.state.clients.values()]) c.close();
    await closed;
  }
}
