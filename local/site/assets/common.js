// Shared by every page: the six languages, API calls, the frame around <main> (header and
// footer), the registration's fields, and the helpers the pages render with.
// No framework and no build step: each page loads this file, then its own script.
'use strict';

const Plenary = (() => {
  const LANGUAGES = [
    ['ar', 'العربية'], ['zh', '中文'], ['en', 'English'],
    ['fr', 'Français'], ['ru', 'Русский'], ['es', 'Español'],
  ];
  const CODES = LANGUAGES.map(([code]) => code);
  const RTL = new Set(['ar']);
  const STORAGE_KEY = 'plenary.language';
  // ISO 3166-1 alpha-2, as the API accepts them (shared/data/iso3166-1-alpha2.tsv); names come
  // from the browser (Intl.DisplayNames) in the reader's language.
  const COUNTRIES = `
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS 
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE 
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM 
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC 
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA 
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW 
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO 
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
  `.trim().split(/\s+/);

  // The API's base URL: empty when the site and the API share an origin (the local stack); a
  // site hosted elsewhere sets <meta name="plenary-api" content="https://api.example">.
  const meta = document.querySelector('meta[name="plenary-api"]');
  const API = ((meta && meta.content) || '').replace(/\/+$/, '');

  let language = 'en';
  let dictionary = {};
  let rerender = () => {};

  function storedLanguage() {
    try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
  }

  function preferredLanguage() {
    // An emailed link names the registrant's language (`?lang=`), which wins for that page.
    const asked = new URLSearchParams(location.search).get('lang');
    if (CODES.includes(asked)) return asked;
    const saved = storedLanguage();
    if (CODES.includes(saved)) return saved;
    for (const tag of navigator.languages || [navigator.language || 'en']) {
      const base = String(tag).toLowerCase().split('-')[0];
      if (CODES.includes(base)) return base;
    }
    return 'en';
  }

  /** The UI string `key`, with `{name}` placeholders filled from `vars`. */
  function t(key, vars = {}) {
    const s = Object.prototype.hasOwnProperty.call(dictionary, key) ? dictionary[key] : key;
    return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }

  function has(key) {
    return Object.prototype.hasOwnProperty.call(dictionary, key);
  }

  /** Translates elements marked data-i18n (text) and data-i18n-attr ("attr:key;attr:key"). */
  function translate(root = document) {
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    root.querySelectorAll('[data-i18n-attr]').forEach((el) => {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
      }
    });
  }

  /** Switches the page to `code` (e.g. the registrant's language from an answer) and renders. */
  async function switchLanguage(code) {
    if (!CODES.includes(code) || code === language) return;
    await useLanguage(code);
    const switcher = document.getElementById('language-switch');
    if (switcher) switcher.value = code;
  }

  async function useLanguage(code) {
    const res = await fetch(`/i18n/${code}.json`);
    if (!res.ok) throw new Error(`no dictionary for ${code}`);
    dictionary = await res.json();
    language = code;
    document.documentElement.lang = code;
    document.documentElement.dir = RTL.has(code) ? 'rtl' : 'ltr';
    translate();
    fillLanguageSelects();
  }

  function fillLanguageSelects() {
    document.querySelectorAll('select[data-languages]').forEach((select) => {
      const value = select.value || language;
      select.replaceChildren(...LANGUAGES.map(([code, name]) => {
        const o = new Option(name, code);
        o.lang = code;
        return o;
      }));
      select.value = select.id === 'language-switch' ? language : value;
    });
  }

  /**
   * The frame every page shares, made here once: before <main> the skip link and the header (the
   * brand link home and the language switcher), after it the footer. A page's HTML holds only its
   * <main> and a <noscript> header for readers without script, who get no switcher and no data.
   * Returns the switcher.
   */
  function frame() {
    const existing = document.getElementById('language-switch');
    if (existing) return existing;
    const main = document.getElementById('main');
    if (!main) return null;
    const select = el('select', { id: 'language-switch', 'data-languages': true });
    main.before(
      el('a', { class: 'skip', href: '#main', 'data-i18n': 'nav.skip', text: 'Skip to content' }),
      el('header', { class: 'site-header' },
        el('a', { class: 'brand', href: '/', 'data-i18n': 'site.name', text: 'ITU workshops' }),
        el('div', { class: 'switch' },
          el('label', { for: 'language-switch', 'data-i18n': 'nav.language', text: 'Language' }),
          select)),
    );
    main.after(el('footer', {}, el('p', { 'data-i18n': 'site.footer' })));
    return select;
  }

  // ---- The registration's fields, defined once for the register and edit forms ----

  /** A labelled control named `name` (id `f-{name}`), with a hint when `hint` names its text. */
  function field(name, control, { hint, ...attrs } = {}) {
    const id = `f-${name}`;
    const hintId = hint && `${id}-hint`;
    const direction = control === 'select' ? {} : { dir: 'auto' };
    return el('div', { class: 'field' },
      el('label', { for: id, 'data-i18n': `form.${name}` }),
      hint && el('p', { id: hintId, class: 'hint', 'data-i18n': hint }),
      el(control, { id, name, ...direction, ...attrs, 'aria-describedby': hintId, 'data-hint': hintId }));
  }

  /** A checkbox and its label; `id` is `f-` and the last part of the dotted `name`. */
  function check(name, attrs = {}) {
    const id = `f-${name.split('.').pop()}`;
    return el('div', { class: 'check' },
      el('input', { id, name, type: 'checkbox', ...attrs }),
      el('label', { for: id, 'data-i18n': `form.${id.slice(2)}` }));
  }

  const required = { 'aria-required': 'true' };
  const FIELDS = {
    email: () => field('email', 'input',
      { type: 'email', autocomplete: 'email', ...required, hint: 'form.emailHint' }),
    given_name: () => field('given_name', 'input', { type: 'text', autocomplete: 'given-name', ...required }),
    family_name: () => field('family_name', 'input', { type: 'text', autocomplete: 'family-name', ...required }),
    country: () => field('country', 'select', { ...required, autocomplete: 'country' }),
    organisation: () => field('organisation', 'input', { type: 'text', autocomplete: 'organization', ...required }),
    category: () => field('category', 'select', required),
    language: () => field('language', 'select', { ...required, 'data-languages': true }),
    accessibility_needs: () => field('accessibility_needs', 'textarea',
      { maxlength: '1000', hint: 'form.accessibility_needsHint' }),
    notifications: () => el('fieldset', { class: 'field' },
      el('legend', { 'data-i18n': 'form.notifications' }),
      check('notifications.reminders', { checked: true }),
      check('notifications.programme_changes', { checked: true }),
      check('notifications.announcements', { checked: true })),
    consent: () => el('div', { class: 'field' }, check('consent', required)),
  };

  /** Puts the fields each `data-fields` placeholder names (space-separated) in its place. */
  function fields() {
    document.querySelectorAll('[data-fields]').forEach((slot) => {
      slot.replaceWith(...slot.dataset.fields.split(/\s+/).map((name) => FIELDS[name]()));
    });
  }

  /** Loads the reader's language, wires the switcher, then renders the page (again on switch). */
  async function start(render) {
    rerender = render;
    const switcher = frame();
    fields();
    await useLanguage(preferredLanguage());
    if (switcher) {
      switcher.value = language;
      switcher.addEventListener('change', async () => {
        try { localStorage.setItem(STORAGE_KEY, switcher.value); } catch { /* private mode */ }
        await useLanguage(switcher.value);
        rerender();
      });
    }
    await render();
  }

  /** The absolute address of an API path, for links and the rare call api() cannot make. */
  function apiUrl(path) {
    return API + path;
  }

  /** A problem+json error from the API, or a network failure (status 0). */
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
      // The slug of the problem's `type` URI, e.g. `not-eligible`.
      this.code = String(this.problem.type || '').split('/').pop();
    }
  }

  /** Calls the public API; resolves to the JSON body (or null), rejects with an ApiError. */
  async function api(method, path, { body, token, headers = {} } = {}) {
    const init = { method, headers: { Accept: 'application/json', ...headers } };
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(apiUrl(path), init);
    } catch (e) {
      throw new ApiError(0, { detail: String(e) });
    }
    const type = res.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await res.json().catch(() => null) : null;
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  /** The localized sentence for a failed call: by problem code, then by status, then generic. */
  function errorMessage(e) {
    if (e.code && has(`problem.${e.code}`)) return t(`problem.${e.code}`);
    if (e.status === 0) return t('problem.network');
    if (e.status === 429) return t('problem.too-many-requests');
    return t('problem.generic');
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined && c !== false) node.append(c);
    }
    return node;
  }

  /** Text that may be in another script (names, zones, addresses), isolated for bidi. */
  function bdi(text) {
    return el('bdi', { text });
  }

  /** Shows a status line in the page's live region so screen readers hear it. */
  function announce(text, kind = 'info') {
    const region = document.getElementById('announce');
    if (!region) return;
    region.textContent = text;
    region.dataset.kind = kind;
    region.hidden = !text;
  }

  function query(name) {
    return new URLSearchParams(location.search).get(name);
  }

  function locale() {
    // Latin digits in Arabic keep times and dates readable next to the zone names.
    return language === 'ar' ? 'ar-u-nu-latn' : language;
  }

  function formatTime(iso, zone) {
    return new Intl.DateTimeFormat(locale(), { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(iso));
  }

  function formatDate(iso, zone) {
    return new Intl.DateTimeFormat(locale(), { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
      .format(new Date(iso));
  }

  /** A calendar date (YYYY-MM-DD) as words, independent of any zone. */
  function formatDay(date) {
    return formatDate(`${date}T12:00:00Z`, 'UTC');
  }

  /** "UTC+02:00"-style offset of `zone` at `iso`. */
  function zoneOffset(zone, iso) {
    const parts = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(iso));
    const name = parts.find((p) => p.type === 'timeZoneName');
    return name ? name.value.replace('GMT', 'UTC').replace(/^UTC$/, 'UTC+00:00') : '';
  }

  function visitorZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
  }

  function countryName(code) {
    try {
      return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) || code;
    } catch { return code; }
  }

  /** Fills a <select> with every country, named in the reader's language, keeping its choice. */
  function fillCountries(select) {
    const value = select.value;
    const collator = new Intl.Collator(locale());
    const options = COUNTRIES.map((code) => [code, countryName(code)])
      .sort((a, b) => collator.compare(a[1], b[1]))
      .map(([code, name]) => new Option(name, code));
    select.replaceChildren(new Option(t('form.choose'), ''), ...options);
    select.value = value;
  }

  /** Fills a <select> whose options are `values`, labelled by `prefix.value` keys. */
  function fillChoices(select, values, prefix, { placeholder = true } = {}) {
    const value = select.value;
    const options = values.map((v) => new Option(t(`${prefix}.${v}`), v));
    select.replaceChildren(...(placeholder ? [new Option(t('form.choose'), '')] : []), ...options);
    select.value = value;
  }

  // ---- The event's own questions (`questions`), for the register and edit forms ----

  /** A label of the organiser's, in the reader's language, else in English. */
  function labelOf(label) {
    return (label && (label[language] || label.en)) || '';
  }

  /** The control of one question; its name is `answers.<id>`, as the API names its errors. */
  function questionField(q) {
    const name = `answers.${q.id}`;
    const id = `f-answers-${q.id}`;
    const text = [labelOf(q.label), q.required ? '' : ` ${t('form.optional')}`].join('');
    const attrs = { id, name, 'data-question': q.id, ...(q.required ? required : {}) };
    if (q.kind === 'choices') {
      return el('fieldset', { class: 'field question', 'data-question-box': q.id },
        el('legend', { dir: 'auto', text }),
        q.options.map((o, i) => el('div', { class: 'check' },
          el('input', { ...attrs, id: i === 0 ? id : `${id}-${o.id}`, type: 'checkbox', value: o.id }),
          el('label', { for: i === 0 ? id : `${id}-${o.id}`, dir: 'auto', text: labelOf(o.label) }))));
    }
    let control;
    if (q.kind === 'choice' || q.kind === 'boolean') {
      const options = q.kind === 'boolean'
        ? [{ id: 'true', text: t('form.yes') }, { id: 'false', text: t('form.no') }]
        : q.options.map((o) => ({ id: o.id, text: labelOf(o.label) }));
      control = el('select', attrs,
        el('option', { value: '', text: t('form.choose') }),
        options.map((o) => el('option', { value: o.id, dir: 'auto', text: o.text })));
    } else if (q.kind === 'paragraph') {
      control = el('textarea', { ...attrs, dir: 'auto', maxlength: String(q.max_length || 2000) });
    } else {
      control = el('input', { ...attrs, type: 'text', dir: 'auto', maxlength: String(q.max_length || 200) });
    }
    return el('div', { class: 'field question', 'data-question-box': q.id },
      el('label', { for: id, dir: 'auto', text }), control);
  }

  /** The answer a question's controls hold now: undefined when it has none. */
  function answerIn(form, q) {
    const controls = [...form.querySelectorAll(`[data-question="${CSS.escape(q.id)}"]`)];
    if (q.kind === 'choices') {
      const chosen = controls.filter((c) => c.checked).map((c) => c.value);
      return chosen.length ? chosen : undefined;
    }
    const value = controls[0] ? controls[0].value.trim() : '';
    if (value === '') return undefined;
    if (q.kind === 'boolean') return value === 'true';
    return value;
  }

  /** Whether `q` applies, given the answers its condition looks at (as the API decides). */
  function applies(q, questions, form) {
    if (!q.shown_if) return true;
    const on = questions.find((x) => x.id === q.shown_if.question);
    return !!on && applies(on, questions, form) && answerIn(form, on) === q.shown_if.equals;
  }

  /** Shows the questions that apply and hides the others (their answers are not sent). */
  function showApplying(form, questions) {
    for (const q of questions) {
      const box = form.querySelector(`[data-question-box="${CSS.escape(q.id)}"]`);
      if (box) box.hidden = !applies(q, questions, form);
    }
  }

  /**
   * Puts the event's questions into `slot` (emptied first) with `answers` filled in, and keeps
   * conditional questions shown or hidden as answers change.
   */
  function renderQuestions(slot, questions, answers = {}) {
    const form = slot.closest('form');
    const kept = {};
    // A re-render (a language switch) keeps what the reader chose so far.
    for (const q of questions) {
      const now = slot.childElementCount ? answerIn(form, q) : undefined;
      kept[q.id] = now !== undefined ? now : answers[q.id];
    }
    slot.replaceChildren(...(questions.length
      ? [el('h3', { text: t('form.questions') }), ...questions.map(questionField)] : []));
    for (const q of questions) {
      const value = kept[q.id];
      if (value === undefined || value === null) continue;
      const controls = form.querySelectorAll(`[data-question="${CSS.escape(q.id)}"]`);
      controls.forEach((c) => {
        if (c.type === 'checkbox') c.checked = Array.isArray(value) && value.includes(c.value);
        else c.value = String(value);
      });
    }
    if (!slot.dataset.wired) {
      slot.addEventListener('change', () => showApplying(form, slot.questions || []));
      slot.addEventListener('input', () => showApplying(form, slot.questions || []));
      slot.dataset.wired = 'true';
    }
    slot.questions = questions;
    showApplying(form, questions);
  }

  /** The `answers` member of a body: the answer of each question that applies. */
  function answersJson(form, questions) {
    const answers = {};
    for (const q of questions) {
      if (!applies(q, questions, form)) continue;
      const a = answerIn(form, q);
      if (a !== undefined) answers[q.id] = a;
    }
    return answers;
  }

  // ---- A hybrid event's "in person or remote" (`participation`), for the register and edit forms ----

  const MODES = ['in_person', 'remote'];

  /** A mode's label: the venue for the room, then the seats left (`seats_left`: null, no limit). */
  function modeText(event, mode) {
    const parts = [t(`form.participation.${mode}`)];
    const venue = mode === 'in_person' && event.in_person && event.in_person.venue;
    if (venue) parts.push(t('form.venue', { venue: venue.name }));
    const left = event.seats_left ? event.seats_left[mode] : null;
    if (left === 0) parts.push(t('form.seatsFull'));
    else if (typeof left === 'number') parts.push(t('form.seatsLeft', { count: left }));
    return parts.join(' · ');
  }

  /** The mode chosen in `form`, or undefined. */
  function participationIn(form) {
    const chosen = form && form.querySelector('input[name="participation"]:checked');
    return chosen ? chosen.value : undefined;
  }

  /**
   * Puts the choice of mode into `slot` for a hybrid event (nothing for other events, which ask
   * no such question), `current` chosen unless the reader chose already (a language switch).
   */
  function renderParticipation(slot, event, current) {
    const chosen = participationIn(slot.closest('form')) || current;
    if (!event || event.format !== 'hybrid') {
      slot.replaceChildren();
      return;
    }
    const id = (mode) => (mode === MODES[0] ? 'f-participation' : `f-participation-${mode}`);
    slot.replaceChildren(el('fieldset', { class: 'field participation' },
      el('legend', { text: t('form.participation') }),
      MODES.map((mode) => el('div', { class: 'check' },
        el('input', { id: id(mode), type: 'radio', name: 'participation', value: mode, checked: mode === chosen }),
        el('label', { for: id(mode), dir: 'auto', text: modeText(event, mode) })))));
  }

  // ---- Forms: their JSON body, and field errors (problem+json `errors`) ----

  /**
   * The JSON body of `form` from the controls named in `names`, in that order: text trimmed,
   * checkboxes as true or false, a dotted name (`notifications.reminders`) as a nested member.
   */
  function formJson(form, names) {
    const body = {};
    for (const name of names) {
      const control = form.elements[name];
      const value = control.type === 'checkbox' ? control.checked : control.value.trim();
      const path = name.split('.');
      const leaf = path.pop();
      let target = body;
      for (const key of path) {
        target[key] = target[key] || {};
        target = target[key];
      }
      target[leaf] = value;
    }
    return body;
  }

  function fieldControl(form, field) {
    return form.querySelector(`[name="${CSS.escape(field)}"]`);
  }

  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; p.hidden = true; });
    form.querySelectorAll('[aria-invalid]').forEach((c) => {
      c.removeAttribute('aria-invalid');
      const hint = c.dataset.hint;
      if (hint) c.setAttribute('aria-describedby', hint); else c.removeAttribute('aria-describedby');
    });
    const summary = form.querySelector('.error-summary');
    if (summary) { summary.hidden = true; summary.replaceChildren(); }
  }

  /**
   * Shows each `{field, message}` next to its control (aria-invalid, aria-describedby) and a
   * summary with links to them at the top of the form, which takes focus so it is read out.
   */
  function showErrors(form, errors, prefix) {
    clearErrors(form);
    const summary = form.querySelector('.error-summary');
    const items = [];
    for (const { field, message } of errors) {
      const text = has(`fieldError.${field}`) ? t(`fieldError.${field}`) : `${field}: ${message}`;
      const control = fieldControl(form, field);
      if (control) {
        const id = `${control.id}-error`;
        let p = document.getElementById(id);
        if (!p) {
          p = el('p', { id, class: 'field-error' });
          control.closest('.field').append(p);
        }
        p.textContent = text;
        p.hidden = false;
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', [control.dataset.hint, id].filter(Boolean).join(' '));
        items.push(el('li', {}, el('a', { href: `#${control.id}`, 'data-field': field, text })));
      } else {
        items.push(el('li', { text }));
      }
    }
    if (summary) {
      summary.replaceChildren(
        el('h3', { text: t(`${prefix}.errorsTitle`, { count: errors.length }) }),
        el('ul', {}, items),
      );
      summary.hidden = false;
      summary.focus();
      summary.querySelectorAll('a[href^="#"]').forEach((a) => a.addEventListener('click', (ev) => {
        ev.preventDefault();
        const target = document.getElementById(a.getAttribute('href').slice(1));
        if (target) target.focus();
      }));
    }
  }

  /**
   * For a 400 whose problem lists `errors`, shows them on `form` (see showErrors) and returns
   * true; any other failure is left to the caller (false).
   */
  function showProblem(form, e, prefix) {
    if (e.status !== 400 || !Array.isArray(e.problem.errors)) return false;
    // The summary is the alert (role="alert", focused); a second announcement would repeat it.
    announce('');
    showErrors(form, e.problem.errors, prefix);
    return true;
  }

  return {
    LANGUAGES: CODES, start, switchLanguage, t, has, translate, api, apiUrl, ApiError, errorMessage, el, bdi, announce, query,
    formatTime, formatDate, formatDay, zoneOffset, visitorZone, fillCountries, fillChoices,
    formJson, clearErrors, showErrors, showProblem, language: () => language, locale,
    renderQuestions, answersJson, renderParticipation, participationIn,
  };
})();
