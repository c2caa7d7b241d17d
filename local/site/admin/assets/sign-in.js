// `/admin/sign-in`: ask for a link by email; `?token=` (the emailed link) exchanges it for a
// session; the deployment token for the first sign-in, kept only in this tab.
'use strict';

(() => {
  const { t, el, query } = Plenary;
  const C = Console;
  const T = C.texts('admin.signin');
  // The emailed link carries no `next` and may open in another tab, so the page asked for is
  // remembered in this browser until the link is used.
  const NEXT_KEY = 'plenary.console.next';
  const stored = () => { try { return localStorage.getItem(NEXT_KEY); } catch { return null; } };
  const remember = (value) => {
    try { if (value) localStorage.setItem(NEXT_KEY, value); else localStorage.removeItem(NEXT_KEY); } catch { /* private mode */ }
  };
  const next = C.safeNext(query('next') || (query('token') ? stored() : null));

  function field(name, type, labelKey, attrs = {}) {
    const id = `f-${name}`;
    return el('div', { class: 'field' },
      el('label', { for: id, 'data-i18n': labelKey, text: t(labelKey) }),
      attrs.hint ? el('p', { id: `${id}-hint`, class: 'hint', 'data-i18n': attrs.hint, text: t(attrs.hint) }) : null,
      el('input', { id, name, type, 'aria-required': 'true', 'aria-describedby': attrs.hint ? `${id}-hint` : null, ...attrs.input }));
  }

  function emailForm(main) {
    const form = el('form', { id: 'sign-in-form', novalidate: true },
      el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      field('email', 'email', 'admin.signin.email', { hint: 'admin.signin.emailHint', input: { autocomplete: 'email' } }),
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'sign-in-submit', text: T('send') })));
    const sent = el('section', { id: 'check-email', class: 'panel', hidden: true, tabindex: '-1', 'aria-labelledby': 'check-heading' });
    C.onSubmit(form, async () => {
      const email = form.elements.email.value.trim();
      await C.api('POST', '/v1/admin/sign-in', { email });
      remember(query('next') ? next : null);
      sent.replaceChildren(
        el('h2', { id: 'check-heading', text: T('checkHeading') }),
        el('p', { text: T('checkText', { email }) }),
        el('p', {}, el('button', { type: 'button', class: 'secondary', id: 'sign-in-again', text: T('again') })));
      sent.querySelector('button').addEventListener('click', () => {
        sent.hidden = true; form.hidden = false; form.elements.email.focus();
      });
      form.hidden = true;
      sent.hidden = false;
      sent.focus();
    });
    main.append(form, sent);
  }

  function deploymentForm(main) {
    const form = el('form', { id: 'deployment-form', novalidate: true },
      el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      field('token', 'password', 'admin.signin.deploymentToken', { hint: 'admin.signin.deploymentHint', input: { autocomplete: 'off' } }),
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'deployment-submit', text: T('deploymentSubmit') })));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      C.clearErrors(form);
      const value = form.elements.token.value.trim();
      // Checked with a read the token may make; a 401 here is an answer, not an expiry.
      const res = await fetch(Plenary.apiUrl('/v1/admin/me'), { headers: { Authorization: `Bearer ${value}` } })
        .catch(() => null);
      if (res && res.ok) {
        C.setToken(value);
        location.assign(next);
        return;
      }
      const message = res ? T('deploymentWrong') : t('problem.network');
      C.fieldErrors(form, { status: 400, problem: { errors: [{ field: 'token', message }] } });
    });
    main.append(el('details', { class: 'deployment', id: 'deployment' },
      el('summary', { text: T('deploymentHeading') }),
      el('p', { text: T('deploymentText') }),
      form));
  }

  /** The emailed link: one exchange, then on to the events (or where the reader was going). */
  async function exchange(main, linkToken) {
    const status = el('p', { id: 'exchange-status', text: T('exchanging') });
    main.append(status);
    // The token leaves the address bar at once, so it is not kept in history or shown again.
    history.replaceState(null, '', `/admin/sign-in${query('next') ? `?next=${encodeURIComponent(next)}` : ''}`);
    let res = null;
    try {
      res = await fetch(Plenary.apiUrl('/v1/admin/sessions'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ token: linkToken }),
      });
    } catch { /* shown below */ }
    if (res && res.status === 201) {
      const session = await res.json();
      C.setToken(session.token);
      remember(null);
      location.replace(next);
      return;
    }
    const key = !res ? 'problem.network'
      : res.status === 404 ? 'admin.signin.linkUnknown'
        : res.status === 410 ? 'admin.signin.linkUsed' : 'problem.generic';
    status.remove();
    main.append(el('section', { id: 'link-problem', class: 'panel', 'aria-labelledby': 'link-problem-heading' },
      el('h2', { id: 'link-problem-heading', text: T('linkProblem') }),
      el('p', { class: 'problem', text: t(key) }),
      el('p', {}, el('a', { href: '/admin/sign-in', id: 'new-link', text: T('newLink') }))));
    C.notice(t(key), 'error');
  }

  C.start({
    page: 'signin',
    session: false,
    async render({ main }) {
      main.append(el('h1', { text: T('heading') }));
      const linkToken = query('token');
      if (linkToken) { await exchange(main, linkToken); return; }
      if (query('expired')) C.notice(T('expired'), 'error');
      else if (query('signed_out')) C.notice(T('signedOut'));
      if (C.token()) {
        main.append(el('p', {}, T('already'), ' ',
          el('a', { href: next, text: T('continue') })));
      }
      main.append(el('p', { class: 'lead', text: T('lead') }));
      emailForm(main);
      deploymentForm(main);
    },
  });
})();
