import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { keyEvents } from '../helpers/keyspace.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError } from '../helpers/resp-client.ts';

const NYC = [
  '-73.9454966', '40.747533', 'lic market', '-73.9733487', '40.7648057', 'central park n/q/r', '-73.9903085', '40.7362513', 'union square',
  '-74.0131604', '40.7126674', 'wtc one', '-73.7858139', '40.6428986', 'jfk', '-73.9375699', '40.7498929', 'q4', '-73.9564142', '40.7480973', '4545',
];

describeServer('geo', (fx) => {
  test('GEOADD stores 52-bit geohash scores; NX XX CH; GEOPOS GEOHASH GEODIST (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      assert.equal(await r.geoadd('nyc', ...NYC), 7);
      assert.equal(await r.call('GEOADD', 'nyc', '-73.9454966', '40.747533', 'lic market'), 0);
      assert.deepEqual(await r.zrange('nyc', '0', '-1', 'WITHSCORES'), [
        'wtc one', '1791873972053020', 'union square', '1791875485187452', 'central park n/q/r', '1791875761332224',
        '4545', '1791875796750882', 'lic market', '1791875804419201', 'q4', '1791875830079666', 'jfk', '1791895905559723',
      ]);
      assert.equal(await r.call('GEOADD', 'nyc', 'CH', '40.747533', '-73.9454966', 'lic market'), 1);
      assert.equal(await r.call('GEOADD', 'nyc', 'NX', '-73.9454966', '40.747533', 'lic market'), 0);
      assert.equal(await r.call('GEOADD', 'nyc', 'CH', 'XX', '-73.9454966', '40.747533', 'lic market', '1', '1', 'nope'), 1);
      assert.equal(await r.zscore('nyc', 'nope'), null);
      assert.equal(await r.call('GEOADD', 'fresh', 'XX', '1', '1', 'a'), 0);
      assert.equal(await r.exists('fresh'), 0);
      await assert.rejects(r.call('GEOADD', 'nyc', 'xx', 'nx', '1', '2', 'm'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('GEOADD', 'nyc', 'ch', 'xx', 'foo', '1', '2', 'm'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('GEOADD', 'nyc', '1', '2', 'm', 'foo', 'bar', 'x'), /^ReplyError: ERR value is not a valid float$/);
      await assert.rejects(r.call('GEOADD', 'nyc', '200', '100', 'm'), /^ReplyError: ERR invalid longitude,latitude pair 200.000000,100.000000$/);
      await assert.rejects(r.call('GEOADD', 'nyc', '0.0078125', '86', 'm'), /^ReplyError: ERR invalid longitude,latitude pair 0.007812,86.000000$/);
      await assert.rejects(r.call('GEOADD', 'nyc', '1', '2'), /wrong number of arguments for 'geoadd' command/);
      assert.equal(await r.zcard('nyc'), 7, 'a failed GEOADD adds nothing');

      await r.geoadd('points', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
      assert.deepEqual(await r.geopos('points', 'Palermo', 'nope', 'Catania'), [
        ['13.36138933897018433', '38.11555639549629859'], null, ['15.08726745843887329', '37.50266842333162032'],
      ]);
      assert.deepEqual(await r.geopos('nokey', 'a'), [null]);
      assert.deepEqual(await r.geohash('points', 'Palermo', 'nope', 'Catania'), ['sqc8b49rny0', null, 'sqdtr74hyu0']);
      assert.equal(await r.geodist('points', 'Palermo', 'Catania'), '166274.1516');
      assert.equal(await r.geodist('points', 'Palermo', 'Catania', 'KM'), '166.2742');
      assert.equal(await r.call('GEODIST', 'points', 'Palermo', 'Catania', 'mi'), '103.3182');
      assert.equal(await r.call('GEODIST', 'points', 'Palermo', 'Catania', 'ft'), '545518.8700');
      assert.equal(await r.geodist('points', 'Palermo', 'Palermo'), '0.0000');
      assert.equal(await r.geodist('points', 'Palermo', 'Agrigento'), null);
      assert.equal(await r.geodist('nokey', 'Palermo', 'Catania'), null);
      await assert.rejects(r.call('GEODIST', 'points', 'Palermo', 'Catania', 'yd'), /^ReplyError: ERR unsupported unit provided. please use M, KM, FT, MI$/);
      await assert.rejects(r.call('GEODIST', 'nokey', 'a', 'b', 'km', 'x'), /^ReplyError: ERR syntax error$/);
      await r.set('str', 'v');
      for (const p of [r.call('GEOADD', 'str', '1', '2', 'm'), r.geopos('str', 'm'), r.geohash('str', 'm'), r.geodist('str', 'a', 'b'), r.call('GEORADIUS', 'str', '1', '1', '1', 'km'), r.call('GEOSEARCH', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km')]) {
        await assert.rejects(p, /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/);
      }
    } finally {
      r.disconnect();
    }
  });

  test('GEORADIUS / GEORADIUSBYMEMBER / GEOSEARCH: order, COUNT, ANY, WITH* replies', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.geoadd('nyc', ...NYC);
      assert.deepEqual(await r.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'asc'), ['central park n/q/r', '4545', 'union square']);
      assert.deepEqual(await r.call('GEORADIUS_RO', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'withdist', 'asc'), [
        ['central park n/q/r', '0.7750'], ['4545', '2.3651'], ['union square', '2.7697'],
      ]);
      assert.deepEqual(await r.call('GEOSEARCH', 'nyc', 'fromlonlat', '-73.9798091', '40.7598464', 'bybox', '6', '6', 'km', 'asc'), ['central park n/q/r', '4545', 'union square', 'lic market']);
      assert.deepEqual(await r.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3'), ['central park n/q/r', '4545', 'union square']);
      assert.deepEqual(await r.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3', 'ANY'), ['wtc one', 'union square', 'central park n/q/r']);
      assert.deepEqual(await r.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3', 'ANY', 'ASC'), ['central park n/q/r', 'union square', 'wtc one']);
      assert.deepEqual(await r.call('GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '2', 'DESC'), ['wtc one', 'q4']);
      assert.deepEqual(await r.call('GEORADIUSBYMEMBER', 'nyc', 'wtc one', '7', 'km', 'withdist'), [
        ['wtc one', '0.0000'], ['union square', '3.2544'], ['central park n/q/r', '6.7000'], ['4545', '6.1975'], ['lic market', '6.8969'],
      ]);
      assert.deepEqual(await r.call('GEORADIUSBYMEMBER_RO', 'nyc', 'wtc one', '3.3', 'km', 'withhash', 'withcoord', 'asc'), [
        ['wtc one', 1791873972053020, ['-74.01316255331039429', '40.71266718145121644']],
        ['union square', 1791875485187452, ['-73.99031013250350952', '40.73625022711770782']],
      ]);
      assert.deepEqual(await r.call('GEOSEARCH', 'nyc', 'frommember', 'wtc one', 'bybox', '14', '14', 'km'), ['wtc one', 'union square', 'central park n/q/r', '4545', 'lic market', 'q4']);
      assert.deepEqual(await r.call('GEOSEARCH', 'nyc', 'fromlonlat', '0', '0', 'byradius', '1', 'km'), []);
      assert.deepEqual(await r.call('GEOSEARCH', 'nokey', 'frommember', 'x', 'byradius', '1', 'km'), []);
      // the whole planet, past the antimeridian
      await r.geoadd('users', '-47.271613776683807', '-54.534504198047678', 'user_000000');
      assert.equal(((await r.call('GEORADIUS', 'users', '0', '0', '50000', 'km', 'WITHCOORD')) as unknown[]).length, 1);
      await r.geoadd('edge', '179.5', '36', 'point1', '-179.5', '36', 'point2');
      assert.deepEqual(await r.call('GEOSEARCH', 'edge', 'fromlonlat', '179', '37', 'bybox', '400', '400', 'km', 'asc'), ['point1', 'point2']);
      assert.deepEqual(await r.call('GEOSEARCH', 'edge', 'fromlonlat', '-179', '37', 'bybox', '400', '400', 'km', 'asc'), ['point2', 'point1']);
    } finally {
      r.disconnect();
    }
  });

  test('argument errors in Redis order', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.geoadd('nyc', ...NYC);
      const err = async (re: RegExp, ...args: string[]): Promise<void> => {
        await assert.rejects(r.call(args[0]!, ...args.slice(1)), re, args.join(' '));
      };
      await err(/^ReplyError: ERR syntax error$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'frommember', 'x', 'bybox', '6', '6', 'km');
      await err(/^ReplyError: ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch$/, 'geosearch', 'nyc', 'bybox', '3', '3', 'km', 'asc');
      await err(/^ReplyError: ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'asc', 'withdist');
      await err(/^ReplyError: ERR syntax error$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'byradius', '3', 'km', 'bybox', '3', '3', 'km');
      await err(/^ReplyError: ERR syntax error$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '-73.97', '40.75', 'bybox', '6', '6', 'km', 'storedist');
      await err(/^ReplyError: ERR the ANY argument requires COUNT argument$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'ANY');
      await err(/^ReplyError: ERR syntax error$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'COUNT');
      await err(/^ReplyError: ERR COUNT must be > 0$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'COUNT', '0');
      await err(/^ReplyError: ERR value is not an integer or out of range$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'COUNT', 'x');
      await err(/^ReplyError: ERR radius cannot be negative$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '-10', 'km');
      await err(/^ReplyError: ERR need numeric radius$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', 'ten', 'km');
      await err(/^ReplyError: ERR unsupported unit provided. please use M, KM, FT, MI$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'yd');
      await err(/^ReplyError: ERR invalid longitude,latitude pair 181.000000,40.750000$/, 'GEORADIUS', 'nyc', '181', '40.75', '10', 'km');
      await err(/^ReplyError: ERR need numeric width$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '0', '0', 'bybox', 'w', '1', 'km');
      await err(/^ReplyError: ERR need numeric height$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '0', '0', 'bybox', '1', 'h', 'km');
      await err(/^ReplyError: ERR height or width cannot be negative$/, 'GEOSEARCH', 'nyc', 'fromlonlat', '0', '0', 'bybox', '-1', '1', 'km');
      await err(/^ReplyError: ERR could not decode requested zset member$/, 'GEORADIUSBYMEMBER', 'nyc', 'nope', '1', 'km');
      await err(/^ReplyError: ERR could not decode requested zset member$/, 'GEOSEARCH', 'nyc', 'frommember', 'nope', 'bybox', '1', '1', 'km');
      await err(/^ReplyError: ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options$/, 'GEORADIUS', 'nyc', '-73.97', '40.75', '10', 'km', 'store', 'd', 'withdist');
      await err(/^ReplyError: ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options$/, 'GEOSEARCHSTORE', 'd', 'nyc', 'fromlonlat', '0', '0', 'byradius', '1', 'km', 'withcoord');
      await err(/^ReplyError: ERR syntax error$/, 'GEORADIUS_RO', 'nyc', '-73.97', '40.75', '10', 'km', 'store', 'd');
      await err(/^ReplyError: ERR syntax error$/, 'GEOSEARCHSTORE', 'd', 'nyc', 'fromlonlat', '0', '0', 'byradius', '1', 'km', 'store', 'd');
      // without the source key, GEORADIUSBYMEMBER checks neither member nor radius
      assert.deepEqual(await r.call('GEORADIUSBYMEMBER', 'nokey', 'm', '-1', 'yd'), []);
      assert.equal(await r.call('GEORADIUSBYMEMBER', 'nokey', 'm', '-1', 'yd', 'store', 'd'), 0);
    } finally {
      r.disconnect();
    }
  });

  test('STORE / STOREDIST / GEOSEARCHSTORE write sorted sets, delete on empty, emit events', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.geoadd('points{t}', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
      let seen = await keyEvents(fx(), async () => {
        assert.equal(await r.call('GEORADIUS', 'points{t}', '13.361389', '38.115556', '500', 'km', 'store', 'dst{t}'), 2);
      });
      assert.deepEqual(seen, ['georadiusstore:dst{t}']);
      assert.deepEqual(await r.zrange('dst{t}', '0', '-1', 'WITHSCORES'), ['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
      assert.equal(await r.call('GEORADIUSBYMEMBER', 'points{t}', 'Catania', '500', 'km', 'storedist', 'dst{t}'), 2);
      assert.deepEqual(await r.zrange('dst{t}', '0', '-1', 'WITHSCORES'), ['Catania', '0', 'Palermo', '166.27415156960032']);
      assert.equal(await r.call('GEORADIUS', 'points{t}', '13.361389', '38.115556', '500', 'km', 'storedist', 'dst{t}', 'desc', 'count', '1'), 1);
      assert.deepEqual(await r.zrange('dst{t}', '0', '-1'), ['Catania']);
      seen = await keyEvents(fx(), async () => {
        assert.equal(await r.call('GEOSEARCHSTORE', 'dst{t}', 'points{t}', 'fromlonlat', '13.361389', '38.115556', 'byradius', '500', 'km', 'storedist'), 2);
      });
      assert.deepEqual(seen, ['geosearchstore:dst{t}']);
      assert.deepEqual(await r.zrange('dst{t}', '0', '-1', 'WITHSCORES'), ['Palermo', '5.305637438600993e-5', 'Catania', '166.27416107465282']);
      seen = await keyEvents(fx(), async () => {
        assert.equal(await r.call('GEOSEARCHSTORE', 'dst{t}', 'points{t}', 'fromlonlat', '0', '0', 'byradius', '1', 'km'), 0);
      });
      assert.deepEqual(seen, ['del:dst{t}']);
      assert.equal(await r.exists('dst{t}'), 0);
      await r.set('dst{t}', 'x');
      assert.equal(await r.call('GEORADIUS', 'nokey{t}', '0', '0', '1', 'km', 'store', 'dst{t}'), 0);
      assert.equal(await r.exists('dst{t}'), 0, 'a missing source deletes the destination');
      // GEOADD is ZADD underneath: its events and its type
      seen = await keyEvents(fx(), async () => {
        await r.geoadd('g{t}', '1', '2', 'a');
        await r.geoadd('g{t}', '1', '2', 'a');
      });
      assert.deepEqual(seen, ['zadd:g{t}']);
      assert.equal(await r.type('g{t}'), 'zset');
    } finally {
      r.disconnect();
    }
  });

  test('searches and stores on both encodings: stored results are a listpack when they fit', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.geoadd('small{g}', ...NYC);
      // the long member lies far out of the searches below
      await r.geoadd('big{g}', ...NYC, '-73.5', '40.5', 'p'.repeat(65));
      assert.equal(await r.object('ENCODING', 'small{g}'), 'listpack');
      assert.equal(await r.object('ENCODING', 'big{g}'), 'skiplist');
      const search = ['FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'ASC', 'WITHDIST'];
      const small = (await r.call('GEOSEARCH', 'small{g}', ...search)) as [string, string][];
      const big = (await r.call('GEOSEARCH', 'big{g}', ...search)) as [string, string][];
      assert.deepEqual(big, small);
      assert.equal(await r.geodist('big{g}', 'jfk', 'q4'), await r.geodist('small{g}', 'jfk', 'q4'));
      for (const src of ['small{g}', 'big{g}']) {
        assert.equal(await r.call('GEOSEARCHSTORE', 'dst{g}', src, 'FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'COUNT', '3', 'STOREDIST'), 3);
        assert.equal(await r.object('ENCODING', 'dst{g}'), 'listpack');
        assert.deepEqual(await r.zrange('dst{g}', '0', '-1'), ['lic market', 'q4', '4545']);
        assert.equal(await r.call('GEORADIUS', src, '-73.9454966', '40.747533', '10', 'km', 'STORE', 'all{g}'), 6);
        assert.equal(await r.object('ENCODING', 'all{g}'), 'listpack');
      }
      await r.config('SET', 'zset-max-listpack-entries', '2');
      assert.equal(await r.call('GEOSEARCHSTORE', 'dst{g}', 'small{g}', 'FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'COUNT', '3'), 3);
      assert.equal(await r.object('ENCODING', 'dst{g}'), 'skiplist');
    } finally {
      await r.config('SET', 'zset-max-listpack-entries', '128');
      r.disconnect();
    }
  });

  test('RESP3 replies: coordinates as doubles, distances as strings (raw)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('HELLO', '3');
    await c.call('GEOADD', 'p', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    assert.equal(await c.callRaw('GEOPOS', 'p', 'Palermo', 'x'), '*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n');
    assert.equal(await c.callRaw('GEODIST', 'p', 'Palermo', 'x'), '_\r\n');
    assert.equal(await c.callRaw('GEODIST', 'p', 'Palermo', 'Catania'), '$11\r\n166274.1516\r\n');
    assert.equal(await c.callRaw('GEOSEARCH', 'p', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'COUNT', '1'),
      '*1\r\n*4\r\n$7\r\nPalermo\r\n$6\r\n0.0000\r\n:3479099956230698\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n');
    await c.call('HELLO', '2');
    assert.equal(await c.callRaw('GEOPOS', 'p', 'x'), '*1\r\n*-1\r\n');
    assert.equal(await c.callRaw('GEOHASH', 'p', 'x'), '*1\r\n$-1\r\n');
    const e = await c.call('GEOADD', 'p', '200', '100', 'm');
    assert.ok(e instanceof ReplyError);
    assert.equal(e.message, 'ERR invalid longitude,latitude pair 200.000000,100.000000');
  });

  test('node-redis: GEOSEARCH with options and COMMAND GETKEYS for STORE', async () => {
    const r = await nodeRedis(fx().port);
    try {
      await r.flushAll();
      await r.geoAdd('sicily', [{ longitude: 13.361389, latitude: 38.115556, member: 'Palermo' }, { longitude: 15.087269, latitude: 37.502669, member: 'Catania' }]);
      assert.deepEqual(await r.geoSearch('sicily', { longitude: 15, latitude: 37 }, { radius: 200, unit: 'km' }, { SORT: 'ASC' }), ['Catania', 'Palermo']);
      assert.deepEqual(await r.geoSearch('sicily', 'Palermo', { width: 400, height: 400, unit: 'km' }, { SORT: 'DESC', COUNT: 1 }), ['Catania']);
      assert.deepEqual(await r.sendCommand(['COMMAND', 'GETKEYS', 'GEORADIUS', 'src', '1', '2', '3', 'km', 'STORE', 'a', 'STOREDIST', 'b']), ['src', 'a', 'b']);
      assert.deepEqual(await r.sendCommand(['COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'dst', 'src', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km']), ['dst', 'src']);
    } finally {
      await r.quit();
    }
  });
});
