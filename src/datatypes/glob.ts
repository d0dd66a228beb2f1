/**
 * Glob matching exactly as Redis's stringmatchlen: * ? [abc] [^a-z] and
 * backslash escapes, on latin1 strings (bytes). nocase folds ASCII case.
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  return match(pattern, 0, s, 0, nocase, 0);
}

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): boolean {
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si <= slen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      for (let k = si; k <= slen; k++) if (match(p, pi + 1, s, k, nocase, depth + 1)) return true;
      return false;
    }
    if (si >= slen) return false;
    const sc = s.charCodeAt(si);
    if (pc === 63 /* ? */) {
      si++;
      pi++;
      continue;
    }
    if (pc === 91 /* [ */) {
      pi++;
      const not = p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= plen) {
          pi--; // unterminated class: Redis treats the end as closing it
          break;
        }
        const c = p.charCodeAt(pi);
        if (c === 92 /* \ */ && pi + 1 < plen) {
          pi++;
          if (fold(p.charCodeAt(pi), nocase) === fold(sc, nocase)) matched = true;
        } else if (c === 93 /* ] */) {
          break;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = fold(c, nocase);
          let end = fold(p.charCodeAt(pi + 2), nocase);
          if (start > end) [start, end] = [end, start];
          const x = fold(sc, nocase);
          pi += 2;
          if (x >= start && x <= end) matched = true;
        } else if (fold(c, nocase) === fold(sc, nocase)) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
      pi++;
      continue;
    }
    let want = pc;
    if (pc === 92 /* \ */ && pi + 1 < plen) {
      pi++;
      want = p.charCodeAt(pi);
    }
    if (fold(want, nocase) !== fold(sc, nocase)) return false;
    si++;
    pi++;
  }
  while (pi < plen && p.charCodeAt(pi) === 42) pi++;
  return pi === plen && si === slen;
}

/** True when the pattern matches every string ("*"), so matching can be skipped. */
export function matchesAll(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}
