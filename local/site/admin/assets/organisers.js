// `/admin/organisers`: for administrators, the installation's people (add, make or stop being an
// administrator, remove from everything after a confirmation) and the installation's audit log.
'use strict';

(() => {
  const { t, el } = Plenary;
  const C = Console;
  const T = C.texts('admin.organisers');
  const zone = Plenary.visitorZone();

  function addForm(reload) {
    const form = el('form', { id: 'add-organiser', novalidate: true, 'aria-labelledby': 'add-organiser-h' },
      el('h2', { id: 'add-organiser-h', text: T('addHeading') }),
      el('div', { class: 'grid-2' },
        C.field('email', T('email'), 'input', { id: 'organiser-email', type: 'email', required: true, 'aria-required': 'true', autocomplete: 'off' }),
        C.field('name', T('name'), 'input', { id: 'organiser-name', required: true, 'aria-required': 'true', autocomplete: 'off' })),
      C.checkbox('administrator', T('makeAdmin'), false, 'organiser-admin'),
      el('button', { type: 'submit', id: 'add-organiser-submit', text: T('add') }));
    C.onSubmit(form, async () => {
      const email = form.elements.email.value.trim();
      const body = { name: form.elements.name.value.trim(), administrator: form.elements.administrator.checked };
      const missing = [];
      if (!email) missing.push({ field: 'email', message: T('emailRequired') });
      if (!body.name) missing.push({ field: 'name', message: T('nameRequired') });
      if (missing.length) throw new C.ApiError(400, { errors: missing });
      await C.api('PUT', `/v1/admin/organisers/${encodeURIComponent(email)}`, body);
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
      const logSlot = el('div', { id: 'installation-log-slot' });

      // The installation's log, drawn again after each change here so it shows that change too.
      async function reloadLog() {
        logSlot.replaceChildren(await AuditLog.show({
          path: '/v1/admin/audit', zone, caption: T('auditCaption'), id: 'installation-log',
        }));
      }

      async function reload() {
        const { organisers } = await C.api('GET', '/v1/admin/organisers');
        organisers.sort((a, b) => a.email.localeCompare(b.email));
        list.replaceChildren(C.tableBox({
          caption: T('caption', { count: organisers.length }),
          empty: T('none'),
          columns: [
            { label: T('person'), render: (o) => el('span', {}, el('bdi', { text: o.name || '' }), el('br'), el('bdi', { class: 'email', text: o.email })) },
            { label: T('administrator'), render: (o) => (o.administrator ? T('yes') : T('no')) },
            { label: T('since'), render: (o) => C.when(o.created_at, zone) },
            { label: T('actions'), render: actions },
          ],
          rows: organisers,
        }));
        if (logSlot.isConnected) await reloadLog();
      }

      function actions(o) {
        const self = o.email === me.email;
        const toggle = el('button', {
          type: 'button', class: 'secondary small', 'data-action': o.administrator ? 'demote' : 'promote',
          text: o.administrator ? T('demote') : T('promote'),
        });
        toggle.setAttribute('aria-label', T(o.administrator ? 'demoteOf' : 'promoteOf', { email: o.email }));
        toggle.addEventListener('click', async () => {
          toggle.disabled = true;
          try {
            await C.api('PUT', `/v1/admin/organisers/${encodeURIComponent(o.email)}`, { name: o.name, administrator: !o.administrator });
            await reload();
            C.notice(T(o.administrator ? 'demoted' : 'promoted', { email: o.email }));
          } catch (e) {
            toggle.disabled = false;
            C.notice(C.problemText(e), 'error');
          }
        });
        const remove = C.deleteButton({
          action: 'remove', text: T('remove'), label: T('removeOf', { email: o.email }),
          title: T('removeTitle', { email: o.email }),
          body: self ? T('removeSelf') : T('removeText'),
          path: `/v1/admin/organisers/${encodeURIComponent(o.email)}`, after: reload, done: T('removed', { email: o.email }),
        });
        return el('span', { class: 'inline-control' }, toggle, ' ', remove);
      }

      main.append(list, addForm(reload));
      await reload();
      main.append(el('h2', { id: 'installation-audit', text: T('auditHeading') }),
        el('p', { class: 'lead', text: T('auditLead') }), logSlot);
      await reloadLog();
    },
  });
})();
