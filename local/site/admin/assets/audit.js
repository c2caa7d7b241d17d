// `/admin/audit?event=ID`: the event's audit log; the API refuses it to all but managers.

const { el } = Plenary;
const T = Console.texts('admin.audit');

Console.start({
  page: 'audit',
  event: true,
  async render({ event, may, main }) {
    main.append(el('h1', { text: T('heading') }));
    if (!may('manage')) {
      main.append(el('p', { id: 'audit-forbidden', class: 'problem', text: T('forbidden') }));
      return;
    }
    main.append(el('p', { class: 'lead', text: T('lead') }), await AuditLog.show({
      path: 'audit', zone: event.timezone, caption: T('caption', { title: event.title }), id: 'audit-log',
    }));
  },
});
