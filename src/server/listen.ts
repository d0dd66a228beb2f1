/** Starting a front end's listener (RESP, HTTP, gRPC). */
import type { Server } from 'node:net';

/**
 * Listens on `host`:`port` (0: a free port); `reusePort` beside the other
 * threads' listeners on the same port (SO_REUSEPORT: the kernel spreads the
 * connections). The port it listens on.
 */
export function listenOn(srv: Server, port: number, host: string, reusePort: boolean): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ port, host, reusePort }, () => {
      srv.off('error', reject);
      const addr = srv.address();
      resolve(addr !== null && typeof addr === 'object' ? addr.port : port);
    });
  });
}
