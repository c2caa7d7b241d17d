// The registration form's parts, for the register (event.js) and edit (manage.js) forms: the
// fields, the countries, the event's own questions, "in person or remote", the JSON body and
// field errors. Loaded after common.js, it adds them to `Plenary`.
'use strict';

(() => {
  const { t, el, has, announce, locale, language } = Plenary;

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

  // Every country's name in a locale, sorted for it, worked out once per locale (each render
  // used to make 250 names and sort them again: most of the page's blocking time).
  const countryLists = new Map();
  function countries() {
    const at = locale();
    if (!countryLists.has(at)) {
      let names;
      try { names = new Intl.DisplayNames([at], { type: 'region' }); } catch { names = null; }
      const collator = new Intl.Collator(at);
      countryLists.set(at, COUNTRIES.map((code) => [code, (names && names.of(code)) || code])
        .sort((a, b) => collator.compare(a[1], b[1])));
    }
    return countryLists.get(at);
  }

  /**
   * Fills a <select> with every country, named in the reader's language, keeping its choice.
   * The first time in a language the names are worked out in a task of their own, after the
   * page has drawn: 250 names and a sort were the longest task of the event page's load.
   */
  function fillCountries(select) {
    if (!countryLists.has(locale())) {
      if (!select.options.length) select.replaceChildren(new Option(t('form.choose'), ''));
      const at = locale();
      setTimeout(() => { if (at === locale()) { countries(); fillCountries(select); } }, 0);
      return;
    }
    const value = select.value;
    const options = countries().map(([code, name]) => new Option(name, code));
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
    return (label && (label[language()] || label.en)) || '';
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

  Object.assign(Plenary, {
    fields, fillCountries, fillChoices, formJson, clearErrors, showErrors, showProblem,
    renderQuestions, answersJson, renderParticipation, participationIn,
  });
})();
