/**
 * Splits an inline command line into arguments exactly as Redis's sdssplitargs:
 * whitespace separated, "double quotes" with \n \r \t \b \a \\ \" \xHH escapes,
 * 'single quotes' with \' escapes. Returns null on unbalanced quotes or a
 * closing quote not followed by whitespace.
 */
export function splitInlineArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      if (inDq) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (i >= n) return null;
        const c = line[i]!;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line.charCodeAt(i + 1))) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const c = line[i]!;
        const code = line.charCodeAt(i);
        // inside a token only these end it (\v and \f only count as leading space, as in sdssplitargs)
        if (code === 32 || code === 10 || code === 13 || code === 9 || code === 0) {
          done = true;
        } else if (c === '"') {
          inDq = true;
        } else if (c === "'") {
          inSq = true;
        } else {
          cur += c;
        }
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
