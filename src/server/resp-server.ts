/**
 * The RESP front end: TCP listeners, TLS ones on `tls-port` (security/tls.ts)
 * and the `unixsocket` one, handing each connection to a Client.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { certificateUser, opensslText, refusedPeer } from '../security/tls.ts';
import { Client, type Requests } from './client.ts';
import { chainJob, execute } from './dispatch.ts';
import type { ServerState } from './server-state.ts';
import { listenAll } from './listen.ts';
import { admit, refuseSocket, MAXCLIENTS_ERROR } from './admit.ts';

/** OpenSSL's words for a peer certificate that does not verify. */
const VERIFY_FAILED = 'error:0A000086:SSL routines::certificate verify failed';

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
    const tlsPort = getConfigNumber(config, 'tls-port', 0);
    // port 0 with a tls-port: TLS only, as Redis (port 0 alone: any free port)
    let port = 0;
    if (config.port !== 0 || tlsPort === 0) {
      const plain = await listenAll(() => createServer({ noDelay: true }, (socket) => this.accept(socket)), config.port, config.bind, reusePort);
      this.servers.push(...plain.servers);
      port = plain.port;
    }
    this.state.port = port;
    if (tlsPort !== 0) await this.listenTls(tlsPort, reusePort);
    if (unix) await this.listenUnix();
    return port;
  }

  /** `tls-port`: RESP over TLS on every bind address, with the context and tls-auth-clients policy of state.tls. */
  private async listenTls(tlsPort: number, reusePort: boolean): Promise<void> {
    const st = this.state;
    const make = () => {
      const srv = createTlsServer({ ...st.tls.serverOptions(), noDelay: true }, (socket) => this.acceptTls(socket));
      srv.on('tlsClientError', (err, socket) => {
        socket.destroy();
        // a certificate that does not verify: Node has dropped the socket (its addresses gone) and says why
        const text = socket.authorizationError ? VERIFY_FAILED : opensslText(err);
        const where = socket.remoteAddress === undefined ? '' : ` (addr=${peerId(socket.remoteAddress, socket.remotePort)} laddr=${peerId(socket.localAddress, socket.localPort)})`;
        // a client gone before its handshake ended is no TLS error (Redis logs it at verbose level)
        st.log(text.startsWith('error:') ? 'warning' : 'verbose', `Error accepting a client connection: ${text}${where}`);
      });
      st.tls.attach(srv);
      return srv;
    };
    const { servers } = await listenAll(make, tlsPort, st.config.bind, reusePort);
    this.servers.push(...servers);
  }

  /** A TLS connection whose handshake is over: refused (tls-auth-clients optional, a bad certificate) or served. */
  private acceptTls(socket: TLSSocket): void {
    const st = this.state;
    const refused = refusedPeer(st.config, socket);
    if (refused !== null) {
      st.log('warning', `Error accepting a client connection: ${refused} (addr=${peerId(socket.remoteAddress, socket.remotePort)} laddr=${peerId(socket.localAddress, socket.localPort)})`);
      socket.destroy();
      return;
    }
    const c = this.accept(socket);
    // tls-auth-clients-user CN: the certificate names the user (an unknown or disabled one: the default user, as before)
    const name = c === null ? null : certificateUser(st.config, socket);
    const user = name === null ? undefined : st.acl.users.get(name);
    if (c !== null && user !== undefined && user.enabled) {
      c.user = user;
      c.authenticated = true;
    }
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

  private accept(socket: Socket, unixPath: string | null = null): Client | null {
    const st = this.state;
    if (!admit(st)) {
      refuseSocket(socket, `-${MAXCLIENTS_ERROR}\r\n`);
      return null;
    }
    const c = new Client(st, socket, REQUESTS);
    c.unixPath = unixPath;
    st.clients.set(c.id, c);
    return c;
  }

  async close(): Promise<void> {
    // stop accepting, then drop the connections: server.close() waits for them
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of [...this.state.clients.values()]) c.close();
    await closed;
  }
}

/** An address as Redis's log lines write it (ip:port, [ipv6]:port). */
function peerId(host: string | undefined, port: number | undefined): string {
  const h = host ?? '?';
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? 0}`;
}
