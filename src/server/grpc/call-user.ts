/**
 * Who a gRPC call runs as: the token of its `authorization: Bearer <token>`
 * metadata, under the HTTP front end's rules (server/tokens.ts); the status
 * of a call refused past maxclients; and how a streaming call is ended with
 * a status.
 */
import type { Writable } from 'node:stream';
import { status, type Metadata } from '@grpc/grpc-js';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import type { User } from '../../security/acl-user.ts';
import { bearerToken, userForRequest } from '../tokens.ts';
import { MAXCLIENTS_ERROR } from '../admit.ts';

/** What every call has: its metadata, peer and cancellation. */
export interface AnyCall {
  readonly metadata: Metadata;
  readonly cancelled: boolean;
  getPeer(): string;
  on(event: 'cancelled', listener: () => void): unknown;
}

export const UNAUTHENTICATED = { code: status.UNAUTHENTICATED, details: 'a valid token is required: metadata authorization: Bearer <token>' };

/** A call refused because the server has maxclients connections (server/admit.ts). */
export const MAXCLIENTS = { code: status.RESOURCE_EXHAUSTED, details: MAXCLIENTS_ERROR };

/**
 * Over TLS with tls-auth-clients-user CN: the user each connection's verified
 * certificate names, by its peer address (the TLS is ended before grpc-js
 * sees the connection, so a call knows its certificate only through this).
 */
const certUsers = new WeakMap<ServerState<Client>, Map<string, string>>();

/** Remembers the certificate user of a TLS connection from `peer` (ip:port) until it closes. */
export function rememberCertUser(state: ServerState<Client>, peer: string, name: string, closed: (fn: () => void) => void): void {
  let m = certUsers.get(state);
  if (m === undefined) certUsers.set(state, (m = new Map()));
  m.set(peer, name);
  closed(() => m.delete(peer));
}

/** The user the call runs as, or null (UNAUTHENTICATED). */
export function callUser(state: ServerState<Client>, call: AnyCall): User | null {
  const v = call.metadata.get('authorization')[0];
  return userForRequest(state, bearerToken(typeof v === 'string' ? v : undefined), certUsers.get(state)?.get(call.getPeer()) ?? null);
}

/** The peer's address (ip:port), which MONITOR shows. */
export function peerAddr(call: AnyCall): string {
  const p = call.getPeer();
  // an IPv6 peer as Redis writes one: [::1]:port
  const m = /^([^[\]]*:[^[\]]*):(\d+)$/.exec(p);
  return m !== null ? `[${m[1]}]:${m[2]}` : p;
}

/** Ends a streaming call with `code` (OK: normally), unless it is over already (ended, or cancelled by the client). */
export function endCall(call: AnyCall & Writable, code: status, details = ''): void {
  if (call.cancelled || call.destroyed || call.writableEnded) return;
  if (code === status.OK) call.end();
  else call.emit('error', { code, details });
}
