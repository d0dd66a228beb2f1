/** COMMAND DOCS arguments of the sorted set commands (Redis 7.0's command tables). */
import type { ArgSpec } from '../core/spec.ts';

export const ZSET_ARGS: Readonly<Record<string, readonly ArgSpec[]>> = {
  bzmpop: [
    { name: 'timeout', type: 'double' },
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'where', type: 'oneof', args: [{ name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
    { name: 'count', type: 'integer', token: 'COUNT', optional: true },
  ],
  bzpopmax: [
    { name: 'key', type: 'key', multiple: true },
    { name: 'timeout', type: 'double' },
  ],
  bzpopmin: [
    { name: 'key', type: 'key', multiple: true },
    { name: 'timeout', type: 'double' },
  ],
  zadd: [
    { name: 'key', type: 'key' },
    { name: 'condition', type: 'oneof', since: '3.0.2', optional: true, args: [{ name: 'nx', type: 'pure-token', token: 'NX' }, { name: 'xx', type: 'pure-token', token: 'XX' }] },
    { name: 'comparison', type: 'oneof', since: '6.2.0', optional: true, args: [{ name: 'gt', type: 'pure-token', token: 'GT' }, { name: 'lt', type: 'pure-token', token: 'LT' }] },
    { name: 'change', type: 'pure-token', token: 'CH', since: '3.0.2', optional: true },
    { name: 'increment', type: 'pure-token', token: 'INCR', since: '3.0.2', optional: true },
    { name: 'score_member', type: 'block', multiple: true, args: [{ name: 'score', type: 'double' }, { name: 'member', type: 'string' }] },
  ],
  zcard: [
    { name: 'key', type: 'key' },
  ],
  zcount: [
    { name: 'key', type: 'key' },
    { name: 'min', type: 'double' },
    { name: 'max', type: 'double' },
  ],
  zdiff: [
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
  ],
  zdiffstore: [
    { name: 'destination', type: 'key' },
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
  ],
  zincrby: [
    { name: 'key', type: 'key' },
    { name: 'increment', type: 'integer' },
    { name: 'member', type: 'string' },
  ],
  zinter: [
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'weight', type: 'integer', token: 'WEIGHTS', optional: true, multiple: true },
    { name: 'aggregate', type: 'oneof', token: 'AGGREGATE', optional: true, args: [{ name: 'sum', type: 'pure-token', token: 'SUM' }, { name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
  ],
  zintercard: [
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'limit', type: 'integer', token: 'LIMIT', optional: true },
  ],
  zinterstore: [
    { name: 'destination', type: 'key' },
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'weight', type: 'integer', token: 'WEIGHTS', optional: true, multiple: true },
    { name: 'aggregate', type: 'oneof', token: 'AGGREGATE', optional: true, args: [{ name: 'sum', type: 'pure-token', token: 'SUM' }, { name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
  ],
  zlexcount: [
    { name: 'key', type: 'key' },
    { name: 'min', type: 'string' },
    { name: 'max', type: 'string' },
  ],
  zmpop: [
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'where', type: 'oneof', args: [{ name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
    { name: 'count', type: 'integer', token: 'COUNT', optional: true },
  ],
  zmscore: [
    { name: 'key', type: 'key' },
    { name: 'member', type: 'string', multiple: true },
  ],
  zpopmax: [
    { name: 'key', type: 'key' },
    { name: 'count', type: 'integer', optional: true },
  ],
  zpopmin: [
    { name: 'key', type: 'key' },
    { name: 'count', type: 'integer', optional: true },
  ],
  zrandmember: [
    { name: 'key', type: 'key' },
    { name: 'options', type: 'block', optional: true, args: [{ name: 'count', type: 'integer' }, { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true }] },
  ],
  zrange: [
    { name: 'key', type: 'key' },
    { name: 'start', type: 'string' },
    { name: 'stop', type: 'string' },
    { name: 'sortby', type: 'oneof', since: '6.2.0', optional: true, args: [{ name: 'byscore', type: 'pure-token', token: 'BYSCORE' }, { name: 'bylex', type: 'pure-token', token: 'BYLEX' }] },
    { name: 'rev', type: 'pure-token', token: 'REV', since: '6.2.0', optional: true },
    { name: 'offset_count', type: 'block', token: 'LIMIT', since: '6.2.0', optional: true, args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
  ],
  zrangebylex: [
    { name: 'key', type: 'key' },
    { name: 'min', type: 'string' },
    { name: 'max', type: 'string' },
    { name: 'offset_count', type: 'block', token: 'LIMIT', optional: true, args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
  ],
  zrangebyscore: [
    { name: 'key', type: 'key' },
    { name: 'min', type: 'double' },
    { name: 'max', type: 'double' },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', since: '2.0.0', optional: true },
    { name: 'offset_count', type: 'block', token: 'LIMIT', optional: true, args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
  ],
  zrangestore: [
    { name: 'dst', type: 'key' },
    { name: 'src', type: 'key' },
    { name: 'min', type: 'string' },
    { name: 'max', type: 'string' },
    { name: 'sortby', type: 'oneof', optional: true, args: [{ name: 'byscore', type: 'pure-token', token: 'BYSCORE' }, { name: 'bylex', type: 'pure-token', token: 'BYLEX' }] },
    { name: 'rev', type: 'pure-token', token: 'REV', optional: true },
    { name: 'offset_count', type: 'block', token: 'LIMIT', optional: true, args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
  ],
  zrank: [
    { name: 'key', type: 'key' },
    { name: 'member', type: 'string' },
  ],
  zrem: [
    { name: 'key', type: 'key' },
    { name: 'member', type: 'string', multiple: true },
  ],
  zremrangebylex: [
    { name: 'key', type: 'key' },
    { name: 'min', type: 'string' },
    { name: 'max', type: 'string' },
  ],
  zremrangebyrank: [
    { name: 'key', type: 'key' },
    { name: 'start', type: 'integer' },
    { name: 'stop', type: 'integer' },
  ],
  zremrangebyscore: [
    { name: 'key', type: 'key' },
    { name: 'min', type: 'double' },
    { name: 'max', type: 'double' },
  ],
  zrevrange: [
    { name: 'key', type: 'key' },
    { name: 'start', type: 'integer' },
    { name: 'stop', type: 'integer' },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
  ],
  zrevrangebylex: [
    { name: 'key', type: 'key' },
    { name: 'max', type: 'string' },
    { name: 'min', type: 'string' },
    { name: 'offset_count', type: 'block', token: 'LIMIT', optional: true, args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
  ],
  zrevrangebyscore: [
    { name: 'key', type: 'key' },
    { name: 'max', type: 'double' },
    { name: 'min', type: 'double' },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
    { name: 'offset_count', type: 'block', token: 'LIMIT', optional: true, args: [{ name: 'offset', type: 'integer' }, { name: 'count', type: 'integer' }] },
  ],
  zrevrank: [
    { name: 'key', type: 'key' },
    { name: 'member', type: 'string' },
  ],
  zscan: [
    { name: 'key', type: 'key' },
    { name: 'cursor', type: 'integer' },
    { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true },
    { name: 'count', type: 'integer', token: 'COUNT', optional: true },
  ],
  zscore: [
    { name: 'key', type: 'key' },
    { name: 'member', type: 'string' },
  ],
  zunion: [
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'weight', type: 'integer', token: 'WEIGHTS', optional: true, multiple: true },
    { name: 'aggregate', type: 'oneof', token: 'AGGREGATE', optional: true, args: [{ name: 'sum', type: 'pure-token', token: 'SUM' }, { name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
    { name: 'withscores', type: 'pure-token', token: 'WITHSCORES', optional: true },
  ],
  zunionstore: [
    { name: 'destination', type: 'key' },
    { name: 'numkeys', type: 'integer' },
    { name: 'key', type: 'key', multiple: true },
    { name: 'weight', type: 'integer', token: 'WEIGHTS', optional: true, multiple: true },
    { name: 'aggregate', type: 'oneof', token: 'AGGREGATE', optional: true, args: [{ name: 'sum', type: 'pure-token', token: 'SUM' }, { name: 'min', type: 'pure-token', token: 'MIN' }, { name: 'max', type: 'pure-token', token: 'MAX' }] },
  ],
};
