// `/admin/organisers`: for administrators, the installation's people (add, make or stop being an
// administrator, remove from everything after a confirmation) and the installation's audit log.
'use strict';

(() => {
  const { t, el } = Plenary;
  const zone = Plenary.visitorZone();

  function addForm(reload) {
    const form = el('form', { id: 'add-organiser', novalidate: true, 'aria-labelledby': 'add-organiser-h' },
      el('h2', { id: 'add-organiser-h', text: t('admin.organisers.addHeading') }),
      el('div', { class: 'grid-2' },
        el('div', { class: 'field' },
          el('label', { for: 'organiser-email', text: t('admin.organisers.email') }),
          el('input', { id: 'organiser-email', name: 'email', type: 'email', required: true, 'aria-required': 'true', autocomplete: 'off' })),
        el('div', { class: 'field' },
          el('label', { for: 'organiser-name', text: t('admin.organisers.name') }),
          el('input', { id: 'organiser-name', name: 'name', type: 'text', required: true, 'aria-required': 'true', autocomplete: 'off' }))),
      el('div', { class: 'field check' },
        el('input', { id: 'organiser-admin', name: 'administrator', type: 'checkbox' }),
        el('label', { for: 'organiser-admin', text: t('admin.organisers.makeAdmin') })),
      el('button', { type: 'submit', id: 'add-organiser-submit', text: t('admin.organisers.add') }));
    Console.onSubmit(form, async () => {
      const email = form.elements.email.value.trim();
      const body = { name: form.elements.name.value.trim(), administrator: form.elements.administrator.checked };
      const missing = [];
      if (!email) missing.push({ field: 'email', message: t('admin.organisers.emailRequired') });
      if (!body.name) missing.push({ field: 'name', message: t('admin.organisers.nameRequired') });
      if (missing.length) throw new Console.ApiError(400, { errors: missing });
      await Console.api('PUT', `/v1/admin/organisers/${encodeURIComponent(email)}`, body);
      form.reset();
      await reload();
      Console.notice(t('admin.organisers.added', { email }));
    });
    return form;
  }

  Console.start({
    page: 'organisers',
    async render({ me, main }) {
      main.append(el('h1', { text: t('admin.organisers.heading') }));
      if (!me.administrator) {
        main.append(el('p', { id: 'organisers-forbidden', class: 'problem', text: t('admin.organisers.forbidden') }));
        return;
      }
      const list = el('div', { id: 'organiser-list' });
      const logSlot = el('div', { id: 'installation-log-slot' });

      // The installation's log, drawn again after each change here so it shows that change too.
      async function reloadLog() {
        logSlot.replaceChildren(await AuditLog.show({
          path: '/v1/admin/audit', zone, caption: t('admin.organisers.auditCaption'), id: 'installation-log',
        }));
      }

      async function reload() {
        const { organisers } = (await Console.api('GET', '/v1/admin/organisers')).body;
        organisers.sort((a, b) => a.email.localeCompare(b.email));
        list.replaceChildren(Console.tableBox({
          caption: t('admin.organisers.caption', { count: organisers.length }),
          empty: t('admin.organisers.none'),
          columns: [
            { label: t('admin.organisers.person'), render: (o) => el('span', {}, el('bdi', { text: o.name || '' }), el('br'), el('bdi', { class: 'email', text: o.email })) },
            { label: t('admin.organisers.administrator'), render: (o) => (o.administrator ? t('admin.organisers.yes') : t('admin.organisers.no')) },
            { label: t('admin.organisers.since'), render: (o) => Console.when(o.created_at, zone) },
            { label: t('admin.organisers.actions'), render: actions },
          ],
          rows: organisers,
        }));
        if (logSlot.isConnected) await reloadLog();
      }

      function actions(o) {
        const self = o.email === me.email;
        const toggle = el('button', {
          type: 'button', class: 'secondary small', 'data-action': o.administrator ? 'demote' : 'promote',
          text: o.administrator ? t('admin.organisers.demote') : t('admin.organisers.promote'),
        });
        toggle.setAttribute('aria-label', t(o.administrator ? 'admin.organisers.demoteOf' : 'admin.organisers.promoteOf', { email: o.email }));
        toggle.addEventListener('click', async () => {
          toggle.disabled = true;
          try {
            await Console.api('PUT', `/v1/admin/organisers/${encodeURIComponent(o.email)}`, { name: o.name, administrator: !o.administrator });
            await reload();
            Console.notice(t(o.administrator ? 'admin.organisers.demoted' : 'admin.organisers.promoted', { email: o.email }));
          } catch (e) {
            toggle.disabled = false;
            Console.notice(Console.problemText(e), 'error');
          }
        });
        const remove = Console.deleteButton({
          action: 'remove', text: t('admin.organisers.remove'), label: t('admin.organisers.removeOf', { email: o.email }),
          title: t('admin.organisers.removeTitle', { email: o.email }),
          body: self ? t('admin.organisers.removeSelf') : t('admin.organisers.removeText'),
          path: `/v1/admin/organisers/${encodeURIComponent(o.email)}`, after: reload, done: t('admin.organisers.removed', { email: o.email }),
        });
        return el('span', { class: 'inline-control' }, toggle, ' ', remove);
      }

      main.append(list, addForm(reload));
      await reload();
      main.append(el('h2', { id: 'installation-audit', text: t('admin.organisers.auditHeading') }),
        el('p', { class: 'lead', text: t('admin.organisers.auditLead') }), logSlot);
      await reloadLog();
    },
  });
})();
