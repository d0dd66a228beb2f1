/** Random picks from Map/Set-backed collections (HRANDFIELD, SRANDMEMBER, SPOP, ZRANDMEMBER). */

/** n distinct uniformly chosen items of `items` (n <= items.length), in random order. */
export function sampleDistinct<T>(items: T[], n: number): T[] {
  const a = items.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (a.length - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  a.length = n;
  return a;
}

/** n items chosen uniformly with repetition. */
export function sampleWithRepeats<T>(items: T[], n: number): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[Math.floor(Math.random() * items.length)]!;
  return out;
}
