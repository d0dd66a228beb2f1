/**
 * The fields a keyspace's last 'hexpired' event removed, for its listeners
 * (replication and the AOF stream one HDEL per field, as Redis's
 * propagateHashFieldDeletion), and whether the active cycle removed them
 * (each HDEL on its own) or a command met them (several HDELs as one
 * MULTI / EXEC, as Redis's execution unit); valid only while the event is
 * emitted.
 */
export const expiredFieldsEvent: { fields: readonly string[]; active: boolean } = { fields: [], active: false };

/**
 * The hashes of one keyspace whose fields have TTLs (Redis 7.4's
 * db->hexpires): key → the earliest field expiry it was registered with,
 * and a min-heap of (time, key) so the active expiry cycle finds the due
 * hashes without walking the others. A key re-registered with another time
 * leaves its old heap entry behind; entries that no longer match the map
 * are skipped when they come up, and the heap is rebuilt from the map when
 * such entries outnumber the live ones.
 */
export class FieldExpiryIndex {
  /** key → registered earliest field expiry (ms). Its size is INFO keyspace's subexpiry. */
  private readonly due = new Map<string, number>();
  private times: number[] = [];
  private keys: string[] = [];

  get size(): number {
    return this.due.size;
  }

  /** Registers `key` with its earliest field expiry `at` (> 0), or unregisters it when `at` is 0. */
  set(key: string, at: number): void {
    if (at === 0) {
      this.due.delete(key);
      return;
    }
    if (this.due.get(key) === at) return;
    this.due.set(key, at);
    this.push(at, key);
    if (this.times.length > 2 * this.due.size + 1024) this.rebuild();
  }

  delete(key: string): void {
    this.due.delete(key);
  }

  clear(): void {
    this.due.clear();
    this.times = [];
    this.keys = [];
  }

  /**
   * The next key registered with a time at or before `now`, taken out of
   * the index (the caller registers it again if fields with TTLs remain);
   * null when none is due.
   */
  popDue(now: number): string | null {
    const times = this.times;
    while (times.length > 0 && times[0]! <= now) {
      const at = times[0]!;
      const key = this.keys[0]!;
      this.pop();
      if (this.due.get(key) !== at) continue;
      this.due.delete(key);
      return key;
    }
    return null;
  }

  private rebuild(): void {
    const entries = [...this.due].sort((a, b) => a[1] - b[1]);
    this.times = entries.map((e) => e[1]);
    this.keys = entries.map((e) => e[0]);
  }

  private push(at: number, key: string): void {
    const times = this.times;
    const keys = this.keys;
    let i = times.length;
    times.push(at);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= at) break;
      times[i] = times[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    times[i] = at;
    keys[i] = key;
  }

  private pop(): void {
    const times = this.times;
    const keys = this.keys;
    const lastT = times.pop()!;
    const lastK = keys.pop()!;
    const n = times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && times[c + 1]! < times[c]!) c++;
      if (times[c]! >= lastT) break;
      times[i] = times[c]!;
      keys[i] = keys[c]!;
      i = c;
    }
    times[i] = lastT;
    keys[i] = lastK;
  }
}
