#!js api_version=1.0 name=eventcounts
/// <reference types="shardis/functions" />
/**
 * A stream trigger counting events by type: every entry XADD appends to a
 * stream whose name starts with `events:` adds one to the field named by
 * the entry's `type` field (`unknown` without one) in the hash
 * `{<stream>}:counts` (in the stream's cluster slot).
 *
 *   XADD events:web * type click page /
 *   FCALL_RO event_counts 1 events:web   -> {click: 1, ...}
 */
redis.registerStreamTrigger('count_events', 'events:', (client, entry) => {
  const type = entry.record.find(([field]) => field === 'type');
  client.call('HINCRBY', '{' + entry.stream + '}:counts', type === undefined ? 'unknown' : type[1], 1);
}, { description: 'counts entries of events:* streams by their type field' });

/** FCALL_RO event_counts 1 <stream>: the counters of that stream, {type: count}. */
redis.registerFunction('event_counts', (client, keys) => {
  // HGETALL replies a map (RESP3): a plain object
  const counts = /** @type {Record<string, string>} */ (client.call('HGETALL', '{' + keys[0] + '}:counts'));
  /** @type {Record<string, number>} */
  const out = {};
  for (const [type, n] of Object.entries(counts)) out[type] = Number(n);
  return out;
}, { flags: ['no-writes'], description: 'the per-type counters of a stream: {type: count}' });
