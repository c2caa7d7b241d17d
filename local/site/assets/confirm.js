// `/registration/confirm?token=…`: the emailed confirmation link. Confirms on load (confirming
// twice is harmless) and says what came of it.
'use strict';

(() => {
  const { t, el, bdi, api, announce, errorMessage, query } = Plenary;
  const token = query('token');
  let registration = null;
  let event = null;
  let failure = null;

  function render() {
    if (failure) {
      const key = `confirm.error.${failure.code}`;
      announce(Plenary.has(key) ? t(key) : errorMessage(failure), 'error');
      return;
    }
    if (!registration) return;
    const status = registration.status;
    const line = document.getElementById('confirm-status');
    line.dataset.status = status;
    // Confirmation has its own words for the usual outcomes; any other status uses the general ones.
    const pick = (own, general) => (Plenary.has(own) ? own : general);
    const vars = { position: registration.waitlist_position ?? '?' };
    line.replaceChildren(...Plenary.tb(pick(`confirm.status.${status}`, `status.${status}`), vars));
    document.getElementById('confirm-event').replaceChildren(
      ...(event ? [t('confirm.for'), ' ', el('a', { href: `/events/${encodeURIComponent(event.id)}` }, bdi(event.title))] : []),
    );
    document.getElementById('confirm-next').replaceChildren(...Plenary.tb(pick(`confirm.next.${status}`, `statusText.${status}`), vars));
    document.getElementById('manage-link').href = `/registration/manage?token=${encodeURIComponent(token)}`;
    document.getElementById('confirm-result').hidden = false;
  }

  Plenary.start(async () => {
    if (!registration && !failure) {
      if (!token) {
        failure = { status: 404, code: 'missing-token' };
      } else {
        announce(t('confirm.working'));
        try {
          registration = await api('POST', '/v1/registrations/confirm', { body: { token } });
          announce('');
          event = await api('GET', `/v1/events/${encodeURIComponent(registration.event_id)}`).catch(() => null);
        } catch (e) {
          failure = e;
        }
      }
    }
    render();
  });
})();
