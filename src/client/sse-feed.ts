/**
 * A key feed over server-sent events (`GET /feed`, docs/feeds.md), read
 * with fetch so that a token can go in a header; `from=` resumes it.
 */
import { sseData } from './sse-reader.ts';
import type { FeedConnect, FeedMessage, WatchTarget } from './watch.ts';

export function sseFeed(base: string, headers: Record<string, string>, target: WatchTarget): FeedConnect {
  const q = new URLSearchParams();
  for (const k of target.keys ?? []) q.append('key', k);
  for (const p of target.patterns ?? []) q.append('pattern', p);
  for (const p of target.prefixes ?? []) q.append('prefix', p);
  if (target.db !== undefined) q.set('db', String(target.db));
  const url = `${base}/feed?${q.toString()}`;
  return async (from, onMessage, signal) => {
    const resume = from === null ? '' : `&from=${encodeURIComponent(from)}`;
    const res = await fetch(url + resume, { headers: { ...headers, Accept: 'text/event-stream' }, signal });
    if (res.status !== 200 || res.body === null) throw new Error(`feed: HTTP ${res.status}`);
    for await (const data of sseData(res.body)) onMessage(JSON.parse(data) as FeedMessage);
  };
}
