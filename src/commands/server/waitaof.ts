/** WAITAOF numlocal numreplicas timeout (Redis 7.2; the wait is src/replication/wait-aof.ts). */
import { command } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { parseInt64OrNull, parseInteger } from '../core/parse.ts';
import { aofAckedNow, waitAof, WAITAOF_AOF_OFF } from '../../replication/wait-aof.ts';

const WAITAOF_ON_REPLICA = 'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.';

/** WAITAOF numlocal numreplicas timeout: [local AOF fsynced (0/1), replicas whose AOF fsynced] the client's writes. */
export const waitaof = command({
  name: 'waitaof', arity: 4, flags: ['blocking'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', acl: ['@connection'], groupAcl: false,
  handler(c, args) {
    const numlocal = parseInteger(args[1]!);
    if (numlocal < 0 || numlocal > 1) throw new CommandError('ERR value is out of range, value must between 0 and 1');
    const numreplicas = parseInt64OrNull(args[2]!);
    if (numreplicas === null || numreplicas < 0) throw new CommandError('ERR value is out of range, must be positive');
    const timeout = parseInteger(args[3]!, 'ERR timeout is not an integer or out of range');
    if (timeout < 0) throw new CommandError('ERR timeout is negative');
    const s = c.server;
    if (s.replicaOf !== null) throw new CommandError(WAITAOF_ON_REPLICA);
    const feed = s.replication;
    if (numlocal !== 0 && feed.fsyncedReploff() === -1) throw new CommandError(WAITAOF_AOF_OFF);
    // a script's writes reach the stream after it: its own client never wrote (woff 0), as Redis's Lua client
    const woff = c.ext.script === true ? 0 : c.woff;
    const reply = ([local, replicas]: [number, number]): void => {
      c.reply.array(2);
      c.reply.int(local);
      c.reply.int(replicas);
    };
    const now = aofAckedNow(feed, woff);
    // inside MULTI and scripts it cannot block: what is acknowledged now
    if ((now[0] >= numlocal && now[1] >= numreplicas && feed.threads === null) || c.inExec || c.ext.script === true) return reply(now);
    return waitAof(feed, woff, numlocal, numreplicas, timeout).then(reply, (e: Error) => {
      throw new CommandError(e.message);
    });
  },
});
