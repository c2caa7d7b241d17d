// `/admin/tokens`: the signed-in person's API tokens. Create one (name, read-only, expiry) and see
// its secret this once, with a copy button; list them with their last use; revoke one. Tokens
// belong to people, so the deployment token is told it cannot have any.
'use strict';

(() => {
  const { t, el } = Plenary;
  const zone = Plenary.visitorZone();

  // An expiry date means the end of that day where the reader is.
  function endOfDay(date) {
    return new Date(`${date}T23:59:59`).toISOString();
  }

  function isoDate(d) {
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  /** The secret, shown once: a read-only field (selected, the fallback) and a copy button. */
  function secretPanel(issued) {
    const input = el('input', { id: 'token-secret', type: 'text', readonly: true, value: issued.token, spellcheck: 'false', autocomplete: 'off', class: 'secret' });
    const copy = el('button', { type: 'button', id: 'copy-token', text: t('admin.tokens.copy') });
    const said = el('p', { id: 'copy-status', role: 'status', class: 'hint' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(issued.token);
        said.textContent = t('admin.tokens.copied');
      } catch {
        // No clipboard (an insecure origin, a refused permission): select it for Ctrl+C.
        input.focus();
        input.select();
        said.textContent = t('admin.tokens.copyByHand');
      }
    });
    const panel = el('section', { id: 'new-token', class: 'secret-panel', 'aria-labelledby': 'new-token-h', tabindex: '-1' },
      el('h2', { id: 'new-token-h', text: t('admin.tokens.newHeading', { name: issued.name }) }),
      el('p', { class: 'warning', text: t('admin.tokens.onceOnly') }),
      el('div', { class: 'field' },
        el('label', { for: 'token-secret', text: t('admin.tokens.secret') }),
        el('div', { class: 'inline-control' }, input, ' ', copy)),
      said,
      el('p', { class: 'hint', text: t('admin.tokens.usage') }),
      el('p', { class: 'muted', text: t('admin.tokens.expiresOn', { when: Console.when(issued.expires_at, zone) }) }));
    return { panel, input };
  }

  function createForm(onCreated) {
    const today = new Date();
    const max = new Date(today.getTime() + 365 * 86400000);
    const min = new Date(today.getTime() + 86400000);
    const form = el('form', { id: 'create-token', novalidate: true, 'aria-labelledby': 'create-token-h' },
      el('h2', { id: 'create-token-h', text: t('admin.tokens.createHeading') }),
      el('div', { class: 'field' },
        el('label', { for: 'token-name', text: t('admin.tokens.name') }),
        el('p', { id: 'token-name-hint', class: 'hint', text: t('admin.tokens.nameHint') }),
        el('input', { id: 'token-name', name: 'name', type: 'text', required: true, 'aria-required': 'true', 'aria-describedby': 'token-name-hint', autocomplete: 'off' })),
      el('div', { class: 'field' },
        el('label', { for: 'token-expiry', text: t('admin.tokens.expiry') }),
        el('p', { id: 'token-expiry-hint', class: 'hint', text: t('admin.tokens.expiryHint') }),
        el('input', { id: 'token-expiry', name: 'expires_at', type: 'date', min: isoDate(min), max: isoDate(max), 'aria-describedby': 'token-expiry-hint' })),
      el('div', { class: 'field check' },
        el('input', { id: 'token-read-only', name: 'read_only', type: 'checkbox' }),
        el('label', { for: 'token-read-only', text: t('admin.tokens.readOnly') })),
      el('button', { type: 'submit', id: 'create-token-submit', text: t('admin.tokens.create') }));
    Console.onSubmit(form, async () => {
      const name = form.elements.name.value.trim();
      if (!name) {
        throw new Console.ApiError(400, { errors: [{ field: 'name', message: t('admin.tokens.nameRequired') }] });
      }
      const body = { name, read_only: form.elements.read_only.checked };
      if (form.elements.expires_at.value) body.expires_at = endOfDay(form.elements.expires_at.value);
      const issued = (await Console.api('POST', '/v1/admin/tokens', body)).body;
      form.reset();
      await onCreated(issued);
    });
    return form;
  }

  Console.start({
    page: 'tokens',
    async render({ me, main }) {
      main.append(el('h1', { text: t('admin.tokens.heading') }));
      main.append(el('p', { class: 'lead', text: t('admin.tokens.lead') }));
      if (!me.email) {
        main.append(el('p', { id: 'tokens-deployment', class: 'problem', text: t('admin.tokens.deployment') }));
        return;
      }
      const secretSlot = el('div', { id: 'secret-slot' });
      const list = el('div', { id: 'token-list' });

      async function reload() {
        const { tokens } = (await Console.api('GET', '/v1/admin/tokens')).body;
        tokens.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
        list.replaceChildren(Console.tableBox({
          caption: t('admin.tokens.caption', { count: tokens.length, zone }),
          empty: t('admin.tokens.none'),
          columns: [
            { label: t('admin.tokens.name'), render: (k) => el('bdi', { text: k.name }) },
            { label: t('admin.tokens.access'), render: (k) => (k.read_only ? t('admin.tokens.readOnlyShort') : t('admin.tokens.readWrite')) },
            { label: t('admin.tokens.created'), render: (k) => Console.when(k.created_at, zone) },
            { label: t('admin.tokens.expires'), render: (k) => Console.when(k.expires_at, zone) },
            { label: t('admin.tokens.lastUsed'), render: (k) => (k.last_used_at ? Console.when(k.last_used_at, zone) : t('admin.tokens.never')) },
            { label: t('admin.tokens.actions'), render: revokeButton },
          ],
          rows: tokens,
        }));
      }

      function revokeButton(k) {
        return Console.deleteButton({
          action: 'revoke', text: t('admin.tokens.revoke'), label: t('admin.tokens.revokeOf', { name: k.name }),
          title: t('admin.tokens.revokeTitle', { name: k.name }), body: t('admin.tokens.revokeText'),
          path: `/v1/admin/tokens/${encodeURIComponent(k.id)}`, after: reload, done: t('admin.tokens.revoked', { name: k.name }),
        });
      }

      main.append(secretSlot, createForm(async (issued) => {
        const { panel, input } = secretPanel(issued);
        secretSlot.replaceChildren(panel);
        await reload();
        Console.notice(t('admin.tokens.createdNotice', { name: issued.name }));
        panel.focus();
        input.select();
      }), list);
      await reload();
    },
  });
})();
