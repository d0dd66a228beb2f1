import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CIRCULAR_TYPE, RECTANGLE_TYPE, align52, areasByShape, boundingBox, decodeArea, decodeScore, distance, distanceInShape,
  encode, estimateStepsByRadius, scoreOf, type GeoShape,
} from '../../src/datatypes/geohash.ts';
import { asin, cos, fma, sin } from '../../src/datatypes/geo-libm.ts';
import { distanceText, humanDouble, printfFixed } from '../../src/commands/geo/geo-parse.ts';
import { geohashString } from '../../src/commands/geo/geo.ts';

// Reference values below come from Redis 7.0.15 (GEOADD scores, GEOPOS, GEOHASH, GEODIST)
// and from glibc 2.36's libm (the x86-64 FMA variants Redis calls).

test('scores of points are Redis 52-bit geohashes (with its edge cases)', () => {
  assert.equal(scoreOf(-73.9454966, 40.747533), 1791875804419201);
  assert.equal(scoreOf(13.361389, 38.115556), 3479099956230698);
  assert.equal(scoreOf(15.087269, 37.502669), 3479447370796909);
  assert.equal(scoreOf(-5.6, 42.6), 2157242200379188);
  assert.equal(scoreOf(0, 0), 3377699720527872);
  assert.equal(scoreOf(-180, -85.05112878), 0);
  // the maximum corner overflows 52 bits in Redis too
  assert.equal(scoreOf(180, 85.05112878), 13510798882111488);
  assert.equal(scoreOf(180.0001, 0), -1);
  assert.equal(scoreOf(0, 85.06), -1);
});

test('decoding a score gives the centre of its cell, clamped, as GEOPOS prints it', () => {
  const xy = [0, 0];
  const pos = (score: number): string[] => {
    decodeScore(score, xy);
    return [humanDouble(xy[0]!), humanDouble(xy[1]!)];
  };
  assert.deepEqual(pos(3479099956230698), ['13.36138933897018433', '38.11555639549629859']);
  assert.deepEqual(pos(3479447370796909), ['15.08726745843887329', '37.50266842333162032']);
  assert.deepEqual(pos(2157242200379188), ['-5.59999912977218628', '42.6000002789257266']);
  assert.deepEqual(pos(13510798882111488), ['180', '85.0511287799999991']);
  assert.deepEqual(pos(0), ['-179.99999731779098511', '-85.05112751263942528']);
  assert.deepEqual(pos(3377699720527872), ['0.00000268220901489', '0.00000126736058093']);
  // scores no GEOADD makes still decode as C's (uint64_t) conversion does
  decodeScore(-1, xy);
  assert.ok(Number.isFinite(xy[0]!) && Number.isFinite(xy[1]!));
});

test('GEOHASH strings re-encode over ±90° latitude', () => {
  assert.equal(geohashString(2157242200379188), 'ezs42e44yx0');
  assert.equal(geohashString(3479099956230698), 'sqc8b49rny0');
  assert.equal(geohashString(3479447370796909), 'sqdtr74hyu0');
  assert.equal(geohashString(13510798882111488), 'bp05b5048p0');
  assert.equal(geohashString(0), '00bh0hbj200');
  assert.equal(geohashString(3377699720527872), 's0000000000');
});

test('haversine distances as GEODIST prints them', () => {
  const xy1 = [0, 0], xy2 = [0, 0];
  decodeScore(3479099956230698, xy1);
  decodeScore(3479447370796909, xy2);
  const d = distance(xy1[0]!, xy1[1]!, xy2[0]!, xy2[1]!);
  assert.equal(distanceText(d), '166274.1516');
  assert.equal(distanceText(d / 1609.34), '103.3182');
  assert.equal(distanceText(d / 0.3048), '545518.8700');
  decodeScore(13510798882111488, xy1);
  decodeScore(0, xy2);
  assert.equal(distanceText(distance(xy1[0]!, xy1[1]!, xy2[0]!, xy2[1]!) / 1000), '18919.8446');
  assert.equal(distance(10, 20, 10, 20), 0);
  assert.equal(distanceText(0), '0.0000');
  assert.equal(distanceText(0.00005), '0.0000'); // llrint rounds the tie 0.5 to even
  // as C's llrint(d * 10000): ties to even, after the multiplication's own rounding
  assert.equal(distanceText(0.00015), '0.0001');
  assert.equal(distanceText(0.00025), '0.0002');
  assert.equal(distanceText(0.00035), '0.0004');
  assert.equal(distanceText(2.50005), '2.5000');
  assert.equal(distanceText(12.34565), '12.3456');
  assert.equal(distanceText(0.775), '0.7750');
});

test('sin, cos, asin and fma match glibc bit for bit where V8 does not', () => {
  const cases: Array<[(x: number) => number, number, number]> = [
    [sin, 0.7352810000230108, 0.6707955836188163], [sin, -0.5942549788247931, -0.5598916108309492],
    [sin, -0.8300653417822262, -0.7379754671195587], [sin, -1.0665694230410443, -0.8755482425687491],
    [cos, 0.7352810000230108, 0.7416422891107893], [cos, 0.558240962905747, 0.8481881759647392],
    [cos, 0.8255801161336912, 0.6781307284493036], [cos, -0.7572672029090989, 0.7267159843174017],
    [asin, 0.8907660227879807, 1.099027953981517], [asin, 0.9576229249733026, 1.2786326506212553],
    [asin, 0.9543716708038426, 1.2675485571214196], [asin, 0.9765026663090394, 1.3535870477000411],
    [sin, 3.0, 0.1411200080598672], [cos, -2.9, -0.9709581651495905], [sin, 100.25, -0.2772828564548513],
    [cos, -7.5, 0.3466353178350258], [sin, 3.1415926, 5.3589793170057245e-08], [asin, 1, Math.PI / 2], [asin, 0.05, Math.asin(0.05)],
  ];
  for (const [f, x, want] of cases) assert.equal(f(x), want, `${f.name}(${x})`);
  assert.ok(cases.slice(0, 12).every(([f, x, want]) => (Math as unknown as Record<string, (x: number) => number>)[f.name]!(x) !== want), 'the cases are ones V8 rounds differently');
  assert.equal(fma(0.1, 10, -1), 5.551115123125783e-17);
  assert.equal(0.1 * 10 - 1, 0);
  assert.equal(fma(2, 3, 4), 10);
  assert.equal(fma(1 + 2 ** -52, 1 - 2 ** -53, -1), 2 ** -53 - 2 ** -105);
});

test('C number formats: %f with ties to even, %.17Lf trimmed', () => {
  assert.equal(printfFixed(200, 6), '200.000000');
  assert.equal(printfFixed(0.0078125, 6), '0.007812');
  assert.equal(printfFixed(0.0234375, 6), '0.023438');
  assert.equal(printfFixed(-1e-7, 6), '-0.000000');
  assert.equal(printfFixed(-0, 6), '-0.000000');
  assert.equal(printfFixed(Infinity, 6), 'inf');
  assert.equal(printfFixed(1e300, 6).length, 301 + 7);
  assert.equal(humanDouble(-1e-20), '0');
  assert.equal(humanDouble(12.5), '12.5');
  assert.equal(humanDouble(-180), '-180');
});

test('search areas: steps by radius, bounding boxes, neighbours', () => {
  assert.equal(estimateStepsByRadius(0, 0), 26);
  assert.equal(estimateStepsByRadius(1000, 0), 14);
  assert.equal(estimateStepsByRadius(1000, 70), 13);
  assert.equal(estimateStepsByRadius(1000, -85), 12);
  assert.equal(estimateStepsByRadius(5e7, 0), 1);
  const shape: GeoShape = { type: CIRCULAR_TYPE, lon: 15, lat: 37, conversion: 1000, radius: 200, width: 0, height: 0 };
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  assert.ok(minLon < 15 && maxLon > 15 && minLat < 37 && maxLat > 37);
  assert.ok(Math.abs(maxLat - 37 - 200000 / 6372797.560856 * 180 / Math.PI) < 1e-12);
  const boxes = areasByShape(shape);
  assert.equal(boxes.length, 9);
  const centre = boxes[0]!;
  assert.equal(centre.bits, encode(15, 37, centre.step));
  // every non-empty neighbour is adjacent: its cell touches the centre cell
  const c = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };
  const n = { lonMin: 0, lonMax: 0, latMin: 0, latMax: 0 };
  decodeArea(centre, c);
  for (const b of boxes.slice(1)) {
    if (b.step === 0) continue;
    decodeArea(b, n);
    assert.ok(n.lonMax >= c.lonMin - 1e-9 && n.lonMin <= c.lonMax + 1e-9 && n.latMax >= c.latMin - 1e-9 && n.latMin <= c.latMax + 1e-9);
  }
  assert.equal(align52({ bits: 1, step: 1 }), 2 ** 50);
  const box: GeoShape = { type: RECTANGLE_TYPE, lon: 15, lat: 37, conversion: 1000, radius: 0, width: 400, height: 2 };
  assert.ok(distanceInShape(box, 12.75, 36.995) >= 0);
  assert.equal(distanceInShape(box, 12.75, 36.5), -1);
  assert.equal(distanceInShape(shape, 15, 39), -1);
  assert.ok(distanceInShape(shape, 15, 38) > 0);
});
