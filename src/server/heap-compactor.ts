/**
 * Heap compaction while the server is quiet: shardis's counterpart of
 * Redis's active defragmentation, for the V8 heap.
 *
 * A burst of writes (a bulk load, a migration) leaves the old generation
 * bigger than the data it holds: objects allocated while the collector was
 * marking survive that cycle as floating garbage, and the pages the heap
 * grew into stay resident after a regular collection frees most of them.
 * V8's own memory reducer would compact once the process goes idle, but
 * Node never reports idleness to it. So, every `heap-compact-idle-ms` (0
 * turns this off), the server looks at its heap: when it has grown by a
 * tenth and at least 4 MB since the last compaction and fewer than
 * QUIET_COMMANDS commands ran in the interval, it runs one full,
 * memory-reducing collection (V8's last-resort flavour, which evacuates
 * fragmented pages and returns the free ones to the system).
 *
 * Measured after loading 10 000 sorted sets of 100 members (bench/memory.ts
 * row zset-100): RSS growth 39 MB before, 9 MB after one compaction of
 * 30 ms. The pause is about 1 ms per MB of heap, taken only when quiet.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getConfigNumber, type Config } from '../config/config.ts';
import type { Logger } from './host.ts';

/**
 * Growth of the heap since the last compaction that makes one worth doing
 * (a 1 GB heap is compacted after each 100 MB it grows, in about a second).
 */
const MIN_GROWTH_BYTES = 4 * 1024 * 1024;
const MIN_GROWTH_RATIO = 1.1;
/** At most this many commands in an interval and the server counts as quiet. */
const QUIET_COMMANDS = 10;

type GcFn = (opts: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

let gcFn: GcFn | null | undefined;

/** V8's gc(), exposed for this process (once; null where the runtime refuses). */
function gc(): GcFn | null {
  if (gcFn !== undefined) return gcFn;
  try {
    const existing = (globalThis as { gc?: GcFn }).gc;
    if (typeof existing === 'function') gcFn = existing;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as GcFn;
    }
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** What the compactor reads of the server: its setting, how busy it is, and where it logs. */
export interface CompactorHost extends Logger {
  readonly config: Config;
  readonly stats: { readonly commandsProcessed: number };
}

export class HeapCompactor {
  /** Compactions run (INFO memory heap_compactions). */
  compactions = 0;
  /** Milliseconds the last one took. */
  lastMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private intervalMs = 0;
  /** The heap's committed size after the last compaction (or at start). */
  private baseline = getHeapStatistics().total_heap_size;
  private lastCommands = 0;
  private readonly state: CompactorHost;

  constructor(state: CompactorHost) {
    this.state = state;
  }

  /** Reads heap-compact-idle-ms and (re)starts or stops the check. */
  configure(): void {
    const ms = getConfigNumber(this.state.config, 'heap-compact-idle-ms', 250);
    if (ms === this.intervalMs && (ms === 0) === (this.timer === null)) return;
    this.stop();
    this.intervalMs = ms;
    if (ms === 0 || gc() === null) return;
    this.lastCommands = this.state.stats.commandsProcessed;
    this.timer = setInterval(() => this.check(), ms);
    this.timer.unref();
  }

  /** One look at the heap: compacts when it grew enough and the server was quiet. */
  check(): void {
    const commands = this.state.stats.commandsProcessed;
    const quiet = commands - this.lastCommands <= QUIET_COMMANDS;
    this.lastCommands = commands;
    if (!quiet) return;
    const size = getHeapStatistics().total_heap_size;
    if (size < this.baseline) {
      this.baseline = size;
      return;
    }
    if (size - this.baseline < MIN_GROWTH_BYTES || size < this.baseline * MIN_GROWTH_RATIO) return;
    this.compact();
  }

  /** Runs the memory-reducing collection now. */
  compact(): void {
    const fn = gc();
    if (fn === null) return;
    const t0 = performance.now();
    fn({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    this.lastMs = performance.now() - t0;
    this.compactions++;
    this.baseline = getHeapStatistics().total_heap_size;
    this.state.log('verbose', `Heap compacted in ${this.lastMs.toFixed(1)} ms (heap ${(this.baseline / 1048576).toFixed(1)} MB)`);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
