/** String family: command specs and handlers. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { isString, stringOf } from '../datatypes/value.ts';

/** GET key */
const get = command({
  name: 'get', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string', since: '1.0.0', summary: 'Returns the string value of a key.', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }],
  handler(c, args) {
    const v = c.ks(args[1]!).lookupRead(args[1]!);
    if (v === undefined) return c.reply.nullBulk();
    if (!isString(v)) throw new CommandError(Err.WRONGTYPE);
    c.reply.bulk(stringOf(v));
  },
});

/** SET key value (options to come) */
const set = command({
  name: 'set', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string', since: '1.0.0', summary: 'Sets the string value of a key.', complexity: 'O(1)',
  handler(c, args) {
    const ks = c.ks(args[1]!);
    ks.set(args[1]!, args[2]!);
    ks.modified(args[1]!, 'set');
    c.reply.ok();
  },
});

export const stringCommands: CommandSpec[] = [get, set];
