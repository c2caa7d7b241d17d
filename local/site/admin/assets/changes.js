// What a publication changes, drawn the same way in the editor's preview and on the versions
// page: one item per session (added, removed, moved, updated) with the fields that differ.
'use strict';

const ProgrammeChanges = (() => {
  const { t, el, bdi } = Plenary;
  const T = Console.texts('admin.programme');
  const FIELDS = ['title', 'kind', 'track', 'starts_at', 'ends_at', 'abstract', 'speakers'];

  function value(session, field, zone) {
    if (!session) return '';
    const v = session[field];
    if (field === 'starts_at' || field === 'ends_at') return v ? Console.when(v, zone, { date: true, time: true }) : '';
    if (field === 'kind') return v ? t(`kind.${v}`) : '';
    if (field === 'speakers') {
      return (v || []).map((sp) => `${sp.name || sp.id} (${sp.role})`).join(', ');
    }
    return v || '';
  }

  /** The fields of a change worth showing: every one for an addition, the differing ones otherwise. */
  function rows(c, zone) {
    const only = c.before && c.after
      ? FIELDS.filter((f) => value(c.before, f, zone) !== value(c.after, f, zone))
      : FIELDS.filter((f) => value(c.before || c.after, f, zone) !== '');
    return only.map((f) => {
      const before = value(c.before, f, zone);
      const after = value(c.after, f, zone);
      const shown = c.before && c.after
        ? [el('del', {}, bdi(before || T('none'))), ' → ', el('ins', {}, bdi(after || T('none')))]
        : [bdi(before || after)];
      return [el('dt', { text: T(`field.${f}`) }), el('dd', { dir: 'auto' }, ...shown)];
    });
  }

  /** A list of `changes` (the API's change views) with times in `zone`. */
  function render(changes, zone) {
    if (!changes.length) return el('p', { class: 'muted', text: T('noChanges') });
    return el('ul', { class: 'changes' }, changes.map((c) => el('li', { 'data-change': c.change, 'data-session': c.session_id },
      el('p', {},
        el('span', { class: `badge change-${c.change}`, text: T(`change.${c.change}`) }), ' ',
        el('strong', { dir: 'auto' }, bdi(c.title)), ' ',
        el('code', { class: 'muted', text: c.session_id })),
      el('dl', { class: 'details' }, rows(c, zone).flat()))));
  }

  /** Counts per kind of change, e.g. "2 added, 1 moved". */
  function summary(changes) {
    const counts = {};
    for (const c of changes) counts[c.change] = (counts[c.change] || 0) + 1;
    return ['added', 'removed', 'moved', 'updated'].filter((k) => counts[k])
      .map((k) => T(`count.${k}`, { count: counts[k] })).join(', ');
  }

  return { render, summary };
})();
