// `/admin/sign-in`: a link by email, its `?token=` exchanged for a session, or the deployment token.

const { t, el, query } = Plenary;
const C = Console;
const T = C.texts('admin.signin');
// The emailed link has no `next` and may open in another tab, so this browser keeps it.
const NEXT_KEY = 'plenary.console.next';
const stored = () => { try { return localStorage.getItem(NEXT_KEY); } catch { return null; } };
const remember = (value) => {
  try { if (value) localStorage.setItem(NEXT_KEY, value); else localStorage.removeItem(NEXT_KEY); } catch { /* private mode */ }
};
const next = C.safeNext(query('next') || (query('token') ? stored() : null));

function form(name, input, submit) {
  return el('form', { id: `${name}-form`, novalidate: true }, input,
    el('div', { class: 'actions' }, el('button', { type: 'submit', id: `${name}-submit`, text: submit })));
}

function emailForm(main) {
  const f = form('sign-in', C.field('email', T('email'), 'input',
    { type: 'email', hint: T('emailHint'), autocomplete: 'email', required: true }), T('send'));
  const sent = el('section', { id: 'check-email', class: 'panel', hidden: true, tabindex: '-1', 'aria-labelledby': 'check-heading' });
  C.onSubmit(f, async () => {
    const email = f.elements.email.value.trim();
    await C.api('POST', '/v1/admin/sign-in', { email });
    remember(query('next') ? next : null);
    sent.replaceChildren(
      el('h2', { id: 'check-heading', text: T('checkHeading') }),
      el('p', { text: T('checkText', { email }) }),
      el('p', {}, C.button(T('again'), () => {
        sent.hidden = true; f.hidden = false; f.elements.email.focus();
      }, { id: 'sign-in-again' })));
    f.hidden = true;
    sent.hidden = false;
    sent.focus();
  });
  main.append(f, sent);
}

function deploymentForm(main) {
  const f = form('deployment', C.field('token', T('deploymentToken'), 'input',
    { type: 'password', hint: T('deploymentHint'), autocomplete: 'off', required: true }), T('deploymentSubmit'));
  C.onSubmit(f, async () => {
    const token = f.elements.token.value.trim();
    try {
      // A 401 here is an answer, not an expiry.
      await Plenary.api('GET', '/v1/admin/me', { token });
    } catch (e) {
      const message = e.status === 0 ? t('problem.network') : T('deploymentWrong');
      throw new C.ApiError(400, { errors: [{ field: 'token', message }] });
    }
    C.setToken(token);
    location.assign(next);
  });
  main.append(el('details', { class: 'deployment', id: 'deployment' },
    el('summary', { text: T('deploymentHeading') }),
    el('p', { text: T('deploymentText') }),
    f));
}

async function exchange(main, token) {
  const status = el('p', { id: 'exchange-status', text: T('exchanging') });
  main.append(status);
  // Out of the address bar at once, so not kept in history.
  history.replaceState(null, '', `/admin/sign-in${query('next') ? `?next=${encodeURIComponent(next)}` : ''}`);
  try {
    C.setToken((await Plenary.api('POST', '/v1/admin/sessions', { body: { token } })).token);
    remember(null);
    location.replace(next);
  } catch (e) {
    const problem = t({ 0: 'problem.network', 404: 'admin.signin.linkUnknown', 410: 'admin.signin.linkUsed' }[e.status] || 'problem.generic');
    status.replaceWith(el('section', { id: 'link-problem', class: 'panel', 'aria-labelledby': 'link-problem-heading' },
      el('h2', { id: 'link-problem-heading', text: T('linkProblem') }),
      el('p', { class: 'problem', text: problem }),
      el('p', {}, el('a', { href: '/admin/sign-in', id: 'new-link', text: T('newLink') }))));
    C.notice(problem, 'error');
  }
}

C.start({
  page: 'signin',
  session: false,
  async render({ main }) {
    main.append(el('h1', { text: T('heading') }));
    if (query('token')) { await exchange(main, query('token')); return; }
    if (query('expired')) C.notice(T('expired'), 'error');
    else if (query('signed_out')) C.notice(T('signedOut'));
    if (C.token()) main.append(el('p', {}, T('already'), ' ', el('a', { href: next, text: T('continue') })));
    main.append(el('p', { class: 'lead', text: T('lead') }));
    emailForm(main);
    deploymentForm(main);
  },
});
