// `/admin/`: the events the signed-in organiser has a role in, with links to the pages of each
// that the role may use; administrators create an event or start one from a copy.
'use strict';

(() => {
  const { t, el } = Plenary;

  function counts(r) {
    if (!r) return '';
    return t('admin.events.counts', { confirmed: r.confirmed ?? 0, waitlisted: r.waitlisted ?? 0, pending: r.pending ?? 0 });
  }

  Console.start({
    page: 'index',
    async render({ me, main }) {
      const admin = me.administrator;
      main.append(el('h1', { text: t('admin.events.heading') }));
      if (admin) {
        main.append(el('p', { class: 'actions' },
          el('a', { class: 'button', id: 'create-event', href: '/admin/event?new=1', text: t('admin.events.create') })));
      }
      const { events } = (await Console.api('GET', '/v1/admin/events')).body;
      events.sort((a, b) => String(b.starts_at).localeCompare(String(a.starts_at)));
      const role = (e) => (admin ? 'administrator' : e.role);
      main.append(Console.tableBox({
        caption: t('admin.events.caption', { count: events.length }),
        empty: admin ? t('admin.events.noneAdmin') : t('admin.events.none'),
        columns: [
          { label: t('admin.events.event'), render: (e) => el('span', {}, el('bdi', { text: e.title }), el('br'), el('code', { class: 'muted', text: e.id })) },
          { label: t('admin.events.dates'), render: (e) => el('span', {},
            Console.when(e.starts_at, e.timezone), ' – ', Console.when(e.ends_at, e.timezone), el('br'),
            el('span', { class: 'muted' }, el('bdi', { text: Console.zoneName(e.timezone, e.starts_at) }))) },
          { label: t('admin.events.role'), render: (e) => t(`admin.role.${role(e)}`) },
          { label: t('admin.events.visibility'), render: (e) => t(`admin.visibility.${e.visibility || 'public'}`) },
          { label: t('admin.events.published'), render: (e) => (e.published_version ? t('admin.events.version', { version: e.published_version }) : t('admin.events.unpublished')) },
          { label: t('admin.events.registrations'), render: (e) => counts(e.registrations) },
          { label: t('admin.events.pages'), render: (e) => el('ul', { class: 'links', 'aria-label': t('admin.events.pagesOf', { title: e.title }) },
            Console.pagesFor(role(e), e.id).map(([name, href]) => el('li', {}, el('a', { href, text: t(`admin.shell.nav.${name}`) }))),
            admin ? el('li', {}, el('a', { href: `/admin/event?copy=${encodeURIComponent(e.id)}`, class: 'copy', text: t('admin.events.copy') })) : null) },
        ],
        rows: events,
      }));
    },
  });
})();
