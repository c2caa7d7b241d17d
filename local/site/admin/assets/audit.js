// `/admin/audit?event=ID`: the event's audit log, newest first, for managers (the API refuses it
// to other roles, so they get a sentence instead of a table).
'use strict';

(() => {
  const { t, el } = Plenary;

  Console.start({
    page: 'audit',
    event: true,
    async render({ event, eventId, may, main }) {
      main.append(el('h1', { text: t('admin.audit.heading') }));
      if (!may('manage')) {
        main.append(el('p', { id: 'audit-forbidden', class: 'problem', text: t('admin.audit.forbidden') }));
        return;
      }
      main.append(el('p', { class: 'lead', text: t('admin.audit.lead') }));
      main.append(await AuditLog.show({
        path: `/v1/admin/events/${encodeURIComponent(eventId)}/audit`,
        zone: event.timezone,
        caption: t('admin.audit.caption', { title: event.title }),
        id: 'audit-log',
      }));
    },
  });
})();
