/**
 * Test certificates made with `openssl` in a temporary folder, as Redis's
 * utils/gen-test-certs.sh makes the suite's: a CA, a server certificate, a
 * client certificate with a CN, a second server certificate of the same CA
 * (for reloads), a key protected by a passphrase, and a client certificate
 * of an untrusted CA. EC keys (P-256) keep it fast.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TlsCerts {
  dir: string;
  /** The CA's certificate (tls-ca-cert-file). */
  ca: string;
  server: CertPair;
  /** Another server certificate of the same CA (CN "Reloaded-server"). */
  server2: CertPair;
  /** A client certificate of the CA, CN given to makeTlsCerts (default "Client-only"). */
  client: CertPair;
  /** The server certificate's key encrypted with `passphrase`. */
  encryptedKey: string;
  passphrase: string;
  /** A client certificate of a CA the server does not trust (CN "Untrusted"). */
  untrusted: CertPair;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function key(dir: string, name: string): string {
  const path = join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path], dir);
  return path;
}

function signed(dir: string, name: string, cn: string, caName: string, ext: string): CertPair {
  const k = key(dir, name);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  openssl(['req', '-new', '-sha256', '-subj', `/O=Shardis Test/CN=${cn}`, '-key', k, '-out', csr], dir);
  openssl(['x509', '-req', '-sha256', '-in', csr, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '2',
    '-extfile', 'openssl.cnf', '-extensions', ext, '-out', cert], dir);
  return { cert, key: k };
}

function selfSignedCa(dir: string, name: string, cn: string): void {
  const k = key(dir, name);
  openssl(['req', '-x509', '-new', '-nodes', '-sha256', '-key', k, '-days', '2', '-subj', `/O=Shardis Test/CN=${cn}`, '-out', join(dir, `${name}.crt`)], dir);
}

/** Makes the set of certificates in a new temporary folder (remove() deletes it). */
export function makeTlsCerts(clientCn = 'Client-only'): TlsCerts {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-tls-'));
  writeFileSync(join(dir, 'openssl.cnf'), [
    '[ server_cert ]', 'keyUsage = digitalSignature, keyEncipherment', 'extendedKeyUsage = serverAuth, clientAuth', 'subjectAltName = IP:127.0.0.1, DNS:localhost',
    '[ client_cert ]', 'keyUsage = digitalSignature, keyEncipherment', 'extendedKeyUsage = clientAuth', '',
  ].join('\n'));
  selfSignedCa(dir, 'ca', 'Certificate Authority');
  selfSignedCa(dir, 'other-ca', 'Untrusted Authority');
  const server = signed(dir, 'server', 'Server-only', 'ca', 'server_cert');
  const server2 = signed(dir, 'server2', 'Reloaded-server', 'ca', 'server_cert');
  const client = signed(dir, 'client', clientCn, 'ca', 'client_cert');
  const untrusted = signed(dir, 'untrusted', 'Untrusted', 'other-ca', 'client_cert');
  const passphrase = 'secret-pass';
  const encryptedKey = join(dir, 'server-enc.key');
  openssl(['pkey', '-in', server.key, '-aes256', '-passout', `pass:${passphrase}`, '-out', encryptedKey], dir);
  return { dir, ca: join(dir, 'ca.crt'), server, server2, client, encryptedKey, passphrase, untrusted, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The tls-* directives of a server using these certificates on `port`. */
export function tlsConfig(c: TlsCerts, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return { 'tls-port': String(port), 'tls-cert-file': c.server.cert, 'tls-key-file': c.server.key, 'tls-ca-cert-file': c.ca, ...extra };
}
