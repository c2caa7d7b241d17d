// `/registration/manage?token=…`: the registrant's own page, authorised by the emailed token as
// a bearer: status, waiting-list place, join details once released, calendar, edits, cancel.
'use strict';

(() => {
  const {
    t, el, bdi, api, announce, errorMessage, query, formJson, clearErrors, showProblem,
    renderQuestions, answersJson, renderParticipation, participationIn,
  } = Plenary;
  const token = query('token');
  const $ = (id) => document.getElementById(id);

  let me = null;
  let event = null;
  let join = null; // the details, or 'pending' while the organiser has not released them
  let erased = false;
  let failure = null;
  let formFilled = false;
  let calendarUrl = null;

  async function load() {
    me = await api('GET', '/v1/registrations/me', { token });
    event = event || await api('GET', `/v1/events/${encodeURIComponent(me.event_id)}`).catch(() => null);
    join = null;
    if (me.status === 'confirmed') {
      try {
        join = await api('GET', '/v1/registrations/me/join', { token });
      } catch (e) {
        // 403: not released yet (or no longer allowed); anything else is shown as unavailable.
        join = e.status === 403 ? 'pending' : 'unavailable';
      }
    }
    await loadCalendar();
  }

  async function loadCalendar() {
    if (calendarUrl) URL.revokeObjectURL(calendarUrl);
    calendarUrl = null;
    if (['cancelled', 'rejected'].includes(me.status)) return;
    // The personal calendar needs the bearer token, so a plain link cannot fetch it; fetch it
    // here and offer the file itself.
    try {
      const res = await fetch(Plenary.apiUrl('/v1/registrations/me/calendar.ics'), { headers: { Authorization: `Bearer ${token}` } });
      if (res.ok) calendarUrl = URL.createObjectURL(new Blob([await res.text()], { type: 'text/calendar' }));
    } catch { /* offered only when available */ }
  }

  function detail(term, value) {
    return value ? [el('dt', { text: term }), el('dd', {}, value)] : [];
  }

  function renderJoin() {
    const box = $('join-body');
    $('join').hidden = me.status !== 'confirmed';
    if (join === 'pending') {
      box.replaceChildren(el('p', { id: 'join-pending', text: t('join.pending') }));
    } else if (join && typeof join === 'object') {
      box.replaceChildren(
        el('p', {}, el('a', { id: 'join-link', class: 'join-link button', href: join.personal_url, rel: 'noopener noreferrer', text: t('join.open') })),
        el('p', { class: 'muted', text: t('join.personal') }),
        el('dl', { class: 'details' },
          detail(t('join.passcode'), join.passcode && bdi(join.passcode)),
          detail(t('join.dialIn'), join.dial_in && bdi(join.dial_in)),
          detail(t('join.instructions'), join.instructions)),
      );
    } else {
      box.replaceChildren(el('p', { text: t('join.unavailable') }));
    }
  }

  function fillForm() {
    const f = $('edit-form').elements;
    f.given_name.value = me.given_name || '';
    f.family_name.value = me.family_name || '';
    f.organisation.value = me.organisation || '';
    f.language.value = me.language;
    f.accessibility_needs.value = me.accessibility_needs || '';
    f['notifications.reminders'].checked = me.notifications.reminders;
    f['notifications.programme_changes'].checked = me.notifications.programme_changes;
    f['notifications.announcements'].checked = me.notifications.announcements;
    $('edit-email').textContent = me.email || '';
    const slot = $('edit-questions');
    slot.replaceChildren();
    renderQuestions(slot, questions(), me.answers || {});
    fillParticipation();
  }

  /** A hybrid event's mode, as stored (a switch is sent only when it changes). */
  function fillParticipation() {
    const slot = $('edit-participation');
    slot.replaceChildren();
    renderParticipation(slot, event, me.participation);
  }

  /** The switch of mode to send, if the registrant chose another one. */
  function modeSwitch(form) {
    const mode = participationIn(form);
    return mode && mode !== me.participation ? mode : undefined;
  }

  /** The event's questions (none when the event cannot be read, e.g. while it is a draft). */
  function questions() {
    return (event && event.questions) || [];
  }

  function render() {
    if (failure) {
      const key = `manage.error.${failure.status}`;
      announce(Plenary.has(key) ? t(key) : errorMessage(failure), 'error');
      $('registration').hidden = true;
      return;
    }
    if (erased) {
      announce(t('cancel.erased'), 'ok');
      $('registration').hidden = true;
      return;
    }
    if (!me) return;
    $('manage-event').replaceChildren(...(event
      ? [el('a', { href: `/events/${encodeURIComponent(event.id)}` }, bdi(event.title))] : []));
    const line = $('manage-status');
    line.dataset.status = me.status;
    line.textContent = t(`status.${me.status}`);
    $('manage-status-text').textContent = t(`statusText.${me.status}`, { position: me.waitlist_position ?? '?' });
    renderJoin();
    $('calendar').hidden = !calendarUrl;
    if (calendarUrl) $('personal-calendar').href = calendarUrl;
    const active = !['cancelled', 'rejected'].includes(me.status);
    $('edit').hidden = !active;
    $('cancel').hidden = !active;
    if (!formFilled) { fillForm(); formFilled = true; } else {
      renderQuestions($('edit-questions'), questions());
      renderParticipation($('edit-participation'), event, me.participation);
    }
    $('registration').hidden = false;
  }

  async function save(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    const body = formJson(form, [
      'given_name', 'family_name', 'organisation', 'language', 'accessibility_needs',
      'notifications.reminders', 'notifications.programme_changes', 'notifications.announcements',
    ]);
    // null clears the needs.
    body.accessibility_needs = body.accessibility_needs || null;
    // The answers are sent whole: the form is answered again (answers to removed questions stay).
    if (questions().length) body.answers = answersJson(form, questions());
    const mode = modeSwitch(form);
    if (mode) body.participation = mode;
    try {
      me = await api('PATCH', '/v1/registrations/me', { token, body });
      clearErrors(form);
      fillForm();
      render();
      announce(t('edit.saved'), 'ok');
    } catch (e) {
      if (!showProblem(form, e, 'edit')) announce(errorMessage(e), 'error');
    }
  }

  function askCancel(erase) {
    const dialog = $('cancel-dialog');
    $('cancel-dialog-title').textContent = t(erase ? 'cancel.eraseTitle' : 'cancel.cancelTitle');
    $('cancel-dialog-text').textContent = t(erase ? 'cancel.eraseText' : 'cancel.cancelText');
    $('cancel-dialog-yes').textContent = t(erase ? 'cancel.eraseYes' : 'cancel.cancelYes');
    dialog.returnValue = '';
    dialog.onclose = null;
    dialog.addEventListener('close', async () => {
      if (dialog.returnValue !== 'yes') return;
      try {
        const ended = await api('DELETE', `/v1/registrations/me${erase ? '?erase=true' : ''}`, { token });
        // Cancellation ends the token too, so the answer is all there is to show.
        erased = erase;
        me = { ...me, status: ended.status, waitlist_position: undefined };
        join = null;
        await loadCalendar();
        render();
        if (!erase) announce(t('cancel.done'), 'ok');
        $('main').focus();
      } catch (e) {
        announce(errorMessage(e), 'error');
      }
    }, { once: true });
    dialog.showModal();
  }

  Plenary.start(async () => {
    if (!me && !failure && !erased) {
      if (!token) {
        failure = { status: 401 };
      } else {
        try {
          await load();
        } catch (e) {
          failure = e;
        }
        $('edit-form').addEventListener('submit', save);
        $('cancel-button').addEventListener('click', () => askCancel(false));
        $('erase-button').addEventListener('click', () => askCancel(true));
      }
    }
    render();
  });
})();
