// `/admin/join?event=ID`: the remote connection details (url, passcode, dial-in, instructions)
// and when registrants see them, shown in the event's zone and the organiser's; managers only.
'use strict';

(() => {
  const { t, el } = Plenary;
  const C = Console;

  /** The release time in both zones, and whether registrants see the details yet. */
  function status(box, info, zone) {
    if (!info) {
      box.replaceChildren(el('p', { id: 'join-state', 'data-state': 'unset', text: t('admin.join.unset') }));
      return;
    }
    const own = C.ownZone();
    box.replaceChildren(
      el('p', { id: 'join-state', class: 'status-line', 'data-state': info.released ? 'released' : 'pending',
        text: info.released ? t('admin.join.released') : t('admin.join.notReleased') }),
      el('dl', { class: 'details' },
        el('dt', { text: t('admin.join.inEventZone', { zone: C.zoneName(zone, info.release_at) }) }),
        el('dd', { id: 'release-event-zone', text: C.when(info.release_at, zone) }),
        el('dt', { text: t('admin.join.inYourZone', { zone: C.zoneName(own, info.release_at) }) }),
        el('dd', { id: 'release-own-zone', text: C.when(info.release_at, own) })));
  }

  C.start({
    page: 'join',
    event: true,
    async render(ctx) {
      const { main, event } = ctx;
      const zone = event.timezone;
      main.append(el('h1', { text: t('admin.join.heading') }));
      if (!ctx.may('manage')) {
        main.append(el('p', { id: 'not-allowed', class: 'panel', text: t('admin.join.forbidden') }));
        return;
      }
      let info = null;
      try {
        info = (await C.api('GET', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}/join-info`)).body;
      } catch (e) {
        if (!(e instanceof C.ApiError) || e.status !== 404) throw e;
      }
      const box = el('div');
      main.append(el('section', { class: 'panel', 'aria-labelledby': 'join-status-heading' },
        el('h2', { id: 'join-status-heading', text: t('admin.join.statusHeading') }), box));
      status(box, info, zone);

      const preview = el('p', { id: 'release-preview', class: 'hint', 'aria-live': 'polite' });
      const f = el('form', { id: 'join-form', novalidate: true },
        el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
        C.field('url', t('admin.join.url'), 'input', { type: 'url', 'aria-required': 'true', hint: t('admin.join.urlHint'), value: info ? info.url : '' }),
        C.field('passcode', t('admin.join.passcode'), 'input', { type: 'text', value: info && info.passcode ? info.passcode : '' }),
        C.field('dial_in', t('admin.join.dialIn'), 'textarea', { rows: '3' }),
        C.field('instructions', t('admin.join.instructions'), 'textarea', { rows: '4' }),
        C.field('release_at', t('admin.join.releaseAt'), 'input', { type: 'datetime-local', 'aria-required': 'true',
          hint: t('admin.join.releaseHint', { zone: C.zoneName(zone, event.starts_at) }), value: info ? C.wallTime(info.release_at, zone) : '' }),
        preview,
        el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'join-submit', text: t('admin.join.save') })));
      f.elements.dial_in.value = (info && info.dial_in) || '';
      f.elements.instructions.value = (info && info.instructions) || '';
      main.append(f);

      const showPreview = () => {
        const at = C.instant(f.elements.release_at.value, zone);
        preview.textContent = at ? t('admin.join.releasePreview', { when: C.when(at, C.ownZone()), zone: C.ownZone() }) : '';
      };
      f.elements.release_at.addEventListener('input', showPreview);
      showPreview();

      const guard = C.dirtyGuard(f);
      f.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        C.clearErrors(f);
        const v = (n) => f.elements[n].value.trim();
        const body = { url: v('url'), instructions: v('instructions') };
        if (v('passcode')) body.passcode = v('passcode');
        if (v('dial_in')) body.dial_in = v('dial_in');
        if (v('release_at')) body.release_at = C.instant(v('release_at'), zone);
        const button = f.querySelector('#join-submit');
        button.disabled = true;
        try {
          const saved = (await C.api('PUT', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}/join-info`, body)).body;
          guard.clean();
          info = { ...body, release_at: saved.release_at, released: saved.released };
          status(box, info, zone);
          C.notice(t('admin.join.saved'));
        } catch (e) {
          if (!C.fieldErrors(f, e)) C.notice(C.problemText(e), 'error');
        } finally {
          button.disabled = false;
        }
      });
    },
  });
})();
