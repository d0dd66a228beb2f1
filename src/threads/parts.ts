/**
 * Background work split over threads (a BGSAVE, an AOF rewrite): each other
 * thread writes its part to a file and sends a notice when it is written;
 * the thread that started the round waits for every part.
 */
import type { LinkRequest, ThreadLink } from './link.ts';

interface Waiting {
  left: number;
  error: string | null;
  files: string[];
  resolve: (files: string[]) => void;
  reject: (e: Error) => void;
}

export class PartRounds {
  private readonly waiting = new Map<number, Waiting>();
  private seq = 0;

  /** Starts a round: `ask(id)` starts every other thread's part and returns their files; resolves once all are written. */
  start(ask: (id: number) => string[]): Promise<string[]> {
    const id = ++this.seq;
    const files = ask(id);
    return new Promise<string[]>((resolve, reject) => {
      if (files.length === 0) resolve(files);
      else this.waiting.set(id, { left: files.length, error: null, files, resolve, reject });
    });
  }

  /** A part's notice: `{ id, error? }`. */
  done(m: LinkRequest): void {
    const w = this.waiting.get(m.id as number);
    if (w === undefined) return;
    if (typeof m.error === 'string') w.error ??= m.error;
    if (--w.left > 0) return;
    this.waiting.delete(m.id as number);
    if (w.error !== null) w.reject(new Error(w.error));
    else w.resolve(w.files);
  }
}

/** Tells thread `to` (notice `op`) when this thread's part of round `id` is written, or failed. */
export function reportPart(link: ThreadLink, to: number, op: string, id: number, written: Promise<unknown>): void {
  written.then(
    () => link.notice(to, { op, id }),
    (e: unknown) => link.notice(to, { op, id, error: (e as Error).message ?? String(e) }),
  );
}
