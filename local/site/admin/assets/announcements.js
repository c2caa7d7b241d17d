// The announcements page: compose per language (English stands in for the others), choose the
// audience, preview the email as the API renders it, see whom it reaches, confirm, send; then
// what was sent.

const { el, bdi } = Plenary;
const C = Console;
const T = C.texts('admin.announcements');

let ctx;
let stats = null;
let guard = null;
// The draft survives a language switch (a render again).
const draft = { texts: {}, audience: 'confirmed', tab: 'en' };
const languages = () => ['en', ...(ctx.event.languages || []).filter((l) => l !== 'en')];
const $ = (selector) => ctx.main.querySelector(selector);

C.start({ page: 'announcements', event: true, render });

async function render(c) {
  ctx = c;
  const root = el('div', { id: 'desk' }, el('h1', { text: T('heading') }));
  const old = $('#desk');
  if (old) old.replaceWith(root); else ctx.main.append(root);
  if (!ctx.may('manage')) {
    root.append(el('p', { class: 'panel refusal', id: 'no-role', text: T('noRole') }));
    return;
  }
  const loading = el('p', { class: 'muted', role: 'status', text: T('loading') });
  root.append(loading);
  // The stats say whom each audience reaches (and whether attendance audiences exist).
  await loadStats();
  loading.replaceWith(compose(), el('section', { id: 'ann-sent', 'aria-labelledby': 'ann-sent-h' },
    el('h2', { id: 'ann-sent-h', text: T('sentHeading') }),
    el('div', { id: 'ann-list' }, el('p', { class: 'muted', role: 'status', text: T('loading') }))));
  preview();
  audienceCounts();
  await loadList();
}

async function loadStats() {
  try {
    stats = await C.api('GET', 'stats');
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    stats = null;
  }
}

function compose() {
  const langs = languages();
  if (!langs.includes(draft.tab)) draft.tab = 'en';
  const tabs = el('div', { class: 'tabs', role: 'tablist', 'aria-label': T('languages') });
  const panels = langs.map((l) => {
    const selected = l === draft.tab;
    const required = l === 'en' ? 'true' : null;
    const tab = el('button', { type: 'button', role: 'tab', id: `tab-${l}`, 'data-lang': l,
      'aria-controls': `panel-${l}`, 'aria-selected': String(selected), tabindex: selected ? '0' : '-1' },
    el('span', { lang: l, text: C.languageName(l, l) }),
    required && el('span', { class: 'required-mark', text: ` (${T('required')})` }));
    tab.addEventListener('click', () => select(l));
    tabs.append(tab);
    const texts = draft.texts[l] || {};
    const panel = el('div', { role: 'tabpanel', id: `panel-${l}`, 'aria-labelledby': `tab-${l}`, hidden: !selected, 'data-lang': l },
      el('p', { class: 'hint', text: T(l === 'en' ? 'englishHint' : 'otherHint') }),
      C.field(`subject.${l}`, T('subject'), 'input', { id: `subject-${l}`, maxlength: '200', lang: l, value: texts.subject || '', 'aria-required': required }),
      C.field(`body.${l}`, T('body'), 'textarea', { id: `body-${l}`, hint: T('bodyHint'), rows: '8', maxlength: '20000', lang: l, value: texts.body, 'aria-required': required }));
    panel.addEventListener('input', () => {
      draft.texts[l] = { subject: panel.querySelector('input').value, body: panel.querySelector('textarea').value };
      preview();
    });
    return panel;
  });
  tabs.addEventListener('keydown', (ev) => {
    const i = langs.indexOf(draft.tab);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[ev.key] * (document.documentElement.dir === 'rtl' ? -1 : 1);
    const next = step ? langs[(i + step + langs.length) % langs.length]
      : { Home: langs[0], End: langs[langs.length - 1] }[ev.key];
    if (!next) return;
    ev.preventDefault();
    select(next);
    $(`#tab-${next}`).focus();
  });

  const audience = el('fieldset', { class: 'field audience', id: 'ann-audience' },
    el('legend', { text: T('audience') }),
    audiences().map((a) => el('div', { class: 'check' },
      el('input', { type: 'radio', name: 'audience', id: `aud-${a}`, value: a, checked: a === draft.audience,
        'aria-describedby': `aud-${a}-count` }),
      el('label', { for: `aud-${a}` }, T(`audienceName.${a}`), ' ',
        el('span', { id: `aud-${a}-count`, class: 'muted count' })))),
    el('p', { id: 'ann-reach', class: 'reach', role: 'status' }));
  audience.addEventListener('change', () => {
    draft.audience = audience.querySelector('input:checked').value;
    audienceCounts();
  });

  const send = el('button', { type: 'submit', id: 'ann-send', text: T('send') });
  const form = el('form', { id: 'ann-form', novalidate: true, 'aria-labelledby': 'ann-compose-h' },
    el('div', { class: 'error-summary', tabindex: '-1', role: 'alert', hidden: true }),
    tabs, ...panels, audience,
    el('div', { class: 'actions' }, send));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(form, send); });
  // Leaving with a written but unsent announcement asks first.
  guard = C.dirtyGuard(form);
  // An error summary's link to a field in a hidden tab opens that tab first.
  form.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[href^="#"]');
    if (a) showTabOf(document.getElementById(a.getAttribute('href').slice(1)));
  }, true);

  return el('section', { id: 'ann-compose', 'aria-labelledby': 'ann-compose-h' },
    el('h2', { id: 'ann-compose-h', text: T('composeHeading') }),
    el('div', { class: 'compose-grid' }, form,
      el('section', { id: 'ann-preview', class: 'preview', 'aria-labelledby': 'ann-preview-h' },
        el('h2', { id: 'ann-preview-h', text: T('previewHeading') }),
        el('p', { class: 'hint', id: 'ann-preview-note' }),
        el('div', { id: 'ann-preview-mail' }))));
}

function select(l) {
  draft.tab = l;
  ctx.main.querySelectorAll('[role="tab"]').forEach((tab) => {
    const on = tab.dataset.lang === l;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
  });
  ctx.main.querySelectorAll('[role="tabpanel"]').forEach((p) => { p.hidden = p.dataset.lang !== l; });
  preview();
}

function showTabOf(control) {
  const panel = control && control.closest('[role="tabpanel"]');
  if (panel && panel.hidden) select(panel.dataset.lang);
}

// The audiences the API takes; attendance ones only where stats count attendance.
function audiences() {
  return stats && stats.attendance ? ['confirmed', 'all', 'attended', 'absent'] : ['confirmed', 'all'];
}

/** Whom an audience reaches by the stats (the unsubscribed and erased are left out when sending). */
function reach(a) {
  if (!stats) return null;
  const n = (k) => Number((stats.by_status || {})[k] || 0);
  if (a === 'confirmed') return n('confirmed');
  if (a === 'all') return n('confirmed') + n('waitlisted') + n('pending_approval');
  return stats.attendance && a in stats.attendance ? Number(stats.attendance[a]) : null;
}

function audienceCounts() {
  if (!$('#ann-form')) return;
  for (const a of audiences()) {
    const n = reach(a);
    $(`#aud-${a}-count`).textContent = n === null ? '' : T('audienceCount', { count: n });
  }
  const n = reach(draft.audience);
  $('#ann-reach').textContent = n === null ? T('reachUnknown') : T('reach', { count: n });
}

let pending = 0;
let asked = 0;

function preview() {
  clearTimeout(pending);
  $('#ann-preview-note').textContent = T('previewNote', { language: C.languageName(draft.tab) });
  // Busy until the newest text's preview is drawn (the browser tests wait for that too).
  $('#ann-preview-mail').setAttribute('aria-busy', 'true');
  pending = setTimeout(drawPreview, 200);
}

async function drawPreview() {
  const box = $('#ann-preview-mail');
  if (!box) return;
  const lang = draft.tab;
  // The shown language's text stands in for a missing English one: its preview need not wait.
  const b = body();
  for (const part of ['subject', 'body']) b[part].en = b[part].en || b[part][lang];
  const n = ++asked;
  let mail;
  try {
    mail = await C.api('POST', `announcements/preview?${new URLSearchParams({ language: lang, name: T('previewName') })}`, b);
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    mail = e.status === 400 ? null : e;
  }
  if (n !== asked) return; // a newer preview is on its way
  box.removeAttribute('aria-busy');
  const dir = lang === 'ar' ? 'rtl' : 'ltr';
  if (!mail || mail instanceof Error) {
    box.replaceChildren(el('p', { class: 'muted', text: mail ? `${T('previewUnavailable')} ${C.problemText(mail)}` : T('previewNeedsText') }));
    return;
  }
  box.replaceChildren(
    el('dl', { class: 'mail-head' },
      el('dt', { text: T('previewSubject') }),
      el('dd', { id: 'preview-subject', lang, dir, text: mail.subject })),
    el('div', { class: 'mail', id: 'preview-html', lang, dir }, inert(new DOMParser().parseFromString(mail.html.replace(STYLES, ''), 'text/html').body)),
    el('details', { class: 'mail-text' },
      el('summary', { text: T('previewText') }),
      el('pre', { id: 'preview-text', lang, dir, text: mail.text })));
}

// The template's inline styles, taken out before parsing: even a parsed, never shown document
// reports each one to the page's CSP. The texts in it are escaped, so this matches attributes only.
const STYLES = / style="[^"]*"/g;
const KEPT = new Set(['p', 'br', 'strong', 'em', 'b', 'i', 'span', 'div', 'hr', 'bdi', 'ul', 'ol', 'li']);

/**
 * The rendered email's nodes rebuilt from a few plain elements, with no attribute but `dir` and
 * `lang`, and links as text: the preview's unsubscribe link is nobody's.
 */
function inert(node) {
  const kids = [...node.childNodes].flatMap((k) => (k.nodeType === Node.TEXT_NODE ? [k.data] : k.nodeType === Node.ELEMENT_NODE ? inert(k) : []));
  const tag = node.localName;
  if (tag === 'a') return el('span', { class: 'fake-link' }, kids);
  if (!KEPT.has(tag)) return kids;
  return el(tag, { dir: node.getAttribute('dir'), lang: node.getAttribute('lang') }, kids);
}

function body() {
  const subject = {};
  const text = {};
  for (const l of languages()) {
    const d = draft.texts[l] || {};
    if ((d.subject || '').trim()) subject[l] = d.subject.trim();
    if ((d.body || '').trim()) text[l] = d.body.trim();
  }
  return { subject, body: text, audience: draft.audience };
}

async function submit(form, send) {
  C.clearErrors(form);
  const b = body();
  // English stands in for every other language, so it is needed before anything is sent.
  const missing = [];
  if (!b.subject.en) missing.push({ field: 'subject.en', message: T('needSubject') });
  if (!b.body.en) missing.push({ field: 'body.en', message: T('needBody') });
  if (missing.length) {
    select('en');
    C.fieldErrors(form, { status: 400, problem: { status: 400, errors: missing } });
    return;
  }
  await loadStats();
  audienceCounts();
  const n = reach(b.audience);
  const vars = { subject: b.subject.en, audience: T(`audienceName.${b.audience}`), count: n };
  if (!(await C.confirm({ title: T('confirmTitle'), body: T(n === null ? 'confirmBodyUnknown' : 'confirmBody', vars), confirm: T('confirmSend') }))) return;
  send.disabled = true;
  try {
    const accepted = await C.api('POST', 'announcements', b);
    draft.texts = {};
    guard.clean();
    form.querySelectorAll('input[type="text"], textarea').forEach((c) => { c.value = ''; });
    preview();
    C.notice(T('sent', { count: accepted.recipients }));
    await loadList();
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    if (!C.fieldErrors(form, e)) C.notice(C.problemText(e), 'error');
    showTabOf(form.querySelector('[aria-invalid="true"]'));
  } finally {
    send.disabled = false;
  }
}

async function loadList() {
  const box = $('#ann-list');
  try {
    const list = (await C.api('GET', 'announcements')).announcements;
    box.replaceChildren(list.length ? sentTable(list) : el('p', { class: 'panel', id: 'ann-empty', text: T('none') }));
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    box.replaceChildren(el('div', { class: 'panel', role: 'alert' },
      el('p', { text: T('loadFailed', { problem: C.problemText(e) }) }), C.button(T('retry'), loadList)));
  }
}

function sentTable(list) {
  const lang = Plenary.language();
  const zone = ctx.event.timezone;
  return el('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'ann-caption' },
    el('table', { id: 'ann-table', class: 'console-table' },
      el('caption', { id: 'ann-caption', text: T('caption', { zone }) }),
      el('thead', {}, el('tr', {}, ['when', 'subject', 'audience', 'by', 'recipients', 'sent'].map((c) => el('th', { scope: 'col', text: T(`col.${c}`) })))),
      el('tbody', {}, list.map((a) => el('tr', { 'data-id': a.announcement_id },
        el('td', {}, el('time', { datetime: a.created_at, text: C.when(a.created_at, zone) })),
        el('th', { scope: 'row' }, bdi(a.subject[lang] || a.subject.en || Object.values(a.subject)[0] || '')),
        el('td', { text: T(`audienceShort.${a.audience}`) }),
        el('td', {}, a.created_by ? bdi(a.created_by) : T('deployment')),
        el('td', { class: 'num', 'data-col': 'recipients', text: String(a.recipients) }),
        el('td', { class: 'num', 'data-col': 'sent', text: String(a.sent) }))))));
}
