/**
 * Listening on every bind address, for each front end (RESP, HTTP, the
 * line protocol). With threads every thread listens on the same port
 * (`reusePort`, SO_REUSEPORT: the kernel spreads the connections).
 */
import type { Server } from 'node:net';

/**
 * Listens with a server from `make` on `port` of each host (port 0: the
 * first picks a free one, the others take the same); the servers and the
 * port they listen on. A failure (EADDRINUSE …) rejects.
 */
export async function listenAll<S extends Server>(make: () => S, port: number, hosts: readonly string[], reusePort: boolean): Promise<{ servers: S[]; port: number }> {
  const servers: S[] = [];
  for (const host of hosts) {
    const srv = make();
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ port, host, reusePort }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    const addr = srv.address();
    if (addr && typeof addr === 'object') port = addr.port;
    servers.push(srv);
  }
  return { servers, port };
}
