/**
 * Who a request of a front end that authenticates by bearer token (HTTP,
 * gRPC) runs as: `Authorization: Bearer <token>`.
 * - A token named by an `http-token <token> <user>` directive runs as that
 *   ACL user (which must exist and be enabled).
 * - Otherwise, with no password on the default user (nopass), no token is
 *   needed and any token runs as the default user, as Upstash clients
 *   always send one.
 * - Otherwise the token is the default user's password.
 * Over TLS with `tls-auth-clients-user CN`, a request with no token runs as
 * the user its verified client certificate's CN names, when that user exists
 * and is enabled (userForRequest).
 */
import type { ServerState } from './server-state.ts';
import type { Client } from './client.ts';
import type { User } from '../security/acl-user.ts';

/** The token of an `Authorization: Bearer <token>` value, or null when it has none. */
export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const m = /^Bearer\s+(.*)$/i.exec(authorization.trim());
  return m !== null ? m[1]! : null;
}

/** A request's user: its certificate's (`certUser`, tls-auth-clients-user CN) when it sends no token, else as userForToken. */
export function userForRequest(state: ServerState<Client>, token: string | null, certUser: string | null): User | null {
  if (token === null && certUser !== null) {
    const u = state.acl.users.get(certUser);
    if (u !== undefined && u.enabled) return u;
  }
  return userForToken(state, token);
}

/** The user a request with `token` runs as, or null (refused: HTTP 401, gRPC UNAUTHENTICATED). */
export function userForToken(state: ServerState<Client>, token: string | null): User | null {
  const acl = state.acl;
  if (token !== null) {
    for (const [t, name] of state.config.httpTokens) {
      if (t !== token) continue;
      const u = acl.users.get(name);
      return u !== undefined && u.enabled ? u : null;
    }
  }
  const d = acl.defaultUser;
  if (!d.enabled) return null;
  if (d.nopass) return d;
  return token !== null && d.checkPassword(token) ? d : null;
}
