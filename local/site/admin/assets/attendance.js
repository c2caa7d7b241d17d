// `/admin/attendance?event=ID`: joins through personal links per day (in the event's zone) and
// per registrant. It names people, so it needs the registrations duty.

const { t, el, bdi } = Plenary;
const C = Console;
const T = C.texts('admin.attendance');
const COL = C.texts('admin.registrations.col');

C.start({
  page: 'attendance',
  event: true,
  async render({ event, main, may }) {
    main.append(el('h1', { text: T('heading') }));
    if (!may('registrations')) {
      main.append(el('p', { class: 'panel', id: 'no-role', text: T('noRole') }));
      return;
    }
    const body = await C.api('GET', 'attendance');
    const zone = body.timezone || event.timezone;
    const when = (iso) => (iso ? el('time', { datetime: iso, text: C.when(iso, zone) }) : '—');
    main.append(
      el('p', { class: 'hint', text: T('lead', { zone: C.zoneName(zone, event.starts_at) }) }),
      C.tableBox({
        caption: T('daysCaption'),
        columns: [{ label: T('day'), render: (d) => Plenary.formatDay(d.date) }, { label: T('attended'), key: 'attended' }],
        rows: body.days,
      }),
      C.tableBox({
        caption: T('peopleCaption'),
        columns: [
          { label: COL('name'), render: (r) => bdi(C.personName(r) || r.registration_id) },
          { label: COL('email'), render: (r) => (r.email ? bdi(r.email) : '—') },
          { label: COL('status'), render: (r) => t(`status.${r.status}`) },
          { label: T('joins'), key: 'joins' },
          { label: T('first'), render: (r) => when(r.first_join_at) },
          { label: T('last'), render: (r) => when(r.last_join_at) },
          { label: T('days'), render: (r) => r.days.map(Plenary.formatDay).join(', ') || '—' },
        ],
        rows: body.registrants,
        empty: T('none'),
      }));
  },
});
