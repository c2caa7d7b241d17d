// `/admin/dashboard?event=ID`: the event's stats (`GET …/stats`) as charts, each with a table of
// the same numbers: registrations per day (in the event's zone, as the API counts them), by
// status, category, top countries and language, and the event's mail.
'use strict';

(() => {
  const { t, el } = Plenary;
  const C = Console;
  const T = C.texts('admin.dashboard');
  const TOP_COUNTRIES = 10;
  // A registration's life, in order, rather than the API's alphabetical keys.
  const STATUSES = ['pending_confirmation', 'pending_approval', 'confirmed', 'waitlisted', 'rejected', 'cancelled'];

  const label = {
    status: (k) => (Plenary.has(`status.${k}`) ? t(`status.${k}`) : k),
    category: (k) => (Plenary.has(`category.${k}`) ? t(`category.${k}`) : k),
    country: (k) => C.displayName('region', k),
    language: (k) => C.languageName(k),
  };

  function day(date) {
    return new Intl.DateTimeFormat(Plenary.locale(), { timeZone: 'UTC', day: 'numeric', month: 'short' })
      .format(new Date(`${date}T12:00:00Z`));
  }

  /** One figure: a heading, the chart and its table (the chart's text alternative). */
  function figure(id, title, chart, rows, [keyLabel, valueLabel]) {
    return el('section', { class: 'chart-card', id, 'aria-labelledby': `${id}-h` },
      el('h2', { id: `${id}-h`, text: title }),
      chart,
      el('details', { class: 'chart-table' },
        el('summary', { text: T('asTable') }),
        C.tableBox({
          caption: title,
          // data-key holds the API's own key, so a test can compare the table with the stats.
          columns: [{ label: keyLabel, render: (r) => el('span', { 'data-key': r[2] ?? r[0], text: r[0] }) },
            { label: valueLabel, render: (r) => String(r[1]) }],
          rows,
          empty: T('none'),
        })));
  }

  function counted(map, name, { order, limit } = {}) {
    let rows = Object.entries(map || {});
    if (order) rows.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
    else rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (limit) rows = rows.slice(0, limit);
    return rows.map(([k, v]) => [label[name] ? label[name](k) : k, v, k]);
  }

  function barFigure(id, title, rows, keyLabel) {
    const chart = rows.length ? Charts.bars(title, rows) : el('p', { class: 'muted', text: T('none') });
    return figure(id, title, chart, rows, [keyLabel, T('count')]);
  }

  C.start({
    page: 'dashboard',
    event: true,
    async render({ event, eventId, main }) {
      main.append(el('h1', { text: T('heading') }));
      const stats = await C.api('GET', 'stats');
      const zone = event.timezone;
      const s = stats.by_status || {};
      const facts = [
        ['total', stats.total],
        ['confirmed', s.confirmed || 0],
        ['waitlisted', s.waitlisted || 0],
        ['seats', stats.capacity ? T('seatsOf', { taken: stats.seats_taken, capacity: stats.capacity }) : String(stats.seats_taken)],
      ];
      main.append(el('dl', { class: 'facts', id: 'dashboard-facts' },
        facts.map(([k, v]) => el('div', {}, el('dt', { text: T(`fact.${k}`) }), el('dd', { 'data-fact': k, text: String(v) })))));
      if (!stats.total) main.append(el('p', { class: 'muted', id: 'dashboard-empty', text: T('empty') }));

      const days = Charts.everyDay(stats.registrations_by_day);
      const dayTitle = T('byDay', { zone: C.zoneName(zone, event.starts_at) });
      const dayChart = days.length
        ? Charts.columns(dayTitle, days, day)
        : el('p', { class: 'muted', text: T('none') });
      main.append(el('div', { class: 'charts' },
        figure('chart-days', dayTitle, dayChart, days.map(([d, v]) => [Plenary.formatDay(d), v, d]),
          [T('day'), T('registrations')]),
        barFigure('chart-status', T('byStatus'), counted(s, 'status', { order: STATUSES }), T('status')),
        barFigure('chart-category', T('byCategory'), counted(stats.by_category, 'category'), T('category')),
        barFigure('chart-country', T('byCountry', { count: TOP_COUNTRIES }),
          counted(stats.by_country, 'country', { limit: TOP_COUNTRIES }), T('country')),
        barFigure('chart-language', T('byLanguage'), counted(stats.by_language, 'language'), T('language')),
        barFigure('chart-mail', T('mail'),
          ['queued', 'sent', 'failed', 'suppressed'].map((k) => [T(`mail.${k}`), (stats.emails || {})[k] || 0, k]),
          T('mailState')),
        stats.attendance ? barFigure('chart-attendance', T('attendance'),
          ['attended', 'absent'].map((k) => [T(`attendance.${k}`), stats.attendance[k] || 0, k]), T('attendanceState')) : null,
        event.format === 'hybrid' ? barFigure('chart-participation', T('byParticipation'),
          ['in_person', 'remote'].map((k) => [t(`form.participation.${k}`), (stats.by_participation || {})[k] || 0, k]), T('participation')) : null,
        // Each choice and yes/no question's answers, labelled as the registrants read them.
        (event.questions || []).filter((q) => stats.answers && stats.answers[q.id]).map((q) => {
          const option = (k) => (q.kind === 'boolean' ? t(`admin.questions.${k === 'true' ? 'yes' : 'no'}`)
            : C.labelText(((q.options || []).find((o) => o.id === k) || {}).label) || k);
          const rows = Object.entries(stats.answers[q.id]).map(([k, v]) => [option(k), v, k]);
          return barFigure(`chart-answers-${q.id}`, C.labelText(q.label) || q.id, rows, T('answer'));
        })));
      if (stats.lapsed_unconfirmed) {
        main.append(el('p', { class: 'muted', text: T('lapsed', { count: stats.lapsed_unconfirmed }) }));
      }
    },
  });
})();
