/**
 * How busy this thread's event loop is: the share of time it spent running
 * rather than waiting for I/O (Node's event loop utilization), over the last
 * window of at least a second before the latest reading. INFO shardis shows
 * it per thread and /metrics exports it as shardis_thread_loop_utilization.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

const WINDOW_MS = 1000;

export class ThreadLoad {
  private mark: EventLoopUtilization = performance.eventLoopUtilization();
  private markAt = performance.now();
  private last: number | null = null;

  /** Utilization (0..1) of the last completed window; since start-up until one has completed. */
  utilization(): number {
    const now = performance.now();
    const elu = performance.eventLoopUtilization();
    const over = performance.eventLoopUtilization(elu, this.mark).utilization;
    if (now - this.markAt >= WINDOW_MS) {
      this.last = over;
      this.mark = elu;
      this.markAt = now;
    }
    return this.last ?? over;
  }
}
