/**
 * The in-process micro-benchmarks' connection (pipeline-micro.ts,
 * script-cost.ts): a server started in this process and a connection
 * without a socket that runs what its parser reads through dispatch, as a
 * socket's would, writing its replies to a sink that takes every chunk at
 * once (a socket whose kernel buffer has room).
 */
import { startServer } from '../src/index.ts';
import { Client } from '../src/server/client.ts';
import { chainJob, execute } from '../src/server/dispatch.ts';

export interface InProcess {
  /** Runs one request (its reply is dropped at the next flush). */
  run(args: string[]): void;
  /** Drops the replies written so far. */
  flush(): void;
  /**
   * Feeds `batches` round-robin for `rounds` rounds, running every request
   * and flushing after each batch; ns per `perBatch` units (the second of
   * two passes: the first warms the JIT).
   */
  nsPer(batches: Buffer[], perBatch: number, rounds: number): number;
  close(): Promise<void>;
}

export async function inProcess(): Promise<InProcess> {
  const srv = await startServer({ port: 0 });
  const sink = { write: (_b: Buffer) => true, writableLength: 0 };
  const c = new Client(srv.state, null, { execute, chainJob });
  const run = (c as unknown as { run(a: string[]): void }).run.bind(c);
  return {
    run,
    flush: () => c.reply.flush(sink),
    nsPer(batches, perBatch, rounds) {
      let ns = 0;
      for (let pass = 0; pass < 2; pass++) {
        const t = performance.now();
        for (let i = 0; i < rounds; i++) {
          c.parser.feed(batches[i % batches.length]!);
          for (let args = c.parser.next(); args !== null; args = c.parser.next()) run(args);
          c.reply.flush(sink);
        }
        ns = ((performance.now() - t) * 1e6) / (rounds * perBatch);
      }
      return ns;
    },
    close: () => srv.close(),
  };
}
