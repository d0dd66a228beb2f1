/**
 * The `triggers` entry FUNCTION LIST adds for a `#!js` library: each
 * trigger's kind, prefix and statistics (RedisGears' TFINFO, in place).
 */
import type { Client } from '../../server/client.ts';
import { statKey } from '../../scripting/js/triggers.ts';
import type { TriggerInfo, TriggerStats } from '../../scripting/library.ts';

/** With threads, the trigger's statistics on every thread added up (each thread runs the triggers of its writes). */
function total(c: Client, t: TriggerInfo): TriggerStats {
  const others = c.server.others === null ? [] : (c.server.others({ op: 'trigger-stats' }) as Array<Record<string, TriggerStats>>);
  const s = { ...t.stats };
  for (const o of others) {
    const x = o[statKey(t)];
    if (x === undefined) continue;
    s.triggered += x.triggered;
    s.finished += x.finished;
    s.failed += x.failed;
    s.totalMs += x.totalMs;
    if (x.lastError !== null && s.lastError === null) s.lastError = x.lastError;
  }
  return s;
}

export function listTriggers(c: Client, triggers: readonly TriggerInfo[]): void {
  const r = c.reply;
  r.bulk('triggers');
  r.array(triggers.length);
  for (const t of triggers) {
    const s = total(c, t);
    r.map(10);
    r.bulk('name');
    r.bulk(t.name);
    r.bulk('type');
    r.bulk(t.kind);
    r.bulk('prefix');
    r.bulk(t.prefix);
    r.bulk('description');
    r.bulkOrNull(t.desc);
    r.bulk('num_triggered');
    r.int(s.triggered);
    r.bulk('num_finished');
    r.int(s.finished);
    r.bulk('num_failed');
    r.int(s.failed);
    r.bulk('last_error');
    r.bulkOrNull(s.lastError);
    r.bulk('last_execution_time_ms');
    r.double(Math.round(s.lastMs * 1000) / 1000);
    r.bulk('total_execution_time_ms');
    r.double(Math.round(s.totalMs * 1000) / 1000);
  }
}
