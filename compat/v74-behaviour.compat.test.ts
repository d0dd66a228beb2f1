/**
 * Client-visible behaviour Redis 7.2 and 7.4 changed, against recorded
 * 7.4.1 replies (compat/recorded.ts). INFO sections are compared by their
 * field names and order (through EVAL, values differ by nature).
 */
import { recordedSuite } from './recorded.ts';

/** An INFO section with the values cut: the field names and headers, in order. */
const infoNames = (section: string): string[] => ['EVAL', `return (string.gsub(redis.call('INFO','${section}'), ':[^\\r]*', ''))`, '0'];

recordedSuite('v74-behaviour', {
  'INFO clients, memory, persistence and stats field names (7.2: acl_access_denied_*, eventloop_*; 7.4: pubsub_clients, watching_clients, total_watched_keys, buffer limit disconnections, evicted_scripts …)': [
    infoNames('clients'), infoNames('memory'), infoNames('persistence'), infoNames('stats'),
  ],
});
