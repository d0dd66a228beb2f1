/**
 * The `triggers` entry FUNCTION LIST adds for a `#!js` library: each
 * trigger's kind, prefix and statistics (RedisGears' TFINFO, in place).
 */
import type { Client } from '../../server/client.ts';
import type { TriggerInfo } from '../../scripting/js/triggers.ts';

export function listTriggers(c: Client, triggers: readonly TriggerInfo[]): void {
  const r = c.reply;
  r.bulk('triggers');
  r.array(triggers.length);
  for (const t of triggers) {
    const s = t.stats;
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
