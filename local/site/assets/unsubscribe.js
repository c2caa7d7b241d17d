// `/unsubscribe?token=…&lang=…&event=…`: the link in the body of optional mail. Opening it
// changes nothing (link scanners follow GETs): it says what unsubscribing stops, and only its
// button posts to the API. The answer names the registrant's language, in which the page then
// confirms, and the confirmation offers to undo.
'use strict';

(() => {
  const { t, el, bdi, api, announce, errorMessage, query } = Plenary;
  const token = query('token');
  const eventId = query('event');
  const path = (route) => `${route}?token=${encodeURIComponent(token || '')}`;
  // 'ask' before the button is pressed, 'done' once unsubscribed, 'undone' after undoing.
  let state = 'ask';
  let event = null;
  let failure = null;
  let busy = false;

  const $ = (id) => document.getElementById(id);

  function render() {
    $('unsubscribe-event').replaceChildren(...(event
      ? [t('unsubscribe.for'), ' ', el('a', { href: `/events/${encodeURIComponent(event.id)}` }, bdi(event.title))]
      : []));
    $('unsubscribe-event').hidden = !event;
    if (failure) {
      const key = `unsubscribe.error.${failure.code}`;
      announce(Plenary.has(key) ? t(key) : errorMessage(failure), 'error');
      $('unsubscribe-ask').hidden = true;
      $('unsubscribe-done').hidden = true;
      return;
    }
    $('unsubscribe-ask').hidden = state === 'done';
    $('unsubscribe-done').hidden = state !== 'done';
    if (state === 'undone') announce(t('unsubscribe.undone'), 'ok');
    else if (state === 'done') announce('');
  }

  async function post(route, next, focus) {
    if (busy) return;
    busy = true;
    announce(t('unsubscribe.working'));
    try {
      const answer = await api('POST', path(route));
      state = next;
      // Confirmed in the registrant's own language, whatever the browser's.
      if (answer && answer.language) await Plenary.switchLanguage(answer.language);
    } catch (e) {
      failure = e;
    } finally {
      busy = false;
    }
    render();
    if (!failure) $(focus).focus();
  }

  Plenary.start(async () => {
    if (!token) failure = { status: 404, code: 'missing-token' };
    if (eventId && !event) {
      event = await api('GET', `/v1/events/${encodeURIComponent(eventId)}`).catch(() => null);
    }
    render();
  });

  $('unsubscribe-button').addEventListener('click', () => post('/v1/unsubscribe', 'done', 'undo-button'));
  $('undo-button').addEventListener('click', () => post('/v1/unsubscribe/undo', 'undone', 'unsubscribe-button'));
})();
