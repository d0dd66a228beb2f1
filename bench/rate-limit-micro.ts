/**
 * In-process micro-benchmark of what rate limits add to the request path:
 * dispatch's execute() for SET and GET on random keys out of 100 000, as a
 * connection of the default user, with no limit set (`off`) or with
 * connection limits too high to refuse anything (`high`: every command is
 * admitted through both buckets). Prints ns per command, the best of
 * `passes` passes (the least disturbed by other work on the machine). Run
 * it pinned to one core, alternating with the same file on the code before
 * the change for the baseline:
 *
 *   taskset -c 1 node --max-semi-space-size=2 bench/rate-limit-micro.ts off
 *   taskset -c 1 node --max-semi-space-size=2 bench/rate-limit-micro.ts high
 */
import { startServer } from '../src/index.ts';
import { Client } from '../src/server/client.ts';
import { execute } from '../src/server/dispatch.ts';
import { COMMANDS } from './micro-commands.ts';

const mode = process.argv[2] ?? 'off';
const config: Record<string, string> = mode === 'high' ? { 'rate-limit-conn-commands': '1000000000', 'rate-limit-conn-bytes': '9000000000' } : {};
const srv = await startServer({ port: 0, config });
const c = new Client(srv.state, null);
// a connection's user, not the internal one (which is never limited)
c.user = srv.state.acl.defaultUser;
const gens = COMMANDS;
const out: string[] = [];
for (const name of ['set', 'get']) {
  const cmds = Array.from({ length: 16_000 }, gens[name]!);
  const rounds = 40;
  let best = Infinity;
  for (let pass = 0; pass < Number(process.env.PASSES ?? 15); pass++) {
    const t = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < cmds.length; i++) {
        execute(c, cmds[i]!);
        c.reply.len = 0;
      }
    }
    best = Math.min(best, ((performance.now() - t) * 1e6) / (rounds * cmds.length));
  }
  out.push(`${name} ${best.toFixed(1)} ns/command`);
}
console.log(`${mode}: ${out.join(', ')}`);
await srv.close();
