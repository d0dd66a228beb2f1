/**
 * A short RESP exchange with another node (a manual CLUSTER FAILOVER asks
 * its master to pause writes and tell its offset): connects, authenticates
 * as a replica does (masteruser / masterauth), sends the commands, reads
 * one reply each and closes. With `tls` (tls-cluster yes: the client
 * context of security/tls.ts, as the bus links use) the exchange is TLS.
 */
import { connect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { encodeCommand } from '../persistence/aof-writer.ts';
import { replyMessage, type ReplyMessage } from '../protocol/reply-tree.ts';

export function askNode(host: string, port: number, commands: string[][], auth: string[] | null, timeoutMs = 5000, tls: ConnectionOptions | null = null): Promise<ReplyMessage[]> {
  const all = auth === null ? commands : [['AUTH', ...auth], ...commands];
  return new Promise((resolve, reject) => {
    const sock = tls !== null ? tlsConnect({ ...tls, host, port }) : connect(port, host);
    let buf = Buffer.alloc(0);
    const replies: ReplyMessage[] = [];
    const timer = setTimeout(() => fail(new Error(`no answer from ${host}:${port}`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    sock.on('error', fail);
    sock.on(tls !== null ? 'secureConnect' : 'connect', () => sock.write(all.map((c) => encodeCommand(c)).join(''), 'latin1'));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      let p = 0;
      try {
        while (p < buf.length) {
          const r = replyMessage(buf, p, buf.length);
          replies.push(r.reply);
          p = r.next;
        }
      } catch (e) {
        if (!(e instanceof RangeError)) return fail(e as Error);
      }
      buf = buf.subarray(p);
      if (replies.length >= all.length) {
        clearTimeout(timer);
        sock.end();
        resolve(auth === null ? replies : replies.slice(1));
      }
    });
  });
}
