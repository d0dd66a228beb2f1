/**
 * Listening on every bind address, for each front end (RESP, HTTP, gRPC, the
 * line protocol). With threads every thread listens on the same port
 * (`reusePort`, SO_REUSEPORT: the kernel spreads the connections).
 */
import type { Server } from 'node:net';

/** Listens on `host`:`port` (0: a free port); the port it listens on. A failure (EADDRINUSE …) rejects. */
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

/**
 * Listens with a server from `make` on `port` of each host (port 0: the
 * first picks a free one, the others take the same); the servers and the
 * port they listen on.
 */
export async function listenAll<S extends Server>(make: () => S, port: number, hosts: readonly string[], reusePort: boolean): Promise<{ servers: S[]; port: number }> {
  const servers: S[] = [];
  for (const host of hosts) {
    const srv = make();
    port = await listenOn(srv, port, host, reusePort);
    servers.push(srv);
  }
  return { servers, port };
}
