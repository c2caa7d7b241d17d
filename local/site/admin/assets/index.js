// `/admin/`: the organiser's events, each with the pages its role may use; administrators create or copy one.

const { t, el } = Plenary;
const C = Console;
const T = C.texts('admin.events');

C.start({
  page: 'index',
  async render({ me, main }) {
    const admin = me.administrator;
    main.append(el('h1', { text: T('heading') }), admin ? el('p', { class: 'actions' },
      el('a', { class: 'button', id: 'create-event', href: '/admin/event?new=1', text: T('create') })) : null);
    const { events } = await C.api('GET', '/v1/admin/events');
    events.sort((a, b) => String(b.starts_at).localeCompare(String(a.starts_at)));
    const role = (e) => (admin ? 'administrator' : e.role);
    main.append(C.tableBox({
      caption: T('caption', { count: events.length }),
      empty: admin ? T('noneAdmin') : T('none'),
      rows: events,
      columns: [
        { label: T('event'), render: (e) => el('span', {}, el('bdi', { text: e.title }), el('br'), el('code', { class: 'muted', text: e.id })) },
        { label: T('dates'), render: (e) => el('span', {},
          C.when(e.starts_at, e.timezone), ' – ', C.when(e.ends_at, e.timezone), el('br'),
          el('bdi', { class: 'muted', text: C.zoneName(e.timezone, e.starts_at) })) },
        { label: T('role'), render: (e) => t(`admin.role.${role(e)}`) },
        { label: T('visibility'), render: (e) => t(`admin.visibility.${e.visibility || 'public'}`) },
        { label: T('published'), render: (e) => (e.published_version ? T('version', { version: e.published_version }) : T('unpublished')) },
        { label: T('registrations'), render: ({ registrations: r }) => (r
          ? T('counts', { confirmed: r.confirmed ?? 0, waitlisted: r.waitlisted ?? 0, pending: r.pending ?? 0 }) : '') },
        { label: T('pages'), render: (e) => el('ul', { class: 'links', 'aria-label': T('pagesOf', { title: e.title }) },
          C.pagesFor(role(e), e.id).map(([name, href]) => el('li', {}, el('a', { href, text: t(`admin.shell.nav.${name}`) }))),
          admin ? el('li', {}, el('a', { href: `/admin/event?copy=${encodeURIComponent(e.id)}`, class: 'copy', text: T('copy') })) : null) },
      ],
    }));
  },
});
