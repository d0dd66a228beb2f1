/**
 * Key feeds with threads (docs/feeds.md, "With threads"): a feed opened on
 * one thread has a part on every thread owning keys it follows
 * (reactivity/feed-part.ts). Its requests reach those parts as notices; the
 * parts' items come back as notices, gathered per destination thread.
 *
 * Order: everything bound for a feed's thread — other threads' batches of
 * items and its own parts' items — takes a number from that thread's
 * shared counter (SHARED.FEED_SEQ), and the thread delivers in number
 * order. A thread numbers and sends its batch before a reply of its leaves
 * and before another thread can see its changes (flush(), called where the
 * AOF and the replication stream are written), so a change a client saw
 * acknowledged reaches every feed before the changes of what it sends next,
 * whichever threads own the keys.
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import { SHARED, type LinkRequest, type ThreadLink } from './link.ts';
import type { FeedSpec } from '../reactivity/feeds.ts';
import type { PartItem, PartRequest } from '../reactivity/feed-part.ts';
import { feedsOf } from '../reactivity/feeds-of.ts';

export function threadFeeds(state: ServerState<Client>, link: ThreadLink): { notices: Record<string, (m: LinkRequest) => void>; flush: () => void } {
  const words = link.words;
  const me = link.index;
  const number = (t: number): number => words.add(words.of(SHARED.FEED_SEQ, t), 1);

  // receiving: deliveries run in number order (one may start another: it waits its turn)
  let next = 0;
  const waiting = new Map<number, () => void>();
  let running = false;
  const arrive = (n: number, fn: () => void): void => {
    waiting.set(n, fn);
    if (running) return;
    running = true;
    try {
      for (let f = waiting.get(next); f !== undefined; f = waiting.get(next)) {
        waiting.delete(next);
        next = (next + 1) | 0;
        f();
      }
    } finally {
      running = false;
    }
  };

  // sending: items for each thread's feeds, as [feed id, item] pairs, not yet numbered
  const outbox = new Map<number, Array<[number, PartItem]>>();
  let scheduled = false;
  const flush = (): void => {
    if (outbox.size === 0) return;
    for (const [t, items] of outbox) {
      if (link.closing) break;
      link.notice(t, { op: 'feed-items', from: me, n: number(t), items });
    }
    outbox.clear();
  };
  const flushTask = (): void => {
    scheduled = false;
    flush();
  };
  const out = (t: number, id: number) => (item: PartItem): void => {
    let list = outbox.get(t);
    if (list === undefined) outbox.set(t, (list = []));
    list.push([id, item]);
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flushTask);
    }
  };

  state.feedThreads = {
    send(t, id, req, open) {
      if (!link.closing) link.notice(t, { op: 'feed-part', from: me, id, req, open });
    },
    inOrder(fn) {
      arrive(number(me), fn);
    },
  };
  const notices = {
    'feed-part': (m: LinkRequest) => {
      const from = m.from as number;
      const id = m.id as number;
      feedsOf(state).serve(from, id, m.req as PartRequest, m.open as { spec: FeedSpec; user: string } | undefined, out(from, id));
    },
    'feed-items': (m: LinkRequest) => {
      arrive(m.n as number, () => {
        const feeds = feedsOf(state);
        for (const [id, item] of m.items as Array<[number, PartItem]>) feeds.deliver(m.from as number, id, item);
      });
    },
  };
  return { notices, flush };
}
