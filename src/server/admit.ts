/**
 * Admission against `maxclients`, one rule for every front end (RESP, the
 * line protocol, WebSocket, HTTP, gRPC), Redis's: a new connection is
 * refused when the connections already open number `maxclients` or more.
 * A refusal counts in INFO `rejected_connections`, an admission in
 * `total_connections_received`; the front end answers a refusal in its own
 * way with MAXCLIENTS_ERROR. What counts is ServerState.connections(): the
 * server's clients (RESP and line connections, WebSocket sessions, SSE
 * subscribe and monitor streams, gRPC calls' sessions) and the connections
 * that are not clients (HTTP command requests while they run, key feed
 * streams), which hold a place through admitUnlisted. With threads each
 * thread admits against its own connections, as it accepts them.
 */
import type { Socket } from 'node:net';
import type { ServerState } from './server-state.ts';
import type { Client } from './client.ts';

/** Redis's error text for a connection refused past maxclients. */
export const MAXCLIENTS_ERROR = 'ERR max number of clients reached';

/** Whether a new connection may open now; the caller makes it a client at once (before any await). */
export function admit(st: ServerState<Client>): boolean {
  const stats = st.stats;
  if (st.connections() >= st.config.maxclients) {
    stats.rejectedConnections++;
    return false;
  }
  stats.totalConnections++;
  return true;
}

/**
 * Refuses a TCP connection (RESP, the line protocol): `text` (the error in
 * the protocol's form), then the socket closes. What the peer sent is read
 * and dropped, so that its end is seen and the socket goes (one never read
 * would stay half-open, and hold up the listener's close).
 */
export function refuseSocket(socket: Socket, text: string): void {
  socket.on('error', () => socket.destroy());
  socket.end(text);
  socket.resume();
}

/**
 * Admits a connection that is not one of the server's clients: a function
 * that gives its place back (calling it again does nothing), or null when
 * it is refused.
 */
export function admitUnlisted(st: ServerState<Client>): (() => void) | null {
  if (!admit(st)) return null;
  st.unlistedConnections++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    st.unlistedConnections--;
  };
}
