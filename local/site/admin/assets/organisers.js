// `/admin/organisers`: for administrators, the installation's people and its audit log.

const { el } = Plenary;
const C = Console;
const T = C.texts('admin.organisers');
const zone = C.ownZone();
const personPath = (email) => `/v1/admin/organisers/${encodeURIComponent(email)}`;

function addForm(reload) {
  const input = (name, label) => C.field(name, label, 'input',
    { id: `organiser-${name}`, type: name === 'email' ? 'email' : 'text', required: true, autocomplete: 'off' });
  const form = el('form', { id: 'add-organiser', novalidate: true, 'aria-labelledby': 'add-organiser-h' },
    el('h2', { id: 'add-organiser-h', text: T('addHeading') }),
    el('div', { class: 'grid-2' }, input('email', T('email')), input('name', T('name'))),
    C.checkbox('administrator', T('makeAdmin'), false, 'organiser-admin'),
    el('button', { type: 'submit', id: 'add-organiser-submit', text: T('add') }));
  C.onSubmit(form, async ({ elements: f }) => {
    const [email, name] = [f.email.value.trim(), f.name.value.trim()];
    const missing = [];
    if (!email) missing.push({ field: 'email', message: T('emailRequired') });
    if (!name) missing.push({ field: 'name', message: T('nameRequired') });
    if (missing.length) throw new C.ApiError(400, { errors: missing });
    await C.api('PUT', personPath(email), { name, administrator: f.administrator.checked });
    form.reset();
    await reload();
    C.notice(T('added', { email }));
  });
  return form;
}

C.start({
  page: 'organisers',
  async render({ me, main }) {
    main.append(el('h1', { text: T('heading') }));
    if (!me.administrator) {
      main.append(el('p', { id: 'organisers-forbidden', class: 'problem', text: T('forbidden') }));
      return;
    }
    const list = el('div', { id: 'organiser-list' });
    const log = el('div');

    async function reload() {
      const { organisers } = await C.api('GET', '/v1/admin/organisers');
      organisers.sort((a, b) => a.email.localeCompare(b.email));
      list.replaceChildren(C.tableBox({
        caption: T('caption', { count: organisers.length }),
        empty: T('none'),
        rows: organisers,
        columns: [
          { label: T('person'), render: (o) => el('span', {}, el('bdi', { text: o.name || '' }), el('br'), el('bdi', { class: 'email', text: o.email })) },
          { label: T('administrator'), render: (o) => (o.administrator ? T('yes') : T('no')) },
          { label: T('since'), render: (o) => C.when(o.created_at, zone) },
          { label: T('actions'), render: actions },
        ],
      }));
      // Redrawn so it shows the change just made.
      log.replaceChildren(await AuditLog.show({ path: '/v1/admin/audit', zone, caption: T('auditCaption'), id: 'installation-log' }));
    }

    function actions({ email, name, administrator }) {
      const [change, changed, label] = administrator ? ['demote', 'demoted', 'demoteOf'] : ['promote', 'promoted', 'promoteOf'];
      const toggle = C.button(T(change), async () => {
        toggle.disabled = true;
        try {
          await C.api('PUT', personPath(email), { name, administrator: !administrator });
          await reload();
          C.notice(T(changed, { email }));
        } catch (e) {
          toggle.disabled = false;
          C.notice(C.problemText(e), 'error');
        }
      }, { class: 'secondary small', 'data-action': change, 'aria-label': T(label, { email }) });
      return el('span', { class: 'inline-control' }, toggle, ' ', C.deleteButton({
        action: 'remove', text: T('remove'), label: T('removeOf', { email }),
        title: T('removeTitle', { email }), body: email === me.email ? T('removeSelf') : T('removeText'),
        path: personPath(email), after: reload, done: T('removed', { email }),
      }));
    }

    main.append(list, addForm(reload), el('h2', { id: 'installation-audit', text: T('auditHeading') }),
      el('p', { class: 'lead', text: T('auditLead') }), log);
    await reload();
  },
});
