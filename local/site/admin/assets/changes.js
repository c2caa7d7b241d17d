// A publication's changes, for the editor's preview and the versions page.
'use strict';

const ProgrammeChanges = (() => {
  const { t, el, bdi } = Plenary;
  const T = Console.texts('admin.programme');
  const FIELDS = ['title', 'kind', 'track', 'starts_at', 'ends_at', 'abstract', 'speakers'];

  function value(session, field, zone) {
    const v = session && session[field];
    if (!v) return '';
    if (field === 'starts_at' || field === 'ends_at') return Console.when(v, zone);
    if (field === 'kind') return t(`kind.${v}`);
    if (field === 'speakers') return v.map((sp) => `${sp.name || sp.id} (${sp.role})`).join(', ');
    return v;
  }

  // All fields of an addition or removal, otherwise only those that differ.
  function rows({ before, after }, zone) {
    return FIELDS.flatMap((f) => {
      const [was, is] = [value(before, f, zone), value(after, f, zone)];
      if (before && after ? was === is : !(was || is)) return [];
      const shown = before && after
        ? [el('del', {}, bdi(was || T('none'))), ' → ', el('ins', {}, bdi(is || T('none')))]
        : [bdi(was || is)];
      return [el('dt', { text: T(`field.${f}`) }), el('dd', { dir: 'auto' }, shown)];
    });
  }

  function render(changes, zone) {
    if (!changes.length) return el('p', { class: 'muted', text: T('noChanges') });
    return el('ul', { class: 'changes' }, changes.map((c) => el('li', { 'data-change': c.change, 'data-session': c.session_id },
      el('p', {},
        el('span', { class: `badge change-${c.change}`, text: T(`change.${c.change}`) }), ' ',
        el('strong', { dir: 'auto' }, bdi(c.title)), ' ',
        el('code', { class: 'muted', text: c.session_id })),
      el('dl', { class: 'details' }, rows(c, zone)))));
  }

  // e.g. "2 added, 1 moved"
  function summary(changes) {
    const count = (kind) => changes.filter((c) => c.change === kind).length;
    return ['added', 'removed', 'moved', 'updated'].filter(count).map((k) => T(`count.${k}`, { count: count(k) })).join(', ');
  }

  return { render, summary };
})();
