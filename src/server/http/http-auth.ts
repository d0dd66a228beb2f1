/**
 * The token of an HTTP request (the HTTP front end, docs/http.md): the
 * bearer token of `Authorization: Bearer <token>`, or `?_token=<token>` as
 * Upstash also accepts; what it runs as is server/tokens.ts's userForToken.
 */
import { bearerToken } from '../tokens.ts';

/** The request's token, or null when it has none. */
export function requestToken(authorization: string | undefined, query: URLSearchParams): string | null {
  return bearerToken(authorization) ?? query.get('_token');
}
