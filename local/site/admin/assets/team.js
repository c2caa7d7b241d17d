// `/admin/team?event=ID`: every role reads the team; managers add, re-role and remove members.

const { t, el } = Plenary;
const C = Console;
const T = C.texts('admin.team');
const ROLES = ['manager', 'editor', 'reviewer', 'viewer'];
const roleName = (role) => t(`admin.role.${role}`);
const roles = () => ROLES.map((r) => [r, roleName(r)]);
const memberPath = (email) => `team/${encodeURIComponent(email)}`;

function addForm(reload) {
  const form = el('form', { id: 'add-member', novalidate: true, 'aria-labelledby': 'add-member-h' },
    el('h2', { id: 'add-member-h', text: T('addHeading') }),
    el('div', { class: 'grid-2' },
      C.field('email', T('email'), 'input', { id: 'member-email', type: 'email', autocomplete: 'off', required: true }),
      C.field('name', T('nameOptional'), 'input', { id: 'member-name', autocomplete: 'off' }),
      C.field('role', T('role'), 'select', { id: 'member-role', options: roles(), value: 'viewer' })),
    el('p', { class: 'hint', text: T('addHint') }),
    el('button', { type: 'submit', id: 'add-member-submit', text: T('add') }));
  C.onSubmit(form, async ({ elements: f }) => {
    const email = f.email.value.trim();
    if (!email) throw new C.ApiError(400, { errors: [{ field: 'email', message: T('emailRequired') }] });
    const role = f.role.value;
    await C.api('PUT', memberPath(email), { role, name: f.name.value.trim() || undefined });
    form.reset();
    await reload();
    C.notice(T('added', { email, role: roleName(role) }));
  });
  return form;
}

C.start({
  page: 'team',
  event: true,
  async render({ event, may, me, main }) {
    const manage = may('manage');
    const list = el('div', { id: 'team-list' });
    main.append(el('h1', { text: T('heading') }),
      manage ? null : el('p', { class: 'muted', id: 'team-read-only', text: T('readOnly') }),
      list);

    async function reload() {
      const { members } = await C.api('GET', 'team');
      members.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.email.localeCompare(b.email));
      list.replaceChildren(C.tableBox({
        caption: T('caption', { count: members.length }),
        empty: T('none'),
        rows: members,
        columns: [
          { label: T('member'), render: (m) => el('span', {}, m.name ? [el('bdi', { text: m.name }), el('br')] : null, el('bdi', { class: 'email', text: m.email })) },
          { label: T('role'), render: (m) => (manage ? roleCell(m) : roleName(m.role)) },
          { label: T('addedAt'), render: (m) => C.when(m.added_at, event.timezone) },
          { label: T('addedBy'), render: (m) => m.added_by || T('deployment') },
          manage ? { label: T('actions'), render: ({ email }) => C.deleteButton({
            action: 'remove', text: T('remove'), label: T('removeOf', { email }),
            title: T('removeTitle', { email }), body: email === me.email ? T('removeSelf') : T('removeText'),
            path: memberPath(email), after: reload, done: T('removed', { email }),
          }) } : null,
        ].filter(Boolean),
      }));
    }

    function roleCell({ email, role: was }) {
      const id = `role-${email.replace(/[^\w-]/g, '-')}`;
      const select = el('select', { id, name: 'role', 'aria-label': T('roleOf', { email }) }, C.options(roles(), was));
      const save = C.button(T('change'), async () => {
        const role = select.value;
        if (role === was) return;
        save.disabled = true;
        try {
          await C.api('PUT', memberPath(email), { role });
          await reload();
          C.notice(T('changed', { email, role: roleName(role) }));
          document.getElementById(id)?.focus();
        } catch (e) {
          save.disabled = false;
          C.notice(C.problemText(e), 'error');
        }
      }, { class: 'secondary small', 'data-action': 'change-role', 'aria-label': T('changeOf', { email }) });
      return el('span', { class: 'inline-control' }, select, ' ', save);
    }

    await reload();
    if (manage) main.append(addForm(reload));
  },
});
