/**
 * A key's content as Redis 7.0 and Redis 7.2+ (and shardis) agree on it,
 * for comparing data across versions: DEBUG DIGEST-VALUE, but a sorted
 * set's members and scores as numbers (7.2+ digests a score as fpconv_dtoa
 * writes it, 7.0 as %.17g: the same set, other digests).
 */
import type { Reply, RespClient } from './resp-client.ts';

export async function keyContent(c: RespClient, k: string): Promise<Reply> {
  if ((await c.call('TYPE', k)) !== 'zset') return c.call('DEBUG', 'DIGEST-VALUE', k);
  const flat = (await c.call('ZRANGE', k, '0', '-1', 'WITHSCORES')) as string[];
  return flat.map((x, i) => (i % 2 === 1 ? Number(x) : x));
}

/** Whether two servers report the same redis_version (their DEBUG DIGESTs are comparable). */
export async function sameVersion(a: RespClient, b: RespClient): Promise<boolean> {
  const v = async (c: RespClient): Promise<string | undefined> => /redis_version:(\S+)/.exec(String(await c.call('INFO', 'server')))?.[1];
  return (await v(a)) === (await v(b));
}
