/** The key feeds of a server (one Feeds per server, made when the first feed starts). */
import { Feeds, type FeedsHost } from './feeds.ts';

const all = new WeakMap<FeedsHost, Feeds>();

export function feedsOf(host: FeedsHost): Feeds {
  let f = all.get(host);
  if (f === undefined) all.set(host, (f = new Feeds(host)));
  return f;
}

/** The server's key feeds if one ever started, else null (INFO shardis reads them without making them). */
export function feedsIfAny(host: FeedsHost): Feeds | null {
  return all.get(host) ?? null;
}
