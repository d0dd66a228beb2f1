/** Geo family: the same scripts against shardis and a real redis-server, replies byte for byte. */
import { bothProtocols, describeCompat, type Script } from './harness.ts';
import { rng } from '../test/helpers/rng.ts';

const NYC = [
  '-73.9454966', '40.747533', 'lic market', '-73.9733487', '40.7648057', 'central park n/q/r', '-73.9903085', '40.7362513', 'union square',
  '-74.0131604', '40.7126674', 'wtc one', '-73.7858139', '40.6428986', 'jfk', '-73.9375699', '40.7498929', 'q4', '-73.9564142', '40.7480973', '4545',
];

/** Points scattered around a centre, then searches of every kind with every option mix. */
function fuzzScript(seed: number, points: number, spread: number): Script {
  const rand = rng(seed);
  const uniform = (a: number, b: number): number => a + rand() * (b - a);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const clon = uniform(-180, 180);
  const clat = uniform(-84, 84);
  const lon = (): string => String(Math.max(-180, Math.min(180, clon + uniform(-spread, spread))));
  const lat = (): string => String(Math.max(-85, Math.min(85, clat + uniform(-spread / 2, spread / 2))));
  const add: string[] = ['GEOADD', 'pts'];
  for (let j = 0; j < points; j++) add.push(lon(), lat(), `p${j}`);
  const script: Script = [add];
  const units: Record<string, number> = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048, KM: 1000 };
  for (let q = 0; q < 40; q++) {
    const unit = pick(Object.keys(units));
    const size = String(Math.round(pick([1, 100, 1000, 50000, 500000, 5e6]) / units[unit]! * uniform(0.5, 2) * 1000) / 1000);
    const opts: string[] = [];
    for (const o of ['WITHDIST', 'WITHCOORD', 'WITHHASH']) if (rand() < 0.5) opts.push(o);
    if (rand() < 0.5) {
      opts.push('COUNT', String(pick([1, 2, 3, 10, 50, 1000])));
      if (rand() < 0.3) opts.push('ANY');
    }
    if (rand() < 0.6) opts.push(pick(['ASC', 'DESC']));
    const plain = opts.filter((o) => !o.startsWith('WITH'));
    const member = `p${Math.floor(rand() * points)}`;
    const k = rand();
    if (k < 0.2) script.push(['GEORADIUS', 'pts', lon(), lat(), size, unit, ...opts]);
    else if (k < 0.3) script.push(['GEORADIUSBYMEMBER_RO', 'pts', member, size, unit, ...opts]);
    else if (k < 0.55) {
      const by = rand() < 0.5 ? ['BYRADIUS', size, unit] : ['BYBOX', size, String(Math.round(Number(size) * uniform(0.2, 3) * 1000) / 1000), unit];
      script.push(['GEOSEARCH', 'pts', ...(rand() < 0.5 ? ['FROMLONLAT', lon(), lat()] : ['FROMMEMBER', member]), ...by, ...opts]);
    } else if (k < 0.7) {
      script.push(['GEOSEARCHSTORE', 'dst', 'pts', 'FROMMEMBER', member, 'BYBOX', size, size, unit, ...plain, ...(rand() < 0.5 ? ['STOREDIST'] : [])]);
      script.push(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
    } else if (k < 0.85) {
      script.push(['GEORADIUS', 'pts', lon(), lat(), size, unit, ...plain, pick(['STORE', 'STOREDIST']), 'dst']);
      script.push(['ZRANGE', 'dst', '0', '-1', 'WITHSCORES']);
    } else {
      script.push(['GEODIST', 'pts', member, `p${Math.floor(rand() * points)}`, unit]);
      script.push(['GEOPOS', 'pts', member, 'nope', `p${Math.floor(rand() * points)}`]);
      script.push(['GEOHASH', 'pts', member, 'nope']);
    }
  }
  return script;
}

describeCompat('geo', (t) => {
  t('GEOADD options, scores, GEOPOS GEOHASH GEODIST', (p) => bothProtocols(p, [
    ['GEOADD', 'nyc', ...NYC], ['ZRANGE', 'nyc', '0', '-1', 'WITHSCORES'], ['GEOADD', 'nyc', 'CH', '40.747533', '-73.9454966', 'lic market'],
    ['GEOADD', 'nyc', 'NX', '1', '1', 'lic market', '2', '2', 'new'], ['GEOADD', 'nyc', 'XX', 'CH', '-73.9454966', '40.747533', 'lic market', '3', '3', 'nope'],
    ['GEOADD', 'fresh', 'XX', '1', '1', 'a'], ['EXISTS', 'fresh'], ['GEOADD', 'nyc', 'ch', 'ch', 'nx', '4', '4', 'x'],
    ['GEOADD', 'k', '180', '85.05112878', 'max', '-180', '-85.05112878', 'min', '0', '0', 'zero', '-0', '-0', 'negzero'],
    ['ZRANGE', 'k', '0', '-1', 'WITHSCORES'], ['GEOPOS', 'k', 'max', 'min', 'zero', 'negzero', 'nope'], ['GEOHASH', 'k', 'max', 'min', 'zero', 'nope'],
    ['GEODIST', 'k', 'max', 'min'], ['GEODIST', 'k', 'max', 'min', 'km'], ['GEODIST', 'k', 'zero', 'zero', 'ft'], ['GEODIST', 'k', 'zero', 'nope'],
    ['GEODIST', 'nokey', 'a', 'b'], ['GEOPOS', 'nokey', 'a', 'b'], ['GEOHASH', 'nokey', 'a'], ['GEOPOS', 'nyc'], ['GEOHASH', 'nyc'],
    ['GEODIST', 'nyc', 'jfk', 'q4', 'MI'], ['GEODIST', 'nyc', 'jfk', 'q4', 'Ft'],
    // odd scores written by ZADD still decode as Redis does
    ['ZADD', 'odd', '-1', 'neg', '1.5', 'frac', '1e30', 'huge', '9007199254740993', 'big'], ['GEOPOS', 'odd', 'neg', 'frac', 'huge', 'big'],
    ['GEOHASH', 'odd', 'neg', 'frac', 'huge', 'big'], ['GEODIST', 'odd', 'neg', 'huge'],
  ]));

  t('argument errors', (p) => bothProtocols(p, [
    ['GEOADD', 'nyc', ...NYC], ['SET', 'str', 'v'],
    ['GEOADD', 'k', '200', '100', 'm'], ['GEOADD', 'k', '0.0078125', '100', 'm'], ['GEOADD', 'k', '1e300', '0', 'm'], ['GEOADD', 'k', 'inf', '0', 'm'],
    ['GEOADD', 'k', '-0.0000001', '90', 'm'], ['GEOADD', 'k', '0x10', '0', 'm'], ['GEOADD', 'k', 'nan', '0', 'm'], ['GEOADD', 'k', ' 1', '0', 'm'],
    ['GEOADD', 'k', 'xx', 'nx', '1', '2', 'm'], ['GEOADD', 'k', 'gt', '1', '2', 'm'], ['GEOADD', 'k', 'gt', '1', '2'], ['GEOADD', 'k', 'nx', 'ch', 'ch'],
    ['GEOADD', 'k', '1', '2', 'a', 'bad', '2', 'b'], ['EXISTS', 'k'], ['GEOADD', 'k', '1', '2'], ['GEOADD', 'str', '1', '2', 'm'],
    ['GEODIST', 'nyc', 'jfk', 'q4', 'yd'], ['GEODIST', 'nyc', 'jfk', 'q4', 'km', 'x'], ['GEODIST', 'str', 'a', 'b'], ['GEODIST', 'nokey', 'a', 'b', 'yd'],
    ['GEOPOS', 'str', 'a'], ['GEOHASH', 'str', 'a'],
    ['GEORADIUS', 'str', 'x', '1', '1', 'km'], ['GEORADIUS', 'nyc', 'x', '1', '1', 'km'], ['GEORADIUS', 'nyc', '1', '100', '1', 'km'],
    ['GEORADIUS', 'nyc', '1', '1', 'x', 'km'], ['GEORADIUS', 'nyc', '1', '1', '-1', 'km'], ['GEORADIUS', 'nyc', '1', '1', '1', 'yd'],
    ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'COUNT'], ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'COUNT', '0'], ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'COUNT', '-3'],
    ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'COUNT', '1.5'], ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'ANY'], ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'bogus'],
    ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'STORE'], ['GEORADIUS', 'nyc', '1', '1', '1', 'km', 'STORE', 'd', 'WITHHASH'],
    ['GEORADIUS_RO', 'nyc', '1', '1', '1', 'km', 'STORE', 'd'], ['GEORADIUSBYMEMBER', 'nyc', 'nope', '1', 'km'], ['GEORADIUSBYMEMBER', 'nyc', 'jfk', 'x', 'km'],
    ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'yd'], ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'yd', 'STOREDIST', 'd'], ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'yd', 'ANY'],
    ['GEORADIUSBYMEMBER_RO', 'nyc', 'jfk', '1', 'km', 'STOREDIST', 'd'], ['GEORADIUSBYMEMBER', 'str', 'jfk', '1', 'km'],
    ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'jfk', 'BYRADIUS', '1', 'km'], ['GEOSEARCH', 'nyc', 'FROMMEMBER', 'jfk', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
    ['GEOSEARCH', 'nyc', 'BYBOX', '3', '3', 'km', 'ASC', 'WITHDIST'], ['geosearch', 'nyc', 'FROMLONLAT', '1', '1', 'ASC', 'WITHHASH'],
    ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'], ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'km', 'STOREDIST'],
    ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYBOX', 'w', '1', 'km'], ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYBOX', '1', 'h', 'km'],
    ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYBOX', '-1', '1', 'km'], ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '1', 'yd'],
    ['GEOSEARCH', 'nyc', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'km'], ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'km'],
    ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'COUNT', '1', 'STORE', 'd'], ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1'],
    ['GEOSEARCH', 'str', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'], ['GEOSEARCHSTORE', 'd', 'nyc', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'WITHDIST'],
    ['GEOSEARCHSTORE', 'd', 'nyc', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'STORE', 'x'], ['GEOSEARCHSTORE', 'd', 'str', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
    ['GEOSEARCHSTORE', 'd', 'nyc', 'BYRADIUS', '1', 'km', 'STOREDIST'], ['GEORADIUS', 'nyc', '1', '1'], ['GEOSEARCH', 'nyc', 'FROMLONLAT', '1', '1', 'BYRADIUS'],
  ]));

  t('searches, sorting, COUNT ANY and WITH* replies', (p) => bothProtocols(p, [
    ['GEOADD', 'nyc', ...NYC],
    ['GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'asc'], ['GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '3', 'km', 'withdist', 'withcoord', 'withhash'],
    ['GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3'], ['GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3', 'ANY'],
    ['GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '3', 'ANY', 'DESC'], ['GEORADIUS', 'nyc', '-73.9798091', '40.7598464', '10', 'km', 'COUNT', '2', 'DESC', 'count', '4'],
    ['GEORADIUSBYMEMBER', 'nyc', 'wtc one', '7', 'km', 'withdist', 'WITHHASH'], ['GEORADIUSBYMEMBER_RO', 'nyc', 'jfk', '100', 'MI', 'withcoord', 'desc'],
    ['GEOSEARCH', 'nyc', 'FROMLONLAT', '-73.9798091', '40.7598464', 'BYBOX', '6', '6', 'km', 'withdist', 'asc'],
    ['GEOSEARCH', 'nyc', 'FROMMEMBER', 'wtc one', 'BYBOX', '14', '14', 'km'], ['GEOSEARCH', 'nyc', 'FROMMEMBER', 'q4', 'BYRADIUS', '0', 'm', 'withdist'],
    ['GEORADIUS', 'nyc', '0', '0', '50000', 'km', 'WITHCOORD', 'COUNT', '3'], ['GEORADIUS', 'nyc', '0', '0', '50000', 'km', 'COUNT', '5', 'DESC'],
    ['GEORADIUS', 'nyc', '0', '0', '1e30', 'km'], ['GEOSEARCH', 'nyc', 'FROMLONLAT', '0', '0', 'BYBOX', '1e30', '1', 'km'],
    ['GEOADD', 'edge', '179.5', '36', 'point1', '-179.5', '36', 'point2', '45', '65', 'n1', '-135', '85.05', 'n2'],
    ['GEOSEARCH', 'edge', 'FROMLONLAT', '179', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST'],
    ['GEOSEARCH', 'edge', 'FROMLONLAT', '-179', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHCOORD'], ['GEORADIUSBYMEMBER', 'edge', 'n1', '5009431', 'm', 'WITHDIST'],
    ['GEOADD', 'same', '10', '10', 'a', '10', '10', 'b', '10', '10', 'c', '10.0001', '10', 'd', '10', '10', 'e', '10', '10', 'f', '10', '10', 'g', '10', '10', 'h'],
    ['GEORADIUS', 'same', '10', '10', '1', 'km', 'ASC'], ['GEORADIUS', 'same', '10', '10', '1', 'km', 'DESC', 'COUNT', '3'], ['GEORADIUS', 'same', '10', '10', '1', 'km', 'COUNT', '7'],
  ]));

  t('STORE, STOREDIST and GEOSEARCHSTORE', (p) => bothProtocols(p, [
    ['GEOADD', 'points{t}', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
    ['GEORADIUS', 'points{t}', '13.361389', '38.115556', '500', 'km', 'STORE', 'dst{t}'], ['ZRANGE', 'dst{t}', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'dst{t}'],
    ['GEORADIUS', 'points{t}', '13.361389', '38.115556', '500', 'km', 'STORE', 'a{t}', 'STOREDIST', 'dst{t}'], ['ZRANGE', 'dst{t}', '0', '-1', 'WITHSCORES'], ['EXISTS', 'a{t}'],
    ['GEORADIUSBYMEMBER', 'points{t}', 'Catania', '500', 'km', 'STOREDIST', 'dst{t}', 'COUNT', '1', 'DESC'], ['ZRANGE', 'dst{t}', '0', '-1', 'WITHSCORES'],
    ['GEOSEARCHSTORE', 'dst{t}', 'points{t}', 'FROMLONLAT', '13.361389', '38.115556', 'BYRADIUS', '500', 'mi', 'STOREDIST'], ['ZRANGE', 'dst{t}', '0', '-1', 'WITHSCORES'],
    ['GEOSEARCHSTORE', 'dst{t}', 'points{t}', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'], ['EXISTS', 'dst{t}'],
    ['SET', 'dst{t}', 'x'], ['GEOSEARCHSTORE', 'dst{t}', 'nokey{t}', 'FROMMEMBER', 'a', 'BYRADIUS', '1', 'km'], ['EXISTS', 'dst{t}'],
    ['SET', 'dst{t}', 'x'], ['EXPIRE', 'dst{t}', '100'], ['GEOSEARCHSTORE', 'dst{t}', 'points{t}', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'], ['TTL', 'dst{t}'], ['TYPE', 'dst{t}'],
    ['GEOSEARCHSTORE', 'points{t}', 'points{t}', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'STOREDIST'], ['ZRANGE', 'points{t}', '0', '-1', 'WITHSCORES'],
  ]));

  t('stored results are a listpack when they fit, from a listpack or a skiplist source', (p) => bothProtocols(p, [
    ['GEOADD', 'g{t}', ...NYC], ['OBJECT', 'ENCODING', 'g{t}'],
    ['GEOSEARCHSTORE', 'd{t}', 'g{t}', 'FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'ASC'], ['OBJECT', 'ENCODING', 'd{t}'],
    ['ZRANGE', 'd{t}', '0', '-1', 'WITHSCORES'],
    ['GEOADD', 'g{t}', '-73.95', '40.75', 'p'.repeat(65)], ['OBJECT', 'ENCODING', 'g{t}'],
    ['GEOSEARCHSTORE', 'd{t}', 'g{t}', 'FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'ASC', 'COUNT', '3', 'STOREDIST'],
    ['OBJECT', 'ENCODING', 'd{t}'], ['ZRANGE', 'd{t}', '0', '-1', 'WITHSCORES'],
    ['GEORADIUS', 'g{t}', '-73.9454966', '40.747533', '10', 'km', 'STORE', 'd{t}'], ['OBJECT', 'ENCODING', 'd{t}'], ['ZCARD', 'd{t}'],
    ['ZREM', 'g{t}', 'p'.repeat(65)], ['GEORADIUS', 'g{t}', '-73.9454966', '40.747533', '10', 'km', 'STORE', 'd{t}'], ['OBJECT', 'ENCODING', 'd{t}'],
    ['GEOSEARCH', 'g{t}', 'FROMMEMBER', 'q4', 'BYBOX', '30', '30', 'km', 'ASC', 'WITHDIST'], ['GEOPOS', 'g{t}', 'jfk', 'nope'], ['GEODIST', 'g{t}', 'jfk', 'q4'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'],
    ['GEOSEARCHSTORE', 'd{t}', 'g{t}', 'FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'ASC', 'COUNT', '3'], ['OBJECT', 'ENCODING', 'd{t}'],
    ['GEOSEARCHSTORE', 'd{t}', 'g{t}', 'FROMLONLAT', '-73.9454966', '40.747533', 'BYRADIUS', '10', 'km', 'ASC', 'COUNT', '4'], ['OBJECT', 'ENCODING', 'd{t}'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
  ]));

  for (const [seed, n, spread] of [[1, 40, 0.05], [2, 300, 2], [3, 1000, 30], [4, 2000, 360], [5, 200, 170]] as const) {
    t(`differential fuzz ${seed}: ${n} points within ${spread}°`, (p) => bothProtocols(p, fuzzScript(seed, n, spread)));
  }
});
