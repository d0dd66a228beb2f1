import { startServer } from '../src/index.ts';
import { Client } from '../src/server/client.ts';
import { encodeCommand } from '../test/helpers/resp-client.ts';
const srv = await startServer({ port: 0 });
const sink = { write: (_b: Buffer) => true };
const c = new Client(srv.state, null);
const batch = (cmd: string[]) => Buffer.concat(Array.from({ length: 16 }, (_, i) => encodeCommand(cmd.map((a) => a.replace('#', String(i))))));
let k = 0;
const cases: [string, () => Buffer][] = [
  ['SADD same', () => batch(['SADD', 'myset', 'element:__rand_int__'])],
  ['ZADD same', () => batch(['ZADD', 'myzset', '0', 'element:__rand_int__'])],
  ['ZPOPMIN empty', () => batch(['ZPOPMIN', 'nozset'])],
  ['ZADD new', () => { k++; return batch(['ZADD', 'bigz', String(k), `m${k}:#`]); }],
  ['ZADD+ZPOPMIN', () => Buffer.concat([batch(['ZADD', 'pz', '1', 'm#']), batch(['ZPOPMIN', 'pz'])])],
];
for (let rep = 0; rep < 2; rep++) for (const [name, mk] of cases) {
  const rounds = 100_000;
  const chunks = name === 'ZADD new' ? Array.from({ length: rounds }, mk) : [mk()];
  const t = performance.now();
  for (let i = 0; i < rounds; i++) {
    c.parser.feed(chunks[i % chunks.length]!);
    for (let args = c.parser.next(); args !== null; args = c.parser.next()) (c as unknown as { run(a: string[]): void }).run(args);
    c.reply.flush(sink);
  }
  const ns = ((performance.now() - t) * 1e6) / (rounds * (name === 'ZADD+ZPOPMIN' ? 32 : 16));
  console.log(`${name}: ${ns.toFixed(0)} ns/command`);
}
await srv.close();
