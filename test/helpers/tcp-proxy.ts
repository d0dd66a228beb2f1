/** A TCP proxy for tests: a link that can be held (a partition), dropped, severed for a while or cut. */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy to 127.0.0.1:target whose connections can be held (nothing passes either way) or cut. */
export class Proxy {
  private readonly sockets: Socket[] = [];
  /** While held, what each side sent, not yet passed on. */
  private readonly queued: Array<() => void> = [];
  private held = false;
  /** While severed, a connection is closed as soon as it is accepted. */
  private severed = false;
  private readonly server: Server;
  readonly port: number;
  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(target: number): Promise<Proxy> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const proxy = new Proxy(server, (server.address() as { port: number }).port);
    server.on('connection', (down) => {
      if (proxy.severed) return void down.destroy();
      const up = connect(target, '127.0.0.1');
      const close = (): void => { down.destroy(); up.destroy(); };
      for (const [from, to] of [[down, up], [up, down]] as const) {
        from.on('data', (d: Buffer) => {
          if (proxy.held) proxy.queued.push(() => to.write(d));
          else to.write(d);
        });
        from.on('error', close);
        from.on('close', close);
      }
      proxy.sockets.push(down, up);
    });
    return proxy;
  }

  /** A partition: neither end notices, nothing passes. */
  hold(): void {
    this.held = true;
  }

  /** What was held passes, in order. */
  heal(): void {
    this.held = false;
    for (const send of this.queued.splice(0)) send();
  }

  /** Every connection open now is cut (both ends see it close); new ones are accepted as before. */
  drop(): void {
    this.queued.length = 0;
    for (const s of this.sockets.splice(0)) s.destroy();
  }

  /** Every connection open now is cut, and new ones are closed at once, until restore(). */
  sever(): void {
    this.severed = true;
    this.drop();
  }

  /** New connections pass again (after sever()). */
  restore(): void {
    this.severed = false;
  }

  /** The link dies: held bytes are dropped, no new connection is accepted. */
  async cut(): Promise<void> {
    this.queued.length = 0;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
