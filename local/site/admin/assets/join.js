// `/admin/join?event=ID`: the connection details and when registrants see them, in both zones.

const { el } = Plenary;
const C = Console;
const T = C.texts('admin.join');

function status(info, zone) {
  if (!info) return [el('p', { id: 'join-state', 'data-state': 'unset', text: T('unset') })];
  const at = info.release_at;
  return [
    el('p', { id: 'join-state', class: 'status-line', 'data-state': info.released ? 'released' : 'pending',
      text: T(info.released ? 'released' : 'notReleased') }),
    el('dl', { class: 'details' }, [['inEventZone', zone, 'release-event-zone'], ['inYourZone', C.ownZone(), 'release-own-zone']]
      .flatMap(([key, z, id]) => [el('dt', { text: T(key, { zone: C.zoneName(z, at) }) }), el('dd', { id, text: C.when(at, z) })]))];
}

C.start({
  page: 'join',
  event: true,
  async render({ main, event, may }) {
    const zone = event.timezone;
    main.append(el('h1', { text: T('heading') }));
    if (!may('manage')) {
      main.append(el('p', { id: 'not-allowed', class: 'panel', text: T('forbidden') }));
      return;
    }
    const info = await C.api('GET', 'join-info').catch((e) => { if (e.status === 404) return null; throw e; });
    const box = el('div', {}, status(info, zone));
    main.append(el('section', { class: 'panel', 'aria-labelledby': 'join-status-heading' },
      el('h2', { id: 'join-status-heading', text: T('statusHeading') }), box));

    const stored = info || {};
    const preview = el('p', { id: 'release-preview', class: 'hint', 'aria-live': 'polite' });
    const f = el('form', { id: 'join-form', novalidate: true },
      C.field('url', T('url'), 'input', { type: 'url', 'aria-required': 'true', hint: T('urlHint'), value: stored.url }),
      C.field('passcode', T('passcode'), 'input', { value: stored.passcode }),
      C.field('dial_in', T('dialIn'), 'textarea', { rows: '3', value: stored.dial_in }),
      C.field('instructions', T('instructions'), 'textarea', { rows: '4', value: stored.instructions }),
      C.field('release_at', T('releaseAt'), 'input', { type: 'datetime-local', 'aria-required': 'true',
        hint: T('releaseHint', { zone: C.zoneName(zone, event.starts_at) }), value: C.wallTime(stored.release_at, zone) }),
      preview,
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'join-submit', text: T('save') })));
    main.append(f);

    const v = (n) => f.elements[n].value.trim();
    const showPreview = () => {
      const at = C.instant(v('release_at'), zone);
      preview.textContent = at ? T('releasePreview', { when: C.when(at, C.ownZone()), zone: C.ownZone() }) : '';
    };
    f.elements.release_at.addEventListener('input', showPreview);
    showPreview();

    const guard = C.dirtyGuard(f);
    C.onSubmit(f, async () => {
      // An unusable release time goes as '' for the API to name.
      const saved = await C.api('PUT', 'join-info', {
        url: v('url'), instructions: v('instructions'), passcode: v('passcode') || undefined, dial_in: v('dial_in') || undefined,
        release_at: v('release_at') ? C.instant(v('release_at'), zone) : undefined,
      });
      guard.clean();
      box.replaceChildren(...status(saved, zone));
      C.notice(T('saved'));
    });
  },
});
