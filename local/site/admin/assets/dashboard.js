// `/admin/dashboard?event=ID`: the event's stats as charts, each with its table; days in the event's zone.

const { t, el } = Plenary;
const C = Console;
const T = C.texts('admin.dashboard');
const TOP_COUNTRIES = 10;
// A registration's life order, not the API's alphabetical one.
const STATUSES = ['pending_confirmation', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled'];
const known = (prefix) => (k) => (Plenary.has(`${prefix}.${k}`) ? t(`${prefix}.${k}`) : k);

/** `rows` are `[name, value, key]`; the table is the chart's text alternative. */
function figure(id, title, rows, keyLabel, { chart = Charts.bars, valueLabel = T('count') } = {}) {
  return el('section', { class: 'chart-card', id, 'aria-labelledby': `${id}-h` },
    el('h2', { id: `${id}-h`, text: title }),
    rows.length ? chart(title, rows) : el('p', { class: 'muted', text: T('none') }),
    el('details', { class: 'chart-table' },
      el('summary', { text: T('asTable') }),
      C.tableBox({
        caption: title,
        // data-key: the API's own key, for the tests.
        columns: [{ label: keyLabel, render: ([name, , key]) => el('span', { 'data-key': key, text: name }) },
          { label: valueLabel, render: (r) => String(r[1]) }],
        rows,
        empty: T('none'),
      })));
}

/** Most first, or in `order`. */
function counted(map, name, { order, limit } = {}) {
  const rows = Object.entries(map || {}).sort(order
    ? (a, b) => order.indexOf(a[0]) - order.indexOf(b[0])
    : (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return rows.slice(0, limit).map(([k, v]) => [name(k), v, k]);
}

/** `keys` in that order, a missing one as 0. */
const each = (keys, map, name) => keys.map((k) => [name(k), (map || {})[k] || 0, k]);

C.start({
  page: 'dashboard',
  event: true,
  async render({ event, main }) {
    const stats = await C.api('GET', 'stats');
    const s = stats.by_status || {};
    const facts = {
      total: stats.total,
      confirmed: s.confirmed || 0,
      waitlisted: s.waitlisted || 0,
      seats: stats.capacity ? T('seatsOf', { taken: stats.seats_taken, capacity: stats.capacity }) : stats.seats_taken,
    };
    const charts = [
      figure('chart-days', T('byDay', { zone: C.zoneName(event.timezone, event.starts_at) }), Charts.everyDay(stats.registrations_by_day),
        T('day'), { chart: Charts.columns, valueLabel: T('registrations') }),
      figure('chart-status', T('byStatus'), counted(s, known('status'), { order: STATUSES }), T('status')),
      figure('chart-category', T('byCategory'), counted(stats.by_category, known('category')), T('category')),
      figure('chart-country', T('byCountry', { count: TOP_COUNTRIES }),
        counted(stats.by_country, (k) => C.displayName('region', k), { limit: TOP_COUNTRIES }), T('country')),
      figure('chart-language', T('byLanguage'), counted(stats.by_language, C.languageName), T('language')),
      figure('chart-mail', T('mail'), each(['queued', 'sent', 'failed', 'suppressed'], stats.emails, (k) => T(`mail.${k}`)), T('mailState')),
      stats.attendance ? figure('chart-attendance', T('attendance'),
        each(['attended', 'absent'], stats.attendance, (k) => T(`attendance.${k}`)), T('attendanceState')) : null,
      event.format === 'hybrid' ? figure('chart-participation', T('byParticipation'),
        each(['in_person', 'remote'], stats.by_participation, (k) => t(`form.participation.${k}`)), T('participation')) : null,
      ...(event.questions || []).filter((q) => stats.answers && stats.answers[q.id]).map((q) => {
        const option = (k) => (q.kind === 'boolean' ? t(`admin.questions.${k === 'true' ? 'yes' : 'no'}`)
          : C.labelText(((q.options || []).find((o) => o.id === k) || {}).label) || k);
        return figure(`chart-answers-${q.id}`, C.labelText(q.label) || q.id,
          Object.entries(stats.answers[q.id]).map(([k, v]) => [option(k), v, k]), T('answer'));
      }),
    ];
    main.append(el('h1', { text: T('heading') }),
      el('dl', { class: 'facts', id: 'dashboard-facts' }, Object.entries(facts).map(([k, v]) =>
        el('div', {}, el('dt', { text: T(`fact.${k}`) }), el('dd', { 'data-fact': k, text: String(v) })))),
      stats.total ? null : el('p', { class: 'muted', id: 'dashboard-empty', text: T('empty') }),
      el('div', { class: 'charts' }, charts),
      stats.lapsed_unconfirmed ? el('p', { class: 'muted', text: T('lapsed', { count: stats.lapsed_unconfirmed }) }) : null);
  },
});
