/**
 * TLS as Redis configures it (tls.c): the server context of every TLS
 * listener (RESP on tls-port, HTTPS/WSS with tls-http, gRPC with tls-grpc)
 * and the client context shardis uses to connect to a TLS primary
 * (tls-replication) or cluster node (tls-cluster), built from the tls-*
 * parameters. Built once at start-up (a failure is fatal, as Redis's
 * "Failed to configure TLS"), and again by CONFIG SET of any of them: a
 * failure then keeps the old context and the command fails with Redis's
 * "Unable to update TLS configuration" error.
 */
import { createSecureContext, DEFAULT_CIPHERS, TLSSocket, type ConnectionOptions, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import { constants } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getConfigValue, type Config } from '../config/config.ts';

/** A TLS configuration that cannot be built; the message is the line Redis logs. */
export class TlsConfigError extends Error {}

/** The parameters whose change rebuilds the context (Redis's applyTlsCfg ones). */
export const TLS_CONTEXT_PARAMS: ReadonlySet<string> = new Set([
  'tls-session-cache-size', 'tls-session-cache-timeout', 'tls-cluster', 'tls-replication', 'tls-prefer-server-ciphers',
  'tls-session-caching', 'tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file',
  'tls-client-key-file-pass', 'tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-protocols', 'tls-ciphers',
  'tls-ciphersuites',
]);

const PROTOCOLS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = { tlsv1: 'TLSv1', 'tlsv1.1': 'TLSv1.1', 'tlsv1.2': 'TLSv1.2', 'tlsv1.3': 'TLSv1.3' };
const ORDER = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
const NO_PROTOCOL: Record<(typeof ORDER)[number], number> = {
  TLSv1: constants.SSL_OP_NO_TLSv1, 'TLSv1.1': constants.SSL_OP_NO_TLSv1_1, 'TLSv1.2': constants.SSL_OP_NO_TLSv1_2, 'TLSv1.3': constants.SSL_OP_NO_TLSv1_3,
};

const val = (cfg: Config, name: string): string => getConfigValue(cfg, name) ?? '';

/** Whether the server needs a TLS context at all (Redis: tls-port, tls-replication or tls-cluster). */
export function tlsWanted(cfg: Config): boolean {
  return val(cfg, 'tls-port') !== '0' || val(cfg, 'tls-replication') === 'yes' || val(cfg, 'tls-cluster') === 'yes' ||
    val(cfg, 'tls-http') === 'yes' || val(cfg, 'tls-grpc') === 'yes';
}

/** tls-protocols (parseProtocolsConfig): the versions' range, gaps closed with SSL_OP_NO_* flags. */
function protocolOptions(spec: string): { minVersion: (typeof ORDER)[number]; maxVersion: (typeof ORDER)[number]; secureOptions: number } {
  const chosen = new Set<string>();
  if (spec === '') chosen.add('TLSv1.2').add('TLSv1.3');
  else {
    for (const tok of spec.split(' ')) {
      const p = PROTOCOLS[tok.toLowerCase()];
      if (p === undefined) throw new TlsConfigError("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
      chosen.add(p);
    }
  }
  const on = ORDER.filter((p) => chosen.has(p));
  let secureOptions = 0;
  for (const p of ORDER) if (!chosen.has(p)) secureOptions |= NO_PROTOCOL[p];
  return { minVersion: on[0]!, maxVersion: on.at(-1)!, secureOptions };
}

/** An OpenSSL error as ERR_error_string_n writes it ("error:80000002:system library::No such file or directory"). */
export function opensslText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'error:80000002:system library::No such file or directory';
  if (err.code === 'EACCES') return 'error:8000000D:system library::Permission denied';
  if (err.code === 'EISDIR') return 'error:80000015:system library::Is a directory';
  const m = /error:([0-9A-Fa-f]{8}):([^:]*):[^:]*:([^:\n]+)/.exec(err.message ?? '');
  return m !== null ? `error:${m[1]!.toUpperCase()}:${m[2]}::${m[3]}` : String(err.message ?? e);
}

/** A file's bytes, or the OpenSSL-style error `what` names (Redis's "Failed to load certificate: FILE: …"). */
function readOr(path: string, what: (detail: string) => string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(what(opensslText(e)));
  }
}

/** Loads a certificate chain and key into a context of their own, so a failure names the file that caused it. */
function certAndKey(certFile: string, keyFile: string, pass: string): Pick<SecureContextOptions, 'cert' | 'key' | 'passphrase'> {
  const cert = readOr(certFile, (d) => `Failed to load certificate: ${certFile}: ${d}`);
  try {
    createSecureContext({ cert });
  } catch (e) {
    throw new TlsConfigError(`Failed to load certificate: ${certFile}: ${opensslText(e)}`);
  }
  const key = readOr(keyFile, (d) => `Failed to load private key: ${keyFile}: ${d}`);
  const passphrase = pass === '' ? undefined : pass;
  try {
    createSecureContext({ cert, key, passphrase });
  } catch (e) {
    throw new TlsConfigError(`Failed to load private key: ${keyFile}: ${opensslText(e)}`);
  }
  return { cert, key, passphrase };
}

/** tls-ca-cert-file and every certificate file in tls-ca-cert-dir (OpenSSL's CApath, read once). */
function caCerts(file: string, dir: string): Buffer[] | undefined {
  if (file === '' && dir === '') return undefined;
  const fail = (d: string): TlsConfigError => new TlsConfigError(`Failed to configure CA certificate(s) file/directory: ${d}`);
  const out: Buffer[] = [];
  if (file !== '') out.push(readOr(file, (d) => `Failed to configure CA certificate(s) file/directory: ${d}`));
  if (dir !== '') {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw fail(opensslText(e));
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      try {
        if (!statSync(p).isFile()) continue;
        const text = readFileSync(p);
        if (text.includes('-----BEGIN CERTIFICATE-----')) out.push(text);
      } catch {
        // an unreadable entry is skipped, as OpenSSL's lookup does
      }
    }
  }
  try {
    createSecureContext({ ca: out });
  } catch (e) {
    throw fail(opensslText(e));
  }
  return out;
}

/** tls-ciphers (TLS ≤ 1.2) and tls-ciphersuites (1.3) as Node's one `ciphers` list; Node's defaults where unset. */
function cipherList(ciphers: string, suites: string): string {
  const defaults = DEFAULT_CIPHERS.split(':');
  const v12 = ciphers !== '' ? ciphers : defaults.filter((c) => !c.startsWith('TLS_')).join(':');
  const v13 = suites !== '' ? suites : defaults.filter((c) => c.startsWith('TLS_')).join(':');
  return `${v13}:${v12}`;
}

/** What every TLS server and client of this configuration shares. */
export interface TlsMaterial {
  /** For tls.createServer / https.createServer / setSecureContext. */
  readonly server: SecureContextOptions & { honorCipherOrder: boolean; sessionTimeout: number };
  /** For tls.connect (replication, cluster): the client certificate, the CA, no host name check (as Redis). */
  readonly client: ConnectionOptions;
}

/** Builds the contexts from the tls-* parameters (Redis's tlsConfigure), or throws TlsConfigError. */
export function buildTls(cfg: Config): TlsMaterial {
  const certFile = val(cfg, 'tls-cert-file');
  const keyFile = val(cfg, 'tls-key-file');
  if (certFile === '') throw new TlsConfigError('No tls-cert-file configured!');
  if (keyFile === '') throw new TlsConfigError('No tls-key-file configured!');
  const caFile = val(cfg, 'tls-ca-cert-file');
  const caDir = val(cfg, 'tls-ca-cert-dir');
  if ((val(cfg, 'tls-auth-clients') !== 'no' || val(cfg, 'tls-cluster') === 'yes' || val(cfg, 'tls-replication') === 'yes') && caFile === '' && caDir === '') {
    throw new TlsConfigError('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  }
  const protocols = protocolOptions(val(cfg, 'tls-protocols'));
  const own = certAndKey(certFile, keyFile, val(cfg, 'tls-key-file-pass'));
  const ca = caCerts(caFile, caDir);
  const ciphers = val(cfg, 'tls-ciphers');
  const suites = val(cfg, 'tls-ciphersuites');
  const list = cipherList(ciphers, suites);
  const refused = (l: string): boolean => {
    try {
      createSecureContext({ ciphers: l });
      return false;
    } catch {
      return true;
    }
  };
  if (ciphers !== '' && refused(cipherList(ciphers, ''))) throw new TlsConfigError(`Failed to configure ciphers: ${ciphers}`);
  if (suites !== '' && refused(cipherList('', suites))) throw new TlsConfigError(`Failed to configure ciphersuites: ${suites}`);
  let dhparam: Buffer | undefined;
  const dhFile = val(cfg, 'tls-dh-params-file');
  if (dhFile !== '') {
    try {
      dhparam = readFileSync(dhFile);
    } catch (e) {
      throw new TlsConfigError(`Failed to load ${dhFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    }
    // Node ignores what is not PEM DH parameters: refused here, as OpenSSL's decoder refuses it for Redis
    try {
      if (!dhparam.includes('-----BEGIN DH PARAMETERS-----')) throw new Error('not DH parameters');
      createSecureContext({ dhparam });
    } catch {
      throw new TlsConfigError(`${dhFile}: failed to read DH params.`);
    }
  }
  // tls-session-caching no: no session tickets (Node keeps no server-side session-ID cache of its own)
  const noTickets = val(cfg, 'tls-session-caching') === 'no' ? constants.SSL_OP_NO_TICKET : 0;
  const common = { ...protocols, ca, ciphers: list, secureOptions: protocols.secureOptions | constants.SSL_OP_NO_COMPRESSION };
  const server = {
    ...common,
    ...own,
    dhparam: dhparam ?? 'auto',
    secureOptions: common.secureOptions | noTickets,
    honorCipherOrder: val(cfg, 'tls-prefer-server-ciphers') === 'yes',
    sessionTimeout: Number(val(cfg, 'tls-session-cache-timeout') || '300'),
  } as TlsMaterial['server'];
  // the client side uses tls-client-cert-file / -key-file when both are set, else the server's own pair
  const clientCert = val(cfg, 'tls-client-cert-file');
  const clientKey = val(cfg, 'tls-client-key-file');
  const clientOwn = clientCert !== '' && clientKey !== '' ? certAndKey(clientCert, clientKey, val(cfg, 'tls-client-key-file-pass')) : own;
  // Redis verifies the peer's chain against the CA, not its name
  const client: ConnectionOptions = { ...common, ...clientOwn, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { server, client };
}

/** tls-auth-clients: whether a TLS listener asks for client certificates and refuses a connection without a valid one. */
export function clientAuthPolicy(cfg: Config): { requestCert: boolean; rejectUnauthorized: boolean } {
  const mode = val(cfg, 'tls-auth-clients');
  // optional: asked for, and a certificate that is sent must verify (checked once the handshake is over: verifiedPeer)
  return { requestCert: mode !== 'no', rejectUnauthorized: mode === 'yes' };
}

/**
 * After the handshake: false when the connection must go (tls-auth-clients
 * optional, a certificate sent that does not verify); the error Redis logs.
 */
export function refusedPeer(cfg: Config, socket: TLSSocket): string | null {
  if (val(cfg, 'tls-auth-clients') !== 'optional' || socket.authorized) return null;
  const cert = socket.getPeerCertificate();
  if (cert === null || Object.keys(cert).length === 0) return null;
  return 'error:0A000086:SSL routines::certificate verify failed';
}

/** certificateUser of a front end's socket when it is a TLS one (HTTPS, WSS), else null. */
export function socketCertUser(cfg: Config, socket: unknown): string | null {
  return socket instanceof TLSSocket ? certificateUser(cfg, socket) : null;
}

/** tls-auth-clients-user CN: the verified client certificate's Common Name, or null. */
export function certificateUser(cfg: Config, socket: TLSSocket): string | null {
  if (val(cfg, 'tls-auth-clients-user') !== 'CN' || !socket.authorized) return null;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : null;
}

/**
 * The live TLS context of one thread's server: built at start-up, rebuilt by
 * CONFIG SET; the listeners attached here get each new context for their
 * next connections, and the tls-auth-clients policy.
 */
export class TlsContext {
  material: TlsMaterial | null = null;
  /** The listeners kept on the current context, each with its client-certificate policy (null: tls-auth-clients). */
  private readonly servers = new Map<TlsServer, { requestCert: boolean; rejectUnauthorized: boolean } | null>();
  private readonly cfg: Config;

  constructor(cfg: Config) {
    this.cfg = cfg;
  }

  /** At start-up: throws TlsConfigError when TLS is wanted and cannot be built. */
  configure(): void {
    if (tlsWanted(this.cfg)) this.material = buildTls(this.cfg);
  }

  /** CONFIG SET: the error text Redis logs, or null once the new context serves new connections. */
  reconfigure(): string | null {
    if (!tlsWanted(this.cfg)) return null;
    let next: TlsMaterial;
    try {
      next = buildTls(this.cfg);
    } catch (e) {
      if (e instanceof TlsConfigError) return e.message;
      throw e;
    }
    this.material = next;
    for (const [s, fixed] of this.servers) this.apply(s, fixed);
    return null;
  }

  /** The server options for a new listener (throws when TLS is not configured); `policy` overrides tls-auth-clients. */
  serverOptions(policy: { requestCert: boolean; rejectUnauthorized: boolean } | null = null): TlsMaterial['server'] & { requestCert: boolean; rejectUnauthorized: boolean } {
    if (this.material === null) throw new TlsConfigError('No tls-cert-file configured!');
    return { ...this.material.server, ...(policy ?? clientAuthPolicy(this.cfg)) };
  }

  /**
   * Keeps `s` on the current context from now on, and on the tls-auth-clients
   * policy unless it has a fixed one (the cluster bus always wants a valid peer certificate).
   */
  attach(s: TlsServer, policy: { requestCert: boolean; rejectUnauthorized: boolean } | null = null): void {
    this.servers.set(s, policy);
    s.once('close', () => this.servers.delete(s));
  }

  /** tls-auth-clients changed: read per connection, as Redis's. */
  applyPolicy(): void {
    for (const [s, fixed] of this.servers) this.setPolicy(s, fixed);
  }

  private apply(s: TlsServer, fixed: { requestCert: boolean; rejectUnauthorized: boolean } | null): void {
    s.setSecureContext(this.serverOptions(fixed));
    this.setPolicy(s, fixed);
  }

  /** Node reads these two for each new connection (setSecureContext leaves them). */
  private setPolicy(s: TlsServer, fixed: { requestCert: boolean; rejectUnauthorized: boolean } | null): void {
    const policy = fixed ?? clientAuthPolicy(this.cfg);
    const open = s as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
    open.requestCert = policy.requestCert;
    open.rejectUnauthorized = policy.rejectUnauthorized;
  }
}
