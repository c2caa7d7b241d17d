// `/admin/attendance?event=ID` (reviewers and managers, as it names people): who joined through
// their personal link on each of the event's days (in its zone), from `GET …/attendance`, and
// each registrant's joins; confirmed registrants who never joined are the "absent" of the stats.
'use strict';

(() => {
  const { t, el, bdi } = Plenary;
  const K = 'admin.attendance';

  Console.start({
    page: 'attendance',
    event: true,
    async render({ event, eventId, main, may }) {
      main.append(el('h1', { text: t(`${K}.heading`) }));
      if (!may('registrations')) {
        main.append(el('p', { class: 'panel', id: 'no-role', text: t(`${K}.noRole`) }));
        return;
      }
      const { body } = await Console.api('GET', `/v1/admin/events/${encodeURIComponent(eventId)}/attendance`);
      const zone = body.timezone || event.timezone;
      const when = (iso) => (iso ? el('time', { datetime: iso, text: Console.when(iso, zone) }) : '—');
      const name = (r) => [r.given_name, r.family_name].filter(Boolean).join(' ');
      main.append(
        el('p', { class: 'hint', text: t(`${K}.lead`, { zone: Console.zoneName(zone, event.starts_at) }) }),
        Console.tableBox({
          caption: t(`${K}.daysCaption`),
          columns: [{ label: t(`${K}.day`), render: (d) => Plenary.formatDay(d.date) }, { label: t(`${K}.attended`), key: 'attended' }],
          rows: body.days,
        }),
        Console.tableBox({
          caption: t(`${K}.peopleCaption`),
          columns: [
            { label: t('admin.registrations.col.name'), render: (r) => bdi(name(r) || r.registration_id) },
            { label: t('admin.registrations.col.email'), render: (r) => (r.email ? bdi(r.email) : '—') },
            { label: t('admin.registrations.col.status'), render: (r) => t(`status.${r.status}`) },
            { label: t(`${K}.joins`), key: 'joins' },
            { label: t(`${K}.first`), render: (r) => when(r.first_join_at) },
            { label: t(`${K}.last`), render: (r) => when(r.last_join_at) },
            { label: t(`${K}.days`), render: (r) => r.days.map((d) => Plenary.formatDay(d)).join(', ') || '—' },
          ],
          rows: body.registrants,
          empty: t(`${K}.none`),
        }));
    },
  });
})();
