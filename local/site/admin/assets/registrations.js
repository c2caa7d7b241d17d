// The registrations, paged by `next_cursor` and filtered by status on the server; the search runs
// in the browser over the rows loaded so far, as the API has none.

const { t, el, bdi } = Plenary;
const C = Console;
const T = C.texts('admin.registrations');
const STATUSES = ['pending_confirmation', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled'];
// Not tied to `approval_required`: one left pending after the event stopped asking can still be decided.
const ACTIONS = { pending_approval: ['approve', 'reject'], confirmed: ['revoke'] };
const problemText = (e) => C.problemText(e, 'admin.registrations');
const orDash = (text) => (text ? bdi(text) : '—');
const focus = (node) => { if (node) { node.tabIndex = -1; node.focus(); } };
const $ = (selector) => ctx.main.querySelector(selector);

// Kept across renders: a language switch renders again from it.
const state = { status: '', limit: '50', q: '', rows: [], cursor: null, loaded: false };
let ctx;

C.start({
  page: 'registrations',
  event: true,
  async render(c) {
    ctx = c;
    ctx.main.append(el('h1', { text: T('heading') }));
    if (!ctx.may('registrations')) {
      ctx.main.append(el('p', { class: 'panel refusal', id: 'no-role', text: T('noRole') }));
      return;
    }
    // One live region, kept across draws, so each new count is read out.
    ctx.main.append(controls(), el('p', { id: 'reg-count', role: 'status' }), el('div', { id: 'reg-results' }));
    if (state.loaded) draw(); else await load(true);
  },
});

function controls() {
  const csv = C.button(T('csv'), async () => {
    csv.disabled = true;
    try {
      await C.download('registrations.csv', `${ctx.eventId}-registrations.csv`);
      C.notice(T('csvDone'));
    } catch (e) {
      C.notice(problemText(e), 'error');
    }
    csv.disabled = false;
  }, { id: 'reg-csv' });
  const form = el('form', { class: 'desk-filters', role: 'search', 'aria-label': T('filters') },
    C.field('status', T('status'), 'select', {
      id: 'reg-status', options: [['', T('allStatuses')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], value: state.status }),
    C.field('q', T('search'), 'input', { id: 'reg-search', type: 'search', hint: T('searchHint'), value: state.q, autocomplete: 'off', dir: null }),
    C.field('limit', T('pageSize'), 'select', { id: 'reg-size', options: ['10', '50', '200'].map((n) => [n, n]), value: state.limit }));
  form.addEventListener('submit', (ev) => ev.preventDefault());
  // Only the search keeps the loaded rows.
  form.addEventListener('input', ({ target }) => {
    state[target.name] = target.value;
    if (target.name === 'q') draw(); else load(true);
  });
  return el('div', {}, form, el('div', { class: 'actions' }, csv));
}

/** The first page when `fresh`, else the next; false when it failed. */
async function load(fresh) {
  const results = $('#reg-results');
  if (fresh) {
    $('#reg-count').textContent = '';
    Object.assign(state, { rows: [], cursor: null, loaded: false });
    results.replaceChildren(el('p', { class: 'muted', id: 'reg-loading', role: 'status', text: T('loading') }));
  }
  const q = new URLSearchParams({ limit: state.limit });
  if (state.status) q.set('status', state.status);
  if (!fresh && state.cursor) q.set('cursor', state.cursor);
  try {
    const { registrations, next_cursor: cursor } = await C.api('GET', `registrations?${q}`);
    state.rows.push(...registrations);
    Object.assign(state, { cursor, loaded: true });
    draw();
    return true;
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    const box = el('div', { class: 'panel', id: 'reg-error', role: 'alert' },
      el('p', { text: T('loadFailed', { problem: problemText(e) }) }), C.button(T('retry'), () => load(fresh)));
    if (fresh) results.replaceChildren(box); else results.append(box);
    return false;
  }
}

function draw() {
  const results = $('#reg-results');
  if (!results) return;
  const needle = state.q.trim().toLocaleLowerCase();
  const shown = state.rows.filter((r) => !needle
    || [C.personName(r), r.email, r.organisation, r.id, C.displayName('region', r.country), r.country]
      .some((v) => v && String(v).toLocaleLowerCase().includes(needle)));
  $('#reg-count').textContent = needle
    ? T('countSearched', { shown: shown.length, loaded: state.rows.length })
    : T('count', { loaded: state.rows.length });
  const empty = state.rows.length ? !shown.length && T('noMatch') : T(state.status ? 'emptyStatus' : 'empty');
  results.replaceChildren(...[
    empty ? el('p', { class: 'panel', id: 'reg-empty', text: empty }) : table(shown),
    state.cursor ? el('div', { class: 'actions' }, more()) : state.rows.length && el('p', { class: 'muted', id: 'reg-end', text: T('end') }),
  ].filter(Boolean));
}

function more() {
  return C.button(T('more'), async (b) => {
    b.disabled = true;
    const before = state.rows.length;
    if (!(await load(false))) { b.disabled = false; return; }
    // Keyboard users continue where the new rows begin.
    focus(ctx.main.querySelectorAll('#reg-table tbody th')[before] || $('#reg-count'));
  }, { id: 'reg-more' });
}

/** Cells in table order; `who` is the registrant's full name. */
const COLUMNS = {
  name: (r, who) => (who ? bdi(who) : el('span', { class: 'muted', text: T('erased') })),
  email: (r) => orDash(r.email),
  organisation: (r) => orDash(r.organisation),
  country: (r) => C.displayName('region', r.country),
  category: (r) => t(`category.${r.category}`),
  language: (r) => el('span', { lang: r.language, text: C.languageName(r.language, r.language) }),
  participation: (r) => (r.participation ? t(`form.participation.${r.participation}`) : '—'),
  answers,
  status: (r) => [el('span', { class: `badge status-${r.status}`, text: t(`status.${r.status}`) }),
    ...(r.status === 'waitlisted' && r.waitlist_position ? [' ', el('span', { class: 'place', text: T('place', { position: r.waitlist_position }) })] : [])],
  registered: (r) => el('time', { datetime: r.created_at, text: C.when(r.created_at, ctx.event.timezone) }),
  actions: (r, who) => (ACTIONS[r.status]
    ? el('div', { class: 'row-actions' }, ACTIONS[r.status].map((action) => actionButton(action, r, who))) : ''),
};

const columns = () => Object.keys(COLUMNS).filter((c) => (c !== 'participation' || ctx.event.format === 'hybrid')
  && (c !== 'answers' || (ctx.event.questions || []).length));

function answers(r) {
  const label = C.labelText;
  const items = (ctx.event.questions || []).filter((q) => q.id in (r.answers || {})).map((q) => {
    const a = r.answers[q.id];
    const option = (id) => label(q.options?.find((o) => o.id === id)?.label) || id;
    // A text answer matches no option, so it stands as typed.
    const text = typeof a === 'boolean' ? t(`admin.questions.${a ? 'yes' : 'no'}`) : [a].flat().map(option).join(', ');
    return el('li', {}, el('span', { class: 'muted', text: `${label(q.label) || q.id}: ` }), bdi(String(text)));
  });
  return items.length ? el('ul', { class: 'answers' }, items) : '—';
}

function table(rows) {
  const cols = columns();
  return el('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'reg-caption' },
    el('table', { id: 'reg-table', class: 'console-table' },
      el('caption', { id: 'reg-caption', text: T('caption', { title: ctx.event.title }) }),
      el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col', text: T(`col.${c}`) })))),
      el('tbody', {}, rows.map((r) => row(r, cols)))));
}

function row(r, cols = columns()) {
  const who = C.personName(r);
  return el('tr', { 'data-id': r.id }, cols.map((c, i) =>
    el(i ? 'td' : 'th', { scope: i ? null : 'row', 'data-col': c }, COLUMNS[c](r, who))));
}

function actionButton(action, r, who) {
  const vars = { name: who || r.id, email: r.email || '' };
  const danger = action !== 'approve';
  return C.button(T(action), async (b) => {
    const text = (part) => T(`confirm.${action}.${part}`, vars);
    if (!(await C.confirm({ title: text('title'), body: text('body'), confirm: text('button'), danger }))) return;
    b.disabled = true;
    try {
      const fresh = await C.api('POST', `registrations/${encodeURIComponent(r.id)}/${action === 'revoke' ? 'revoke-join' : action}`);
      state.rows = state.rows.map((x) => (x.id === r.id ? fresh : x));
      const tr = $(`tr[data-id="${CSS.escape(r.id)}"]`);
      if (tr) {
        const next = row(fresh);
        tr.replaceWith(next);
        // The clicked button is gone, so the focus goes to its row.
        focus(next.firstChild);
      }
      C.notice(T(`done.${action}`, vars));
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      b.disabled = false;
      C.notice(problemText(e), 'error');
    }
  }, { class: danger ? 'secondary small' : 'small', 'data-action': action, 'aria-label': T(`${action}Who`, vars) });
}
