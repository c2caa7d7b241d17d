// `/admin/tokens`: the signed-in person's API tokens; a new one's secret is shown once.

const { el } = Plenary;
const C = Console;
const T = C.texts('admin.tokens');
const zone = C.ownZone();
const when = (iso) => C.when(iso, zone);
/** `days` from now in the reader's zone, as YYYY-MM-DD. */
const dateIn = (days) => C.wallTime(new Date(Date.now() + days * 86400000).toISOString(), zone).slice(0, 10);

function secretPanel(issued) {
  const input = el('input', { id: 'token-secret', type: 'text', readonly: true, value: issued.token, spellcheck: 'false', autocomplete: 'off', class: 'secret' });
  const said = el('p', { id: 'copy-status', role: 'status', class: 'hint' });
  const copy = C.button(T('copy'), async () => {
    try {
      await navigator.clipboard.writeText(issued.token);
      said.textContent = T('copied');
    } catch {
      // No clipboard (insecure origin, refused permission): select it for Ctrl+C.
      input.focus();
      input.select();
      said.textContent = T('copyByHand');
    }
  }, { id: 'copy-token', class: '' });
  return el('section', { id: 'new-token', class: 'secret-panel', 'aria-labelledby': 'new-token-h', tabindex: '-1' },
    el('h2', { id: 'new-token-h', text: T('newHeading', { name: issued.name }) }),
    el('p', { class: 'warning', text: T('onceOnly') }),
    el('div', { class: 'field' },
      el('label', { for: 'token-secret', text: T('secret') }),
      el('div', { class: 'inline-control' }, input, ' ', copy)),
    said,
    el('p', { class: 'hint', text: T('usage') }),
    el('p', { class: 'muted', text: T('expiresOn', { when: when(issued.expires_at) }) }));
}

C.start({
  page: 'tokens',
  async render({ me, main }) {
    main.append(el('h1', { text: T('heading') }), el('p', { class: 'lead', text: T('lead') }));
    if (!me.email) {
      main.append(el('p', { id: 'tokens-deployment', class: 'problem', text: T('deployment') }));
      return;
    }
    const secretSlot = el('div', { id: 'secret-slot' });
    const list = el('div', { id: 'token-list' });
    const form = el('form', { id: 'create-token', novalidate: true, 'aria-labelledby': 'create-token-h' },
      el('h2', { id: 'create-token-h', text: T('createHeading') }),
      C.field('name', T('name'), 'input', { id: 'token-name', hint: T('nameHint'), required: true, autocomplete: 'off' }),
      C.field('expires_at', T('expiry'), 'input', { id: 'token-expiry', hint: T('expiryHint'), type: 'date', min: dateIn(1), max: dateIn(365) }),
      C.checkbox('read_only', T('readOnly'), false, 'token-read-only'),
      el('button', { type: 'submit', id: 'create-token-submit', text: T('create') }));

    async function reload() {
      const { tokens } = await C.api('GET', '/v1/admin/tokens');
      tokens.sort((a, b) => b.created_at.localeCompare(a.created_at));
      list.replaceChildren(C.tableBox({
        caption: T('caption', { count: tokens.length, zone }),
        empty: T('none'),
        rows: tokens,
        columns: [
          { label: T('name'), render: (k) => el('bdi', { text: k.name }) },
          { label: T('access'), render: (k) => (k.read_only ? T('readOnlyShort') : T('readWrite')) },
          { label: T('created'), render: (k) => when(k.created_at) },
          { label: T('expires'), render: (k) => when(k.expires_at) },
          { label: T('lastUsed'), render: (k) => (k.last_used_at ? when(k.last_used_at) : T('never')) },
          { label: T('actions'), render: (k) => C.deleteButton({
            action: 'revoke', text: T('revoke'), label: T('revokeOf', { name: k.name }),
            title: T('revokeTitle', { name: k.name }), body: T('revokeText'),
            path: `/v1/admin/tokens/${encodeURIComponent(k.id)}`, after: reload, done: T('revoked', { name: k.name }),
          }) },
        ],
      }));
    }

    C.onSubmit(form, async ({ elements: f }) => {
      const name = f.name.value.trim();
      if (!name) throw new C.ApiError(400, { errors: [{ field: 'name', message: T('nameRequired') }] });
      const issued = await C.api('POST', '/v1/admin/tokens', {
        name,
        read_only: f.read_only.checked,
        // The end of that day where the reader is.
        expires_at: f.expires_at.value ? new Date(`${f.expires_at.value}T23:59:59`).toISOString() : undefined,
      });
      form.reset();
      const panel = secretPanel(issued);
      secretSlot.replaceChildren(panel);
      await reload();
      C.notice(T('createdNotice', { name: issued.name }));
      panel.focus();
      document.getElementById('token-secret').select();
    });
    main.append(secretSlot, form, list);
    await reload();
  },
});
