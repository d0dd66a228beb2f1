/**
 * CLIENT TRACKING against a real redis-server: several connections per
 * server run the same steps; every reply, invalidation push and
 * __redis__:invalidate message must be byte-identical (client ids, which
 * differ between the servers, are written as $ID<n> in commands and
 * compared as such in replies).
 */
import assert from 'node:assert/strict';
import { asReference, describeCompat, type Pair } from './harness.ts';
import { RespClient } from '../test/helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** [client, ...command] sends and reads one reply; { on, n } reads n pushes; { on, cmd, n } sends then reads n. */
type Step = [number, ...string[]] | { on: number; cmd?: string[]; n?: number; ignore?: boolean; wait?: number };

async function open(port: number, n: number): Promise<{ conns: RespClient[]; ids: number[] }> {
  const conns: RespClient[] = [];
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = await RespClient.connect(port);
    conns.push(c);
    ids.push((await c.call('CLIENT', 'ID')) as number);
  }
  return { conns, ids };
}

function withIds(cmd: string[], ids: number[]): string[] {
  return cmd.map((a) => (/^\$ID\d$/.test(a) ? String(ids[Number(a.slice(3))]) : a));
}

function masked(raw: string, ids: number[]): string {
  let s = raw;
  ids.forEach((id, i) => {
    s = s.split(`:${id}\r\n`).join(`:$ID${i}\r\n`).split(`redir=${id} `).join(`redir=$ID${i} `);
  });
  return s;
}

async function session(p: Pair, clients: number, steps: Step[]): Promise<void> {
  const a = await open(p.redis.socket.remotePort!, clients);
  const b = await open(p.shardis.socket.remotePort!, clients);
  try {
    for (const s of steps) {
      const st = Array.isArray(s) ? { on: s[0], cmd: s.slice(1) as string[], n: 1 } : s;
      if (st.cmd) {
        a.conns[st.on]!.send(...withIds(st.cmd, a.ids));
        b.conns[st.on]!.send(...withIds(st.cmd, b.ids));
      }
      if (st.wait) await sleep(st.wait);
      let ra = '';
      let rb = '';
      for (let i = 0; i < (st.n ?? 1); i++) {
        ra += await a.conns[st.on]!.readRaw();
        rb += await b.conns[st.on]!.readRaw();
      }
      const label = `client ${st.on}: ${st.cmd ? st.cmd.join(' ') : `read ${st.n ?? 1}`}`;
      if (!st.ignore) assert.equal(masked(asReference(rb), b.ids), masked(ra, a.ids), label);
    }
    await sleep(50);
    for (let i = 0; i < clients; i++) assert.equal(b.conns[i]!.pending(), a.conns[i]!.pending(), `client ${i}: unread pushes differ`);
  } finally {
    for (const c of [...a.conns, ...b.conns]) c.close();
  }
}

describeCompat('tracking', (t) => {
  t('errors and CLIENT TRACKINGINFO / GETREDIR', (p) => session(p, 2, [
    [0, 'CLIENT', 'TRACKING', 'maybe'], [0, 'CLIENT', 'TRACKING', 'on', 'bogus'], [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', 'x'], [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$ID1', 'REDIRECT', '$ID1'], [0, 'CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'], [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a'], [0, 'CLIENT', 'CACHING', 'yes'], [0, 'CLIENT', 'CACHING'],
    [0, 'CLIENT', 'GETREDIR'], [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP', 'REDIRECT', '$ID1'], [0, 'CLIENT', 'GETREDIR'], [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'CACHING', 'no'], [0, 'CLIENT', 'CACHING', 'maybe'], [0, 'CLIENT', 'CACHING', 'yes'], [0, 'CLIENT', 'TRACKINGINFO'],
    [0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'], [0, 'CLIENT', 'TRACKING', 'on', 'BCAST'], [0, 'CLIENT', 'TRACKING', 'off'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a'], [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'bc'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c'], [0, 'CLIENT', 'TRACKINGINFO'], [0, 'CLIENT', 'TRACKING', 'off'], [0, 'CLIENT', 'TRACKINGINFO'],
  ]));

  t('RESP3 pushes: reads, own writes, MULTI, MGET with lazy expiry, FLUSHALL', (p) => session(p, 2, [
    { on: 0, cmd: ['HELLO', '3'], ignore: true }, [0, 'CLIENT', 'TRACKING', 'on'],
    [1, 'MSET', 'a{t}', '1', 'b{t}', '2'], [0, 'MGET', 'a{t}', 'b{t}', 'c{t}'], [1, 'SET', 'a{t}', '2'], { on: 0 },
    [1, 'DEL', 'b{t}', 'c{t}'], { on: 0 }, [0, 'GET', 'a{t}'], [0, 'INCR', 'a{t}'], { on: 0 },
    [0, 'GET', 'a{t}'], [0, 'MULTI'], [0, 'INCR', 'a{t}'], [0, 'GET', 'b{t}'], [0, 'EXEC'], { on: 0 },
    [0, 'GET', 'z'], [1, 'FLUSHALL'], { on: 0 }, [0, 'GET', 'z'], [0, 'FLUSHDB'], { on: 0 },
    [0, 'CLIENT', 'TRACKING', 'off'], [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'p:', 'NOLOOP'],
    [1, 'SET', 'p:1', 'x'], { on: 0, wait: 20 }, [0, 'SET', 'p:2', 'x'], [0, 'PING'],
    [1, 'MULTI'], [1, 'SET', 'p:b', '1'], [1, 'SET', 'p:a', '1'], [1, 'SET', 'q', '1'], [1, 'EXEC'], { on: 0 },
    [0, 'CLIENT', 'TRACKINGINFO'], [0, 'CLIENT', 'TRACKING', 'off'], [0, 'CLIENT', 'TRACKING', 'on'],
    // a read that fails still tracks its key; EVAL_RO tracks its keys only through a read
    [1, 'HSET', 'h', 'f', 'v'], [0, 'GET', 'h'], [1, 'HDEL', 'h', 'f'], { on: 0 },
    [0, 'EVAL_RO', "return redis.call('ping')", '1', 'r1'], [1, 'SET', 'r1', '1'], [0, 'EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'r1'],
    [1, 'SET', 'r1', '2'], { on: 0 }, [0, 'PING'],
  ]));

  t('REDIRECT to a RESP2 subscriber and a RESP3 client; broken redirection', (p) => session(p, 3, [
    { on: 1, cmd: ['SUBSCRIBE', '__redis__:invalidate'] }, [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$ID1'],
    [0, 'SET', 'k', 'v'], [0, 'GET', 'k'], [2, 'APPEND', 'k', 'w'], { on: 1 }, [0, 'GET', 'k'], [2, 'FLUSHDB'], { on: 1 },
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', '$ID1'], [0, 'CLIENT', 'TRACKING', 'off'],
    [0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'REDIRECT', '$ID1'], [2, 'MSET', 'x', '1', 'y', '2'], { on: 1, wait: 20 },
    [0, 'CLIENT', 'TRACKING', 'off'], { on: 2, cmd: ['HELLO', '3'], ignore: true }, [0, 'HELLO', '3'],
    [0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$ID2'], [0, 'GET', 'k2'], [1, 'UNSUBSCRIBE'], [1, 'SET', 'k2', '1'], { on: 2 },
    [0, 'GET', 'k2'], [1, 'QUIT'], [2, 'QUIT'], { on: 0, cmd: ['SET', 'k2', '2'] }, { on: 0, wait: 50 }, [0, 'CLIENT', 'TRACKINGINFO'],
  ]));
});
