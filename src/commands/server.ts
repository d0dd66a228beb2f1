/** Server family: DBSIZE, FLUSHDB, FLUSHALL … */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';

/** DBSIZE */
const dbsize = command({
  name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Returns the number of keys in the database.', complexity: 'O(1)',
  handler(c) {
    c.reply.int(c.server.engine.dbSize(c.db));
  },
});

/** FLUSHALL [ASYNC|SYNC] */
const flushall = command({
  name: 'flushall', arity: -1, flags: ['write'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Removes all keys from all databases.', complexity: 'O(N)',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    if (args.length > 2 || (args.length === 2 && !/^(a?sync)$/i.test(args[1]!))) throw new CommandError(Err.SYNTAX);
    c.server.engine.flushAll();
    c.reply.ok();
  },
});

export const serverCommands: CommandSpec[] = [dbsize, flushall];
