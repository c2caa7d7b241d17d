// The audit log paged by the API's cursor (global `AuditLog`), for an event's or the installation's.
'use strict';

const AuditLog = (() => {
  const { el } = Plenary;
  const C = Console;
  const T = C.texts('admin.audit');

  const columns = (zone) => Object.entries({
    when: (e) => el('time', { datetime: e.at, text: C.when(e.at, zone) }),
    actor: ({ actor: a }) => el('span', {}, a?.email ? el('bdi', { text: a.email }) : T('deployment'), el('br'),
      el('span', { class: 'muted', text: T(`via.${a?.via || 'session'}`) })),
    action: (e) => el('code', { text: e.action }),
    target: (e) => el('code', { class: 'target', text: e.target }),
    summary: (e) => e.summary,
  }).map(([k, render]) => ({ label: T(`col.${k}`), render }));

  /** Resolves to `#id` once the first page of `path` is in. */
  async function show({ path, zone, caption, id }) {
    const cols = columns(zone);
    let cursor = null;
    const more = C.button(T('more'), async () => {
      more.disabled = true;
      try {
        const entries = await load();
        // Rows drawn by C.table move into the shown table.
        const rows = entries.length ? [...C.table({ columns: cols, rows: entries }).tBodies[0].rows] : [];
        box.querySelector('tbody').append(...rows);
        C.notice(T('loaded', { count: rows.length }));
        // A keyboard reader carries on where the list grew.
        const first = rows[0]?.cells[0];
        if (first) { first.tabIndex = -1; first.focus(); } else if (!more.hidden) more.focus();
      } catch (e) {
        C.notice(C.problemText(e), 'error');
      } finally {
        more.disabled = false;
      }
    }, { 'data-action': 'more', hidden: true });

    async function load() {
      const q = new URLSearchParams({ limit: 25 });
      if (cursor) q.set('cursor', cursor);
      const page = await C.api('GET', `${path}?${q}`);
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      return page.entries;
    }

    const box = el('div', { class: 'audit-log', id },
      C.tableBox({ caption, columns: cols, rows: await load(), empty: T('none') }),
      el('p', { class: 'hint', text: T('zone', { zone: C.zoneName(zone) }) }),
      more);
    return box;
  }

  return { show };
})();
