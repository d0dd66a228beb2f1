/**
 * In-process micro-benchmark of the request path without sockets: parser →
 * dispatch → handler → reply writer, for pipelined GET/SET batches. Prints ns
 * per command; use it to compare changes to the hot path.
 */
import { startServer } from '../src/index.ts';
import { Client } from '../src/server/client.ts';
import { encodeCommand } from '../test/helpers/resp-client.ts';

const srv = await startServer({ port: 0 });
const state = srv.state;
const sink = { write: (_b: Buffer) => true };
const c = new Client(state, null);
const batch = (cmd: string[]) => Buffer.concat(Array.from({ length: 16 }, (_, i) => encodeCommand(cmd.map((a) => a.replace('#', String(i))))));
const setBatch = batch(['SET', 'key:00000000000#', 'xxx']);
const getBatch = batch(['GET', 'key:00000000000#']);
for (const [name, chunk] of [['SET', setBatch], ['GET', getBatch], ['SET', setBatch], ['GET', getBatch]] as const) {
  const rounds = 200_000;
  const t = performance.now();
  for (let i = 0; i < rounds; i++) {
    c.parser.feed(chunk);
    for (let args = c.parser.next(); args !== null; args = c.parser.next()) (c as unknown as { run(a: string[]): void }).run(args);
    c.reply.flush(sink);
  }
  const ns = ((performance.now() - t) * 1e6) / (rounds * 16);
  console.log(`${name}: ${ns.toFixed(0)} ns/command`);
}
await srv.close();
