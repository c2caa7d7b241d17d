// The programme's published versions (/admin/versions?event=ID), newest first, with their changes.

const { t, el } = Plenary;
const C = Console;
const T = C.texts('admin.versions');

async function changesOf(path, version, zone, target) {
  target.replaceChildren(el('p', { class: 'muted', 'aria-busy': 'true', text: T('loadingChanges') }));
  try {
    const res = await C.api('GET', `${path}/changes?from=${version - 1}&to=${version}`);
    target.replaceChildren(ProgrammeChanges.render(res.changes, zone));
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    target.replaceChildren(el('p', { class: 'announce', 'data-kind': 'error', text: T('changesFailed') }));
  }
}

async function render(ctx) {
  const id = encodeURIComponent(ctx.eventId);
  const path = `/v1/events/${id}/programme`;
  const zone = ctx.event.timezone;
  // Below the frame's live regions at the top of <main>.
  const main = el('div', { id: 'versions-page' });
  ctx.main.append(main);
  const draw = (...parts) => main.replaceChildren(el('h1', { text: T('heading') }), ...parts);
  draw(el('p', { class: 'muted', 'aria-busy': 'true', text: T('loading') }));
  const links = el('p', {}, el('a', { href: `/admin/programme?event=${id}`, text: T('toEditor') }));
  let versions;
  try {
    // The public list is cached for a minute; a new publication should show at once.
    ({ versions } = await C.api('GET', `${path}/versions?at=${Date.now()}`));
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    // No publication yet, or a draft event.
    const none = e.status === 404;
    const text = none ? T(ctx.event.visibility === 'draft' ? 'draftEvent' : 'none') : `${T('loadFailed')} ${C.problemText(e)}`;
    draw(links, el('p', { class: 'announce', 'data-kind': none ? 'info' : 'error', id: 'versions-empty', text }));
    return;
  }
  const items = [...versions].sort((a, b) => b.version - a.version).map((v) => {
    const changes = el('div', { class: 'version-changes' });
    changesOf(path, v.version, zone, changes);
    return el('li', { class: 'version', 'data-version': String(v.version) },
      el('h2', { text: T('version', { version: v.version }) }),
      el('p', {}, el('time', { datetime: v.published_at, text: C.when(v.published_at, zone) }),
        ' · ', el('span', { dir: 'auto', text: v.summary })),
      changes);
  });
  draw(links,
    el('p', { class: 'zone-label', text: t('admin.programme.timesIn', { zone: C.zoneName(zone, ctx.event.starts_at) }) }),
    el('ol', { class: 'versions', reversed: true }, items));
}

C.start({ page: 'versions', event: true, render });
