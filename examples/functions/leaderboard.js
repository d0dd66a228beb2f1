#!js api_version=1.0 name=leaderboard
/// <reference types="shardis/functions" />
/**
 * A leaderboard kept by a keyspace trigger: every write to a `score:<player>`
 * key (SET, INCRBY, DEL, expiry …) makes the sorted set `leaderboard` hold
 * <player> with that score, or drops <player> once the key is gone or is
 * not a number.
 *
 *   SET score:alice 30
 *   FCALL_RO top 1 leaderboard 3     -> [[player, score], ...], best first
 */
const PREFIX = 'score:';

redis.registerKeySpaceTrigger('sync_score', PREFIX, (client, ev) => {
  const player = ev.key.slice(PREFIX.length);
  let value = null;
  try {
    value = client.call('GET', ev.key);
  } catch (e) {
    // not a string (WRONGTYPE): not a score
  }
  const score = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isFinite(score)) {
    client.call('ZADD', 'leaderboard', score, player);
  } else {
    client.call('ZREM', 'leaderboard', player);
  }
}, { description: 'keeps the leaderboard sorted set equal to the score:<player> keys' });

/** FCALL_RO top 1 leaderboard <n>: the n best players with their scores, best first. */
redis.registerFunction('top', (client, keys, args) => {
  const n = args.length === 0 ? 10 : Number(args[0]);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error('ERR the count must be a positive integer');
  // RESP3 (what client.call sees) replies [[player, score], ...]
  return client.call('ZRANGE', keys[0], 0, n - 1, 'REV', 'WITHSCORES');
}, { flags: [redis.functionFlags.NO_WRITES], description: 'the best players: [[player, score], ...]' });
