/** ownership.ts: when a master may still serve its slots, from its last lease renewal and its peers' reports of etcd. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdDownForAll, leaseProvenUntil, ownershipProven, renewPeriodMs, type EtcdReport } from '../../src/cluster/ownership.ts';

const T = 2000;

function reports(entries: Array<[string, number, number]>): Map<string, EtcdReport> {
  return new Map(entries.map(([id, okAt, heardAt]) => [id, { okAt, heardAt }]));
}

test('the lease backs the master until its last renewal + T − T/6, renewed every T/6', () => {
  assert.equal(leaseProvenUntil(10_000, T), 10_000 + T - T / 6);
  assert.equal(renewPeriodMs(T), T / 6);
  // whatever the peers say
  const all = reports([['r', 11_600, 11_600]]);
  assert.equal(ownershipProven(11_600, 10_000, T, ['r'], all), true);
  assert.equal(ownershipProven(11_700, 10_000, T, ['r'], all), false);
});

test('past it: serving on only while etcd looks down for everyone who could take over', () => {
  const now = 12_000;
  // etcd down for all: every report stops about when this node's renewals stopped
  const down = reports([['r', 10_300, now - 50], ['m', 10_100, now - 80]]);
  assert.equal(etcdDownForAll(now, 10_000, T, ['r'], down), true);
  assert.equal(ownershipProven(now, 10_000, T, ['r'], down), true);
  // a peer (any node) reached etcd after the last renewal + T/2: this node alone is cut off
  const alone = reports([['r', 10_300, now - 50], ['m', 11_100, now - 80]]);
  assert.equal(ownershipProven(now, 10_000, T, ['r'], alone), false);
  // a replica not heard lately may reach etcd: not provable
  const stale = reports([['r', 10_300, now - 1500]]);
  assert.equal(ownershipProven(now, 10_000, T, ['r'], stale), false);
  // nothing heard from a replica at all (the bus is cut too): not provable
  assert.equal(ownershipProven(now, 10_000, T, ['r'], new Map()), false);
  // no replica that could fail over, nobody reaching etcd heard of: serving on
  assert.equal(ownershipProven(now, 10_000, T, [], new Map()), true);
  // a node that never reached etcd tells nothing
  assert.equal(ownershipProven(now, 10_000, T, ['r'], reports([['r', -Infinity, now]])), true);
});

test('a master that never renewed serves only while nobody is known to have reached etcd', () => {
  assert.equal(ownershipProven(5000, 0, T, ['r'], reports([['r', 4000, 5000]])), false);
  assert.equal(ownershipProven(5000, 0, T, ['r'], reports([['r', -Infinity, 5000]])), true);
});
