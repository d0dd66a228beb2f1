/** Small helpers of the dashboard's page: DOM building and number formats. */

/** An element with attributes (`dataset`, `class` and properties) and children (nodes or text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** Replaces an element's children. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

/** A table: header cells, then rows of cells (a cell is text, a node, or {v, num: true}). */
export function table(head, rows, rowAttrs = () => ({})) {
  const cell = (tag, c) => (typeof c === 'object' && c !== null && !(c instanceof Node) ? el(tag, { class: c.num ? 'num' : undefined }, c.v) : el(tag, {}, c));
  return el('table', {}, el('thead', {}, el('tr', {}, head.map((h) => cell('th', h)))), el('tbody', {}, rows.map((r, i) => el('tr', rowAttrs(r, i), r.map((c) => cell('td', c))))));
}

/** Fields as a definition list. */
export function fields(pairs) {
  return el('dl', {}, pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)}${units[i]}`;
}

export function count(n) {
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Math.round(n * 100) / 100);
}

export function micros(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}s`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}ms`;
  return `${Math.round(n * 10) / 10}µs`;
}

export function percent(r) {
  return r === null || !Number.isFinite(r) ? '–' : `${(r * 100).toFixed(r === 1 ? 0 : 1)}%`;
}

export function duration(s) {
  s = Number(s);
  if (!Number.isFinite(s)) return '–';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** `a=1,b=2` (INFO's commandstats, keyspace and replica lines) as an object. */
export function pairs(v) {
  const o = {};
  for (const kv of String(v).split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) o[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return o;
}
