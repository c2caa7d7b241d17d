// `/admin/join?event=ID`: the remote connection details (url, passcode, dial-in, instructions)
// and when registrants see them, shown in the event's zone and the organiser's; managers only.
'use strict';

(() => {
  const { el } = Plenary;
  const T = Console.texts('admin.join');
  const C = Console;

  /** The release time in both zones, and whether registrants see the details yet. */
  function status(box, info, zone) {
    if (!info) {
      box.replaceChildren(el('p', { id: 'join-state', 'data-state': 'unset', text: T('unset') }));
      return;
    }
    const own = C.ownZone();
    box.replaceChildren(
      el('p', { id: 'join-state', class: 'status-line', 'data-state': info.released ? 'released' : 'pending',
        text: info.released ? T('released') : T('notReleased') }),
      el('dl', { class: 'details' },
        el('dt', { text: T('inEventZone', { zone: C.zoneName(zone, info.release_at) }) }),
        el('dd', { id: 'release-event-zone', text: C.when(info.release_at, zone) }),
        el('dt', { text: T('inYourZone', { zone: C.zoneName(own, info.release_at) }) }),
        el('dd', { id: 'release-own-zone', text: C.when(info.release_at, own) })));
  }

  C.start({
    page: 'join',
    event: true,
    async render(ctx) {
      const { main, event } = ctx;
      const zone = event.timezone;
      main.append(el('h1', { text: T('heading') }));
      if (!ctx.may('manage')) {
        main.append(el('p', { id: 'not-allowed', class: 'panel', text: T('forbidden') }));
        return;
      }
      let info = null;
      try {
        info = await C.api('GET', 'join-info');
      } catch (e) {
        if (!(e instanceof C.ApiError) || e.status !== 404) throw e;
      }
      const box = el('div');
      main.append(el('section', { class: 'panel', 'aria-labelledby': 'join-status-heading' },
        el('h2', { id: 'join-status-heading', text: T('statusHeading') }), box));
      status(box, info, zone);

      const preview = el('p', { id: 'release-preview', class: 'hint', 'aria-live': 'polite' });
      const f = el('form', { id: 'join-form', novalidate: true },
        el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
        C.field('url', T('url'), 'input', { type: 'url', 'aria-required': 'true', hint: T('urlHint'), value: info ? info.url : '' }),
        C.field('passcode', T('passcode'), 'input', { type: 'text', value: info && info.passcode ? info.passcode : '' }),
        C.field('dial_in', T('dialIn'), 'textarea', { rows: '3', value: info && info.dial_in }),
        C.field('instructions', T('instructions'), 'textarea', { rows: '4', value: info && info.instructions }),
        C.field('release_at', T('releaseAt'), 'input', { type: 'datetime-local', 'aria-required': 'true',
          hint: T('releaseHint', { zone: C.zoneName(zone, event.starts_at) }), value: info ? C.wallTime(info.release_at, zone) : '' }),
        preview,
        el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'join-submit', text: T('save') })));
      main.append(f);

      const showPreview = () => {
        const at = C.instant(f.elements.release_at.value, zone);
        preview.textContent = at ? T('releasePreview', { when: C.when(at, C.ownZone()), zone: C.ownZone() }) : '';
      };
      f.elements.release_at.addEventListener('input', showPreview);
      showPreview();

      const guard = C.dirtyGuard(f);
      C.onSubmit(f, async () => {
        const v = (n) => f.elements[n].value.trim();
        const body = { url: v('url'), instructions: v('instructions') };
        if (v('passcode')) body.passcode = v('passcode');
        if (v('dial_in')) body.dial_in = v('dial_in');
        if (v('release_at')) body.release_at = C.instant(v('release_at'), zone);
        const saved = await C.api('PUT', 'join-info', body);
        guard.clean();
        info = { ...body, release_at: saved.release_at, released: saved.released };
        status(box, info, zone);
        C.notice(T('saved'));
      });
    },
  });
})();
