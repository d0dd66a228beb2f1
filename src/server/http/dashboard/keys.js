/**
 * The key browser: SCAN with a MATCH pattern, and a picked key's type, TTL
 * and value. The value comes from a key feed (a watch of shardis/client on
 * its WebSocket, docs/feeds.md), so it follows every change of the key
 * live; the TTL is read again every second.
 */
import { el, fill, table } from './format.js';

/** Keys listed per scan (More continues the cursor). */
const PAGE = 200;
/** Items of a collection shown; the rest are counted. */
const SHOWN = 500;

const $ = (id) => document.getElementById(id);

function ttlText(ms) {
  if (ms === -1) return 'none';
  if (ms === -2) return 'the key does not exist';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.round(ms / 1000)}s`;
}

/** At most SHOWN rows, and a note of how many more there are. */
function capped(items, render) {
  const more = items.length - SHOWN;
  return [render(items.slice(0, SHOWN)), more > 0 ? el('p', { class: 'more' }, `… and ${more} more`) : null];
}

/** A feed value ({type, value}, docs/feeds.md) as a table or text. */
export function renderValue(v) {
  const mono = (s) => el('span', { class: 'mono' }, String(s));
  switch (v.type) {
    case 'string':
      return el('pre', {}, String(v.value));
    case 'hash':
      return capped(Object.entries(v.value), (rows) => table(['field', 'value'], rows.map(([f, x]) => [mono(f), mono(x)])));
    case 'list':
      return capped(v.value, (rows) => table([{ v: 'index', num: true }, 'element'], rows.map((x, i) => [{ v: String(i), num: true }, mono(x)])));
    case 'set':
      return capped([...v.value].sort(), (rows) => table(['member'], rows.map((x) => [mono(x)])));
    case 'zset':
      return capped(v.value, (rows) => table(['member', { v: 'score', num: true }], rows.map(([m, s]) => [mono(m), { v: String(s), num: true }])));
    case 'stream':
      return capped(v.value, (rows) => table(['id', 'fields'], rows.map((e) => [mono(e.id), el('span', { class: 'mono' }, Object.entries(e.fields).map(([f, x]) => `${f}=${x}`).join('  '))])));
    default:
      return el('pre', {}, JSON.stringify(v.value, null, 2));
  }
}

export class KeyBrowser {
  constructor(db) {
    this.db = db;
    this.cursor = '0';
    this.pattern = '*';
    this.listed = new Set();
    this.key = null;
    this.watch = null;
    $('scan-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.scan(true);
    });
    $('scan-more').addEventListener('click', () => void this.scan(false));
  }

  error(id, message) {
    const e = $(id);
    e.hidden = message === null;
    e.textContent = message ?? '';
  }

  /** Scans on (from the start with `fresh`) until PAGE new keys or the end of the keyspace. */
  async scan(fresh) {
    if (fresh) {
      this.pattern = $('scan-pattern').value || '*';
      this.cursor = '0';
      this.listed.clear();
      fill($('key-list'));
    }
    this.error('scan-error', null);
    const found = [];
    try {
      let rounds = 0;
      do {
        const [next, keys] = await this.db.command('SCAN', this.cursor, 'MATCH', this.pattern, 'COUNT', 1000);
        this.cursor = String(next);
        for (const k of keys) if (!this.listed.has(k)) {
          this.listed.add(k);
          found.push(k);
        }
      } while (this.cursor !== '0' && found.length < PAGE && ++rounds < 50);
    } catch (e) {
      this.error('scan-error', `SCAN: ${e.message}`);
    }
    found.sort();
    $('key-list').append(...found.map((k) => el('li', { 'data-testid': 'key-item', dataset: { key: k }, class: k === this.key ? 'selected' : undefined, onclick: () => void this.select(k) }, k)));
    $('scan-more').hidden = this.cursor === '0';
    $('scan-info').textContent = `${this.listed.size} key${this.listed.size === 1 ? '' : 's'}${this.cursor === '0' ? '' : ' so far'}`;
  }

  /** Shows `key`: its type and TTL now, and its value as its feed delivers it. */
  async select(key) {
    this.watch?.close();
    this.watch = null;
    this.key = key;
    for (const li of $('key-list').children) li.classList.toggle('selected', li.dataset.key === key);
    $('key-detail').hidden = false;
    $('key-name').textContent = key;
    $('key-type').textContent = '…';
    $('key-ttl').textContent = '…';
    $('key-live').textContent = '';
    fill($('key-value'));
    this.error('key-error', null);
    try {
      // TYPE first: a key the user may not read is refused here (NOPERM), before a watch would retry it forever
      $('key-type').textContent = await this.db.command('TYPE', key);
    } catch (e) {
      if (this.key === key) {
        $('key-type').textContent = '–';
        $('key-ttl').textContent = '–';
        this.error('key-error', e.message);
      }
      return;
    }
    if (this.key !== key) return;
    await this.tick();
    this.watch = this.db.watch(
      { keys: [key] },
      (values) => {
        if (this.key !== key) return;
        const v = values.get(key);
        $('key-type').textContent = v === undefined ? 'none' : v.type;
        fill($('key-value'), v === undefined ? el('p', { class: 'muted' }, '(the key does not exist)') : renderValue(v));
        $('key-value').dataset.updated = String(Date.now());
      },
      {
        maxBackoffMs: 2000,
        onStatus: (live) => {
          if (this.key !== key) return;
          $('key-live').textContent = live ? 'live' : 'reconnecting…';
          $('key-live').className = `status ${live ? 'ok' : 'bad'}`;
        },
      },
    );
  }

  /** Every second: the picked key's TTL now. */
  async tick() {
    const key = this.key;
    if (key === null) return;
    try {
      const ms = await this.db.command('PTTL', key);
      if (this.key === key) $('key-ttl').textContent = ttlText(Number(ms));
    } catch (e) {
      if (this.key === key) $('key-ttl').textContent = `? (${e.message})`;
    }
  }
}
