/** C printf number formats that Lua libraries print with. */

/** printf("%.{p}g", d) for 1 <= p <= 17. */
export function formatG(d: number, p: number): string {
  if (Number.isNaN(d)) return Object.is(Math.sign(d), -0) ? '-nan' : 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(p - 1);
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= p) {
    const abs = Math.abs(exp);
    return trimZeros(e.slice(0, at)) + 'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' + abs : String(abs));
  }
  return trimZeros(d.toFixed(Math.max(0, p - 1 - exp)));
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** strtod over s from `at`: the value and where the number ends (end === at: no number). */
export function strtod(s: string, at: number): { value: number; end: number } {
  const rest = s.slice(at, at + 400);
  let m = /^[ \t\n\r\f\v]*([+-]?)0[xX]([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?/.exec(rest);
  if (m) {
    let v = parseInt(m[2]!, 16);
    if (m[3]) v += parseInt(m[3], 16) / 16 ** m[3].length;
    if (m[4]) v *= 2 ** Number(m[4]);
    return { value: m[1] === '-' ? -v : v, end: at + m[0].length };
  }
  m = /^[ \t\n\r\f\v]*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(rest);
  if (m) {
    // an exponent marker without digits is not part of the number
    return { value: Number(m[0].trim()), end: at + m[0].length };
  }
  m = /^[ \t\n\r\f\v]*([+-]?)(inf(?:inity)?|nan)/i.exec(rest);
  if (m) {
    const v = m[2]!.toLowerCase() === 'nan' ? NaN : Infinity;
    return { value: m[1] === '-' ? -v : v, end: at + m[0].length };
  }
  return { value: 0, end: at };
}
