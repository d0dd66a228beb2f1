/**
 * WAITAOF's wait (Redis 7.2's waitaofCommand / processClientsWaitingReplicas):
 * until the local AOF is fsynced as far as the client's last write
 * (fsynced_reploff >= woff) when numlocal is 1, and numreplicas replicas
 * reported (REPLCONF ACK … FACK) their AOF fsynced that far, or the timeout.
 *
 * With threads the replication offset lives on thread 0 and every thread
 * appends to one AOF file: the local part waits for an fsync of that file
 * as far as it reached when WAITAOF ran (the client's writes are in it by
 * then), the replicas part for the offset of this thread's writes, as WAIT.
 */
import type { ReplicationFeed } from './primary.ts';

export const WAITAOF_AOF_OFF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';

/** Whether this thread's AOF file is fsynced as far as it reaches now (threads; false while the AOF is off). */
function fileSyncedNow(feed: ReplicationFeed): boolean {
  const sink = feed.sink;
  if (sink === null) return false;
  let synced = false;
  sink.whenFileSynced(() => (synced = true))();
  return synced;
}

/** [local, replicas] acknowledged now, without waiting (MULTI, scripts: Redis's CLIENT_DENY_BLOCKING). */
export function aofAckedNow(feed: ReplicationFeed, woff: number): [number, number] {
  if (feed.threads !== null) return [fileSyncedNow(feed) ? 1 : 0, feed.ackedAt(woff, true)];
  return [feed.fsyncedReploff() >= woff ? 1 : 0, feed.ackedAt(woff, true)];
}

/**
 * Resolves with [local, replicas] once both are reached or after timeoutMs
 * (0: no timeout); rejects with WAITAOF_AOF_OFF when the AOF is turned off
 * while numlocal is 1.
 */
export function waitAof(feed: ReplicationFeed, woff: number, numlocal: number, numreplicas: number, timeoutMs: number): Promise<[number, number]> {
  if (feed.threads !== null) return waitAofThreads(feed, numlocal, numreplicas, timeoutMs);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    let stopAcks: () => void = () => {};
    const counts = (): [number, number] => [feed.fsyncedReploff() >= woff ? 1 : 0, feed.ackedAt(woff, true)];
    const end = (): void => {
      feed.aofListeners.delete(check);
      stopAcks();
      if (timer !== null) clearTimeout(timer);
    };
    function check(): void {
      if (numlocal !== 0 && feed.fsyncedReploff() === -1) {
        end();
        reject(new Error(WAITAOF_AOF_OFF));
        return;
      }
      const [local, replicas] = counts();
      if (local < numlocal || replicas < numreplicas) return;
      end();
      resolve([local, replicas]);
    }
    feed.aofListeners.add(check);
    // replicas short of it are asked for their offsets now (replicationRequestAckFromSlaves)
    stopAcks = feed.watchAcks(woff, check, true);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        end();
        resolve(counts());
      }, timeoutMs);
    }
  });
}

function waitAofThreads(feed: ReplicationFeed, numlocal: number, numreplicas: number, timeoutMs: number): Promise<[number, number]> {
  const replicas = feed.threads!.waitForAcks(numreplicas, timeoutMs, true);
  if (numlocal === 0) return replicas.then((n) => [fileSyncedNow(feed) ? 1 : 0, n]);
  const local = new Promise<number>((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    let stopSync: () => void = () => {};
    const end = (): void => {
      feed.aofListeners.delete(off);
      stopSync();
      if (timer !== null) clearTimeout(timer);
    };
    function off(): void {
      if (feed.fsyncedReploff() !== -1) return;
      end();
      reject(new Error(WAITAOF_AOF_OFF));
    }
    feed.aofListeners.add(off);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        end();
        resolve(0);
      }, timeoutMs);
    }
    stopSync = feed.sink!.whenFileSynced(() => {
      end();
      resolve(1);
    });
  });
  return Promise.all([local, replicas]);
}
