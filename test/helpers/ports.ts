/** A free TCP port on the loopback interface (for servers tests start themselves). */
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}
