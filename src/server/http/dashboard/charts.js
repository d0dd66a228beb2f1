/**
 * Time-series line charts on a canvas, no library: each series is a list of
 * [time ms, value | null] samples (null leaves a gap), drawn over the last
 * `windowMs` with a y axis from 0 to a rounded maximum, grid lines, labels
 * in the chart's units and a legend.
 */

const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2'];

/** A "nice" upper bound for the axis: 1, 2 or 5 times a power of ten, at least `v`. */
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export class LineChart {
  /** `format(v)` writes an axis value; `windowMs` is how much time the x axis spans. */
  constructor(canvas, { format = String, windowMs = 5 * 60_000, max = null } = {}) {
    this.canvas = canvas;
    this.format = format;
    this.windowMs = windowMs;
    this.fixedMax = max;
  }

  /** Draws `series` ([{label, points: [[t, v]…]}]) ending at time `now`; sets data-points to how many points were drawn. */
  draw(series, now) {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = '11px system-ui, sans-serif';
    const from = now - this.windowMs;
    let top = 0;
    for (const s of series) for (const [t, v] of s.points) if (t >= from && v !== null && v > top) top = v;
    const max = this.fixedMax ?? niceMax(top);
    const labels = [0, max / 2, max].map((v) => this.format(v));
    const left = Math.max(...labels.map((l) => g.measureText(l).width)) + 8;
    const legend = series.length > 1 ? 16 : 0;
    const plot = { x: left, y: 6 + legend, w: Math.max(10, w - left - 6), h: Math.max(10, h - 22 - legend) };
    const x = (t) => plot.x + ((t - from) / this.windowMs) * plot.w;
    const y = (v) => plot.y + plot.h - (v / max) * plot.h;
    // grid and labels
    g.strokeStyle = '#e2e5ea';
    g.fillStyle = '#6b7385';
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    [0, max / 2, max].forEach((v, i) => {
      g.beginPath();
      g.moveTo(plot.x, Math.round(y(v)) + 0.5);
      g.lineTo(plot.x + plot.w, Math.round(y(v)) + 0.5);
      g.stroke();
      g.fillText(labels[i], plot.x - 4, y(v));
    });
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (let m = 0; m * 60_000 <= this.windowMs; m++) {
      // the edge labels stay inside the plot
      g.textAlign = m === 0 ? 'right' : (m + 1) * 60_000 > this.windowMs ? 'left' : 'center';
      g.fillText(m === 0 ? 'now' : `-${m}m`, x(now - m * 60_000), plot.y + plot.h + 4);
    }
    // the lines
    let drawn = 0;
    series.forEach((s, i) => {
      const color = s.color ?? COLORS[i % COLORS.length];
      g.strokeStyle = color;
      g.lineWidth = 1.6;
      g.beginPath();
      let pen = false;
      for (const [t, v] of s.points) {
        if (t < from || v === null) {
          pen = false;
          continue;
        }
        if (pen) g.lineTo(x(t), y(Math.min(v, max)));
        else g.moveTo(x(t), y(Math.min(v, max)));
        pen = true;
        drawn++;
      }
      g.stroke();
      // a point with no neighbour draws no line: a dot instead
      g.fillStyle = color;
      s.points.forEach(([t, v], j) => {
        const gap = (k) => k < 0 || k >= s.points.length || s.points[k][1] === null || s.points[k][0] < from;
        if (t >= from && v !== null && gap(j - 1) && gap(j + 1)) g.fillRect(x(t) - 1.5, y(Math.min(v, max)) - 1.5, 3, 3);
      });
    });
    // the legend
    if (legend > 0) {
      g.textAlign = 'left';
      g.textBaseline = 'top';
      let lx = plot.x;
      series.forEach((s, i) => {
        g.fillStyle = s.color ?? COLORS[i % COLORS.length];
        g.fillRect(lx, 3, 10, 10);
        g.fillStyle = '#1d2330';
        g.fillText(s.label, lx + 14, 2);
        lx += g.measureText(s.label).width + 28;
      });
    }
    c.dataset.points = String(drawn);
  }
}
