// SVG charts of `[name, value, key]` rows (global `Charts`; a library would outweigh the console).
// Every value is written out, so nothing depends on colour.
'use strict';

const Charts = (() => {
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children.flat().filter((c) => c !== null));
    return node;
  }

  const text = (x, y, anchor, cls, content) => svg('text', { x, y, 'text-anchor': anchor, class: cls }, String(content));
  const pct = (n) => `${Math.round(n * 1000) / 10}%`;
  const rtl = () => document.documentElement.dir === 'rtl';
  const maxOf = (rows) => Math.max(1, ...rows.map((r) => r[1]));

  // Read by its label; the table beside it holds the detail.
  const frame = (label, height, children) =>
    svg('svg', { class: 'chart', role: 'img', 'aria-label': label, width: '100%', height }, svg('title', {}, label), children);

  /** Each name on its own line above its bar, so none is cut. */
  function bars(label, rows) {
    const max = maxOf(rows);
    const mirror = rtl();
    return frame(label, rows.length * 42, rows.map(([name, value], i) => {
      const y = i * 42;
      const width = (value / max) * 0.85;
      return svg('g', { class: 'bar-row' },
        text(mirror ? '100%' : '0', y + 14, 'start', 'chart-label', name),
        svg('rect', { x: pct(mirror ? 1 - width : 0), y: y + 20, width: pct(width), height: 14, class: 'chart-bar', rx: 2 }),
        text(pct(mirror ? 0.99 - width : width + 0.01), y + 32, 'start', 'chart-value', value));
    }));
  }

  /** Columns over consecutive days (the key), a date every few. */
  function columns(label, rows) {
    const [top, base] = [24, 184];
    const n = rows.length;
    const max = maxOf(rows);
    const every = Math.ceil(n / 7);
    // Thin even for two days, so a short series is not a block.
    const bar = Math.min(0.7 / n, 0.08);
    const mirror = rtl();
    const day = Plenary.formatter(Intl.DateTimeFormat, { timeZone: 'UTC', day: 'numeric', month: 'short' });
    return frame(label, 220, [svg('line', { x1: '0', x2: '100%', y1: base, y2: base, class: 'chart-axis' }),
      ...rows.map(([name, value, date], i) => {
        const h = ((base - top) * value) / max;
        const x = mirror ? 1 - (i + 0.5) / n : (i + 0.5) / n;
        return svg('g', { class: 'column' },
          svg('rect', { x: pct(x - bar / 2), y: base - h, width: pct(bar), height: Math.max(h, value ? 1 : 0), class: 'chart-bar' },
            svg('title', {}, `${name}: ${value}`)),
          n <= 31 && value ? text(pct(x), base - h - 5, 'middle', 'chart-value', value) : null,
          i % every === 0 ? text(pct(x), base + 18, 'middle', 'chart-label', day.format(new Date(`${date}T12:00:00Z`))) : null);
      })]);
  }

  /** `byDay`'s first to last day (YYYY-MM-DD keys), the missing ones as 0. */
  function everyDay(byDay) {
    const days = Object.keys(byDay || {}).sort();
    if (!days.length) return [];
    const out = [];
    const end = new Date(`${days.at(-1)}T00:00:00Z`);
    for (const d = new Date(`${days[0]}T00:00:00Z`); d <= end; d.setUTCDate(d.getUTCDate() + 1)) {
      const key = d.toISOString().slice(0, 10);
      out.push([Plenary.formatDay(key), byDay[key] || 0, key]);
    }
    return out;
  }

  return { bars, columns, everyDay };
})();
