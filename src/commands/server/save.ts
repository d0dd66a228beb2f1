/** SAVE and BGSAVE [SCHEDULE] (LASTSAVE is in server.ts; the machinery in persistence/save-state.ts). */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt } from '../core/parse.ts';
import { bgsaveRunning, otherBackgroundJob, saveHooks, saveState, startBgsave } from '../../persistence/save-state.ts';

const OTHER_CHILD = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

const BUSY = 'ERR Background save already in progress';

/** SAVE: writes dir/dbfilename in the foreground. */
const save = command({
  name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c) {
    if (bgsaveRunning(c.server)) throw new CommandError(BUSY);
    if (!saveHooks.save(c.server)) throw new CommandError('ERR');
    c.reply.ok();
  },
});

/**
 * BGSAVE [SCHEDULE]: the snapshot is taken now and written in the
 * background. Inside MULTI it is scheduled, as Redis does.
 */
const bgsave = command({
  name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    if (args.length > 1 && !(args.length === 2 && isOpt(args[1]!, 'SCHEDULE'))) throw new CommandError(Err.SYNTAX);
    const st = saveState(c.server);
    if (bgsaveRunning(c.server)) throw new CommandError(BUSY);
    if (c.inExec || otherBackgroundJob.active(c.server)) {
      if (!c.inExec && args.length === 1) throw new CommandError(OTHER_CHILD);
      st.bgsaveScheduled = true;
      return c.reply.simple('Background saving scheduled');
    }
    if (!startBgsave(c.server)) throw new CommandError('ERR');
    c.reply.simple('Background saving started');
  },
});

export const saveCommands: CommandSpec[] = [save, bgsave];
