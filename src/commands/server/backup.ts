/**
 * BACKUP NOW / LIST / STATUS / HELP (shardis's own: backups to S3-compatible
 * storage, docs/backups.md) and INFO backup; the machinery is in
 * persistence/backup.ts.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { replyHelp } from '../core/help.ts';
import { addInfoFields } from './info.ts';
import { applyBackupNotice, backupStatus, listBackupObjects, requireTarget, restoreAtStartup, startBackup, startBackups, type BackupNotice } from '../../persistence/backup.ts';
import { backupTarget } from '../../persistence/backup-target.ts';
import { getConfigValue, lookupParam, setParam } from '../../config/config.ts';
import type { ServerState } from '../../server/server-state.ts';
import { Client } from '../../server/client.ts';
import { execute } from '../../server/dispatch.ts';

const HELP = [
  'NOW',
  '    Take a snapshot (as BGSAVE) and upload it to the configured S3 bucket, in the background.',
  'LIST',
  '    List the backups under backup-s3-prefix, newest first: [key, size, last-modified (unix time), sha256] each.',
  'STATUS',
  '    Return the state of the running or last backup.',
];

const ADMIN = ['admin', 'noscript', 'no_multi'] as const;
const sub = (name: string, arity: number, handler: CommandSpec['handler'], flags: CommandSpec['flags'] = ADMIN): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'server', handler });

/** The fields of BACKUP STATUS and INFO backup. */
function statusFields(s: ServerState<Client>): Array<[string, string | number]> {
  const st = backupStatus(s);
  const t = backupTarget(s.config);
  return [
    ['backup_enabled', t === null ? 0 : 1],
    ['backup_target', t === null ? '' : `s3://${t.bucket}/${t.prefix}`],
    ['backup_in_progress', st.inProgress ? 1 : 0],
    ['backup_last_status', st.lastStatus === '' ? 'none' : st.lastStatus],
    ['backup_last_error', st.lastError.replace(/[\r\n]+/g, ' ')],
    ['backup_last_time', st.lastTime],
    ['backup_last_time_sec', st.lastSecs],
    ['backup_last_key', st.lastKey],
    ['backup_last_size', st.lastSize],
    ['backup_count', st.count],
    ['backup_failures', st.failures],
  ];
}

addInfoFields('backup', statusFields);

const backup = command({
  // MULTI reads the container's no_multi (transactions.ts): BACKUP LIST waits for S3
  name: 'backup', arity: -2, flags: ['no_multi'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: [
    sub('now', 2, (c) => {
      // the backup runs on: its outcome goes to the log, INFO backup and BACKUP STATUS
      void startBackup(c.server, 'BACKUP NOW');
      c.reply.simple('Background backup started');
    }),
    sub('list', 2, async (c) => {
      const list = await listBackupObjects(c.server);
      c.reply.array(list.length);
      for (const o of list) {
        c.reply.array(4);
        c.reply.bulk(o.key);
        c.reply.int(o.size);
        c.reply.int(Math.floor(o.lastModified.getTime() / 1000));
        c.reply.bulk(o.sha256);
      }
    }),
    sub('status', 2, (c) => {
      requireTarget(c.server);
      const fields = statusFields(c.server);
      c.reply.map(fields.length);
      for (const [k, v] of fields) {
        c.reply.bulk(k.slice('backup_'.length));
        if (typeof v === 'number') c.reply.int(v);
        else c.reply.bulk(v);
      }
    }),
    sub('help', 2, (c, args) => replyHelp(c, args[0]!, HELP), ['loading', 'stale']),
  ],
});

export const backupCommands: CommandSpec[] = [backup];

const NULL_SINK = { write: (): boolean => true };

/**
 * Start-up, on the first thread before anything loads: restores the newest
 * backup into an empty data directory (persistence/backup.ts). Returns what
 * to run once every thread listens, or null. Redis ignores dump.rdb when
 * appendonly is yes; a restored snapshot is loaded as with appendonly no,
 * and the AOF is then turned on as CONFIG SET appendonly yes does (a
 * rewrite writes its base from the restored dataset, on every thread).
 */
export async function restoreOnStart(s: ServerState<Client>): Promise<(() => void) | null> {
  if (!(await restoreAtStartup(s)) || getConfigValue(s.config, 'appendonly') !== 'yes') return null;
  setParam(s.config, lookupParam('appendonly')!, 'no', false);
  s.log('notice', 'appendonly is yes: the restored backup is loaded as the RDB, then the AOF is created from it');
  return () => {
    const fake = new Client(s, null);
    fake.authenticated = true;
    void execute(fake, ['CONFIG', 'SET', 'appendonly', 'yes']);
    fake.reply.flush(NULL_SINK);
  };
}

/** Starts the schedule and on-save uploads; with threads, every thread learns of the others' backups. Returns the stop function. */
export function startBackupService(s: ServerState<Client>): () => Promise<void> {
  const link = s.link;
  if (link === null) return startBackups(s, null);
  s.noticeHandlers.set('backup-state', (m) => applyBackupNotice(s, m as unknown as BackupNotice));
  return startBackups(s, (m) => {
    for (let t = 0; t < link.count; t++) if (t !== link.index && !link.closing) link.notice(t, { ...m });
  });
}
