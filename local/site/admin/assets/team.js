// `/admin/team?event=ID`: the event's team. Every role reads it; managers (and administrators)
// add a member by email with a role, change a role and remove a member (after a confirmation).
'use strict';

(() => {
  const { t, el } = Plenary;
  const ROLES = ['manager', 'editor', 'reviewer', 'viewer'];

  function roleSelect(id, value, name = 'role') {
    const select = el('select', { id, name });
    for (const r of ROLES) select.append(new Option(t(`admin.role.${r}`), r, r === value, r === value));
    return select;
  }

  function addForm(eventId, reload) {
    const form = el('form', { id: 'add-member', novalidate: true, 'aria-labelledby': 'add-member-h' },
      el('h2', { id: 'add-member-h', text: t('admin.team.addHeading') }),
      el('div', { class: 'grid-2' },
        el('div', { class: 'field' },
          el('label', { for: 'member-email', text: t('admin.team.email') }),
          el('input', { id: 'member-email', name: 'email', type: 'email', autocomplete: 'off', required: true, 'aria-required': 'true' })),
        el('div', { class: 'field' },
          el('label', { for: 'member-name', text: t('admin.team.nameOptional') }),
          el('input', { id: 'member-name', name: 'name', type: 'text', autocomplete: 'off' })),
        el('div', { class: 'field' },
          el('label', { for: 'member-role', text: t('admin.team.role') }),
          roleSelect('member-role', 'viewer'))),
      el('p', { class: 'hint', text: t('admin.team.addHint') }),
      el('button', { type: 'submit', id: 'add-member-submit', text: t('admin.team.add') }));
    Console.onSubmit(form, async () => {
      const email = form.elements.email.value.trim();
      if (!email) {
        throw new Console.ApiError(400, { errors: [{ field: 'email', message: t('admin.team.emailRequired') }] });
      }
      const body = { role: form.elements.role.value };
      const name = form.elements.name.value.trim();
      if (name) body.name = name;
      await Console.api('PUT', `/v1/admin/events/${encodeURIComponent(eventId)}/team/${encodeURIComponent(email)}`, body);
      form.reset();
      await reload();
      Console.notice(t('admin.team.added', { email, role: t(`admin.role.${body.role}`) }));
    });
    return form;
  }

  Console.start({
    page: 'team',
    event: true,
    async render({ event, eventId, may, me, main }) {
      const manage = may('manage');
      const base = `/v1/admin/events/${encodeURIComponent(eventId)}/team`;
      main.append(el('h1', { text: t('admin.team.heading') }));
      if (!manage) main.append(el('p', { class: 'muted', id: 'team-read-only', text: t('admin.team.readOnly') }));
      const slot = el('div', { id: 'team-list' });
      main.append(slot);

      async function reload() {
        const { members } = (await Console.api('GET', base)).body;
        members.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.email.localeCompare(b.email));
        const columns = [
          { label: t('admin.team.member'), render: (m) => el('span', {}, m.name ? el('bdi', { text: m.name }) : null, m.name ? el('br') : null, el('bdi', { class: 'email', text: m.email })) },
          { label: t('admin.team.role'), render: (m) => (manage ? roleCell(m) : t(`admin.role.${m.role}`)) },
          { label: t('admin.team.addedAt'), render: (m) => Console.when(m.added_at, event.timezone) },
          { label: t('admin.team.addedBy'), render: (m) => m.added_by || t('admin.team.deployment') },
        ];
        if (manage) columns.push({ label: t('admin.team.actions'), render: removeButton });
        slot.replaceChildren(Console.tableBox({
          caption: t('admin.team.caption', { count: members.length }), columns, rows: members, empty: t('admin.team.none'),
        }));
      }

      function roleCell(m) {
        const id = `role-${m.email.replace(/[^\w-]/g, '-')}`;
        const select = roleSelect(id, m.role);
        select.setAttribute('aria-label', t('admin.team.roleOf', { email: m.email }));
        const save = el('button', { type: 'button', class: 'secondary small', 'data-action': 'change-role', text: t('admin.team.change') });
        save.setAttribute('aria-label', t('admin.team.changeOf', { email: m.email }));
        save.addEventListener('click', async () => {
          const role = select.value;
          if (role === m.role) return;
          save.disabled = true;
          try {
            await Console.api('PUT', `${base}/${encodeURIComponent(m.email)}`, { role });
            await reload();
            Console.notice(t('admin.team.changed', { email: m.email, role: t(`admin.role.${role}`) }));
            const again = document.getElementById(id);
            if (again) again.focus();
          } catch (e) {
            save.disabled = false;
            Console.notice(Console.problemText(e), 'error');
          }
        });
        return el('span', { class: 'inline-control' }, select, ' ', save);
      }

      function removeButton(m) {
        return Console.deleteButton({
          action: 'remove', text: t('admin.team.remove'), label: t('admin.team.removeOf', { email: m.email }),
          title: t('admin.team.removeTitle', { email: m.email }),
          body: m.email === me.email ? t('admin.team.removeSelf') : t('admin.team.removeText'),
          path: `${base}/${encodeURIComponent(m.email)}`, after: reload, done: t('admin.team.removed', { email: m.email }),
        });
      }

      await reload();
      if (manage) main.append(addForm(eventId, reload));
    },
  });
})();
