/**
 * Moving one slot by hand, as Redis 7.0 does it (raw connections): SETSLOT
 * IMPORTING on the target and MIGRATING on the source; the source serves
 * the keys it still has, answers ASK for missing ones and TRYAGAIN for a
 * multi-key command split between the two; the target answers MOVED unless
 * the command follows ASKING (for one command); MIGRATE moves keys;
 * SETSLOT NODE on both ends (refused on the source while it holds keys)
 * gives every node the new owner. SETSLOT's errors; the slot index behind
 * GETKEYSINSLOT / COUNTKEYSINSLOT follows writes, deletes, expiry, RENAME,
 * FLUSHALL and a reload.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.ts';
import { clusterNodes, createCluster, startNodes, untilStable } from '../helpers/cluster.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import type { RedisProcess } from '../helpers/redis-process.ts';
import { untilChecked as eventually } from '../helpers/eventually.ts';
import { createHash } from 'node:crypto';

const SLOT = 12182; // of 'foo', and of every {foo}… key


describe('ASK, ASKING, TRYAGAIN and SETSLOT while a slot moves', { timeout: 180_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];
  let src: RespClient;
  let dst: RespClient;
  let other: RespClient;
  let replica: RespClient;
  let ids: { src: string; dst: string; other: string; replica: string };
  let ports: { src: number; dst: number };

  before(async () => {
    etcd = await startEtcd();
    nodes = await startNodes(etcd, 4);
    await createCluster(nodes.slice(0, 3), 0);
    await untilStable(nodes.slice(0, 3), 3);
    const c0 = await RespClient.connect(nodes[0]!.port);
    const list = await clusterNodes(c0);
    c0.close();
    const s = list.find((n) => n.slots.includes('10923-16383'))!;
    const d = list.find((n) => n.slots.includes('0-5460'))!;
    const o = list.find((n) => n.slots.includes('5461-10922'))!;
    // the fourth node joins (MEET) and replicates the third master
    replica = await RespClient.connect(nodes[3]!.port);
    assert.equal(await replica.call('CLUSTER', 'MEET', '127.0.0.1', String(nodes[0]!.port)), 'OK');
    await untilStable(nodes, 4);
    assert.equal(await replica.call('CLUSTER', 'REPLICATE', o.id), 'OK');
    ids = { src: s.id, dst: d.id, other: o.id, replica: String(await replica.call('CLUSTER', 'MYID')) };
    ports = { src: s.port, dst: d.port };
    src = await RespClient.connect(s.port);
    dst = await RespClient.connect(d.port);
    other = await RespClient.connect(o.port);
    await eventually(async () => assert.ok((await clusterNodes(src)).some((n) => n.id === ids.replica && n.flags.includes('slave'))));
  });

  after(async () => {
    for (const c of [src, dst, other, replica]) c?.close();
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  test('SETSLOT refusals', async () => {
    const unknown = 'f'.repeat(40);
    assert.deepEqual(await dst.call('CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', ids.src), new ReplyError(`ERR I'm not the owner of hash slot ${SLOT}`));
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', ids.dst), new ReplyError(`ERR I'm already the owner of hash slot ${SLOT}`));
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', unknown), new ReplyError(`ERR I don't know about node ${unknown}`));
    assert.deepEqual(await dst.call('CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', unknown), new ReplyError(`ERR I don't know about node ${unknown}`));
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', ids.replica), new ReplyError('ERR Target node is not a master'));
    assert.deepEqual(await dst.call('CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', ids.replica), new ReplyError('ERR Target node is not a master'));
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', ids.replica), new ReplyError('ERR Target node is not a master'));
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', unknown), new ReplyError(`ERR Unknown node ${unknown}`));
    assert.deepEqual(await replica.call('CLUSTER', 'SETSLOT', SLOT, 'STABLE'), new ReplyError('ERR Please use SETSLOT only with masters.'));
    const invalid = new ReplyError('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'BOGUS'), invalid);
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'MIGRATING'), invalid);
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'STABLE', 'extra'), invalid);
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', '16384', 'STABLE'), new ReplyError('ERR Invalid or out of range slot'));
  });

  test('a slot moved by hand: ASK, ASKING for one command, TRYAGAIN, MIGRATE, SETSLOT NODE', async () => {
    assert.equal(await src.call('SET', '{foo}a', '1'), 'OK');
    assert.equal(await src.call('SET', '{foo}b', '2'), 'OK');
    assert.equal(await dst.call('CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', ids.src), 'OK');
    assert.equal(await src.call('CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', ids.dst), 'OK');
    assert.match(String(await src.call('CLUSTER', 'NODES')), new RegExp(`myself,master .* \\[${SLOT}->-${ids.dst}\\]`));
    assert.match(String(await dst.call('CLUSTER', 'NODES')), new RegExp(`myself,master .* \\[${SLOT}-<-${ids.src}\\]`));

    const ask = new ReplyError(`ASK ${SLOT} 127.0.0.1:${ports.dst}`);
    const moved = (port: number): ReplyError => new ReplyError(`MOVED ${SLOT} 127.0.0.1:${port}`);
    const tryagain = new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot');
    // the source serves what it holds; a missing key is asked of the target
    assert.equal(await src.call('GET', '{foo}a'), '1');
    assert.deepEqual(await src.call('GET', '{foo}c'), ask);
    assert.deepEqual(await src.call('SET', '{foo}c', 'x'), ask);
    // the target: MOVED to the owner without ASKING; with it, one command is served
    assert.deepEqual(await dst.call('GET', '{foo}c'), moved(ports.src));
    assert.equal(await dst.call('ASKING'), 'OK');
    assert.equal(await dst.call('SET', '{foo}c', 'on-target'), 'OK');
    assert.deepEqual(await dst.call('GET', '{foo}c'), moved(ports.src));
    assert.equal(await dst.call('ASKING'), 'OK');
    assert.equal(await dst.call('GET', '{foo}c'), 'on-target');

    assert.equal(await src.call('MIGRATE', '127.0.0.1', ports.dst, '', 0, 5000, 'KEYS', '{foo}a'), 'OK');
    assert.deepEqual(await src.call('GET', '{foo}a'), ask);
    // split between the two: TRYAGAIN on both sides
    assert.deepEqual(await src.call('MGET', '{foo}a', '{foo}b'), tryagain);
    assert.equal(await dst.call('ASKING'), 'OK');
    assert.deepEqual(await dst.call('MGET', '{foo}a', '{foo}b'), tryagain);
    assert.equal(await dst.call('ASKING'), 'OK');
    assert.equal(await dst.call('GET', '{foo}a'), '1');
    assert.equal(await src.call('CLUSTER', 'COUNTKEYSINSLOT', SLOT), 1);
    assert.equal(await dst.call('CLUSTER', 'COUNTKEYSINSLOT', SLOT), 2);

    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', ids.dst),
      new ReplyError(`ERR Can't assign hashslot ${SLOT} to a different node while I still hold keys for this hash slot.`));
    assert.deepEqual(await src.call('CLUSTER', 'GETKEYSINSLOT', SLOT, 10), ['{foo}b']);
    assert.equal(await src.call('MIGRATE', '127.0.0.1', ports.dst, '', 0, 5000, 'KEYS', '{foo}b'), 'OK');
    assert.equal(await src.call('CLUSTER', 'COUNTKEYSINSLOT', SLOT), 0);
    assert.deepEqual(((await dst.call('CLUSTER', 'GETKEYSINSLOT', SLOT, 10)) as string[]).sort(), ['{foo}a', '{foo}b', '{foo}c']);

    // the target first, then the source and the other master (redis-cli's order)
    assert.equal(await dst.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', ids.dst), 'OK');
    assert.equal(await src.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', ids.dst), 'OK');
    assert.equal(await other.call('CLUSTER', 'SETSLOT', SLOT, 'NODE', ids.dst), 'OK');
    assert.doesNotMatch(String(await dst.call('CLUSTER', 'NODES')), /\[\d+-<-/);
    for (const c of [src, dst, other, replica]) {
      await eventually(async () => {
        const owner = (await clusterNodes(c)).find((n) => n.id === ids.dst)!;
        assert.ok(owner.slots.includes(String(SLOT)), owner.slots.join(' '));
      });
    }
    assert.doesNotMatch(String(await src.call('CLUSTER', 'NODES')), /\[\d+->-/);
    assert.deepEqual(await src.call('GET', '{foo}a'), moved(ports.dst));
    assert.deepEqual(await other.call('GET', '{foo}b'), moved(ports.dst));
    assert.equal(await dst.call('GET', '{foo}b'), '2');
    // the source can take it back only by importing it again
    assert.deepEqual(await src.call('CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', ids.dst), new ReplyError(`ERR I'm not the owner of hash slot ${SLOT}`));
  });

  test('the slot index follows writes, deletes, expiry, RENAME, FLUSHALL and DEBUG RELOAD', async () => {
    // {bar} is slot 5061, the dst master's
    const c = dst;
    const count = async (): Promise<number> => Number(await c.call('CLUSTER', 'COUNTKEYSINSLOT', 5061));
    const keys = async (): Promise<string[]> => ((await c.call('CLUSTER', 'GETKEYSINSLOT', 5061, 1000)) as string[]).sort();
    assert.equal(await c.call('CLUSTER', 'KEYSLOT', '{bar}'), 5061);
    assert.equal(await count(), 0);
    for (let i = 0; i < 20; i++) assert.equal(await c.call('SET', `{bar}${i}`, 'v'), 'OK');
    assert.equal(await c.call('RPUSH', '{bar}list', 'a'), 1);
    assert.equal(await count(), 21);
    assert.deepEqual(await c.call('CLUSTER', 'GETKEYSINSLOT', 5061, 3).then((r) => (r as string[]).length), 3);
    await c.call('DEL', '{bar}0', '{bar}1');
    await c.call('LPOP', '{bar}list');
    await c.call('RENAME', '{bar}2', '{bar}renamed');
    await c.call('PEXPIRE', '{bar}3', 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await c.call('GET', '{bar}3'), null);
    assert.equal(await count(), 17);
    assert.ok((await keys()).includes('{bar}renamed'));
    assert.ok(!(await keys()).includes('{bar}2'));
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await count(), 17);
    assert.equal(await c.call('FLUSHALL'), 'OK');
    assert.equal(await count(), 0);
    assert.deepEqual(await keys(), []);
  });

  test("scripts: the keys a script uses are judged as a client's (a READONLY replica reads its master's)", async () => {
    // 'c' is slot 7365 (the other master's, which the replica follows), 'a' 15495 (the source's)
    const getC = "return redis.call('get', 'c')";
    const at = (script: string): string => `script: ${createHash('sha1').update(script).digest('hex')}, on @user_script:1.`;
    const nonLocal = (script: string): ReplyError => new ReplyError(`ERR Script attempted to access a non local key in a cluster node ${at(script)}`);
    assert.equal(await other.call('SET', 'c', 'on-other'), 'OK');
    assert.equal(await other.call('EVAL', getC, 0), 'on-other');
    assert.deepEqual(await dst.call('EVAL', getC, 0), nonLocal(getC));
    assert.match((await dst.call('EVAL', "return redis.call('get', KEYS[1])", 1, 'c') as ReplyError).message, /^MOVED 7365 /);
    // a replica serves its master's keys to a READONLY connection only, for reads
    assert.deepEqual(await replica.call('EVAL', getC, 0), nonLocal(getC));
    assert.equal(await replica.call('READONLY'), 'OK');
    await eventually(async () => assert.equal(await replica.call('EVAL', getC, 0), 'on-other'));
    assert.equal(await replica.call('EVAL', "return redis.call('get', KEYS[1])", 1, 'c'), 'on-other');
    const getA = "return redis.call('get', 'a')";
    assert.deepEqual(await replica.call('EVAL', getA, 0), nonLocal(getA));
    const setC = "return redis.call('set', 'c', 'x')";
    assert.deepEqual(await replica.call('EVAL', setC, 0), new ReplyError(`READONLY You can't write against a read only replica. ${at(setC)}`));
    assert.equal(await replica.call('READWRITE'), 'OK');
    // 7.4's error codes (#12707): one command reaching keys of two slots
    const mget = "return redis.call('mget', 'c', 'a')";
    assert.deepEqual(await other.call('EVAL', mget, 0),
      new ReplyError(`ERR Command 'mget' in script attempted to access keys that don't hash to the same slot ${at(mget)}`));
  });
});
