/**
 * A dataset being loaded while the server runs (Redis's startLoading /
 * stopLoading): a replica's full sync with `repl-diskless-load swapdb` or
 * `on-empty-db`. While `async` is false commands without the `loading` flag
 * get LOADING; while it is true (swapdb, the same replication history) the
 * old dataset is served and only `no_async_loading` commands get LOADING.
 */
export interface Loading {
  readonly async: boolean;
  /** Unix seconds. */
  readonly startTime: number;
  /** Bytes expected (0 when unknown, e.g. a diskless transfer). */
  totalBytes: number;
  loadedBytes: number;
}

export const LOADING_ERR = 'LOADING Redis is loading the dataset in memory';

export function startLoading(async: boolean, totalBytes: number): Loading {
  return { async, startTime: Math.floor(Date.now() / 1000), totalBytes: Math.max(0, totalBytes), loadedBytes: 0 };
}

/** INFO persistence's loading_* lines while a (non-async) load runs, as Redis computes them. */
export function loadingInfo(l: Loading): Array<[string, string | number]> {
  let perc = 0;
  let remaining = 1;
  if (l.totalBytes > 0) {
    perc = (l.loadedBytes / l.totalBytes) * 100;
    remaining = l.totalBytes - l.loadedBytes;
  }
  const elapsed = Math.floor(Date.now() / 1000) - l.startTime;
  const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (l.loadedBytes + 1));
  return [
    ['loading_start_time', l.startTime],
    ['loading_total_bytes', l.totalBytes],
    ['loading_rdb_used_mem', 0],
    ['loading_loaded_bytes', l.loadedBytes],
    ['loading_loaded_perc', perc.toFixed(2)],
    ['loading_eta_seconds', eta],
  ];
}
