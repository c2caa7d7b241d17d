// Plain SVG bar charts for the dashboard (global `Charts`; a library would outweigh the console).
// Every value is written beside its bar, so nothing depends on colour; a table holds the same numbers.
'use strict';

const Charts = (() => {
  const NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, v);
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  const pct = (n) => `${Math.round(n * 1000) / 10}%`;

  // The SVG is read by its label (role="img"); the table next to it is the accessible detail.
  function frame(label, height, children) {
    return svg('svg', {
      class: 'chart', role: 'img', 'aria-label': label, width: '100%', height: String(height),
    }, svg('title', {}, label), children);
  }

  /**
   * Horizontal bars, one per `[label, value]`: the label on its own line (never cut), the bar and
   * its value under it. Positions are percentages: from 360 px to a desktop only the bars stretch.
   */
  function bars(label, rows) {
    const row = 42;
    const max = Math.max(1, ...rows.map(([, v]) => v));
    const rtl = document.documentElement.dir === 'rtl';
    const items = rows.map(([name, value], i) => {
      const y = i * row;
      const width = (value / max) * 0.85;
      return svg('g', { class: 'bar-row' },
        svg('text', { x: rtl ? '100%' : '0', y: y + 14, 'text-anchor': 'start', class: 'chart-label' }, String(name)),
        svg('rect', { x: pct(rtl ? 1 - width : 0), y: y + 20, width: pct(width), height: 14, class: 'chart-bar', rx: 2 }),
        svg('text', { x: pct(rtl ? 1 - width - 0.01 : width + 0.01), y: y + 32, 'text-anchor': 'start', class: 'chart-value' }, String(value)));
    });
    return frame(label, Math.max(row, rows.length * row), items);
  }

  /** Vertical bars over consecutive days (`[date, value]`): values above them where there is room, a date every few bars. */
  function columns(label, rows, dayLabel) {
    const height = 220;
    const top = 24;
    const base = height - 36;
    const n = Math.max(1, rows.length);
    const max = Math.max(1, ...rows.map(([, v]) => v));
    const every = Math.ceil(n / 7);
    const slot = 1 / n;
    // Thin bars even for two days, so a short series does not look like a block.
    const bar = Math.min(slot * 0.7, 0.08);
    const showValues = n <= 31;
    const rtl = document.documentElement.dir === 'rtl';
    const items = rows.map(([date, value], i) => {
      const h = ((base - top) * value) / max;
      const centre = rtl ? 1 - (i + 0.5) * slot : (i + 0.5) * slot;
      return svg('g', { class: 'column' },
        svg('rect', {
          x: pct(centre - bar / 2), y: base - h, width: pct(bar), height: Math.max(h, value ? 1 : 0), class: 'chart-bar',
        }, svg('title', {}, `${dayLabel(date)}: ${value}`)),
        showValues && value ? svg('text', { x: pct(centre), y: base - h - 5, 'text-anchor': 'middle', class: 'chart-value' }, String(value)) : null,
        i % every === 0 ? svg('text', { x: pct(centre), y: base + 18, 'text-anchor': 'middle', class: 'chart-label' }, dayLabel(date)) : null);
    });
    return frame(label, height, [svg('line', { x1: '0', x2: '100%', y1: base, y2: base, class: 'chart-axis' }), ...items]);
  }

  /** Every day from the first to the last key of `byDay` (YYYY-MM-DD), the missing ones as 0. */
  function everyDay(byDay) {
    const days = Object.keys(byDay || {}).sort();
    if (!days.length) return [];
    const out = [];
    const end = new Date(`${days[days.length - 1]}T00:00:00Z`);
    for (let d = new Date(`${days[0]}T00:00:00Z`); d <= end; d.setUTCDate(d.getUTCDate() + 1)) {
      const key = d.toISOString().slice(0, 10);
      out.push([key, byDay[key] || 0]);
    }
    return out;
  }

  return { bars, columns, everyDay };
})();
