// `/events/{id}`: the event, its programme (in the visitor's zone by default, or the event's),
// its speakers, and the registration form; once the event is over, its presentations and
// recordings first, and a notice that it has ended instead of the form.
'use strict';

(() => {
  const {
    t, tb, el, bdi, api, announce, errorMessage, formatter, formatDay, zoneOffset, visitorZone, fillCountries, fillChoices,
    formJson, clearErrors, showProblem, renderQuestions, answersJson, renderParticipation, participationIn,
  } = Plenary;

  // The event's times, with Intl formatters made once (common.js).
  function formatTime(iso, zone) {
    return formatter(Intl.DateTimeFormat, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(iso));
  }

  /** A date and time, e.g. the registration deadline: "8 September 2021, 14:00". */
  function formatInstant(iso, zone) {
    return formatter(Intl.DateTimeFormat, {
      timeZone: zone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).format(new Date(iso));
  }

  /** The days from `startIso` to `endIso` in `zone`, shortened as the locale does: "8–9 September 2021". */
  function formatDays(startIso, endIso, zone) {
    // Chromium spaces the dash even between two days of one month ("8 – 9 September"); the
    // days of one month read as one range, "8–9 September 2021".
    return formatter(Intl.DateTimeFormat, { timeZone: zone, day: 'numeric', month: 'long', year: 'numeric' })
      .formatRange(new Date(startIso), new Date(endIso)).replace(/(\d)\s+–\s+(\d)/u, '$1–$2');
  }

  /** The zone's short name at `iso` ("CEST"), or its offset ("UTC+02:00") where it has none. */
  function zoneName(zone, iso) {
    const parts = formatter(Intl.DateTimeFormat, { timeZone: zone, timeZoneName: 'short' }, 'en-GB')
      .formatToParts(new Date(iso));
    const name = (parts.find((p) => p.type === 'timeZoneName') || {}).value || '';
    return /^[A-Z]{2,5}$/.test(name) && !/^(GMT|UTC)$/.test(name) ? name : zoneOffset(zone, iso);
  }

  const CATEGORIES = ['member_state', 'sector_member', 'associate', 'academia', 'individual'];
  const id = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop());
  const path = `/v1/events/${encodeURIComponent(id)}`;
  const visitor = visitorZone();

  let event = null;
  let speakers = null;
  let programme = null; // the last programme fetched, with the zone it is shown in
  let programmeMissing = false;
  let zoneChoice = 'visitor';
  let lastSubmit = { body: '', key: '' }; // the same body keeps its Idempotency-Key

  const $ = (sel) => document.getElementById(sel);
  const shownZone = () => (zoneChoice === 'event' ? event.timezone : visitor);

  // ---- The event's facts at the top of the page (dates and hours, registration, contact,
  // remote participation, documents) ----

  /**
   * The days and the daily hours in `zone`: "8–9 September 2021, 14:00–16:30 CEST (Europe/Zurich)";
   * the hours are the first day's start and the last day's end. Each run in Latin script is
   * isolated, so an Arabic line keeps its parentheses where they belong.
   */
  function when(zone) {
    const hours = el('bdi', {},
      el('time', { datetime: event.starts_at, text: formatTime(event.starts_at, zone) }), '–',
      el('time', { datetime: event.ends_at, text: formatTime(event.ends_at, zone) }), ' ',
      zoneName(zone, event.starts_at));
    return [...tb('event.daysHours', { days: formatDays(event.starts_at, event.ends_at, zone), hours }), ' (', bdi(zone), ')'];
  }

  /** Whether registration is open, and until or from when, in the visitor's zone. */
  function registrationState() {
    const { open, opens_at: opens, closes_at: closes } = event.registration;
    const at = (iso) => `${formatInstant(iso, visitor)} ${zoneName(visitor, iso)}`;
    if (open) return closes ? tb('event.openUntil', { deadline: at(closes) }) : [t('event.open')];
    if (opens && new Date(opens) > new Date()) return tb('event.opensOn', { date: at(opens) });
    return closes ? tb('event.closedOn', { deadline: at(closes) }) : [t('event.closed')];
  }

  function renderFacts() {
    const summary = (event.description || event.title).replace(/\s+/g, ' ');
    document.querySelector('meta[name="description"]')
      .setAttribute('content', summary.length > 160 ? `${summary.slice(0, 159)}…` : summary);
    $('event-when').replaceChildren(...when(event.timezone));
    // The visitor's own hours only where they differ from the event's.
    $('event-when-visitor-row').hidden = zoneOffset(visitor, event.starts_at) === zoneOffset(event.timezone, event.starts_at)
      && zoneOffset(visitor, event.ends_at) === zoneOffset(event.timezone, event.ends_at);
    $('event-when-visitor').replaceChildren(...when(visitor));
    $('event-format').textContent = t(`format.${event.format}`);
    $('event-registration').replaceChildren(...(event.ended ? [t('past.ended')] : registrationState()));
    $('event-registration').dataset.open = String(event.registration.open);
    $('event-contact-row').hidden = !event.contact;
    if (event.contact) {
      $('event-contact').replaceChildren(el('bdi', { dir: 'auto', text: event.contact.name }), ', ',
        el('a', { href: `mailto:${event.contact.email}`, dir: 'ltr', text: event.contact.email }));
    }
    // Online participants need to know how and when the connection details reach them.
    $('remote').hidden = event.format === 'in_person' || event.ended;
    $('remote-text').textContent = t(event.format === 'hybrid' ? 'remote.hybrid' : 'remote.virtual');
    const links = event.links || [];
    $('documents').hidden = links.length === 0;
    $('documents-list').replaceChildren(...links.map((l) => el('li', {},
      el('a', { href: l.url, dir: 'auto', text: l.title }), ' ', el('bdi', { class: 'muted url', text: new URL(l.url).host }))));
  }

  async function loadProgramme() {
    const zone = shownZone();
    $('programme').setAttribute('aria-busy', 'true');
    try {
      programme = await api('GET', `${path}/programme?tz=${encodeURIComponent(zone)}`);
      programmeMissing = false;
    } catch (e) {
      programme = null;
      programmeMissing = e.status === 404;
      if (!programmeMissing) announce(errorMessage(e), 'error');
    }
    $('programme').setAttribute('aria-busy', 'false');
  }

  function renderEvent() {
    // U+2068/U+2069 isolate the title in the tab's title too, which cannot hold a <bdi>.
    document.title = `\u2068${event.title}\u2069 — ${t('site.name')}`;
    $('event-title').textContent = event.title;
    renderFacts();
    $('event-description').textContent = event.description || '';
    $('zone-visitor-label').replaceChildren(t('programme.yourZone'), ' (', bdi(visitor), ')');
    $('zone-event-label').replaceChildren(t('programme.eventZone'), ' (', bdi(event.timezone), ')');
    $('calendar-link').href = Plenary.apiUrl(`${path}/programme.ics`);
  }

  // Once the event is over the page leads with what it left: every session with materials, in
  // the programme's order, under the day and hours it was held.
  function renderPast() {
    const ended = Boolean(event.ended);
    $('past').hidden = !ended;
    const heading = $('programme-heading');
    heading.dataset.i18n = ended ? 'past.programme' : 'programme.heading';
    heading.textContent = t(heading.dataset.i18n);
    if (!ended) return;
    const zone = programme ? programme.timezone : visitor;
    const held = programme ? programme.days.flatMap((day) => day.sessions
      .filter((s) => (s.materials || []).some((m) => /^https?:\/\//i.test(m.url)))
      .map((s) => ({ day, s }))) : [];
    $('past-sessions').replaceChildren(...(held.length === 0
      ? [el('p', { class: 'muted', text: t('past.none') })]
      : [el('ul', { class: 'past-sessions' }, held.map(({ day, s }) => el('li', { 'data-session': s.id },
        el('h3', {}, el('span', { dir: 'auto', text: s.title })),
        el('p', { class: 'muted' }, formatDay(day.date), ', ',
          el('time', { datetime: s.starts_at, text: formatTime(s.starts_at, zone) }), '–',
          el('time', { datetime: s.ends_at, text: formatTime(s.ends_at, zone) })),
        materialList(s.materials))))]));
  }

  function speakerLine(list) {
    return list.filter((s) => s.name)
      .map((s) => [s.name, s.affiliation].filter(Boolean).join(', ') + (s.role ? ` (${s.role})` : ''))
      .join('; ');
  }

  function renderProgramme() {
    const box = $('programme');
    $('programme-tools').hidden = !programme;
    if (!programme) {
      box.replaceChildren(el('p', { text: t(programmeMissing ? 'programme.notPublished' : 'programme.unavailable') }));
      return;
    }
    const zone = programme.timezone;
    const first = programme.days[0] && programme.days[0].sessions[0];
    $('zone-label').replaceChildren(
      t('programme.timesIn'), ' ', bdi(zone), ' ', bdi(first ? `(${zoneOffset(zone, first.starts_at)})` : ''),
    );
    box.dataset.zone = zone;
    box.replaceChildren(...programme.days.map((day) => el('section', { class: 'day' },
      el('h3', { text: formatDay(day.date) }),
      el('ol', { class: 'sessions' }, day.sessions.map((s) => el('li', { class: 'session', 'data-session': s.id },
        el('div', { class: 'when' },
          el('time', { datetime: s.starts_at, text: formatTime(s.starts_at, zone) }), '–',
          el('time', { datetime: s.ends_at, text: formatTime(s.ends_at, zone) })),
        el('div', {},
          el('h4', {}, el('span', { dir: 'auto', text: s.title }), el('span', { class: 'badge kind', text: t(`kind.${s.kind}`) })),
          speakerLine(s.speakers) && el('p', { class: 'who', dir: 'auto', text: speakerLine(s.speakers) }),
          s.abstract && el('p', { dir: 'auto', text: s.abstract }),
          materialList(s.materials)),
      ))),
    )));
  }

  // A session's slides, documents, recordings and links, each with its kind and, when it names
  // one, its language (named in the reader's language). Only http(s) addresses become links,
  // whatever the API sends.
  function materialList(list) {
    if (!list || list.length === 0) return null;
    const names = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'language' });
    return el('ul', { class: 'materials', 'aria-label': t('programme.materials') }, list
      .filter((m) => /^https?:\/\//i.test(m.url))
      .map((m) => el('li', { 'data-material': m.id },
        el('a', { href: m.url, hreflang: m.language, rel: 'noopener', dir: 'auto', text: m.title }),
        ' ', el('span', { class: 'badge', text: t(`material.${m.kind}`) }),
        m.language && el('span', { class: 'lang', 'data-language': m.language }, ' (', bdi(names.of(m.language)), ')'))));
  }

  function renderSpeakers() {
    const box = $('speakers');
    if (!speakers || speakers.length === 0) {
      box.replaceChildren(el('p', { text: t('speakers.none') }));
      return;
    }
    box.replaceChildren(el('ul', { class: 'speakers' }, speakers.map((s) => el('li', {},
      el('strong', { dir: 'auto', text: s.name }), s.affiliation ? `, ${s.affiliation}` : '',
      s.bio && el('p', { dir: 'auto', text: s.bio }),
    ))));
  }

  function renderForm() {
    const form = $('register-form');
    fillCountries(form.elements.country);
    fillChoices(form.elements.category, CATEGORIES, 'category');
    renderParticipation($('participation'), event);
    renderQuestions($('questions'), event.questions || []);
    // An event that is over takes no registrations, whatever its window said.
    const open = event.registration.open && !event.ended;
    $('registration-closed').hidden = open;
    $('registration-closed').textContent = open ? '' : t(event.ended ? 'past.ended' : 'form.closed');
    form.hidden = !open || !$('check-email').hidden;
  }

  function formBody(form) {
    const body = formJson(form, [
      'email', 'given_name', 'family_name', 'country', 'organisation', 'category', 'language', 'consent',
      'notifications.reminders', 'notifications.programme_changes', 'notifications.announcements', 'accessibility_needs',
    ]);
    // No needs said: the field is left out.
    if (!body.accessibility_needs) delete body.accessibility_needs;
    if ((event.questions || []).length) body.answers = answersJson(form, event.questions);
    // Asked on hybrid events only; left out when not chosen, so the API names it.
    const mode = participationIn(form);
    if (mode) body.participation = mode;
    return body;
  }

  async function submit(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const button = $('register-submit');
    const body = formBody(form);
    const json = JSON.stringify(body);
    if (json !== lastSubmit.body) lastSubmit = { body: json, key: crypto.randomUUID() };
    button.disabled = true;
    announce(t('form.sending'));
    try {
      await api('POST', `${path}/registrations`, { body, headers: { 'Idempotency-Key': lastSubmit.key } });
      clearErrors(form);
      announce('');
      form.hidden = true;
      $('check-email-text').replaceChildren(t('checkEmail.textBefore'), ' ', bdi(body.email), ' ', t('checkEmail.textAfter'));
      $('check-email').hidden = false;
      $('check-email').dataset.email = body.email;
      $('check-email').focus();
    } catch (e) {
      if (!showProblem(form, e, 'form')) {
        clearErrors(form);
        announce(errorMessage(e), 'error');
      }
    } finally {
      button.disabled = false;
    }
  }

  async function resend() {
    try {
      await api('POST', `${path}/registrations/resend`, { body: { email: $('check-email').dataset.email } });
      announce(t('checkEmail.resent'), 'ok');
    } catch (e) {
      announce(errorMessage(e), 'error');
    }
  }

  // One task each, with the browser free in between: the whole page in one task was the load's
  // longest (Lighthouse's total blocking time); the facts at the top come first.
  const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });

  async function render() {
    renderEvent();
    renderPast();
    await nextTask();
    renderProgramme();
    await nextTask();
    renderSpeakers();
    renderForm();
  }

  Plenary.start(async () => {
    if (event === null) {
      try {
        event = await api('GET', path);
      } catch (e) {
        announce(e.status === 404 ? t('event.notFound') : errorMessage(e), 'error');
        return;
      }
      const [, list] = await Promise.all([
        loadProgramme(),
        api('GET', `${path}/speakers`).catch(() => ({ speakers: [] })),
      ]);
      speakers = list.speakers;
      document.querySelectorAll('input[name="zone"]').forEach((radio) => radio.addEventListener('change', async () => {
        zoneChoice = radio.value;
        await loadProgramme();
        renderProgramme();
        renderPast();
      }));
      $('register-form').addEventListener('submit', submit);
      $('resend').addEventListener('click', resend);
      $('event').hidden = false;
    }
    await render();
  });
})();
