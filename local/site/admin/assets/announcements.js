// The announcements page: compose per language (English stands in for the others), choose the
// audience, preview the email, see whom it reaches, confirm, send; then what was sent. The API has
// no preview route: it is rendered here as shared/src/mail/templates/announcement.* render it,
// from their texts in mail-text.json (a test keeps them equal).
'use strict';

(() => {
  const { el } = Plenary;
  const C = Console;
  const T = C.texts('admin.announcements');

  let ctx;
  let mailText = null;
  let stats = null;
  let guard = null;
  // The draft survives a language switch (a render again).
  const draft = { texts: {}, audience: 'confirmed', tab: 'en' };

  C.start({ page: 'announcements', event: true, render });

  function base() {
    return `/v1/admin/events/${encodeURIComponent(ctx.eventId)}`;
  }

  function languages() {
    const list = (ctx.event.languages || []).filter((l) => l !== 'en');
    return ['en', ...list];
  }

  async function render(c) {
    ctx = c;
    const old = ctx.main.querySelector('#desk');
    const root = el('div', { id: 'desk' });
    if (old) old.replaceWith(root); else ctx.main.append(root);
    root.append(el('h1', { text: T('heading') }));
    if (!ctx.may('manage')) {
      root.append(el('p', { class: 'panel refusal', id: 'no-role', text: T('noRole') }));
      return;
    }
    const loading = el('p', { class: 'muted', role: 'status', text: T('loading') });
    root.append(loading);
    // The stats say whom each audience reaches (and whether attendance audiences exist).
    await Promise.all([loadMailText(), loadStats()]);
    const sent = el('section', { id: 'ann-sent', 'aria-labelledby': 'ann-sent-h' },
      el('h2', { id: 'ann-sent-h', text: T('sentHeading') }),
      el('div', { id: 'ann-list' }, el('p', { class: 'muted', role: 'status', text: T('loading') })));
    loading.replaceWith(compose(), sent);
    preview();
    audienceCounts();
    await loadList();
  }

  async function loadMailText() {
    if (mailText) return;
    try {
      const res = await fetch('/admin/assets/mail-text.json');
      if (res.ok) mailText = await res.json();
    } catch { /* the preview says it is unavailable */ }
  }

  async function loadStats() {
    try {
      (stats = await C.api('GET', `${base()}/stats`));
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      stats = null;
    }
  }

  // ---- Composing ----

  function compose() {
    const langs = languages();
    if (!langs.includes(draft.tab)) draft.tab = 'en';
    const tabs = el('div', { class: 'tabs', role: 'tablist', 'aria-label': T('languages') });
    const panels = [];
    for (const l of langs) {
      const selected = l === draft.tab;
      const tab = el('button', { type: 'button', role: 'tab', id: `tab-${l}`, 'data-lang': l,
        'aria-controls': `panel-${l}`, 'aria-selected': String(selected), tabindex: selected ? '0' : '-1' },
      el('span', { lang: l, text: C.languageName(l, l) }),
      l === 'en' ? el('span', { class: 'required-mark', text: ` (${T('required')})` }) : null);
      tab.addEventListener('click', () => select(l));
      tabs.append(tab);
      const texts = draft.texts[l] || {};
      const subject = el('input', { type: 'text', id: `subject-${l}`, name: `subject.${l}`, maxlength: '200',
        dir: 'auto', lang: l, value: texts.subject || '', 'aria-required': l === 'en' ? 'true' : null });
      const body = el('textarea', { id: `body-${l}`, name: `body.${l}`, rows: '8', maxlength: '20000', dir: 'auto', lang: l,
        'aria-required': l === 'en' ? 'true' : null, 'aria-describedby': `body-${l}-hint`, 'data-hint': `body-${l}-hint` });
      body.value = texts.body || '';
      for (const c of [subject, body]) {
        c.addEventListener('input', () => {
          draft.texts[l] = { subject: subject.value, body: body.value };
          preview();
        });
      }
      panels.push(el('div', { role: 'tabpanel', id: `panel-${l}`, 'aria-labelledby': `tab-${l}`, hidden: !selected, 'data-lang': l },
        el('p', { class: 'hint', text: T(l === 'en' ? 'englishHint' : 'otherHint') }),
        el('div', { class: 'field' }, el('label', { for: `subject-${l}`, text: T('subject') }), subject),
        el('div', { class: 'field' },
          el('label', { for: `body-${l}`, text: T('body') }),
          el('p', { id: `body-${l}-hint`, class: 'hint', text: T('bodyHint') }),
          body)));
    }
    tabs.addEventListener('keydown', (ev) => {
      const order = langs;
      const i = order.indexOf(draft.tab);
      const rtl = document.documentElement.dir === 'rtl';
      const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[ev.key];
      let next = null;
      if (step) next = order[(i + step + order.length) % order.length];
      if (ev.key === 'Home') next = order[0];
      if (ev.key === 'End') next = order[order.length - 1];
      if (next) {
        ev.preventDefault();
        select(next);
        ctx.main.querySelector(`#tab-${next}`).focus();
      }
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
      if (!a) return;
      const target = document.getElementById(a.getAttribute('href').slice(1));
      const panel = target && target.closest('[role="tabpanel"]');
      if (panel && panel.hidden) select(panel.dataset.lang);
    }, true);

    const previewBox = el('section', { id: 'ann-preview', class: 'preview', 'aria-labelledby': 'ann-preview-h' },
      el('h2', { id: 'ann-preview-h', text: T('previewHeading') }),
      el('p', { class: 'hint', id: 'ann-preview-note' }),
      el('div', { id: 'ann-preview-mail' }));

    return el('section', { id: 'ann-compose', 'aria-labelledby': 'ann-compose-h' },
      el('h2', { id: 'ann-compose-h', text: T('composeHeading') }),
      el('div', { class: 'compose-grid' }, form, previewBox));
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

  // ---- Audience and whom it reaches ----

  // The audiences the API takes; attendance ones only where stats count attendance.
  function audiences() {
    const list = ['confirmed', 'all'];
    if (stats && stats.attendance) list.push('attended', 'absent');
    return list;
  }

  /** Whom an audience reaches by the stats' counts (unsubscribed and erased ones are left out only when sending). */
  function reach(a) {
    if (!stats) return null;
    const s = stats.by_status || {};
    const n = (k) => Number(s[k] || 0);
    if (a === 'confirmed') return n('confirmed');
    if (a === 'all') return n('confirmed') + n('waitlisted') + n('pending_approval');
    if (stats.attendance && a in stats.attendance) return Number(stats.attendance[a]);
    return null;
  }

  function audienceCounts() {
    const form = ctx.main.querySelector('#ann-form');
    if (!form) return;
    for (const a of audiences()) {
      const span = form.querySelector(`#aud-${a}-count`);
      const n = reach(a);
      if (span) span.textContent = n === null ? '' : T('audienceCount', { count: n });
    }
    const n = reach(draft.audience);
    form.querySelector('#ann-reach').textContent = n === null
      ? T('reachUnknown')
      : T('reach', { count: n });
  }

  // ---- The preview, rendered as the notifications job renders an announcement ----

  function fill(template, vars) {
    return String(template).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  }

  /** The job's `format_instant`: the event's local date and time in the mail's words. */
  function formatInstant(iso, zone, m) {
    const parts = {};
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'long', year: 'numeric',
      month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(new Date(iso)).forEach((p) => { parts[p.type] = p.value; });
    const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    const hour = Number(parts.hour) % 24;
    return fill(m.datetime, {
      weekday: m.weekdays[weekdays.indexOf(parts.weekday)],
      day: Number(parts.day),
      month: m.months[Number(parts.month) - 1],
      year: parts.year,
      hh: String(hour).padStart(2, '0'),
      h: hour,
      mm: parts.minute.padStart(2, '0'),
    });
  }

  /**
   * The job's `zone_label`: "CEST (UTC+02:00)". The abbreviation is the browser's (CLDR), which
   * for a few zones differs from the tz database's the mail uses.
   */
  function zoneLabel(iso, zone) {
    const utc = Plenary.zoneOffset(zone, iso);
    for (const locale of ['en-US', 'en-GB']) {
      const short = Plenary.formatter(Intl.DateTimeFormat, { timeZone: zone, timeZoneName: 'short' }, locale)
        .formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName').value;
      if (/^[A-Z]{2,5}$/.test(short) && short !== 'GMT') return short === 'UTC' ? utc : `${short} (${utc})`;
    }
    return utc;
  }

  /** Subject and body as a registrant reading `lang` gets them: English stands in for a missing text. */
  function textFor(lang) {
    const pick = (k) => ((draft.texts[lang] || {})[k] || '').trim() || ((draft.texts.en || {})[k] || '').trim();
    return { subject: pick('subject').split(/\s+/).filter(Boolean).join(' '), body: pick('body').replace(/\r\n/g, '\n') };
  }

  function preview() {
    const box = ctx.main.querySelector('#ann-preview-mail');
    if (!box) return;
    const lang = draft.tab;
    ctx.main.querySelector('#ann-preview-note').textContent = T('previewNote', { language: C.languageName(lang) });
    const m = mailText && mailText[lang];
    if (!m) {
      box.replaceChildren(el('p', { class: 'muted', text: T('previewUnavailable') }));
      return;
    }
    const { subject, body } = textFor(lang);
    const e = ctx.event;
    const vars = {
      name: T('previewName'), title: e.title, zone_name: e.timezone, zone_label: zoneLabel(e.starts_at, e.timezone),
      starts: formatInstant(e.starts_at, e.timezone, m), ends: formatInstant(e.ends_at, e.timezone, m),
    };
    const x = Object.fromEntries(Object.entries(m.messages).map(([k, v]) => [k, fill(v, vars)]));
    // The plain-text part as announcement.txt in layout.txt gives it, tidied as the job tidies it.
    const text = [x.greeting, x.announcement_intro, body.trim(), `${x.when_label}${x.colon}${x.when}\n${x.zone_note}`,
      `--\n${x.footer_registered}\n${x.unsubscribe_intro} ${T('previewUnsubscribe')}`]
      .join('\n\n').replace(/[^\S\n]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim();
    const paragraphs = body.split('\n\n').map((p) => p.trim()).filter(Boolean)
      .map((p) => el('p', {}, p.split('\n').flatMap((line, i) => [i ? el('br') : null, line.replace(/\s+$/, '')])));
    const dir = lang === 'ar' ? 'rtl' : 'ltr';
    box.replaceChildren(
      el('dl', { class: 'mail-head' },
        el('dt', { text: T('previewSubject') }),
        el('dd', { id: 'preview-subject', lang, dir }, subject || el('span', { class: 'muted', text: T('previewEmpty') }))),
      el('div', { class: 'mail', id: 'preview-html', lang, dir },
        el('p', { text: x.greeting }),
        el('p', { text: x.announcement_intro }),
        el('div', { class: 'mail-body' }, paragraphs.length ? paragraphs : el('p', { class: 'muted', text: T('previewEmpty') })),
        el('p', {}, el('strong', { text: `${x.when_label}${x.colon}` }), x.when, el('br'), el('span', { class: 'muted', text: x.zone_note })),
        el('hr'),
        el('p', { class: 'mail-foot', text: x.footer_registered }),
        el('p', { class: 'mail-foot' }, `${x.unsubscribe_intro} `, el('span', { class: 'fake-link', text: x.unsubscribe_action }))),
      el('details', { class: 'mail-text' },
        el('summary', { text: T('previewText') }),
        el('pre', { id: 'preview-text', lang, dir, text })));
  }

  // ---- Sending ----

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
    const ok = await C.confirm({
      title: T('confirmTitle'),
      body: n === null
        ? T('confirmBodyUnknown', { subject: b.subject.en, audience: T(`audienceName.${b.audience}`) })
        : T('confirmBody', { subject: b.subject.en, audience: T(`audienceName.${b.audience}`), count: n }),
      confirm: T('confirmSend'),
      danger: false,
    });
    if (!ok) return;
    send.disabled = true;
    try {
      const accepted = await C.api('POST', `${base()}/announcements`, b);
      draft.texts = {};
      guard.clean();
      form.querySelectorAll('input[type="text"], textarea').forEach((c) => { c.value = ''; });
      preview();
      C.notice(T('sent', { count: accepted.recipients }));
      await loadList();
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      if (!C.fieldErrors(form, e)) C.notice(C.problemText(e), 'error');
      const first = form.querySelector('[aria-invalid="true"]');
      const panel = first && first.closest('[role="tabpanel"]');
      if (panel && panel.hidden) select(panel.dataset.lang);
    } finally {
      send.disabled = false;
    }
  }

  // ---- What was sent ----

  async function loadList() {
    const box = ctx.main.querySelector('#ann-list');
    try {
      const list = await C.api('GET', `${base()}/announcements`);
      box.replaceChildren(list.announcements.length ? sentTable(list.announcements)
        : el('p', { class: 'panel', id: 'ann-empty', text: T('none') }));
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      const retry = C.button(T('retry'), loadList);
      box.replaceChildren(el('div', { class: 'panel', role: 'alert' },
        el('p', { text: T('loadFailed', { problem: C.problemText(e) }) }), retry));
    }
  }

  function sentTable(list) {
    const lang = Plenary.language();
    const cols = ['when', 'subject', 'audience', 'by', 'recipients', 'sent'];
    return el('div', { class: 'table-box', tabindex: '0', role: 'region', 'aria-labelledby': 'ann-caption' },
      el('table', { id: 'ann-table', class: 'console-table' },
        el('caption', { id: 'ann-caption', text: T('caption', { zone: ctx.event.timezone }) }),
        el('thead', {}, el('tr', {}, cols.map((c) => el('th', { scope: 'col', text: T(`col.${c}`) })))),
        el('tbody', {}, list.map((a) => {
          const subject = a.subject[lang] || a.subject.en || Object.values(a.subject)[0] || '';
          return el('tr', { 'data-id': a.announcement_id },
            el('td', {}, el('time', { datetime: a.created_at, text: C.when(a.created_at, ctx.event.timezone, { date: true, time: true }) })),
            el('th', { scope: 'row' }, Plenary.bdi(subject)),
            el('td', { text: T(`audienceShort.${a.audience}`) }),
            el('td', {}, a.created_by ? Plenary.bdi(a.created_by) : T('deployment')),
            el('td', { class: 'num', 'data-col': 'recipients', text: String(a.recipients) }),
            el('td', { class: 'num', 'data-col': 'sent', text: String(a.sent) }));
        }))));
  }
})();
