import { startServer } from '../src/index.ts';
import { RespClient } from '../test/helpers/resp-client.ts';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/aofp-');
const srv = await startServer({ port: 0, dir, config: { save: '', appendonly: 'yes' } });
const c = await RespClient.connect(srv.port);
await c.call('DEBUG', 'POPULATE', '1000000');
for (const cmd of ['BGREWRITEAOF', 'BGSAVE']) {
  const t = performance.now();
  await c.call(cmd);
  for (;;) {
    const info = (await c.call('INFO', 'persistence')) as string;
    if (info.includes('aof_rewrite_in_progress:0') && info.includes('rdb_bgsave_in_progress:0') && !info.includes('aof_rewrite_scheduled:1')) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  console.log(cmd, (performance.now() - t).toFixed(0), 'ms');
}
c.close();
await srv.close();
