/** SYNC, PSYNC, REPLCONF, WAIT and ROLE: the commands of the primary side of replication (src/replication/primary.ts). */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { parseInteger } from '../core/parse.ts';

const sync = command({
  name: 'sync', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'An internal command used in replication.', complexity: '',
  handler(c) {
    c.server.replication.attach(c, null);
  },
});

const psync = command({
  name: 'psync', arity: -3, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.0', summary: 'An internal command used in replication.', complexity: '',
  handler(c, args) {
    // PSYNC replid offset: '? -1' asks for a full copy; an offset that is not a number never resumes
    const offset = /^-?\d+$/.test(args[2]!) ? Number(args[2]) : -1;
    c.server.replication.attach(c, { replid: args[1]!, offset });
  },
});

const replconf = command({
  name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '3.0.0', summary: 'An internal command for configuring the replication stream.', complexity: 'O(1)',
  handler(c, args) {
    const feed = c.server.replication;
    for (let j = 1; j + 1 < args.length; j += 2) {
      const opt = args[j]!.toLowerCase();
      if (opt === 'ack') return feed.ack(c, Number(args[j + 1]));
      if (opt === 'getack') return;
      if (opt === 'listening-port') feed.setListeningPort(c, Number(args[j + 1]));
      else if (opt === 'capa') ((c.ext.replCapa ??= new Set<string>()) as Set<string>).add(args[j + 1]!.toLowerCase());
    }
    if (args.length % 2 === 0) throw new CommandError(Err.SYNTAX);
    c.reply.ok();
  },
});

/** WAIT numreplicas timeout */
const wait = command({
  name: 'wait', arity: 3, flags: ['noscript'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', since: '3.0.0', summary: 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', complexity: 'O(1)',
  acl: ['@connection'], groupAcl: false,
  handler(c, args) {
    const numreplicas = parseInteger(args[1]!);
    const timeout = parseInteger(args[2]!, 'ERR timeout is not an integer or out of range');
    if (timeout < 0) throw new CommandError('ERR timeout is negative');
    const feed = c.server.replication;
    // inside MULTI (and scripts) WAIT cannot block: it answers with what is acknowledged now
    if (c.inExec || c.ext.script) return c.reply.int(feed.ackedAt(feed.offset));
    return feed.waitForAcks(numreplicas, timeout).then((n) => c.reply.int(n));
  },
});

/** ROLE */
const role = command({
  name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.12', summary: 'Return the role of the instance in the context of replication', complexity: 'O(1)',
  acl: ['@admin', '@dangerous'],
  handler(c) {
    const feed = c.server.replication;
    const { offset, entries } = feed.threads?.role() ?? { offset: feed.offset, entries: feed.roleEntries() };
    c.reply.array(3);
    c.reply.bulk('master');
    c.reply.int(offset);
    c.reply.array(entries.length);
    for (const e of entries) {
      c.reply.array(3);
      for (const x of e) c.reply.bulk(x);
    }
  },
});

export const replicationCommands: CommandSpec[] = [sync, psync, replconf, wait, role];
