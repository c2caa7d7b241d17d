// The programme editor (/admin/programme?event=ID): the draft's sessions by day in the event's zone
// and its speakers, saving (each API error at its field), a preview of what publishing changes,
// publishing. The form is drawn from `state`, so a failed save or a redraw never loses what was typed.
'use strict';

(() => {
  const { t, el, bdi } = Plenary;
  const C = Console;
  const T = C.texts('admin.programme');
  const KINDS = ['opening', 'keynote', 'talk', 'panel', 'break', 'meeting', 'closing'];
  const MATERIALS = ['slides', 'document', 'recording', 'link'];
  const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

  let ctx;
  let zone = 'UTC';
  let state = null; // { speakers: [...], sessions: [...] }, each session with its wall times (_day, _start, _end, _endDays)
  const open = new Set(); // the session and speaker objects whose <details> are open
  let form;
  let guard;
  let preview = null; // the last draft changes shown, or the publication just made
  let unsaved = false;

  // ---- Time in the event's zone ----

  const pad = (n) => String(n).padStart(2, '0');

  /** The wall date and time (`HH:MM`) of the instant `ms` in the event's zone. */
  function wall(ms) {
    const [date, time] = C.wallTime(new Date(ms).toISOString(), zone).split('T');
    return { date, time };
  }

  const offset = (ms) => C.offsetMinutes(zone, ms);

  /** The RFC 3339 instant of a wall date and time in the zone, or '' when the time is not HH:MM. */
  function instant(date, time, addDays = 0) {
    const match = TIME.exec(time || '');
    if (!date || !match) return '';
    const [y, m, d] = date.split('-').map(Number);
    const local = Date.UTC(y, m - 1, d + addDays, Number(match[1]), Number(match[2]));
    let off = offset(local);
    const again = offset(local - off * 60000);
    if (again !== off) off = again;
    const w = wall(local - off * 60000);
    const sign = off < 0 ? '-' : '+';
    return `${w.date}T${w.time}:00${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  }

  const minutes = (time) => { const m = TIME.exec(time || ''); return m ? Number(m[1]) * 60 + Number(m[2]) : null; };
  const clock = (total) => `${pad(Math.floor(total / 60) % 24)}:${pad(total % 60)}`;

  /** The event's days in its zone, from its start to its end. */
  function eventDays() {
    const days = [];
    const first = wall(Date.parse(ctx.event.starts_at)).date;
    const last = wall(Date.parse(ctx.event.ends_at)).date;
    for (let d = new Date(`${first}T12:00:00Z`); days.length < 60; d.setUTCDate(d.getUTCDate() + 1)) {
      const iso = d.toISOString().slice(0, 10);
      days.push(iso);
      if (iso >= last) break;
    }
    return days;
  }

  // ---- The draft in state, and the body PUT takes ----

  function fromApi(draft) {
    return {
      speakers: draft.speakers.map((s) => ({ ...s, affiliation: s.affiliation || '', bio: s.bio || '' })),
      sessions: draft.sessions.map((s) => {
        const start = wall(Date.parse(s.starts_at));
        const end = wall(Date.parse(s.ends_at));
        const endDays = Math.round((Date.parse(`${end.date}T00:00:00Z`) - Date.parse(`${start.date}T00:00:00Z`)) / 86400000);
        return {
          ...s, track: s.track || '', abstract: s.abstract || '', speakers: s.speakers.map((sp) => ({ ...sp })),
          _day: start.date, _start: start.time, _end: end.time, _endDays: endDays,
        };
      }),
    };
  }

  /** Optional text members are left out when empty; anything else the API sent goes back as it came. */
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

  function uniqueId(prefix, taken) {
    for (let n = 1; ; n += 1) {
      const id = `${prefix}-${n}`;
      if (!taken.includes(id)) return id;
    }
  }

  const byTime = (a, b) => `${a._day} ${a._start}`.localeCompare(`${b._day} ${b._start}`);

  /** A session after `after` (or at the event's start) on its day, half an hour long. */
  function newSession(after) {
    const days = eventDays();
    const day = after ? after._day : days[0];
    const start = after ? after._end : wall(Date.parse(ctx.event.starts_at)).time;
    const s = minutes(start) ?? 9 * 60;
    return {
      id: uniqueId('session', state.sessions.map((x) => x.id)), title: '', kind: 'talk', track: '', abstract: '', speakers: [],
      _day: day, _start: clock(s), _end: clock(Math.min(s + 30, 24 * 60 - 1)), _endDays: 0,
    };
  }

  // ---- Editing ----

  function changed() {
    // Buttons change the draft without an input event; the dirty guard listens for one.
    form.dispatchEvent(new Event('input', { bubbles: true }));
    unsaved = true;
  }

  function redraw(focusName) {
    const active = focusName || (document.activeElement && document.activeElement.name) || null;
    draw();
    const target = active && form.querySelector(`[name="${CSS.escape(active)}"]`);
    if (target) target.focus();
  }

  /** Adds `item` to `state[kind]` (sessions or speakers), open, with the focus on its `field`. */
  function add(kind, item, field) {
    state[kind].push(item);
    open.add(item);
    changed();
    redraw(`${kind}[${state[kind].length - 1}].${field}`);
  }

  /** Takes `item` out of `state[kind]`; the focus goes to the button that adds one. */
  function remove(kind, item, adder) {
    state[kind].splice(state[kind].indexOf(item), 1);
    open.delete(item);
    changed();
    draw();
    form.querySelector(adder).focus();
  }

  function addSession() {
    add('sessions', newSession([...state.sessions].sort(byTime).pop()), 'title');
  }

  function duplicate(s) {
    const copy = { ...s, speakers: s.speakers.map((sp) => ({ ...sp })), id: uniqueId(s.id, state.sessions.map((x) => x.id)) };
    // Straight after the original, the same length, so the copy does not overlap it.
    const length = (s._endDays * 1440 + minutes(s._end)) - minutes(s._start);
    if (minutes(s._end) !== null && length > 0) move(copy, s._day, s._end, length);
    add('sessions', copy, 'title');
    C.notice(T('duplicated', { title: s.title || s.id }));
  }

  /** Moves `s` to `day` at `start`, keeping its length (in minutes). */
  function move(s, day, start, length) {
    const from = minutes(start);
    s._day = day;
    s._start = start;
    if (from === null || !(length > 0)) return;
    const end = from + length;
    s._endDays = Math.floor(end / 1440);
    s._end = clock(end % 1440);
  }

  async function removeSession(s, opener) {
    const ok = await C.confirm({
      title: T('removeSessionTitle'),
      body: T('removeSessionBody', { title: s.title || s.id }),
      confirm: T('remove'), danger: true,
    });
    if (!ok) { opener.focus(); return; }
    remove('sessions', s, '#add-session');
    C.notice(T('sessionRemoved', { title: s.title || s.id }));
  }

  function addSpeaker() {
    add('speakers', { id: uniqueId('speaker', state.speakers.map((x) => x.id)), name: '', affiliation: '', bio: '' }, 'name');
  }

  async function removeSpeaker(sp, opener) {
    const using = state.sessions.filter((s) => s.speakers.some((r) => r.id === sp.id));
    const name = sp.name || sp.id;
    const ok = await C.confirm({
      title: T('removeSpeakerTitle'),
      body: using.length
        ? T('removeSpeakerUsed', { name, count: using.length, sessions: using.map((s) => s.title || s.id).join(', ') })
        : T('removeSpeakerBody', { name }),
      confirm: T('remove'), danger: true,
    });
    if (!ok) { opener.focus(); return; }
    for (const s of using) s.speakers = s.speakers.filter((r) => r.id !== sp.id);
    remove('speakers', sp, '#add-speaker');
    C.notice(T('speakerRemoved', { name }));
  }

  /** Keeps state in step with each input; a new day or start regroups the list once focus has moved on. */
  function onInput(ev) {
    unsaved = true;
    const name = ev.target.name || '';
    const m = /^(sessions|speakers)\[(\d+)\]\.(\w+)(?:\[(\d+)\]\.(\w+))?$/.exec(name);
    if (!m) return;
    const item = state[m[1]][Number(m[2])];
    if (!item) return;
    const value = ev.target.value;
    if (m[4] !== undefined) {
      // A session's speaker or material: `sessions[0].speakers[1].role`, `sessions[0].materials[0].url`.
      item[m[3]][Number(m[4])][m[5]] = m[5] === 'language' && !value ? undefined : value;
      return;
    }
    const field = m[3];
    if (m[1] === 'speakers' && field === 'id') {
      // A speaker's new id follows into the sessions that name them.
      for (const s of state.sessions) for (const r of s.speakers) if (r.id === item.id) r.id = value;
      item.id = value;
      return;
    }
    if (field === 'starts_at' || field === 'day') {
      if (ev.type !== 'change') return;
      const length = (item._endDays * 1440 + minutes(item._end)) - minutes(item._start);
      move(item, field === 'day' ? value : item._day, field === 'day' ? item._start : value.trim(), length);
      setTimeout(() => redraw(), 0);
      return;
    }
    if (field === 'ends_at') {
      item._end = value.trim();
      return;
    }
    item[field] = value;
    if (field === 'title' || field === 'name') {
      const summary = ev.target.closest('details').querySelector('summary .label');
      if (summary) summary.textContent = value || T('untitled');
    }
  }

  // ---- Drawing ----

  function sessionCard(s) {
    const i = state.sessions.indexOf(s);
    const n = `sessions[${i}]`;
    const days = eventDays();
    if (!days.includes(s._day)) days.push(s._day);
    const speakerOptions = state.speakers.map((sp) => [sp.id, `${sp.name || T('unnamed')} (${sp.id})`]);
    const rows = s.speakers.map((r, j) => {
      const known = speakerOptions.some(([id]) => id === r.id) ? speakerOptions : [[r.id, r.id], ...speakerOptions];
      return el('li', { class: 'speaker-row' },
        C.field(`${n}.speakers[${j}].id`, T('speaker'), 'select', { value: r.id, options: known }),
        C.field(`${n}.speakers[${j}].role`, T('role'), 'input', { value: r.role, hint: T('roleHint') }),
        ctx.editable && C.button(T('removeFromSession'), () => {
          s.speakers.splice(j, 1);
          changed();
          redraw(`${n}.title`);
        }));
    });
    const addRow = ctx.editable && state.speakers.length
      ? C.button(T('addSpeakerToSession'), () => {
        const used = s.speakers.map((r) => r.id);
        const free = state.speakers.find((sp) => !used.includes(sp.id)) || state.speakers[0];
        s.speakers.push({ id: free.id, role: 'speaker' });
        changed();
        redraw(`${n}.speakers[${s.speakers.length - 1}].id`);
      })
      : null;
    const materials = (s.materials || []).map((mat, j) => {
      const name = `${n}.materials[${j}]`;
      return el('li', { class: 'material-row', 'data-field': name },
        C.field(`${name}.title`, t('admin.materials.title'), 'input', { value: mat.title, 'aria-required': 'true' }),
        C.field(`${name}.kind`, t('admin.materials.kind'), 'select', { value: mat.kind, options: MATERIALS.map((k) => [k, t(`material.${k}`)]) }),
        C.field(`${name}.url`, t('admin.materials.url'), 'input', { value: mat.url, type: 'url', hint: t('admin.materials.urlHint'), 'aria-required': 'true', autocomplete: 'off' }),
        C.field(`${name}.language`, t('admin.materials.language'), 'select', { value: mat.language || '', options: [['', t('admin.materials.anyLanguage')], ...Plenary.LANGUAGES.map((l) => [l, C.languageName(l)])] }),
        ctx.editable && uploader(name, mat),
        ctx.editable && C.button(t('admin.materials.remove', { title: mat.title || j + 1 }), () => {
          s.materials.splice(j, 1);
          changed();
          redraw(`${n}.title`);
        }));
    });
    const details = el('details', { class: 'item session-item', 'data-session': s.id, open: open.has(s) },
      el('summary', {},
        el('span', { class: 'when', text: `${s._start}–${s._end}` }), ' ',
        el('span', { class: 'label', dir: 'auto', text: s.title || T('untitled') }), ' ',
        el('span', { class: 'badge', text: t(`kind.${s.kind}`) }),
        s.track ? el('span', { class: 'muted' }, ' · ', bdi(s.track)) : null),
      el('div', { class: 'item-body' },
        el('div', { class: 'grid' },
          C.field(`${n}.title`, T('field.title'), 'input', { value: s.title, 'aria-required': 'true' }),
          C.field(`${n}.id`, T('field.id'), 'input', { value: s.id, hint: T('idHint'), 'aria-required': 'true' }),
          C.field(`${n}.day`, T('field.day'), 'select', { value: s._day, options: days.map((d) => [d, Plenary.formatDay(d)]) }),
          C.field(`${n}.starts_at`, T('field.starts_at'), 'input', { value: s._start, hint: T('timeHint'), inputmode: 'numeric', autocomplete: 'off' }),
          C.field(`${n}.ends_at`, T('field.ends_at'), 'input', { value: s._end, hint: T('timeHint'), inputmode: 'numeric', autocomplete: 'off' }),
          C.field(`${n}.kind`, T('field.kind'), 'select', { value: s.kind, options: KINDS.map((k) => [k, t(`kind.${k}`)]) }),
          C.field(`${n}.track`, T('field.track'), 'input', { value: s.track, hint: T('trackHint') })),
        C.field(`${n}.abstract`, T('field.abstract'), 'textarea', { value: s.abstract }),
        el('fieldset', { class: 'field session-speakers', 'data-field': `${n}.speakers` },
          el('legend', { text: T('field.speakers') }),
          rows.length ? el('ul', { class: 'plain' }, rows) : el('p', { class: 'muted', text: T('noSessionSpeakers') }),
          addRow),
        el('fieldset', { class: 'field session-materials', 'data-field': `${n}.materials` },
          el('legend', { text: t('admin.materials.legend') }),
          materials.length ? el('ul', { class: 'plain' }, materials) : el('p', { class: 'muted', text: t('admin.materials.none') }),
          ctx.editable && C.button(t('admin.materials.add'), () => {
            s.materials = s.materials || [];
            s.materials.push({ id: uniqueId('material', s.materials.map((x) => x.id)), title: '', kind: 'slides', url: '' });
            changed();
            redraw(`${n}.materials[${s.materials.length - 1}].title`);
          })),
        ctx.editable && el('div', { class: 'actions' },
          C.button(T('duplicate'), () => duplicate(s)),
          C.button(T('removeSession'), (b) => removeSession(s, b), { class: 'secondary danger-text' }))));
    details.addEventListener('toggle', () => { if (details.open) open.add(s); else open.delete(s); });
    return details;
  }

  /** A material's file: `POST …/uploads`, the file sent as the answer says, its public address the material's URL. */
  function uploader(name, mat) {
    const id = `f-${name.replace(/[^\w-]/g, '-')}-file`;
    const file = el('input', { type: 'file', id, class: 'upload' });
    file.addEventListener('change', async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      file.disabled = true;
      C.notice(t('admin.materials.uploading', { name: chosen.name }));
      try {
        const grant = await C.api('POST', 'uploads',
          { filename: chosen.name, content_type: chosen.type || 'application/octet-stream', size: chosen.size });
        const data = new FormData();
        for (const [k, v] of Object.entries(grant.upload.fields || {})) data.append(k, v);
        data.append('file', chosen);
        const sent = await fetch(grant.upload.url, { method: grant.upload.method || 'POST', body: data });
        if (!sent.ok) throw new C.ApiError(sent.status, null);
        mat.url = grant.file_url;
        if (!mat.title) mat.title = chosen.name;
        changed();
        redraw(`${name}.url`);
        C.notice(t('admin.materials.uploaded', { name: chosen.name }));
      } catch (e) {
        if (!(e instanceof C.ApiError)) throw e;
        C.notice(C.problemText(e), 'error');
        file.disabled = false;
      }
    });
    return el('div', { class: 'field' }, el('label', { for: id, text: t('admin.materials.upload') }), file);
  }

  function speakerCard(sp) {
    const i = state.speakers.indexOf(sp);
    const n = `speakers[${i}]`;
    const uses = state.sessions.filter((s) => s.speakers.some((r) => r.id === sp.id)).length;
    const details = el('details', { class: 'item speaker-item', 'data-speaker': sp.id, open: open.has(sp) },
      el('summary', {},
        el('span', { class: 'label', dir: 'auto', text: sp.name || T('unnamed') }), ' ',
        el('span', { class: 'muted', text: T('speaksIn', { count: uses }) })),
      el('div', { class: 'item-body' },
        el('div', { class: 'grid' },
          C.field(`${n}.name`, T('field.name'), 'input', { value: sp.name, 'aria-required': 'true', autocomplete: 'off' }),
          C.field(`${n}.id`, T('field.id'), 'input', { value: sp.id, hint: T('idHint'), 'aria-required': 'true' }),
          C.field(`${n}.affiliation`, T('field.affiliation'), 'input', { value: sp.affiliation })),
        C.field(`${n}.bio`, T('field.bio'), 'textarea', { value: sp.bio }),
        ctx.editable && el('div', { class: 'actions' },
          C.button(T('removeSpeaker'), (b) => removeSpeaker(sp, b), { class: 'secondary danger-text' }))));
    details.addEventListener('toggle', () => { if (details.open) open.add(sp); else open.delete(sp); });
    return details;
  }

  function sessionsByDay() {
    if (!state.sessions.length) return [el('p', { class: 'muted', text: T('noSessions') })];
    const days = new Map();
    for (const s of [...state.sessions].sort(byTime)) {
      if (!days.has(s._day)) days.set(s._day, []);
      days.get(s._day).push(s);
    }
    return [...days].map(([day, list]) => el('section', { class: 'day', 'aria-labelledby': `day-${day}` },
      el('h3', { id: `day-${day}`, text: Plenary.formatDay(day) }),
      list.map(sessionCard)));
  }

  function draw() {
    const editable = ctx.editable;
    const fields = el('fieldset', { class: 'plain', disabled: !editable },
      el('legend', { class: 'visually-hidden', text: T('heading') }),
      el('section', { 'aria-labelledby': 'sessions-heading' },
        el('h2', { id: 'sessions-heading', text: T('sessions') }),
        el('p', { class: 'zone-label', text: T('timesIn', { zone: C.zoneName(zone, ctx.event.starts_at) }) }),
        sessionsByDay(),
        editable && el('div', { class: 'actions' }, C.button(T('addSession'), addSession, { id: 'add-session' }))),
      el('section', { 'aria-labelledby': 'speakers-heading' },
        el('h2', { id: 'speakers-heading', text: T('speakers') }),
        state.speakers.length ? state.speakers.map(speakerCard) : el('p', { class: 'muted', text: T('noSpeakers') }),
        editable && el('div', { class: 'actions' }, C.button(T('addSpeaker'), addSpeaker, { id: 'add-speaker' }))));
    form.replaceChildren(
      el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      fields,
      editable && el('div', { class: 'actions' },
        el('button', { type: 'submit', id: 'save-draft', text: T('save') })));
  }

  // ---- Saving, previewing, publishing ----

  /** The API's `sessions.2.x` or `sessions[2].x` as this form names it, `sessions[2].x`. */
  function bracketed(field) {
    return String(field).replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  }

  /** A start time typed but not yet left (Enter submits before `change`) moves its session now. */
  function flush() {
    form.querySelectorAll('[name$=".starts_at"]').forEach((node) => {
      const m = /^sessions\[(\d+)\]/.exec(node.name);
      const item = m && state.sessions[Number(m[1])];
      if (item && node.value.trim() !== item._start) onInput({ type: 'change', target: node });
    });
  }

  async function save() {
    flush();
    const submit = form.querySelector('#save-draft');
    C.clearErrors(form);
    if (submit) submit.disabled = true;
    try {
      const res = await C.api('PUT', 'programme/draft', body());
      // The saved draft comes back in start order; what was open stays open.
      const was = (list) => list.filter((x) => open.has(x)).map((x) => x.id);
      const sessions = was(state.sessions);
      const speakers = was(state.speakers);
      state = fromApi(res);
      open.clear();
      state.sessions.filter((x) => sessions.includes(x.id)).forEach((x) => open.add(x));
      state.speakers.filter((x) => speakers.includes(x.id)).forEach((x) => open.add(x));
      draw();
      guard.clean();
      unsaved = false;
      form.querySelector('#save-draft').focus();
      C.notice(T('saved'));
      return true;
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      const errors = Array.isArray(e.problem && e.problem.errors) ? e.problem.errors : null;
      if (e.status === 400 && errors) {
        // Open every session and speaker an error names, so its input can be shown and focused.
        const named = errors.map((x) => ({ ...x, field: bracketed(x.field) }));
        for (const { field } of named) {
          const m = /^(sessions|speakers)\[(\d+)\]/.exec(field);
          const item = m && state[m[1]][Number(m[2])];
          if (item) open.add(item);
        }
        draw();
        C.fieldErrors(form, { ...e, problem: { ...e.problem, errors: named } });
      } else {
        C.notice(problemText(e), 'error');
      }
      return false;
    } finally {
      const again = form.querySelector('#save-draft');
      if (again) again.disabled = false;
    }
  }

  const problemText = (e) => C.problemText(e, 'admin.programme');

  function drawPreview() {
    const panel = ctx.main.querySelector('#publish-panel');
    const out = panel.querySelector('#preview');
    const publish = panel.querySelector('#publish');
    if (!preview) { out.replaceChildren(); if (publish) publish.hidden = true; return; }
    if (preview.published) {
      out.replaceChildren(el('div', { class: 'announce', 'data-kind': 'ok', tabindex: '-1', id: 'published' },
        el('p', { class: 'status-line', text: T('publishedVersion', { version: preview.version }) }),
        el('p', { text: ProgrammeChanges.summary(preview.changes) }),
        el('p', {},
          el('a', { href: `/admin/versions?event=${encodeURIComponent(ctx.eventId)}`, text: T('seeVersions') }), ' · ',
          el('a', { href: `/events/${encodeURIComponent(ctx.eventId)}`, text: T('seePublic') }))));
      if (publish) publish.hidden = true;
      return;
    }
    const { changes, notified, to } = preview;
    out.replaceChildren(
      el('h3', { id: 'preview-heading', tabindex: '-1', text: T('previewHeading', { version: to }) }),
      changes.length ? el('p', { id: 'preview-summary', text: `${ProgrammeChanges.summary(changes)}. ${T('notified', { count: notified })}` }) : null,
      ProgrammeChanges.render(changes, zone));
    if (publish) publish.hidden = !changes.length;
  }

  async function showPreview() {
    // The preview is of the saved draft, which is what publishing takes: save what was typed first.
    if (unsaved && ctx.editable && !(await save())) return;
    try {
      const res = await C.api('GET', 'programme/draft/changes');
      preview = res;
      drawPreview();
      ctx.main.querySelector('#preview-heading').focus();
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      C.notice(problemText(e), 'error');
    }
  }

  async function publish(opener) {
    const { changes, notified, to } = preview;
    const ok = await C.confirm({
      title: T('publishTitle', { version: to }),
      body: `${ProgrammeChanges.summary(changes)}. ${T('notified', { count: notified })}`,
      confirm: T('publish'),
    });
    if (!ok) { opener.focus(); return; }
    try {
      const res = await C.api('POST', 'programme/publish');
      preview = { published: true, ...res };
      drawPreview();
      C.notice(T('publishedVersion', { version: res.version }));
      ctx.main.querySelector('#published').focus();
    } catch (e) {
      if (!(e instanceof C.ApiError)) throw e;
      C.notice(problemText(e), 'error');
    }
  }

  // ---- The page ----

  async function render(c) {
    ctx = c;
    ctx.editable = c.may('edit');
    zone = (c.event && c.event.timezone) || 'UTC';
    // The frame keeps its live regions at the top of <main>; the page draws below them.
    const root = el('div', { id: 'programme-page' },
      el('h1', { text: T('heading') }),
      el('p', { class: 'muted', id: 'programme-loading', 'aria-busy': 'true', text: T('loading') }));
    c.main.append(root);
    if (!state) {
      try {
        const res = await C.api('GET', 'programme/draft');
        state = fromApi(res);
      } catch (e) {
        if (!(e instanceof C.ApiError)) throw e;
        root.querySelector('#programme-loading').replaceWith(
          el('p', { class: 'announce', 'data-kind': 'error', id: 'programme-failed', text: `${T('loadFailed')} ${problemText(e)}` }));
        return;
      }
    }
    // A fresh form each time the frame draws the page (a language switch); the draft stays in `state`.
    form = el('form', { id: 'programme-form', novalidate: true });
    form.addEventListener('input', onInput);
    form.addEventListener('change', onInput);
    form.addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
    draw();
    guard = ctx.editable ? C.dirtyGuard(form) : { clean() {} };
    if (unsaved) changed();
    const previewButton = C.button(T('preview'), showPreview, { id: 'show-preview' });
    const publishButton = ctx.editable
      ? C.button(T('publish'), publish, { id: 'publish', class: '', hidden: true })
      : null;
    root.replaceChildren(...[
      el('h1', { text: T('heading') }),
      ctx.editable ? null : el('p', { class: 'announce', id: 'read-only', text: T('readOnly', { role: T(`role.${c.role}`) }) }),
      el('p', {}, el('a', { href: `/admin/versions?event=${encodeURIComponent(c.eventId)}`, text: T('seeVersions') })),
      form,
      el('section', { id: 'publish-panel', class: 'panel', 'aria-labelledby': 'publish-heading' },
        el('h2', { id: 'publish-heading', text: ctx.editable ? T('publishHeading') : T('previewOnlyHeading') }),
        el('p', { text: ctx.editable ? T('publishLead') : T('previewOnlyLead') }),
        el('div', { class: 'actions' }, previewButton),
        el('div', { id: 'preview', 'aria-live': 'polite' }),
        publishButton && el('div', { class: 'actions' }, publishButton)),
    ].filter(Boolean));
    drawPreview();
  }

  C.start({ page: 'programme', event: true, render });
})();
