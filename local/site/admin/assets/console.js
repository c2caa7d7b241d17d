// The organiser console's frame (global `Console`), over the public site's `Plenary`: the
// session, the header and nav, API calls that turn a 401 into a sign-in, and the page helpers.
'use strict';

const Console = (() => {
  const { t, has, el } = Plenary;
  const T = texts('admin.shell');
  const TOKEN_KEY = 'plenary.console.token';

  // API.md's "Roles on an event"; an administrator may all.
  const DUTIES = {
    viewer: ['read'],
    reviewer: ['read', 'registrations'],
    editor: ['read', 'edit'],
    manager: ['read', 'registrations', 'edit', 'manage'],
  };

  // An event's pages in nav order, each with the duty that makes it useful.
  const EVENT_PAGES = [
    ['dashboard', 'read'], ['event', 'edit'], ['programme', 'read'], ['versions', 'read'],
    ['registrations', 'registrations'], ['attendance', 'registrations'], ['announcements', 'manage'], ['join', 'manage'],
    ['team', 'read'], ['audit', 'manage'],
  ];

  const may = (role, duty) => role === 'administrator' || (DUTIES[role] || []).includes(duty);

  function pagesFor(role, eventId) {
    return EVENT_PAGES.filter(([, duty]) => may(role, duty))
      .map(([name]) => [name, `/admin/${name}?event=${encodeURIComponent(eventId)}`]);
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
  }

  function setToken(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    } catch { /* storage disabled: the session lasts this page only */ }
  }

  /** The texts under `prefix` (a page's `admin.<page>` keys): `texts('admin.team')('added')`. */
  function texts(prefix) {
    return (key, vars) => t(`${prefix}.${key}`, vars);
  }

  /** Only console addresses are followed after sign-in, so a link cannot send you elsewhere. */
  function safeNext(next) {
    return next && /^\/admin(\/|$)/.test(next) && !next.startsWith('//') ? next : '/admin/';
  }

  function toSignIn(params) {
    location.assign(`/admin/sign-in?${new URLSearchParams({ ...params, next: location.pathname + location.search })}`);
    // The page is leaving: nothing after this should run or draw.
    return new Promise(() => {});
  }

  const ApiError = Plenary.ApiError;

  function expired() {
    setToken(null);
    return toSignIn({ expired: '1' });
  }

  const eventPath = (id) => `/v1/admin/events/${encodeURIComponent(id)}`;

  /** `path` as the API names it; one without a leading slash is the page's event's (`stats`). */
  function apiPath(path) {
    return path.startsWith('/') ? path : `${eventPath(Plenary.query('event'))}/${path}`;
  }

  /** An authenticated call resolving to the JSON body; 401 goes to sign-in, other failures throw ApiError. */
  async function api(method, path, body) {
    try {
      return await Plenary.api(method, apiPath(path), { body, token: token() });
    } catch (e) {
      if (e.status === 401) return expired();
      throw e;
    }
  }

  /** An authenticated GET saved as `filename`. */
  async function download(path, filename) {
    const res = await fetch(Plenary.apiUrl(apiPath(path)), { headers: { Authorization: `Bearer ${token()}` } });
    if (res.status === 401) return expired();
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    return true;
  }

  /** A failed call's sentence: a translated problem (`prefix.problem.*` first), else the API's words. */
  function problemText(e, prefix) {
    const { code = '', status, problem = {} } = e || {};
    const key = [prefix && `${prefix}.problem.${code}`, `admin.problem.${code}`,
      { 0: 'problem.network', 403: 'admin.shell.forbidden', 404: 'admin.shell.notFound' }[status], `problem.${code}`]
      .find((k) => k && has(k));
    return key ? t(key) : problem.detail || problem.title || t('problem.generic');
  }

  const regions = {
    status: el('p', { id: 'console-status', class: 'announce', role: 'status', 'aria-live': 'polite', hidden: true }),
    error: el('p', { id: 'console-alert', class: 'announce', role: 'alert', 'data-kind': 'error', hidden: true }),
  };

  /** A message read out at once (`error` as an alert); empty text hides it. */
  function notice(text, kind = 'status') {
    const [show, hide] = kind === 'error' ? [regions.error, regions.status] : [regions.status, regions.error];
    hide.hidden = true;
    hide.textContent = '';
    show.textContent = text || '';
    show.hidden = !text;
    if (kind !== 'error') show.dataset.kind = kind === 'status' ? 'ok' : kind;
  }

  function controlFor(form, field) {
    // `reminders[1]` and `eligibility.categories[0]` fall back to their list's control.
    let name = field;
    for (;;) {
      const c = form.querySelector(`[name="${CSS.escape(name)}"], [data-field="${CSS.escape(name)}"]`);
      if (c) return c;
      const shorter = name.replace(/\[\d+\]$/, '').replace(/\.[^.[\]]+$/, '');
      if (shorter === name || !shorter) return null;
      name = shorter;
    }
  }

  function clearErrors(form) {
    form.querySelectorAll('.field-error[data-console]').forEach((p) => p.remove());
    form.querySelectorAll('[aria-invalid="true"]').forEach((c) => {
      c.removeAttribute('aria-invalid');
      const before = c.dataset.describedby;
      if (before) c.setAttribute('aria-describedby', before); else c.removeAttribute('aria-describedby');
    });
    const summary = form.querySelector('.error-summary');
    if (summary) { summary.hidden = true; summary.replaceChildren(); }
  }

  function labelOf(form, control) {
    const label = control.id && form.querySelector(`label[for="${CSS.escape(control.id)}"]`);
    const legend = control.closest('fieldset') && control.closest('fieldset').querySelector('legend');
    return ((label || legend || {}).textContent || '').trim();
  }

  /** Runs `action(form)` on submit, its button disabled; a refusal lands at its fields or as a notice. */
  function onSubmit(form, action) {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const button = form.querySelector('button[type=submit]') || form.querySelector('button');
      if (button) button.disabled = true;
      try {
        await action(form);
      } catch (e) {
        if (!fieldErrors(form, e)) notice(problemText(e), 'error');
      } finally {
        if (button) button.disabled = false;
      }
    });
  }

  /** Shows a 400's `errors` at their inputs and in a focused summary; false for other errors. */
  function fieldErrors(form, error) {
    const errors = error && error.status === 400 && error.problem && error.problem.errors;
    if (!Array.isArray(errors)) return false;
    clearErrors(form);
    let summary = form.querySelector('.error-summary');
    if (!summary) {
      summary = el('div', { class: 'error-summary', role: 'alert', tabindex: '-1' });
      form.prepend(summary);
    }
    const items = errors.map(({ field, message }) => {
      const control = controlFor(form, field);
      const text = has(`admin.fieldError.${field}`) ? t(`admin.fieldError.${field}`) : message;
      if (!control) return el('li', {}, el('code', { text: field }), ': ', text);
      if (!control.id) control.id = `c-${field.replace(/[^\w-]/g, '-')}`;
      const id = `${control.id}-error`;
      let p = document.getElementById(id);
      if (!p) {
        p = el('p', { id, class: 'field-error', 'data-console': true });
        (control.closest('.field') || control.parentElement).append(p);
        if (!('describedby' in control.dataset)) {
          control.dataset.describedby = control.getAttribute('aria-describedby') || '';
        }
        control.setAttribute('aria-describedby', [control.dataset.describedby, id].filter(Boolean).join(' '));
      } else {
        p.append(' ');
      }
      p.append(text);
      control.setAttribute('aria-invalid', 'true');
      const label = labelOf(form, control);
      const a = el('a', { href: `#${control.id}`, 'data-field': field, text: label ? `${label}: ${text}` : text });
      a.addEventListener('click', (ev) => { ev.preventDefault(); control.focus(); });
      return el('li', {}, a);
    });
    summary.replaceChildren(
      el('h2', { text: T('errorsTitle', { count: errors.length }) }),
      el('ul', {}, items),
    );
    summary.hidden = false;
    notice('');
    summary.focus();
    return true;
  }

  /** `registration.opens_at` → `f-registration-opens_at`. */
  function fieldId(name) {
    return `f-${name.replace(/[^\w-]/g, '-')}`;
  }

  /** A labelled control named `name` (a dotted API field); `options` are `[value, label]` pairs. */
  function field(name, label, control = 'input', { id = fieldId(name), hint, value, options: pairs, ...attrs } = {}) {
    const hintId = hint ? `${id}-hint` : null;
    const node = el(control, { id, name, 'aria-describedby': hintId, ...(control === 'select' ? {} : { dir: 'auto' }),
      ...(control === 'input' ? { type: 'text', value } : {}), ...attrs });
    if (pairs) node.replaceChildren(...options(pairs, value));
    else if (control !== 'input') node.value = value ?? '';
    return el('div', { class: 'field' },
      el('label', { for: id, text: label }),
      hint ? el('p', { id: hintId, class: 'hint', text: hint }) : null,
      node);
  }

  function checkbox(name, label, checked = false, id = fieldId(name), value = null) {
    return el('div', { class: 'check' },
      el('input', { id, name, type: 'checkbox', value, checked }),
      el('label', { for: id, text: label }));
  }

  /** Checkboxes sharing `name`, one per `[value, label]`; `checked` lists values. */
  function choices(name, legend, options, checked = [], { hint } = {}) {
    const hintId = hint ? `${fieldId(name)}-hint` : null;
    return el('fieldset', { class: 'field', 'aria-describedby': hintId },
      el('legend', { text: legend }),
      hint ? el('p', { id: hintId, class: 'hint', text: hint }) : null,
      el('div', { class: 'choices' }, options.map(([value, label], i) =>
        checkbox(name, label, checked.includes(value), i ? `${fieldId(name)}-${value}` : fieldId(name), value))));
  }

  function checked(form, name) {
    return [...form.querySelectorAll(`input[name="${CSS.escape(name)}"]:checked`)].map((c) => c.value);
  }

  /** A non-submit button, `secondary` unless `attrs.class` says otherwise. */
  function button(text, onClick, attrs = {}) {
    const b = el('button', { type: 'button', class: 'secondary', text, ...attrs });
    b.addEventListener('click', () => onClick(b));
    return b;
  }

  /** The name of a `language` or `region` code (the code when the browser has none). */
  function displayName(type, code, inLanguage = Plenary.locale()) {
    try { return new Intl.DisplayNames([inLanguage], { type }).of(code) || code; } catch { return code; }
  }

  const languageName = (code, inLanguage) => displayName('language', code, inLanguage);

  /** A registrant's given and family names, '' once erased. */
  const personName = (r) => [r.given_name, r.family_name].filter(Boolean).join(' ');

  /** An organiser's label (`{"en": …}`) in the reader's language, else in English. */
  function labelText(label) {
    return (label && (label[Plenary.language()] || label.en)) || '';
  }

  function options(pairs, selected) {
    return pairs.map(([value, label]) => new Option(label, value, value === selected, value === selected));
  }

  /** A modal question resolving true when confirmed; focus goes back where it was. */
  function confirm({ title, body, confirm: label, danger = false }) {
    const opener = document.activeElement;
    return new Promise((resolve) => {
      const titleId = `dialog-title-${Date.now()}`;
      const yes = el('button', { type: 'button', class: danger ? 'danger' : '', text: label || T('confirm') });
      const no = el('button', { type: 'button', class: 'secondary', text: T('cancel') });
      const dialog = el('dialog', { class: 'console-dialog', 'aria-labelledby': titleId },
        el('h2', { id: titleId, text: title }),
        body ? el('p', { text: body }) : null,
        el('div', { class: 'actions' }, yes, no));
      yes.addEventListener('click', () => dialog.close('yes'));
      no.addEventListener('click', () => dialog.close('no'));
      dialog.addEventListener('close', () => {
        dialog.remove();
        if (opener && opener.focus) opener.focus();
        resolve(dialog.returnValue === 'yes');
      });
      document.body.append(dialog);
      dialog.showModal();
      // A dangerous action starts on "cancel", so Enter does not do it by accident.
      (danger ? no : yes).focus();
    });
  }

  /** A dangerous button that asks, sends DELETE `path`, calls `after()` and says `done`. */
  function deleteButton({ action, text, label, title, body, path, after, done }) {
    return button(text, async () => {
      if (!(await confirm({ title, body, confirm: text, danger: true }))) return;
      try {
        await api('DELETE', path);
        await after();
        notice(done);
        document.getElementById('main').focus();
      } catch (e) {
        notice(problemText(e), 'error');
      }
    }, { class: 'danger small', 'data-action': action, 'aria-label': label });
  }

  const guards = new Set();
  const anyDirty = () => [...guards].some((g) => g.dirty);

  window.addEventListener('beforeunload', (ev) => {
    if (anyDirty()) { ev.preventDefault(); ev.returnValue = ''; }
  });

  // The console's own links ask in a dialog (keyboard-friendly) rather than the browser's.
  document.addEventListener('click', async (ev) => {
    const a = ev.target.closest && ev.target.closest('a[href]');
    if (!a || !anyDirty() || a.target || a.hasAttribute('download') || a.getAttribute('href').startsWith('#')) return;
    if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    if (await confirm({ title: T('unsavedTitle'), body: T('unsavedText'), confirm: T('unsavedLeave'), danger: true })) {
      guards.forEach((g) => g.clean());
      location.assign(a.href);
    }
  });

  /** Watches `form` for changes; `.clean()` after a save. */
  function dirtyGuard(form) {
    const guard = {
      dirty: false,
      clean() { guard.dirty = false; },
      dirtyNow() { guard.dirty = true; },
      release() { guards.delete(guard); },
    };
    for (const type of ['input', 'change']) form.addEventListener(type, () => { guard.dirty = true; });
    guards.add(guard);
    return guard;
  }

  /** An instant in `timezone`, in the reader's words. */
  function when(iso, timezone, { date = true, time = true } = {}) {
    if (!iso) return '';
    const opts = { timeZone: timezone || 'UTC' };
    if (date) Object.assign(opts, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    if (time) Object.assign(opts, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    try {
      return Plenary.formatter(Intl.DateTimeFormat, opts).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  /** "Europe/Zurich (UTC+02:00)" at `iso`. */
  function zoneName(timezone, iso = new Date().toISOString()) {
    return `${timezone} (${Plenary.zoneOffset(timezone, iso)})`;
  }

  /** Minutes east of UTC of `zone` at the instant `ms`. */
  function offsetMinutes(zone, ms) {
    const parts = Plenary.formatter(Intl.DateTimeFormat, {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    }, 'en-US').formatToParts(new Date(ms));
    const v = Object.fromEntries(parts.map((p) => [p.type, Number(p.value)]));
    const asUtc = Date.UTC(v.year, v.month - 1, v.day, v.hour % 24, v.minute, v.second);
    return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
  }

  /** `iso`'s wall time in `zone` as `<input type="datetime-local">` holds it. */
  function wallTime(iso, zone) {
    if (!iso) return '';
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) return '';
    try {
      return new Date(ms + offsetMinutes(zone, ms) * 60000).toISOString().slice(0, 16);
    } catch {
      return '';
    }
  }

  /** `2021-09-08T14:00` in `zone` → `…T14:00:00+02:00`, or '' when unusable (the API then names the field). */
  function instant(wall, zone, addDays = 0) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T([01]?\d|2[0-3]):([0-5]\d)(:\d\d(\.\d+)?)?$/.exec(wall || '');
    if (!m) return '';
    const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3] + addDays, +m[4], +m[5]);
    let offset;
    try {
      offset = offsetMinutes(zone, asUtc);
      // Once more at the instant itself, for a wall time near a change of offset.
      offset = offsetMinutes(zone, asUtc - offset * 60000);
    } catch {
      return '';
    }
    const pad = (n) => String(n).padStart(2, '0');
    const abs = Math.abs(offset);
    return `${new Date(asUtc).toISOString().slice(0, 16)}:00${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  const ownZone = () => Plenary.visitorZone();

  /** A table; `render(row)` returns text or a node. */
  function table({ caption, columns, rows, empty }) {
    const body = rows.length
      ? rows.map((row) => el('tr', {}, columns.map((c, i) => {
        const value = c.render ? c.render(row) : row[c.key];
        return el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, value === undefined || value === null ? '' : value);
      })))
      : [el('tr', {}, el('td', { colspan: String(columns.length), class: 'muted', text: empty || T('empty') }))];
    return el('table', { class: 'console-table' },
      caption ? el('caption', { text: caption }) : null,
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c.label })))),
      el('tbody', {}, body));
  }

  /** A table in a box that scrolls sideways, by keyboard too. */
  function tableBox(opts) {
    return el('div', { class: 'table-box', role: 'region', tabindex: '0', 'aria-label': opts.caption || '' }, table(opts));
  }

  const ui = {};

  function skeleton(signedIn) {
    const main = document.getElementById('main');
    const select = el('select', { id: 'language-switch', 'data-languages': true });
    ui.person = el('span', { class: 'person' });
    ui.signOut = el('button', { type: 'button', id: 'sign-out', class: 'secondary', 'data-i18n': 'admin.shell.signOut', text: 'Sign out' });
    ui.topNav = el('ul', { class: 'top-nav' });
    ui.eventNav = el('nav', { class: 'event-nav', id: 'event-nav', hidden: true });
    main.before(
      el('a', { class: 'skip', href: '#main', 'data-i18n': 'nav.skip', text: 'Skip to content' }),
      el('header', { class: 'site-header console-header' },
        el('a', { class: 'brand', href: '/admin/', 'data-i18n': 'admin.shell.brand', text: 'Plenary console' }),
        signedIn ? el('nav', { class: 'top', 'aria-labelledby': 'top-nav-label' },
          el('span', { id: 'top-nav-label', class: 'visually-hidden', 'data-i18n': 'admin.shell.mainNav' }), ui.topNav) : null,
        el('div', { class: 'tools' },
          signedIn ? ui.person : null,
          el('div', { class: 'switch' },
            el('label', { for: 'language-switch', 'data-i18n': 'nav.language', text: 'Language' }), select),
          signedIn ? ui.signOut : null)),
      ui.eventNav,
    );
    main.after(el('footer', {}, el('p', {}, el('a', { href: '/', 'data-i18n': 'admin.shell.publicSite' }))));
    ui.signOut.addEventListener('click', signOut);
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(regions.status, regions.error,
      el('p', { class: 'loading', 'data-i18n': 'admin.shell.loading', text: 'Loading…' }));
    return main;
  }

  async function signOut() {
    ui.signOut.disabled = true;
    // The bearer is forgotten whatever the answer.
    await Plenary.api('DELETE', '/v1/admin/sessions/current', { token: token() }).catch(() => {});
    setToken(null);
    guards.forEach((g) => g.clean());
    location.assign('/admin/sign-in?signed_out=1');
  }

  function link(href, key, current) {
    return el('li', {}, el('a', { href, 'data-i18n': key, 'aria-current': current ? 'page' : null, text: t(key) }));
  }

  function drawFrame(ctx, page) {
    const { me } = ctx;
    ui.person.textContent = me.email ? (me.name ? `${me.name} (${me.email})` : me.email) : T('deploymentToken');
    ui.topNav.replaceChildren(...[['index', '/admin/', 'events'], me.email && ['tokens'], me.administrator && ['organisers']]
      .filter(Boolean).map(([name, href = `/admin/${name}`, key = name]) => link(href, `admin.shell.nav.${key}`, page === name)));
    if (ctx.eventId && ctx.event) {
      const items = pagesFor(ctx.role, ctx.eventId)
        .map(([name, href]) => link(href, `admin.shell.nav.${name}`, page === name));
      ui.eventNav.replaceChildren(
        el('p', { class: 'event-title' },
          el('span', { class: 'muted', 'data-i18n': 'admin.shell.event', text: T('event') }), ' ',
          el('bdi', { text: ctx.event.title })),
        el('ul', {}, items));
      ui.eventNav.setAttribute('aria-label', T('eventNav'));
      ui.eventNav.hidden = false;
    }
  }

  function pageTitle(page, ctx) {
    const key = `admin.${page === 'index' ? 'events' : page}.title`;
    const parts = [has(key) ? t(key) : null, ctx && ctx.event ? ctx.event.title : null, T('brand')];
    document.title = parts.filter(Boolean).join(' — ');
  }

  /** A page that cannot be drawn: the reason and the way back. */
  function failure(main, e) {
    main.replaceChildren(regions.status, regions.error,
      el('h1', { 'data-i18n': 'admin.shell.failedHeading', text: T('failedHeading') }),
      el('p', { class: 'problem', text: problemText(e) }),
      el('p', {}, el('a', { href: '/admin/', 'data-i18n': 'admin.shell.backToEvents', text: T('backToEvents') })));
  }

  /**
   * Starts a page: the session (none → sign-in), `me`, the event (`event: true`), the frame, then
   * `render(ctx)`. A language switch redraws, but only the labels over unsaved changes.
   */
  async function start({ page, event = false, session = true, render }) {
    const main = skeleton(session);
    if (session && !token()) return toSignIn({});
    const eventId = event ? Plenary.query('event') : null;
    // Both reads start at once, alongside the dictionary.
    const loading = session && Promise.all([api('GET', '/v1/admin/me'), eventId && api('GET', eventPath(eventId))]);
    if (loading) loading.catch(() => {});
    let ctx = session ? null : { may: () => false, main };
    return Plenary.start(async () => {
      if (!ctx) {
        try {
          if (event && !eventId) throw new ApiError(404, null);
          const [me, ev] = await loading;
          const mine = eventId && (me.events || []).find((x) => x.event_id === eventId);
          const role = me.administrator ? 'administrator' : (mine ? mine.role : null);
          ctx = { me, event: ev, eventId, role, may: (duty) => may(role, duty), main };
        } catch (e) {
          await draw(null, main, () => { throw e; });
          return;
        }
      }
      if (session) drawFrame(ctx, page);
      pageTitle(page, ctx);
      if (!anyDirty()) await draw(ctx, main, render);
    });
  }

  async function draw(ctx, main, render) {
    guards.forEach((g) => g.release());
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(regions.status, regions.error);
    try {
      await render(ctx);
    } catch (e) {
      if (!(e instanceof ApiError)) console.error(e);
      failure(main, e);
    } finally {
      main.removeAttribute('aria-busy');
      // The time to interactive the browser tests record (BENCHMARKS.md).
      if (!performance.getEntriesByName('console-ready').length) performance.mark('console-ready');
      document.body.dataset.ready = 'true';
    }
  }

  return {
    start, texts, may, pagesFor, api, download, ApiError, problemText, fieldErrors, clearErrors, onSubmit, notice, confirm, deleteButton,
    field, fieldId, checkbox, choices, checked, options, button, displayName, languageName, labelText, personName, dirtyGuard, when, zoneName, wallTime, offsetMinutes, instant, ownZone, table, tableBox, token, setToken, safeNext, eventPath, TOKEN_KEY,
  };
})();
