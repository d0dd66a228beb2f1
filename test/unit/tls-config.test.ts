/**
 * The TLS context built from the tls-* parameters (src/security/tls.ts):
 * Redis's log texts for what cannot be built (tls.c's tlsConfigure), and
 * what each setting becomes in Node's options.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFromOptions } from '../../src/index.ts';
import { buildTls, TlsConfigError } from '../../src/security/tls.ts';
import { makeTlsCerts, tlsConfig, type TlsCerts } from '../helpers/tls-certs.ts';

let certs: TlsCerts;
before(() => {
  certs = makeTlsCerts();
});
after(() => certs.remove());

const build = (extra: Record<string, string>) => buildTls(configFromOptions({ config: tlsConfig(certs, 6380, extra) }));

function refused(extra: Record<string, string>, message: string | RegExp): void {
  assert.throws(() => build(extra), (e: Error) => e instanceof TlsConfigError && (typeof message === 'string' ? e.message === message : message.test(e.message)));
}

test('what cannot be built fails with the line Redis logs', () => {
  refused({ 'tls-cert-file': '' }, 'No tls-cert-file configured!');
  refused({ 'tls-key-file': '' }, 'No tls-key-file configured!');
  refused({ 'tls-ca-cert-file': '' }, 'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  refused({ 'tls-cert-file': '/no/such.crt' }, 'Failed to load certificate: /no/such.crt: error:80000002:system library::No such file or directory');
  refused({ 'tls-cert-file': certs.server.key }, new RegExp(`^Failed to load certificate: ${certs.server.key}: error:[0-9A-F]{8}:`));
  refused({ 'tls-key-file': certs.server2.key }, new RegExp(`^Failed to load private key: ${certs.server2.key}: error:[0-9A-F]{8}:.*key values mismatch$`));
  refused({ 'tls-ca-cert-file': '/no/ca.crt' }, 'Failed to configure CA certificate(s) file/directory: error:80000002:system library::No such file or directory');
  refused({ 'tls-protocols': 'TLSv1.2 TLSv2' }, "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
  refused({ 'tls-ciphers': 'NO-SUCH-CIPHER' }, 'Failed to configure ciphers: NO-SUCH-CIPHER');
  refused({ 'tls-ciphersuites': 'TLS_NO_SUCH' }, 'Failed to configure ciphersuites: TLS_NO_SUCH');
  refused({ 'tls-dh-params-file': '/no/dh.pem' }, 'Failed to load /no/dh.pem: No such file or directory');
  refused({ 'tls-dh-params-file': certs.ca }, `${certs.ca}: failed to read DH params.`);
});

test('settings become Node options: protocols, cipher order, tickets, session timeout, client certificate', () => {
  const d = build({});
  assert.equal(d.server.minVersion, 'TLSv1.2');
  assert.equal(d.server.maxVersion, 'TLSv1.3');
  assert.equal(d.server.honorCipherOrder, false);
  assert.equal(d.server.sessionTimeout, 300);
  assert.equal((d.server.secureOptions ?? 0) & constants.SSL_OP_NO_TICKET, 0);
  // no client pair: the server's own certificate is the client one (Redis's tls.c)
  assert.deepEqual(d.client.cert, d.server.cert);
  const o = build({ 'tls-protocols': 'tlsv1.3', 'tls-prefer-server-ciphers': 'yes', 'tls-session-caching': 'no', 'tls-session-cache-timeout': '60',
    'tls-client-cert-file': certs.client.cert, 'tls-client-key-file': certs.client.key });
  assert.equal(o.server.minVersion, 'TLSv1.3');
  assert.equal(o.server.honorCipherOrder, true);
  assert.equal(o.server.sessionTimeout, 60);
  assert.notEqual((o.server.secureOptions ?? 0) & constants.SSL_OP_NO_TICKET, 0);
  assert.notDeepEqual(o.client.cert, o.server.cert);
  // gaps in the set are closed with SSL_OP_NO_* flags
  const gap = build({ 'tls-protocols': 'TLSv1.1 TLSv1.3' });
  assert.notEqual((gap.server.secureOptions ?? 0) & constants.SSL_OP_NO_TLSv1_2, 0);
});

test('tls-ca-cert-dir: the certificates of a folder, as OpenSSL\'s CApath', () => {
  const dir = join(certs.dir, 'cadir');
  mkdirSync(dir);
  copyFileSync(certs.ca, join(dir, 'ca.pem'));
  writeFileSync(join(dir, 'README'), 'not a certificate');
  const d = build({ 'tls-ca-cert-file': '', 'tls-ca-cert-dir': dir });
  assert.equal((d.server.ca as Buffer[]).length, 1);
});
