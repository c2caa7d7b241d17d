// The registrations page: the event's registrations, a page at a time through `next_cursor`,
// filtered by status on the server and searched in the browser over the rows loaded so far (the
// API has no search); approve, reject and revoke a join link; the CSV of everyone.
'use strict';

(() => {
  const { t, el } = Plenary;
  const C = Console;
  const T = C.texts('admin.registrations');
  const STATUSES = ['pending_confirmation', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled'];
  const SIZES = [10, 50, 200];

  // What the page holds between renders (a language switch renders again from it).
  const state = { status: '', size: 50, search: '', rows: [], cursor: null, loaded: false };
  let ctx;

  C.start({ page: 'registrations', event: true, render });

  const problemText = (e) => C.problemText(e, 'admin.registrations');

  function name(r) {
    if (r.given_name === null && r.family_name === null) return null;
    return [r.given_name, r.family_name].filter(Boolean).join(' ');
  }

  function path(suffix = '') {
    return `registrations${suffix}`;
  }

  async function render(c) {
    ctx = c;
    const old = ctx.main.querySelector('#desk');
    const root = el('div', { id: 'desk' });
    if (old) old.replaceWith(root); else ctx.main.append(root);
    root.append(el('h1', { text: T('heading') }));
    if (!ctx.may('registrations')) {
      root.append(el('p', { class: 'panel refusal', id: 'no-role', text: T('noRole') }));
      return;
    }
    // One live region for the count, kept across redraws so each change is read out.
    root.append(controls(), el('p', { id: 'reg-count', role: 'status' }), el('div', { id: 'reg-results' }));
    if (!state.loaded) await load(true); else draw();
  }

  function controls() {
    const csv = C.button(T('csv'), async () => {
      csv.disabled = true;
      try {
        await C.download(path('.csv'), `${ctx.eventId}-registrations.csv`);
        C.notice(T('csvDone'));
      } catch (e) {
        C.notice(problemText(e), 'error');
      } finally {
        csv.disabled = false;
      }
    }, { id: 'reg-csv' });

    const form = el('form', { class: 'desk-filters', role: 'search', 'aria-label': T('filters') },
      C.field('status', T('status'), 'select', {
        id: 'reg-status', options: [['', T('allStatuses')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], value: state.status }),
      C.field('q', T('search'), 'input', { id: 'reg-search', type: 'search', hint: T('searchHint'), value: state.search, autocomplete: 'off', dir: null }),
      C.field('limit', T('pageSize'), 'select', { id: 'reg-size', options: SIZES.map((n) => [String(n), String(n)]), value: String(state.size) }));
    form.addEventListener('submit', (ev) => ev.preventDefault());
    form.addEventListener('change', (ev) => {
      if (ev.target.name === 'q') return;
      state.status = form.elements.status.value;
      state.size = Number(form.elements.limit.value);
      load(true);
    });
    form.elements.q.addEventListener('input', () => { state.search = form.elements.q.value; draw(); });
    return el('div', {}, form, el('div', { class: 'actions' }, csv));
  }

  /** Loads the first page (`fresh`) or the next one, then draws. */
  async function load(fresh) {
    const results = ctx.main.querySelector('#reg-results');
    if (fresh) {
      ctx.main.querySelector('#reg-count').textContent = '';
      state.rows = [];
      state.cursor = null;
      state.loaded = false;
      results.replaceChildren(el('p', { class: 'muted', id: 'reg-loading', role: 'status', text: T('loading') }));
    }
    const q = new URLSearchParams({ limit: String(state.size) });
    if (state.status) q.set('status', state.status);
    if (!fresh && state.cursor) q.set('cursor', state.cursor);
    try {
      const body = await C.api('GET', `${path()}?${q}`);
      state.rows.push(...body.registrations);
      state.cursor = body.next_cursor || null;
      state.loaded = true;
      draw();
      return true;
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      const retry = C.button(T('retry'), () => load(fresh));
      const box = el('div', { class: 'panel', id: 'reg-error', role: 'alert' },
        el('p', { text: T('loadFailed', { problem: problemText(e) }) }), retry);
      if (fresh) results.replaceChildren(box); else results.append(box);
      return false;
    }
  }

  function matches(r) {
    const needle = state.search.trim().toLocaleLowerCase();
    if (!needle) return true;
    return [r.given_name, r.family_name, name(r), r.email, r.organisation, r.id, C.displayName('region', r.country), r.country]
      .some((v) => v && String(v).toLocaleLowerCase().includes(needle));
  }

  function draw() {
    const results = ctx.main.querySelector('#reg-results');
    if (!results) return;
    const shown = state.rows.filter(matches);
    ctx.main.querySelector('#reg-count').textContent = state.search.trim()
      ? T('countSearched', { shown: shown.length, loaded: state.rows.length })
      : T('count', { loaded: state.rows.length });
    const parts = [];
    if (!state.rows.length) {
      parts.push(el('p', { class: 'panel', id: 'reg-empty', text: T(state.status ? 'emptyStatus' : 'empty') }));
    } else if (!shown.length) {
      parts.push(el('p', { class: 'panel', id: 'reg-empty', text: T('noMatch') }));
    } else {
      parts.push(table(shown));
    }
    if (state.cursor) {
      const more = C.button(T('more'), async () => {
        more.disabled = true;
        const before = state.rows.length;
        if (await load(false)) {
          // Keyboard users continue where the new rows begin.
          const first = ctx.main.querySelectorAll('#reg-table tbody tr')[before];
          const target = first ? first.querySelector('th') : ctx.main.querySelector('#reg-count');
          if (target) { target.tabIndex = -1; target.focus(); }
        } else {
          more.disabled = false;
        }
      }, { id: 'reg-more' });
      parts.push(el('div', { class: 'actions' }, more));
    } else if (state.rows.length) {
      parts.push(el('p', { class: 'muted', id: 'reg-end', text: T('end') }));
    }
    results.replaceChildren(...parts);
  }

  const COLUMNS = ['name', 'email', 'organisation', 'country', 'category', 'language', 'participation', 'answers', 'status', 'registered', 'actions'];

  /** The columns this event has: the mode only for a hybrid one, the answers only with questions. */
  function columns() {
    return COLUMNS.filter((c) => (c !== 'participation' || ctx.event.format === 'hybrid')
      && (c !== 'answers' || (ctx.event.questions || []).length));
  }

  /** Each answer as "question: answer", labels in the reader's language (English standing in). */
  function answers(r) {
    const label = C.labelText;
    const items = (ctx.event.questions || []).filter((q) => r.answers && q.id in r.answers).map((q) => {
      const a = r.answers[q.id];
      const option = (id) => label(((q.options || []).find((o) => o.id === id) || {}).label) || id;
      const text = typeof a === 'boolean' ? t(`admin.questions.${a ? 'yes' : 'no'}`)
        : Array.isArray(a) ? a.map(option).join(', ') : q.kind === 'choice' ? option(a) : a;
      return el('li', {}, el('span', { class: 'muted', text: `${label(q.label) || q.id}: ` }), Plenary.bdi(String(text)));
    });
    return items.length ? el('ul', { class: 'answers' }, items) : '—';
  }

  function table(rows) {
    return el('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'reg-caption' },
      el('table', { id: 'reg-table', class: 'console-table' },
        el('caption', { id: 'reg-caption', text: T('caption', { title: ctx.event.title }) }),
        el('thead', {}, el('tr', {}, columns().map((c) => el('th', { scope: 'col', text: T(`col.${c}`) })))),
        el('tbody', {}, rows.map(row))));
  }

  function row(r) {
    const who = name(r);
    const status = el('td', { 'data-col': 'status' }, el('span', { class: `badge status-${r.status}`, text: t(`status.${r.status}`) }));
    if (r.status === 'waitlisted' && r.waitlist_position) {
      status.append(' ', el('span', { class: 'place', text: T('place', { position: r.waitlist_position }) }));
    }
    const zone = ctx.event.timezone;
    const cells = {
      participation: () => (r.participation ? t(`form.participation.${r.participation}`) : '—'),
      answers: () => answers(r),
    };
    return el('tr', { 'data-id': r.id },
      el('th', { scope: 'row', 'data-col': 'name' }, who ? Plenary.bdi(who) : el('span', { class: 'muted', text: T('erased') })),
      el('td', { 'data-col': 'email' }, r.email ? Plenary.bdi(r.email) : '—'),
      el('td', { 'data-col': 'organisation' }, r.organisation ? Plenary.bdi(r.organisation) : '—'),
      el('td', { 'data-col': 'country' }, C.displayName('region', r.country)),
      el('td', { 'data-col': 'category', text: t(`category.${r.category}`) }),
      el('td', { 'data-col': 'language', lang: r.language, text: C.languageName(r.language, r.language) }),
      columns().filter((c) => c in cells).map((c) => el('td', { 'data-col': c }, cells[c]())),
      status,
      el('td', { 'data-col': 'registered' }, el('time', { datetime: r.created_at, text: C.when(r.created_at, zone, { date: true, time: true }) })),
      el('td', { 'data-col': 'actions' }, actions(r, who)));
  }

  function actions(r, who) {
    const list = [];
    const label = (key) => T(`${key}Who`, { name: who || r.id });
    // Only approval events hold registrations awaiting approval; one left from before the event
    // stopped asking for approval can still be decided.
    if (r.status === 'pending_approval') {
      list.push(button('approve', label('approve'), r, who, false));
      list.push(button('reject', label('reject'), r, who, true));
    }
    if (r.status === 'confirmed') list.push(button('revoke', label('revoke'), r, who, true));
    return list.length ? el('div', { class: 'row-actions' }, list) : '';
  }

  const ROUTE = { approve: 'approve', reject: 'reject', revoke: 'revoke-join' };

  function button(action, accessible, r, who, danger) {
    const b = el('button', { type: 'button', class: danger ? 'secondary small' : 'small', 'data-action': action,
      'aria-label': accessible, text: T(`${action}`) });
    b.addEventListener('click', async () => {
      const vars = { name: who || r.id, email: r.email || '' };
      const ok = await C.confirm({
        title: T(`confirm.${action}.title`, vars),
        body: T(`confirm.${action}.body`, vars),
        confirm: T(`confirm.${action}.button`),
        danger,
      });
      if (!ok) return;
      b.disabled = true;
      try {
        const body = await C.api('POST', path(`/${encodeURIComponent(r.id)}/${ROUTE[action]}`));
        const i = state.rows.findIndex((x) => x.id === r.id);
        if (i >= 0) state.rows[i] = body;
        const tr = ctx.main.querySelector(`tr[data-id="${CSS.escape(r.id)}"]`);
        if (tr) {
          const fresh = row(body);
          tr.replaceWith(fresh);
          // The clicked button is gone; focus stays on the row it acted on.
          const th = fresh.querySelector('th');
          th.tabIndex = -1;
          th.focus();
        }
        C.notice(T(`done.${action}`, vars));
      } catch (e) {
        if (!(e instanceof C.ApiError)) throw e;
        b.disabled = false;
        C.notice(problemText(e), 'error');
      }
    });
    return b;
  }
})();
