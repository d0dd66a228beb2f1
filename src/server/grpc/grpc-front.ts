/**
 * The gRPC front end (`grpc-port`; docs/grpc.md): the Shardis service of
 * proto/shardis.proto, plaintext (or TLS with `tls-grpc yes`: the RESP TLS
 * port's context and tls-auth-clients policy), on every bind address. grpc-js cannot
 * listen with SO_REUSEPORT itself, so the listeners are our own net servers
 * (beside the other threads' on the same port, as the RESP and HTTP ones)
 * handing each connection to the gRPC server (a TLS one once its handshake,
 * which negotiates h2 by ALPN, is over). Loaded only when the port is
 * set, so that a server without gRPC does not load grpc-js.
 */
import { createServer, type Server as NetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { certificateUser, refusedPeer } from '../../security/tls.ts';
import { rememberCertUser } from './call-user.ts';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { getConfigNumber, getConfigValue } from '../../config/config.ts';
import { listenOn } from '../listen.ts';
import { shardisService } from './proto.ts';
import { executeHandler, pipelineHandler } from './commands.ts';
import { subscribeHandler } from './subscribe.ts';
import { watchHandler } from './watch.ts';

export class GrpcFront {
  private readonly state: ServerState<Client>;
  private server: Server | null = null;
  private readonly listeners: NetServer[] = [];
  port = 0;

  constructor(state: ServerState<Client>) {
    this.state = state;
  }

  /** Listens on `grpc-port` of every bind address (none when 0); `reusePort` beside the other threads. */
  async listen(reusePort = false): Promise<number> {
    const cfg = this.state.config;
    const port = getConfigNumber(cfg, 'grpc-port', 0);
    if (port === 0) return 0;
    // a message over the limit is refused by grpc-js (RESOURCE_EXHAUSTED) before it is decoded
    const server = new Server({ 'grpc.max_receive_message_length': getConfigNumber(cfg, 'grpc-max-message-size', 512 * 1024 * 1024) });
    server.addService(shardisService(), {
      Execute: executeHandler(this.state),
      Pipeline: pipelineHandler(this.state),
      Subscribe: subscribeHandler(this.state),
      Watch: watchHandler(this.state),
    });
    this.server = server;
    const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
    const secure = getConfigValue(cfg, 'tls-grpc') === 'yes';
    for (const host of cfg.bind) {
      let srv: NetServer;
      if (secure) {
        const tlsSrv = createTlsServer({ ...this.state.tls.serverOptions(), ALPNProtocols: ['h2'], noDelay: true }, (socket) => {
          if (refusedPeer(cfg, socket) !== null) return socket.destroy();
          // tls-auth-clients-user CN: the calls of this connection run as the certificate's user when they send no token
          const name = certificateUser(cfg, socket);
          if (name !== null) rememberCertUser(this.state, `${socket.remoteAddress}:${socket.remotePort}`, name, (fn) => socket.once('close', fn));
          injector.injectConnection(socket);
        });
        tlsSrv.on('tlsClientError', (_e, socket) => socket.destroy());
        this.state.tls.attach(tlsSrv);
        srv = tlsSrv;
      } else srv = createServer({ noDelay: true }, (socket) => injector.injectConnection(socket));
      await listenOn(srv, port, host, reusePort);
      this.listeners.push(srv);
    }
    this.port = port;
    return port;
  }

  async close(): Promise<void> {
    // every HTTP/2 session goes: its calls are cancelled, which closes their sessions
    this.server?.forceShutdown();
    await Promise.all(this.listeners.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
