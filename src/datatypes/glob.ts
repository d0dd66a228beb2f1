/**
 * Glob matching exactly as Redis's stringmatchlen: * ? [abc] [^a-z] and
 * backslash escapes, on latin1 strings (bytes). nocase folds ASCII case.
 * A failed '*' stops every outer '*' from trying longer matches (Redis's
 * skipLongerMatches), so patterns like a*a*a*…b run in polynomial time.
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  skipLonger = false;
  return match(pattern, 0, s, 0, nocase, 0);
}

/** Set when a '*' found no match anywhere in the rest of the string. */
let skipLonger = false;

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): boolean {
  // bounds the JS stack for patterns with thousands of separate '*'
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      for (; si < slen; si++) {
        if (match(p, pi + 1, s, si, nocase, depth + 1)) return true;
        if (skipLonger) return false;
      }
      skipLonger = true;
      return false;
    }
    const sc = s.charCodeAt(si);
    if (pc === 63 /* ? */) {
      // any byte
    } else if (pc === 91 /* [ */) {
      pi++;
      const not = pi < plen && p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= plen) {
          pi--; // unterminated class: the end of the pattern closes it
          break;
        }
        const c = p.charCodeAt(pi);
        if (c === 92 /* \ */ && pi + 1 < plen) {
          pi++;
          if (p.charCodeAt(pi) === sc) matched = true;
        } else if (c === 93 /* ] */) {
          break;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = fold(c, nocase);
          let end = fold(p.charCodeAt(pi + 2), nocase);
          if (start > end) {
            const t = start;
            start = end;
            end = t;
          }
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
    } else {
      let want = pc;
      if (pc === 92 /* \ */ && pi + 1 < plen) {
        pi++;
        want = p.charCodeAt(pi);
      }
      if (fold(want, nocase) !== fold(sc, nocase)) return false;
    }
    si++;
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}

/** True for the pattern "*" alone, which Redis treats as matching every key without matching. */
export function matchesAll(pattern: string): boolean {
  return pattern.length === 1 && pattern.charCodeAt(0) === 42;
}
