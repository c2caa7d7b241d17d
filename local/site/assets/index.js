// `/`: the list of events, each linking to its page.
'use strict';

(() => {
  const { t, el, bdi, api, announce, errorMessage, formatDate, zoneOffset } = Plenary;
  let events = null;

  function render() {
    const list = document.getElementById('events');
    if (!events) return;
    if (events.length === 0) {
      list.replaceChildren(el('li', { text: t('index.none') }));
      return;
    }
    list.replaceChildren(...events.map((e) => el('li', {},
      el('h2', {}, el('a', { href: `/events/${encodeURIComponent(e.id)}`, dir: 'auto', text: e.title })),
      el('p', {},
        formatDate(e.starts_at, e.timezone), ' – ', formatDate(e.ends_at, e.timezone), ' ',
        el('span', { class: 'muted' }, '(', bdi(`${e.timezone}, ${zoneOffset(e.timezone, e.starts_at)}`), ')')),
      el('span', { class: `badge${e.registration.open ? ' open' : ''}`,
        text: t(e.registration.open ? 'index.registrationOpen' : 'index.registrationClosed') }),
    )));
  }

  Plenary.start(async () => {
    if (events === null) {
      try {
        events = (await api('GET', '/v1/events')).events;
      } catch (e) {
        announce(errorMessage(e), 'error');
        return;
      }
    }
    render();
  });
})();
