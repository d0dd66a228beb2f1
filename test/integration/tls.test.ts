/**
 * TLS (src/security/tls.ts) as Redis configures it: RESP on tls-port (alone
 * with port 0), client certificates by tls-auth-clients, Redis 8.6's
 * tls-auth-clients-user CN, CONFIG SET reloading the certificates,
 * tls-protocols, replication over TLS, HTTPS / WSS / gRPC with the same
 * files, and Redis's fatal error for a bad certificate at start-up.
 * SHARDIS_TEST_THREADS=N runs the servers on N threads.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import WebSocket from 'ws';
import * as grpc from '@grpc/grpc-js';
import { startServer, type RunningServer } from '../../src/index.ts';
import { TlsConfigError } from '../../src/security/tls.ts';
import { makeTlsCerts, tlsConfig, type CertPair, type TlsCerts } from '../helpers/tls-certs.ts';
import { freePort } from '../helpers/ports.ts';
import { TEST_THREADS } from '../helpers/server.ts';
import { eventually } from '../helpers/eventually.ts';
import { ShardisClient, plain } from '../helpers/grpc-client.ts';
import { startEtcd } from '../helpers/etcd.ts';
import { startShardisProcess, type RedisProcess } from '../helpers/redis-process.ts';
import { clusterArgs, createCluster, untilStable } from '../helpers/cluster.ts';
import { RespClient } from '../helpers/resp-client.ts';

const run = promisify(execFile);
const threads = TEST_THREADS;
let certs: TlsCerts;

before(() => {
  certs = makeTlsCerts();
});
after(() => certs.remove());

/** Client options trusting the test CA, with `pair` as the client certificate. */
function clientTls(pair: CertPair | null, extra: ConnectionOptions = {}): ConnectionOptions {
  const own = pair === null ? {} : { cert: readFileSync(pair.cert), key: readFileSync(pair.key) };
  return { ca: readFileSync(certs.ca), ...own, ...extra };
}

/** A TLS connection's outcome: the server's certificate and a PING's reply, or the error that ended it. */
function tryPing(port: number, pair: CertPair | null, extra: ConnectionOptions = {}): Promise<{ reply: string; peer: PeerCertificate } | { error: string }> {
  return new Promise((resolve) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ...clientTls(pair, extra) });
    let peer: PeerCertificate | null = null;
    let got = '';
    const done = (v: { reply: string; peer: PeerCertificate } | { error: string }): void => {
      s.destroy();
      resolve(v);
    };
    s.on('secureConnect', () => {
      peer = s.getPeerCertificate();
      s.write('PING\r\n');
    });
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.endsWith('\r\n')) done({ reply: got.trim(), peer: peer! });
    });
    s.on('error', (e) => done({ error: e.message }));
    s.on('close', () => done({ error: 'closed' }));
  });
}

async function tlsServer(extra: Record<string, string> = {}, port = 0): Promise<RunningServer> {
  const tlsPort = await freePort();
  return startServer({ port, threads, config: tlsConfig(certs, tlsPort, extra) });
}

describe(`RESP over TLS${threads > 1 ? ` (threads ${threads})` : ''}`, () => {
  let srv: RunningServer;
  let logDir: string;
  before(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'shardis-tls-log-'));
    srv = await tlsServer({ logfile: join(logDir, 'log') });
  });
  after(async () => {
    await srv.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  test('port 0 with a tls-port: TLS only; ioredis and node-redis connect with the client certificate', async () => {
    assert.equal(srv.port, 0);
    assert.notEqual(srv.tlsPort, 0);
    const io = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
    await io.connect();
    try {
      assert.equal(await io.set('k', 'over TLS'), 'OK');
      // CLIENT INFO shows the TLS port as the local address, as Redis's laddr
      assert.match(String(await io.client('INFO')), new RegExp(` laddr=127\\.0\\.0\\.1:${srv.tlsPort} `));
      assert.match(String(await io.info('server')), /\r\ntcp_port:0\r\n/);
      assert.deepEqual(await io.config('GET', 'tls-port'), ['tls-port', String(srv.tlsPort)]);
    } finally {
      io.disconnect();
    }
    const nr = createClient({ socket: { host: '127.0.0.1', port: srv.tlsPort, tls: true, ...clientTls(certs.client) } });
    await nr.connect();
    try {
      assert.equal(await nr.get('k'), 'over TLS');
    } finally {
      await nr.quit();
    }
  });

  test('tls-auth-clients yes (the default): no certificate or an untrusted one is refused, and logged as Redis does', async () => {
    assert.ok('error' in (await tryPing(srv.tlsPort, null)));
    assert.ok('error' in (await tryPing(srv.tlsPort, certs.untrusted)));
    const ok = await tryPing(srv.tlsPort, certs.client);
    assert.ok('reply' in ok && ok.reply === '+PONG');
    await eventually(() => readFileSync(join(logDir, 'log'), 'utf8').includes('Error accepting a client connection: error:0A0000C7:SSL routines::peer did not return a certificate (addr=127.0.0.1:'), 'the handshake error logged');
    // the untrusted certificate: Redis 7.0.15's line (the addresses are gone once Node has refused it)
    await eventually(() => readFileSync(join(logDir, 'log'), 'utf8').includes('# Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed'), 'the untrusted certificate logged');
    // plain RESP on the TLS port is no handshake
    const plainText = await new Promise<string>((resolve) => {
      const io = new Redis({ port: srv.tlsPort, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      io.on('error', () => {});
      io.connect().then(() => io.ping()).then((r) => resolve(String(r)), (e: Error) => resolve(e.message)).finally(() => io.disconnect());
    });
    assert.notEqual(plainText, 'PONG');
  });

  test('tls-auth-clients optional / no: a connection without a certificate is served; an untrusted one still refused with optional', async () => {
    const admin = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
    await admin.connect();
    try {
      assert.equal(await admin.config('SET', 'tls-auth-clients', 'optional'), 'OK');
      assert.deepEqual(await tryPing(srv.tlsPort, null).then((r) => ('reply' in r ? r.reply : r.error)), '+PONG');
      assert.ok('error' in (await tryPing(srv.tlsPort, certs.untrusted)));
      assert.equal(await admin.config('SET', 'tls-auth-clients', 'no'), 'OK');
      assert.deepEqual(await tryPing(srv.tlsPort, null).then((r) => ('reply' in r ? r.reply : r.error)), '+PONG');
      assert.equal(await admin.config('SET', 'tls-auth-clients', 'yes'), 'OK');
      assert.ok('error' in (await tryPing(srv.tlsPort, null)));
    } finally {
      admin.disconnect();
    }
  });

  test('tls-auth-clients-user CN: the certificate CN names an existing, enabled ACL user, authenticated with no AUTH', async () => {
    const admin = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
    await admin.connect();
    const whoami = async (): Promise<string> => {
      const c = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
      await c.connect();
      try {
        return String(await c.acl('WHOAMI'));
      } finally {
        c.disconnect();
      }
    };
    try {
      assert.deepEqual(await admin.config('GET', 'tls-auth-clients-user'), ['tls-auth-clients-user', 'off']);
      await admin.acl('SETUSER', 'Client-only', 'on', '>secret', '~*', '+@all');
      assert.equal(await whoami(), 'default');
      assert.equal(await admin.config('SET', 'tls-auth-clients-user', 'CN'), 'OK');
      for (let i = 0; i < 4; i++) assert.equal(await whoami(), 'Client-only');
      // a disabled user, or none of that name: the default user, as without the setting
      await admin.acl('SETUSER', 'Client-only', 'off');
      assert.equal(await whoami(), 'default');
      await admin.acl('DELUSER', 'Client-only');
      assert.equal(await whoami(), 'default');
      await assert.rejects(admin.config('SET', 'tls-auth-clients-user', 'OU'), /argument 'tls-auth-clients-user'\) - argument\(s\) must be one of the following: off, CN/);
    } finally {
      await admin.config('SET', 'tls-auth-clients-user', 'off');
      admin.disconnect();
    }
  });

  test('CONFIG SET tls-cert-file / tls-key-file: new connections get the new certificate; a bad one keeps the old', async () => {
    const before = await tryPing(srv.tlsPort, certs.client);
    assert.ok('peer' in before);
    assert.equal(before.peer.subject.CN, 'Server-only');
    const admin = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
    await admin.connect();
    try {
      await assert.rejects(
        admin.config('SET', 'tls-cert-file', '/nonexistent/cert.pem'),
        (e: Error) => e.message === "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.",
      );
      assert.deepEqual(await admin.config('GET', 'tls-cert-file'), ['tls-cert-file', certs.server.cert]);
      const still = await tryPing(srv.tlsPort, certs.client);
      assert.ok('peer' in still && still.peer.subject.CN === 'Server-only');
      const log = readFileSync(join(logDir, 'log'), 'utf8');
      assert.ok(log.includes('Failed to load certificate: /nonexistent/cert.pem: error:80000002:system library::No such file or directory'));
      assert.ok(log.includes('Failed applying new configuration. Possibly related to new tls-cert-file setting. Restoring previous settings.'));
      assert.equal(await admin.config('SET', 'tls-cert-file', certs.server2.cert, 'tls-key-file', certs.server2.key), 'OK');
      // every new connection (on whichever thread accepts it) gets the new certificate
      for (let i = 0; i < 8; i++) {
        const after = await tryPing(srv.tlsPort, certs.client);
        assert.ok('peer' in after);
        assert.equal(after.peer.subject.CN, 'Reloaded-server');
        assert.notEqual(after.peer.serialNumber, before.peer.serialNumber);
      }
      // the connection opened before the change goes on
      assert.equal(await admin.ping(), 'PONG');
    } finally {
      await admin.config('SET', 'tls-cert-file', certs.server.cert, 'tls-key-file', certs.server.key);
      admin.disconnect();
    }
  });

  test('tls-protocols limits the versions; an unknown one is refused with Redis\'s error', async () => {
    const admin = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
    await admin.connect();
    try {
      assert.equal(await admin.config('SET', 'tls-protocols', 'TLSv1.3'), 'OK');
      assert.ok('error' in (await tryPing(srv.tlsPort, certs.client, { maxVersion: 'TLSv1.2' })));
      assert.ok('reply' in (await tryPing(srv.tlsPort, certs.client, { minVersion: 'TLSv1.3' })));
      assert.equal(await admin.config('SET', 'tls-protocols', 'TLSv1.2'), 'OK');
      assert.ok('error' in (await tryPing(srv.tlsPort, certs.client, { minVersion: 'TLSv1.3' })));
      assert.ok('reply' in (await tryPing(srv.tlsPort, certs.client, { maxVersion: 'TLSv1.2' })));
      await assert.rejects(admin.config('SET', 'tls-protocols', 'TLSv1.2 SSLv3'), /argument 'tls-protocols'\) - Unable to update TLS configuration\. Check server logs\./);
      assert.ok(readFileSync(join(logDir, 'log'), 'utf8').includes("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."));
      assert.deepEqual(await admin.config('GET', 'tls-protocols'), ['tls-protocols', 'TLSv1.2']);
    } finally {
      await admin.config('SET', 'tls-protocols', '');
      admin.disconnect();
    }
  });
});

test('a passphrase-protected key (tls-key-file-pass): at start-up, and by CONFIG SET as Redis\'s suite does', async () => {
  const srv = await tlsServer({ 'tls-key-file': certs.encryptedKey, 'tls-key-file-pass': certs.passphrase });
  try {
    assert.ok('reply' in (await tryPing(srv.tlsPort, certs.client)));
  } finally {
    await srv.close();
  }
  await assert.rejects(tlsServer({ 'tls-key-file': certs.encryptedKey }), (e: Error) => e instanceof TlsConfigError && e.message.startsWith(`Failed to load private key: ${certs.encryptedKey}: error:`));
  const plainKey = await tlsServer();
  const admin = new Redis({ port: plainKey.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
  try {
    await admin.connect();
    await assert.rejects(admin.config('SET', 'tls-key-file', certs.encryptedKey), /Unable to update TLS configuration/);
    assert.equal(await admin.config('SET', 'tls-key-file-pass', certs.passphrase), 'OK');
    assert.equal(await admin.config('SET', 'tls-key-file', certs.encryptedKey), 'OK');
    assert.ok('reply' in (await tryPing(plainKey.tlsPort, certs.client)));
  } finally {
    admin.disconnect();
    await plainKey.close();
  }
});

test('a bad certificate at start-up: Redis\'s log lines and exit code 1', async () => {
  const port = await freePort();
  const args = ['src/main.ts', '--port', '0', '--tls-port', String(port), '--tls-cert-file', '/nonexistent/server.crt', '--tls-key-file', certs.server.key,
    '--tls-ca-cert-file', certs.ca, '--appendonly', 'no', '--save', '', '--http-port', '0', '--dir', certs.dir];
  const out = await run(process.execPath, args).then(() => null, (e: { code: number; stdout: string }) => e);
  assert.ok(out !== null, 'the server exits with an error');
  assert.equal(out.code, 1);
  assert.match(out.stdout, /# Failed to load certificate: \/nonexistent\/server\.crt: error:80000002:system library::No such file or directory\n/);
  assert.match(out.stdout, /# Failed to configure TLS\. Check logs for more info\.\n/);
  // a CA is needed when clients must send certificates
  await assert.rejects(startServer({ port: 0, config: { 'tls-port': String(port), 'tls-cert-file': certs.server.cert, 'tls-key-file': certs.server.key } }),
    { message: 'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!' });
});

test('replication over TLS: a replica with tls-replication yes follows a primary on its tls-port', async () => {
  const primary = await tlsServer();
  const replica = await tlsServer({ 'tls-replication': 'yes' });
  const p = new Redis({ port: primary.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
  const r = new Redis({ port: replica.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
  try {
    await p.connect();
    await r.connect();
    await p.set('before', 'sync');
    assert.equal(await r.replicaof('127.0.0.1', String(primary.tlsPort)), 'OK');
    await eventually(async () => /master_link_status:up/.test(await r.info('replication')), 'the link is up');
    await p.set('after', 'stream');
    await eventually(async () => (await r.get('after')) === 'stream', 'the stream reaches the replica');
    assert.equal(await r.get('before'), 'sync');
    // the primary sees its replica at the replica's TLS port
    assert.match(await p.info('replication'), new RegExp(`slave0:ip=127\\.0\\.0\\.1,port=${replica.tlsPort},`));
  } finally {
    p.disconnect();
    r.disconnect();
    await replica.close();
    await primary.close();
  }
});

test('HTTPS, WSS and gRPC over TLS with the same files (tls-http, tls-grpc), client certificates as tls-auth-clients says, tls-auth-clients-user CN', async () => {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const srv = await tlsServer({ 'tls-http': 'yes', 'http-port': String(httpPort), 'tls-grpc': 'yes', 'grpc-port': String(grpcPort) });
  try {
    const get = (path: string, pair: CertPair | null): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: httpPort, path, ...clientTls(pair) }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    assert.deepEqual(await get('/set/hk/hv', certs.client), { status: 200, body: '{"result":"OK"}' });
    assert.deepEqual(await get('/get/hk', certs.client), { status: 200, body: '{"result":"hv"}' });
    await assert.rejects(get('/get/hk', null));
    const ws = new WebSocket(`wss://127.0.0.1:${httpPort}/ws`, clientTls(certs.client));
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, cmd: ['GET', 'hk'] })));
      ws.on('message', (m: Buffer) => resolve(m.toString()));
      ws.on('error', reject);
    });
    ws.close();
    assert.match(reply, /"hv"/);
    const creds = grpc.credentials.createSsl(readFileSync(certs.ca), readFileSync(certs.client.key), readFileSync(certs.client.cert));
    const g = new ShardisClient(grpcPort, null, creds);
    try {
      assert.equal(plain(await g.execute(['GET', 'hk'])), 'hv');
    } finally {
      g.close();
    }
    const insecure = new ShardisClient(grpcPort);
    try {
      await assert.rejects(insecure.execute(['GET', 'hk']));
    } finally {
      insecure.close();
    }

    // tls-auth-clients-user CN: a request with no token runs as the certificate's user; a token still names its own
    const whoamiHttps = async (): Promise<string> => JSON.parse((await get('/acl/whoami', certs.client)).body).result;
    const whoamiWss = (): Promise<string> => {
      const w = new WebSocket(`wss://127.0.0.1:${httpPort}/ws`, clientTls(certs.client));
      return new Promise<string>((resolve, reject) => {
        w.on('open', () => w.send(JSON.stringify({ id: 1, cmd: ['ACL', 'WHOAMI'] })));
        w.on('message', (m: Buffer) => {
          w.close();
          resolve(JSON.parse(m.toString()).result);
        });
        w.on('error', reject);
      });
    };
    const whoamiGrpc = async (): Promise<string> => {
      const c = new ShardisClient(grpcPort, null, grpc.credentials.createSsl(readFileSync(certs.ca), readFileSync(certs.client.key), readFileSync(certs.client.cert)));
      try {
        return String(plain(await c.execute(['ACL', 'WHOAMI'])));
      } finally {
        c.close();
      }
    };
    const admin = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: clientTls(certs.client), lazyConnect: true });
    await admin.connect();
    try {
      await admin.acl('SETUSER', 'Client-only', 'on', '>secret', '~*', '+@all');
      assert.deepEqual([await whoamiHttps(), await whoamiWss(), await whoamiGrpc()], ['default', 'default', 'default']);
      await admin.config('SET', 'tls-auth-clients-user', 'CN');
      assert.deepEqual([await whoamiHttps(), await whoamiWss(), await whoamiGrpc()], ['Client-only', 'Client-only', 'Client-only']);
      await admin.acl('SETUSER', 'Client-only', 'off');
      assert.deepEqual([await whoamiHttps(), await whoamiWss(), await whoamiGrpc()], ['default', 'default', 'default']);
    } finally {
      await admin.config('SET', 'tls-auth-clients-user', 'off');
      admin.disconnect();
    }
  } finally {
    await srv.close();
  }
});

test('redis-cli --tls with the CA and client certificate', async () => {
  const srv = await tlsServer();
  try {
    const { stdout } = await run('redis-cli', ['--tls', '--cacert', certs.ca, '--cert', certs.client.cert, '--key', certs.client.key, '-p', String(srv.tlsPort), 'PING']);
    assert.equal(stdout.trim(), 'PONG');
  } finally {
    await srv.close();
  }
});

test('tls-cluster yes: the cluster bus links are TLS (PUBLISH reaches the other nodes over them)', async () => {
  const etcd = await startEtcd();
  const nodes: RedisProcess[] = [];
  try {
    const tlsArgs = ['--tls-cluster', 'yes', '--tls-cert-file', certs.server.cert, '--tls-key-file', certs.server.key, '--tls-ca-cert-file', certs.ca];
    nodes.push(...(await Promise.all([0, 1, 2].map(() => startShardisProcess([...clusterArgs(etcd, '/tls/'), ...tlsArgs])))));
    await createCluster(nodes, 0);
    await untilStable(nodes, 3);
    const subs = await Promise.all(nodes.map((n) => RespClient.connect(n.port)));
    const c = await RespClient.connect(nodes[0]!.port);
    try {
      for (const s of subs) assert.deepEqual(await s.call('SUBSCRIBE', 'tls-news'), ['subscribe', 'tls-news', 1]);
      for (const n of nodes) {
        const cn = await RespClient.connect(n.port);
        try {
          await eventually(async () => ((await cn.call('CLUSTER', 'LINKS')) as unknown[]).length === 4, `node ${n.port}: a link each way per peer`);
        } finally {
          cn.close();
        }
      }
      // a plain connection to a bus port is no TLS handshake: dropped, no link made
      const busPort = nodes[1]!.port + 10000;
      const plainBus = await new Promise<string>((resolve) => {
        const io = new Redis({ port: busPort, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        io.on('error', () => {});
        io.connect().then(() => io.ping()).then((r) => resolve(String(r)), (e: Error) => resolve(e.message)).finally(() => io.disconnect());
      });
      assert.notEqual(plainBus, 'PONG');
      assert.equal(await c.call('PUBLISH', 'tls-news', 'over TLS'), 1);
      for (const s of subs) assert.deepEqual(await s.read(), ['message', 'tls-news', 'over TLS']);
    } finally {
      c.close();
      for (const s of subs) s.close();
    }
  } finally {
    for (const n of nodes) await n.stop();
    await etcd.remove();
  }
});
