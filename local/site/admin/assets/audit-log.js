// The audit log as a table paged through the API's cursor (global `AuditLog`), shared by the
// event's audit page and the installation's log on the organisers page.
'use strict';

const AuditLog = (() => {
  const { el } = Plenary;
  const C = Console;
  const T = C.texts('admin.audit');
  const PAGE = 25;

  function actor(a) {
    const who = a && a.email ? el('bdi', { text: a.email }) : T('deployment');
    return el('span', {}, who, el('br'), el('span', { class: 'muted', text: T(`via.${(a && a.via) || 'session'}`) }));
  }

  function rowOf(entry, zone) {
    return el('tr', {},
      el('th', { scope: 'row' }, el('time', { datetime: entry.at, text: C.when(entry.at, zone) })),
      el('td', {}, actor(entry.actor)),
      el('td', {}, el('code', { text: entry.action })),
      el('td', {}, el('code', { class: 'target', text: entry.target })),
      el('td', {}, entry.summary || ''));
  }

  /**
   * The log of `path` (newest first) as a table with a "more" button while the API gives a
   * cursor. Times in `zone`. Resolves to the element once the first page is in.
   */
  async function show({ path, zone, caption, id }) {
    const body = el('tbody');
    const table = el('table', { class: 'console-table audit-table', id },
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, ['when', 'actor', 'action', 'target', 'summary']
        .map((k) => el('th', { scope: 'col', text: T(`col.${k}`) })))),
      body);
    const more = el('button', { type: 'button', class: 'secondary', 'data-action': 'more', text: T('more'), hidden: true });
    const box = el('div', { class: 'audit-log' },
      el('div', { class: 'table-box', role: 'region', tabindex: '0', 'aria-label': caption }, table),
      el('p', { class: 'hint', text: T('zone', { zone: C.zoneName(zone) }) }),
      more);
    let cursor = null;

    async function load() {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (cursor) q.set('cursor', cursor);
      const page = await C.api('GET', `${path}?${q}`);
      const rows = page.entries.map((e) => rowOf(e, zone));
      if (!cursor && !rows.length) {
        body.append(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: T('none') })));
      }
      body.append(...rows);
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      return rows;
    }

    more.addEventListener('click', async () => {
      more.disabled = true;
      try {
        const rows = await load();
        C.notice(T('loaded', { count: rows.length }));
        // Focus the first new entry so a keyboard reader carries on where the list grew.
        const first = rows[0] && rows[0].querySelector('th');
        if (first) { first.tabIndex = -1; first.focus(); } else if (!more.hidden) more.focus();
      } catch (e) {
        C.notice(C.problemText(e), 'error');
      } finally {
        more.disabled = false;
      }
    });
    await load();
    return box;
  }

  return { show };
})();
