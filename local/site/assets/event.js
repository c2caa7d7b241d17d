// `/events/{id}`: the event, its programme (in the visitor's zone by default, or the event's),
// its speakers, and the registration form.
'use strict';

(() => {
  const {
    t, el, bdi, api, announce, errorMessage, formatTime, formatDate, formatDay, zoneOffset,
    visitorZone, fillCountries, fillChoices, formJson, clearErrors, showProblem, renderQuestions, answersJson,
    renderParticipation, participationIn,
  } = Plenary;

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
    document.title = `${event.title} — ${t('site.name')}`;
    $('event-title').textContent = event.title;
    $('event-when').replaceChildren(
      formatDate(event.starts_at, event.timezone), ' – ', formatDate(event.ends_at, event.timezone),
      ' · ', t(`format.${event.format}`),
    );
    $('event-description').textContent = event.description || '';
    $('zone-visitor-label').replaceChildren(t('programme.yourZone'), ' (', bdi(visitor), ')');
    $('zone-event-label').replaceChildren(t('programme.eventZone'), ' (', bdi(event.timezone), ')');
    $('calendar-link').href = Plenary.apiUrl(`${path}/programme.ics`);
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
    const open = event.registration.open;
    $('registration-closed').hidden = open;
    $('registration-closed').textContent = open ? '' : t('form.closed');
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

  function render() {
    renderEvent();
    renderProgramme();
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
      }));
      $('register-form').addEventListener('submit', submit);
      $('resend').addEventListener('click', resend);
      $('event').hidden = false;
    }
    render();
  });
})();
