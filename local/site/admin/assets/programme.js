// The programme editor (/admin/programme?event=ID), drawn from `state` so that a failed save
// or a redraw never loses what was typed.

const { t, el, bdi } = Plenary;
const C = Console;
const T = C.texts('admin.programme');
const KINDS = ['opening', 'keynote', 'talk', 'panel', 'break', 'meeting', 'closing'];
const MATERIALS = ['slides', 'document', 'recording', 'link'];
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const REQUIRED = { 'aria-required': 'true' };

let ctx, editable, zone, form, guard;
let state; // the draft; its sessions carry wall times: _day, _start, _end, _endDays
const open = new Set(); // the items whose <details> are open
let preview; // the draft changes shown, or the publication just made

const wall = (iso) => C.wallTime(iso, zone).split('T');
const instant = (day, time, addDays) => (TIME.test(time) ? C.instant(`${day}T${time}`, zone, addDays) : '');
const minutes = (time) => { const m = TIME.exec(time || ''); return m ? Number(m[1]) * 60 + Number(m[2]) : null; };
const clock = (total) => [Math.floor(total / 60) % 24, total % 60].map((n) => String(n).padStart(2, '0')).join(':');
const lengthOf = (s) => s._endDays * 1440 + minutes(s._end) - minutes(s._start);

function eventDays() {
  const [first] = wall(ctx.event.starts_at);
  const [last] = wall(ctx.event.ends_at);
  const days = [];
  for (let d = new Date(`${first}T12:00:00Z`); days.length < 60; d.setUTCDate(d.getUTCDate() + 1)) {
    days.push(d.toISOString().slice(0, 10));
    if (days.at(-1) >= last) break;
  }
  return days;
}

const fromApi = ({ speakers, sessions }) => ({
  speakers: speakers.map((s) => ({ ...s, affiliation: s.affiliation || '', bio: s.bio || '' })),
  sessions: sessions.map((s) => {
    const [day, start] = wall(s.starts_at);
    const [endDay, end] = wall(s.ends_at);
    return {
      ...s, track: s.track || '', abstract: s.abstract || '',
      _day: day, _start: start, _end: end, _endDays: (Date.parse(endDay) - Date.parse(day)) / 86400000,
    };
  }),
});

// Empty optional texts are left out; anything else goes back as the API sent it.
function body() {
  const trimmed = (o) => Object.fromEntries(Object.entries(o)
    .filter(([k]) => !k.startsWith('_'))
    .map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v])
    .filter(([k, v]) => !(['track', 'abstract', 'affiliation', 'bio'].includes(k) && v === '')));
  return {
    speakers: state.speakers.map(trimmed),
    sessions: state.sessions.map((s) => trimmed({
      ...s,
      starts_at: instant(s._day, s._start),
      ends_at: instant(s._day, s._end, s._endDays),
      speakers: s.speakers.map(trimmed),
    })),
  };
}

function uniqueId(prefix, list) {
  for (let n = 1; ; n += 1) if (!list.some((x) => x.id === `${prefix}-${n}`)) return `${prefix}-${n}`;
}

const byTime = (a, b) => `${a._day} ${a._start}`.localeCompare(`${b._day} ${b._start}`);
const titleOf = (s) => s.title || s.id;
const sessionsOf = (sp) => state.sessions.filter((s) => s.speakers.some((r) => r.id === sp.id));

function newSession(after) {
  const [day, start] = after ? [after._day, after._end] : wall(ctx.event.starts_at);
  const s = minutes(start) ?? 9 * 60;
  return {
    id: uniqueId('session', state.sessions), title: '', kind: 'talk', track: '', abstract: '', speakers: [],
    _day: day, _start: clock(s), _end: clock(Math.min(s + 30, 24 * 60 - 1)), _endDays: 0,
  };
}

// `length` in minutes.
function move(s, day, start, length) {
  const from = minutes(start);
  s._day = day;
  s._start = start;
  if (from === null || !(length > 0)) return;
  s._endDays = Math.floor((from + length) / 1440);
  s._end = clock((from + length) % 1440);
}

const named = (name) => `[name="${CSS.escape(name)}"]`;

const itemOf = (name) => { const m = /^(sessions|speakers)\[(\d+)\]/.exec(name); return m && state[m[1]][m[2]]; };

function redraw(focus) {
  draw();
  const target = focus && form.querySelector(focus);
  if (target) target.focus();
}

function changed(focus) {
  // The dirty guard listens for input, which a button's change does not fire.
  form.dispatchEvent(new Event('input', { bubbles: true }));
  redraw(focus);
}

function append(list, name, item, field) {
  list.push(item);
  open.add(item);
  changed(named(`${name}[${list.length - 1}].${field}`));
}

function drop(list, i, focus) {
  open.delete(list.splice(i, 1)[0]);
  changed(focus);
}

async function sure(opener, title, body, confirm = T('remove'), danger = true) {
  const yes = await C.confirm({ title, body, confirm, danger });
  if (!yes) opener.focus();
  return yes;
}

function duplicate(s) {
  const copy = { ...s, speakers: s.speakers.map((sp) => ({ ...sp })), id: uniqueId(s.id, state.sessions) };
  // Straight after the original, so the copy does not overlap it.
  if (minutes(s._end) !== null && lengthOf(s) > 0) move(copy, s._day, s._end, lengthOf(s));
  append(state.sessions, 'sessions', copy, 'title');
  C.notice(T('duplicated', { title: titleOf(s) }));
}

async function removeSession(s, opener) {
  if (!(await sure(opener, T('removeSessionTitle'), T('removeSessionBody', { title: titleOf(s) })))) return;
  drop(state.sessions, state.sessions.indexOf(s), '#add-session');
  C.notice(T('sessionRemoved', { title: titleOf(s) }));
}

async function removeSpeaker(sp, opener) {
  const using = sessionsOf(sp);
  const name = sp.name || sp.id;
  const body = using.length
    ? T('removeSpeakerUsed', { name, count: using.length, sessions: using.map(titleOf).join(', ') })
    : T('removeSpeakerBody', { name });
  if (!(await sure(opener, T('removeSpeakerTitle'), body))) return;
  for (const s of using) s.speakers = s.speakers.filter((r) => r.id !== sp.id);
  drop(state.speakers, state.speakers.indexOf(sp), '#add-speaker');
  C.notice(T('speakerRemoved', { name }));
}

// A new day or start regroups the list only on change, once the focus has moved on.
function onInput(ev) {
  const m = /^(sessions|speakers)\[(\d+)\]\.(\w+)(?:\[(\d+)\]\.(\w+))?$/.exec(ev.target.name || '');
  const item = m && state[m[1]][m[2]];
  if (!item) return;
  const [, kind, , field, j, key] = m;
  const value = ev.target.value;
  if (j !== undefined) {
    // e.g. sessions[0].speakers[1].role
    item[field][j][key] = key === 'language' && !value ? undefined : value;
  } else if (kind === 'speakers' && field === 'id') {
    // A speaker's new id follows into the sessions that name them.
    for (const s of state.sessions) for (const r of s.speakers) if (r.id === item.id) r.id = value;
    item.id = value;
  } else if (field === 'starts_at' || field === 'day') {
    if (ev.type !== 'change') return;
    move(item, field === 'day' ? value : item._day, field === 'day' ? item._start : value.trim(), lengthOf(item));
    setTimeout(() => redraw(document.activeElement.name && named(document.activeElement.name)), 0);
  } else if (field === 'ends_at') {
    item._end = value.trim();
  } else {
    item[field] = value;
    const summary = (field === 'title' || field === 'name') && ev.target.closest('details').querySelector('summary .label');
    if (summary) summary.textContent = value || T('untitled');
  }
}

const muted = (text) => el('p', { class: 'muted', text });
const actions = (...buttons) => editable && el('div', { class: 'actions' }, buttons);
const removeButton = (text, onClick) => C.button(text, onClick, { class: 'secondary danger-text' });

const fieldsOf = (n, label = (key) => T(`field.${key}`)) => (key, value, attrs = {}, control = attrs.options ? 'select' : 'input') =>
  C.field(`${n}.${key}`, label(key), control, { value, ...attrs });

function card(item, attrs, summary, ...body) {
  const details = el('details', { ...attrs, open: open.has(item) }, el('summary', {}, summary), el('div', { class: 'item-body' }, body));
  details.addEventListener('toggle', () => { if (details.open) open.add(item); else open.delete(item); });
  return details;
}

function sessionCard(s) {
  const n = `sessions[${state.sessions.indexOf(s)}]`;
  const field = fieldsOf(n);
  const days = eventDays();
  if (!days.includes(s._day)) days.push(s._day);
  const dropper = (list, j) => () => drop(list, j, named(`${n}.title`));
  const list = (key, legend, items, none, adder) => el('fieldset', { class: `field session-${key}`, 'data-field': `${n}.${key}` },
    el('legend', { text: legend }), items.length ? el('ul', { class: 'plain' }, items) : muted(none), editable && adder);
  const speakers = state.speakers.map((sp) => [sp.id, `${sp.name || T('unnamed')} (${sp.id})`]);
  const time = { hint: T('timeHint'), inputmode: 'numeric', autocomplete: 'off' };
  return card(s, { class: 'item session-item', 'data-session': s.id }, [
    el('span', { class: 'when', text: `${s._start}–${s._end}` }), ' ',
    el('span', { class: 'label', dir: 'auto', text: s.title || T('untitled') }), ' ',
    el('span', { class: 'badge', text: t(`kind.${s.kind}`) }),
    s.track && el('span', { class: 'muted' }, ' · ', bdi(s.track)),
  ],
  el('div', { class: 'grid' },
    field('title', s.title, REQUIRED),
    field('id', s.id, { hint: T('idHint'), ...REQUIRED }),
    field('day', s._day, { options: days.map((d) => [d, Plenary.formatDay(d)]) }),
    field('starts_at', s._start, time),
    field('ends_at', s._end, time),
    field('kind', s.kind, { options: KINDS.map((k) => [k, t(`kind.${k}`)]) }),
    field('track', s.track, { hint: T('trackHint') })),
  field('abstract', s.abstract, {}, 'textarea'),
  list('speakers', T('field.speakers'), s.speakers.map((r, j) => el('li', { class: 'speaker-row' },
    C.field(`${n}.speakers[${j}].id`, T('speaker'), 'select',
      { value: r.id, options: speakers.some(([id]) => id === r.id) ? speakers : [[r.id, r.id], ...speakers] }),
    C.field(`${n}.speakers[${j}].role`, T('role'), 'input', { value: r.role, hint: T('roleHint') }),
    editable && C.button(T('removeFromSession'), dropper(s.speakers, j)))),
  T('noSessionSpeakers'), state.speakers.length > 0 && C.button(T('addSpeakerToSession'), () => {
    const used = s.speakers.map((r) => r.id);
    const free = state.speakers.find((sp) => !used.includes(sp.id)) || state.speakers[0];
    append(s.speakers, `${n}.speakers`, { id: free.id, role: 'speaker' }, 'id');
  })),
  list('materials', t('admin.materials.legend'), (s.materials || []).map((mat, j) => {
    const name = `${n}.materials[${j}]`;
    const material = fieldsOf(name, (key) => t(`admin.materials.${key}`));
    return el('li', { class: 'material-row', 'data-field': name },
      material('title', mat.title, REQUIRED),
      material('kind', mat.kind, { options: MATERIALS.map((k) => [k, t(`material.${k}`)]) }),
      material('url', mat.url, { type: 'url', hint: t('admin.materials.urlHint'), autocomplete: 'off', ...REQUIRED }),
      material('language', mat.language || '',
        { options: [['', t('admin.materials.anyLanguage')], ...Plenary.LANGUAGES.map((l) => [l, C.languageName(l)])] }),
      editable && uploader(name, mat),
      editable && C.button(t('admin.materials.remove', { title: mat.title || j + 1 }), dropper(s.materials, j)));
  }),
  t('admin.materials.none'), C.button(t('admin.materials.add'), () => {
    s.materials = s.materials || [];
    append(s.materials, `${n}.materials`, { id: uniqueId('material', s.materials), title: '', kind: 'slides', url: '' }, 'title');
  })),
  actions(
    C.button(T('duplicate'), () => duplicate(s)),
    removeButton(T('removeSession'), (b) => removeSession(s, b))));
}

function uploader(name, mat) {
  const id = `${C.fieldId(name)}-file`;
  const file = el('input', { type: 'file', id, class: 'upload' });
  file.addEventListener('change', async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    file.disabled = true;
    C.notice(t('admin.materials.uploading', { name: chosen.name }));
    await attempt(async () => {
      const { upload, file_url: url } = await C.api('POST', 'uploads',
        { filename: chosen.name, content_type: chosen.type || 'application/octet-stream', size: chosen.size });
      const data = new FormData();
      for (const [k, v] of Object.entries(upload.fields || {})) data.append(k, v);
      data.append('file', chosen);
      const sent = await fetch(upload.url, { method: upload.method || 'POST', body: data });
      if (!sent.ok) throw new C.ApiError(sent.status, null);
      mat.url = url;
      if (!mat.title) mat.title = chosen.name;
      changed(named(`${name}.url`));
      C.notice(t('admin.materials.uploaded', { name: chosen.name }));
    });
    file.disabled = false; // a success has drawn a new one already
  });
  return el('div', { class: 'field' }, el('label', { for: id, text: t('admin.materials.upload') }), file);
}

function speakerCard(sp) {
  const field = fieldsOf(`speakers[${state.speakers.indexOf(sp)}]`);
  return card(sp, { class: 'item speaker-item', 'data-speaker': sp.id }, [
    el('span', { class: 'label', dir: 'auto', text: sp.name || T('unnamed') }), ' ',
    el('span', { class: 'muted', text: T('speaksIn', { count: sessionsOf(sp).length }) }),
  ],
  el('div', { class: 'grid' },
    field('name', sp.name, { autocomplete: 'off', ...REQUIRED }),
    field('id', sp.id, { hint: T('idHint'), ...REQUIRED }),
    field('affiliation', sp.affiliation)),
  field('bio', sp.bio, {}, 'textarea'),
  actions(removeButton(T('removeSpeaker'), (b) => removeSpeaker(sp, b))));
}

function sessionsByDay() {
  if (!state.sessions.length) return [muted(T('noSessions'))];
  const days = new Map();
  for (const s of [...state.sessions].sort(byTime)) days.set(s._day, [...(days.get(s._day) || []), s]);
  return [...days].map(([day, list]) => el('section', { class: 'day', 'aria-labelledby': `day-${day}` },
    el('h3', { id: `day-${day}`, text: Plenary.formatDay(day) }),
    list.map(sessionCard)));
}

function draw() {
  const section = (kind, cards, addText, add) => el('section', { 'aria-labelledby': `${kind}-heading` },
    el('h2', { id: `${kind}-heading`, text: T(kind) }),
    cards,
    actions(C.button(addText, add, { id: `add-${kind.slice(0, -1)}` })));
  form.replaceChildren(
    el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
    el('fieldset', { class: 'plain', disabled: !editable },
      el('legend', { class: 'visually-hidden', text: T('heading') }),
      section('sessions',
        [el('p', { class: 'zone-label', text: T('timesIn', { zone: C.zoneName(zone, ctx.event.starts_at) }) }), ...sessionsByDay()],
        T('addSession'), () => append(state.sessions, 'sessions', newSession([...state.sessions].sort(byTime).pop()), 'title')),
      section('speakers',
        state.speakers.length ? state.speakers.map(speakerCard) : muted(T('noSpeakers')),
        T('addSpeaker'), () => append(state.speakers, 'speakers', { id: uniqueId('speaker', state.speakers), name: '', affiliation: '', bio: '' }, 'name'))),
    actions(el('button', { type: 'submit', id: 'save-draft', text: T('save') })));
}

// The API's sessions.2.x is the form's sessions[2].x.
const bracketed = (field) => String(field).replace(/\.(\d+)(?=\.|$)/g, '[$1]');

// Enter submits before `change`: a start typed but not left moves its session now.
function flush() {
  form.querySelectorAll('[name$=".starts_at"]').forEach((node) => {
    const item = itemOf(node.name);
    if (item && node.value.trim() !== item._start) onInput({ type: 'change', target: node });
  });
}

const saving = (busy) => { const b = form.querySelector('#save-draft'); if (b) b.disabled = busy; };

async function save() {
  flush();
  C.clearErrors(form);
  saving(true);
  try {
    const res = await C.api('PUT', 'programme/draft', body());
    // The draft comes back in start order; what was open stays open.
    const openIds = (kind) => state[kind].filter((x) => open.has(x)).map((x) => x.id);
    const was = { sessions: openIds('sessions'), speakers: openIds('speakers') };
    state = fromApi(res);
    open.clear();
    for (const kind in was) for (const x of state[kind]) if (was[kind].includes(x.id)) open.add(x);
    draw();
    guard.clean();
    form.querySelector('#save-draft').focus();
    C.notice(T('saved'));
    return true;
  } catch (e) {
    if (!(e instanceof C.ApiError)) throw e;
    const errors = e.status === 400 && e.problem && e.problem.errors;
    if (Array.isArray(errors)) {
      // Open what an error names, so its input can be focused.
      const fields = errors.map((x) => ({ ...x, field: bracketed(x.field) }));
      for (const { field } of fields) if (itemOf(field)) open.add(itemOf(field));
      draw();
      C.fieldErrors(form, { ...e, problem: { ...e.problem, errors: fields } });
    } else {
      C.notice(problemText(e), 'error');
    }
    return false;
  } finally {
    saving(false);
  }
}

const problemText = (e) => C.problemText(e, 'admin.programme');

const attempt = (action) => action().catch((e) => {
  if (!(e instanceof C.ApiError)) throw e;
  C.notice(problemText(e), 'error');
});

const outline = ({ changes, notified }) => `${ProgrammeChanges.summary(changes)}. ${T('notified', { count: notified })}`;
const link = (href, key) => el('a', { href: `${href}${encodeURIComponent(ctx.eventId)}`, text: T(key) });

function drawPreview() {
  const out = ctx.main.querySelector('#preview');
  const button = ctx.main.querySelector('#publish');
  if (button) button.hidden = !preview || preview.published || !preview.changes.length;
  if (!preview) out.replaceChildren();
  else if (preview.published) {
    out.replaceChildren(el('div', { class: 'announce', 'data-kind': 'ok', tabindex: '-1', id: 'published' },
      el('p', { class: 'status-line', text: T('publishedVersion', { version: preview.version }) }),
      el('p', { text: ProgrammeChanges.summary(preview.changes) }),
      el('p', {}, link('/admin/versions?event=', 'seeVersions'), ' · ', link('/events/', 'seePublic'))));
  } else {
    out.replaceChildren(...[
      el('h3', { id: 'preview-heading', tabindex: '-1', text: T('previewHeading', { version: preview.to }) }),
      preview.changes.length > 0 && el('p', { id: 'preview-summary', text: outline(preview) }),
      ProgrammeChanges.render(preview.changes, zone),
    ].filter(Boolean));
  }
}

async function showPreview() {
  // Preview and publishing take the saved draft.
  if (guard.dirty && !(await save())) return;
  await attempt(async () => {
    preview = await C.api('GET', 'programme/draft/changes');
    drawPreview();
    ctx.main.querySelector('#preview-heading').focus();
  });
}

async function publish(opener) {
  if (!(await sure(opener, T('publishTitle', { version: preview.to }), outline(preview), T('publish'), false))) return;
  await attempt(async () => {
    preview = { published: true, ...(await C.api('POST', 'programme/publish')) };
    drawPreview();
    C.notice(T('publishedVersion', { version: preview.version }));
    ctx.main.querySelector('#published').focus();
  });
}

async function render(c) {
  ctx = c;
  editable = c.may('edit');
  zone = c.event.timezone || 'UTC';
  // Below the frame's live regions at the top of <main>.
  const heading = el('h1', { text: T('heading') });
  const loading = el('p', { class: 'muted', id: 'programme-loading', 'aria-busy': 'true', text: T('loading') });
  const root = el('div', { id: 'programme-page' }, heading, loading);
  c.main.append(root);
  if (!state) {
    try {
      state = fromApi(await C.api('GET', 'programme/draft'));
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      loading.replaceWith(el('p', { class: 'announce', 'data-kind': 'error', id: 'programme-failed', text: `${T('loadFailed')} ${problemText(e)}` }));
      return;
    }
  }
  // A new form per render (a language switch); the draft stays in `state`.
  form = el('form', { id: 'programme-form', novalidate: true });
  form.addEventListener('input', onInput);
  form.addEventListener('change', onInput);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
  draw();
  guard = editable ? C.dirtyGuard(form) : { clean() {} };
  const mode = editable ? 'publish' : 'previewOnly';
  root.replaceChildren(...[
    heading,
    !editable && el('p', { class: 'announce', id: 'read-only', text: T('readOnly', { role: T(`role.${c.role}`) }) }),
    el('p', {}, link('/admin/versions?event=', 'seeVersions')),
    form,
    el('section', { id: 'publish-panel', class: 'panel', 'aria-labelledby': 'publish-heading' },
      el('h2', { id: 'publish-heading', text: T(`${mode}Heading`) }),
      el('p', { text: T(`${mode}Lead`) }),
      el('div', { class: 'actions' }, C.button(T('preview'), showPreview, { id: 'show-preview' })),
      el('div', { id: 'preview', 'aria-live': 'polite' }),
      actions(C.button(T('publish'), publish, { id: 'publish', class: '', hidden: true }))),
  ].filter(Boolean));
  drawPreview();
}

C.start({ page: 'programme', event: true, render });
