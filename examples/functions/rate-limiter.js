#!js api_version=1.0 name=ratelimiter
/// <reference types="shardis/functions" />
/**
 * A fixed-window rate limiter.
 *
 *   FCALL ratelimit 1 <key> <limit> <window-seconds>
 *
 * counts one request against <key> in the current window (the key expires
 * when the window ends) and replies [allowed, remaining, ttl]: allowed is 1
 * while at most <limit> requests came in this window, else 0; remaining is
 * how many more this window admits; ttl the seconds left in the window.
 */
redis.registerFunction('ratelimit', (client, keys, args) => {
  const key = keys[0];
  const limit = Number(args[0]);
  const window = Number(args[1]);
  if (keys.length !== 1 || !Number.isSafeInteger(limit) || limit < 0 || !Number.isSafeInteger(window) || window <= 0) {
    throw new Error('ERR usage: FCALL ratelimit 1 <key> <limit> <window-seconds>');
  }
  const count = Number(client.call('INCR', key));
  let ttl = Number(client.call('TTL', key));
  // the first request opens the window (and a counter left without a TTL gets one)
  if (count === 1 || ttl === -1) {
    client.call('EXPIRE', key, window);
    ttl = window;
  }
  const allowed = count <= limit;
  return [allowed ? 1 : 0, Math.max(0, limit - count), ttl];
}, { description: 'fixed-window rate limiter: key, limit, window seconds -> [allowed, remaining, ttl]' });
