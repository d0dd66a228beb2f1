/**
 * Who an HTTP request runs as (the HTTP front end, docs/http.md): the bearer
 * token of `Authorization: Bearer <token>` or `?_token=<token>`.
 * - A token named by an `http-token <token> <user>` directive runs as that
 *   ACL user (which must exist and be enabled).
 * - Otherwise, with no password on the default user (nopass), no token is
 *   needed and any token runs as the default user, as Upstash clients
 *   always send one.
 * - Otherwise the token is the default user's password.
 */
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import type { User } from '../../security/acl-user.ts';

/** The request's token, or null when it has none. */
export function requestToken(authorization: string | undefined, query: URLSearchParams): string | null {
  if (authorization !== undefined) {
    const m = /^Bearer\s+(.*)$/i.exec(authorization.trim());
    if (m !== null) return m[1]!;
  }
  return query.get('_token');
}

/** The user a request with `token` runs as, or null (401). */
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
