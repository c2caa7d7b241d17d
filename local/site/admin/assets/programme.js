// The programme editor (/admin/programme?event=ID): the draft by day in the event's zone, its
// sessions and speakers, saving with every API error at its field, a preview of what publishing
// changes, and publishing. The draft lives in `state` and the form is drawn from it, so a failed
// save, a language switch or a re-render never loses what was typed.
'use strict';

(() => {
  const { t, el, bdi } = Plenary;
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

  function wall(ms) {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(ms));
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
  }

  /** Minutes the zone is ahead of UTC at the instant `ms`. */
  function offset(ms) {
    const w = wall(ms);
    const [y, m, d] = w.date.split('-').map(Number);
    const [h, mi] = w.time.split(':').map(Number);
    return Math.round((Date.UTC(y, m - 1, d, h, mi) - Math.floor(ms / 60000) * 60000) / 60000);
  }

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

  function addSession() {
    const last = [...state.sessions].sort(byTime).pop();
    const s = newSession(last);
    state.sessions.push(s);
    open.add(s);
    changed();
    redraw(`sessions[${state.sessions.length - 1}].title`);
  }

  function duplicate(s) {
    const copy = { ...s, speakers: s.speakers.map((sp) => ({ ...sp })), id: uniqueId(s.id, state.sessions.map((x) => x.id)) };
    // Straight after the original, the same length, so the copy does not overlap it.
    const length = (s._endDays * 1440 + minutes(s._end)) - minutes(s._start);
    if (minutes(s._end) !== null && length > 0) move(copy, s._day, s._end, length);
    state.sessions.push(copy);
    open.add(copy);
    changed();
    redraw(`sessions[${state.sessions.length - 1}].title`);
    Console.notice(t('admin.programme.duplicated', { title: s.title || s.id }));
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
    const ok = await Console.confirm({
      title: t('admin.programme.removeSessionTitle'),
      body: t('admin.programme.removeSessionBody', { title: s.title || s.id }),
      confirm: t('admin.programme.remove'), danger: true,
    });
    if (!ok) { opener.focus(); return; }
    state.sessions.splice(state.sessions.indexOf(s), 1);
    open.delete(s);
    changed();
    draw();
    form.querySelector('#add-session').focus();
    Console.notice(t('admin.programme.sessionRemoved', { title: s.title || s.id }));
  }

  function addSpeaker() {
    const sp = { id: uniqueId('speaker', state.speakers.map((x) => x.id)), name: '', affiliation: '', bio: '' };
    state.speakers.push(sp);
    open.add(sp);
    changed();
    redraw(`speakers[${state.speakers.length - 1}].name`);
  }

  async function removeSpeaker(sp, opener) {
    const using = state.sessions.filter((s) => s.speakers.some((r) => r.id === sp.id));
    const name = sp.name || sp.id;
    const ok = await Console.confirm({
      title: t('admin.programme.removeSpeakerTitle'),
      body: using.length
        ? t('admin.programme.removeSpeakerUsed', { name, count: using.length, sessions: using.map((s) => s.title || s.id).join(', ') })
        : t('admin.programme.removeSpeakerBody', { name }),
      confirm: t('admin.programme.remove'), danger: true,
    });
    if (!ok) { opener.focus(); return; }
    for (const s of using) s.speakers = s.speakers.filter((r) => r.id !== sp.id);
    state.speakers.splice(state.speakers.indexOf(sp), 1);
    open.delete(sp);
    changed();
    draw();
    form.querySelector('#add-speaker').focus();
    Console.notice(t('admin.programme.speakerRemoved', { name }));
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
      if (summary) summary.textContent = value || t('admin.programme.untitled');
    }
  }

  // ---- Drawing ----

  function input(name, label, value, attrs = {}) {
    const id = `f-${name.replace(/[^\w-]/g, '-')}`;
    const hint = attrs.hint && `${id}-hint`;
    const { hint: hintKey, control = 'input', ...rest } = attrs;
    const node = el(control, {
      id, name, dir: control === 'select' ? undefined : 'auto', 'aria-describedby': hint, 'data-hint': hint,
      ...(control === 'input' ? { type: 'text' } : {}), ...rest,
    });
    if (control !== 'select') node.value = value ?? '';
    return [el('div', { class: 'field' },
      el('label', { for: id, text: label }),
      hint && el('p', { id: hint, class: 'hint', text: t(hintKey) }),
      node), node];
  }

  function select(name, label, value, options, attrs = {}) {
    const [field, node] = input(name, label, value, { control: 'select', ...attrs });
    node.replaceChildren(...options.map(([v, text]) => new Option(text, v)));
    node.value = value;
    return field;
  }

  function button(text, onClick, attrs = {}) {
    const b = el('button', { type: 'button', class: 'secondary', ...attrs, text });
    b.addEventListener('click', () => onClick(b));
    return b;
  }

  function sessionCard(s) {
    const i = state.sessions.indexOf(s);
    const n = `sessions[${i}]`;
    const days = eventDays();
    if (!days.includes(s._day)) days.push(s._day);
    const speakerOptions = state.speakers.map((sp) => [sp.id, `${sp.name || t('admin.programme.unnamed')} (${sp.id})`]);
    const rows = s.speakers.map((r, j) => {
      const known = speakerOptions.some(([id]) => id === r.id) ? speakerOptions : [[r.id, r.id], ...speakerOptions];
      return el('li', { class: 'speaker-row' },
        select(`${n}.speakers[${j}].id`, t('admin.programme.speaker'), r.id, known),
        input(`${n}.speakers[${j}].role`, t('admin.programme.role'), r.role, { hint: 'admin.programme.roleHint' })[0],
        ctx.editable && button(t('admin.programme.removeFromSession'), () => {
          s.speakers.splice(j, 1);
          changed();
          redraw(`${n}.title`);
        }));
    });
    const addRow = ctx.editable && state.speakers.length
      ? button(t('admin.programme.addSpeakerToSession'), () => {
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
        input(`${name}.title`, t('admin.materials.title'), mat.title, { 'aria-required': 'true' })[0],
        select(`${name}.kind`, t('admin.materials.kind'), mat.kind, MATERIALS.map((k) => [k, t(`material.${k}`)])),
        input(`${name}.url`, t('admin.materials.url'), mat.url, { type: 'url', hint: 'admin.materials.urlHint', 'aria-required': 'true', autocomplete: 'off' })[0],
        select(`${name}.language`, t('admin.materials.language'), mat.language || '',
          [['', t('admin.materials.anyLanguage')], ...Plenary.LANGUAGES.map((l) => [l, Console.languageName(l)])]),
        ctx.editable && uploader(name, mat),
        ctx.editable && button(t('admin.materials.remove', { title: mat.title || j + 1 }), () => {
          s.materials.splice(j, 1);
          changed();
          redraw(`${n}.title`);
        }));
    });
    const details = el('details', { class: 'item session-item', 'data-session': s.id, open: open.has(s) },
      el('summary', {},
        el('span', { class: 'when', text: `${s._start}–${s._end}` }), ' ',
        el('span', { class: 'label', dir: 'auto', text: s.title || t('admin.programme.untitled') }), ' ',
        el('span', { class: 'badge', text: t(`kind.${s.kind}`) }),
        s.track ? el('span', { class: 'muted' }, ' · ', bdi(s.track)) : null),
      el('div', { class: 'item-body' },
        el('div', { class: 'grid' },
          input(`${n}.title`, t('admin.programme.field.title'), s.title, { 'aria-required': 'true' })[0],
          input(`${n}.id`, t('admin.programme.field.id'), s.id, { hint: 'admin.programme.idHint', 'aria-required': 'true' })[0],
          select(`${n}.day`, t('admin.programme.field.day'), s._day, days.map((d) => [d, Plenary.formatDay(d)])),
          input(`${n}.starts_at`, t('admin.programme.field.starts_at'), s._start, { hint: 'admin.programme.timeHint', inputmode: 'numeric', autocomplete: 'off' })[0],
          input(`${n}.ends_at`, t('admin.programme.field.ends_at'), s._end, { hint: 'admin.programme.timeHint', inputmode: 'numeric', autocomplete: 'off' })[0],
          select(`${n}.kind`, t('admin.programme.field.kind'), s.kind, KINDS.map((k) => [k, t(`kind.${k}`)])),
          input(`${n}.track`, t('admin.programme.field.track'), s.track, { hint: 'admin.programme.trackHint' })[0]),
        input(`${n}.abstract`, t('admin.programme.field.abstract'), s.abstract, { control: 'textarea' })[0],
        el('fieldset', { class: 'field session-speakers', 'data-field': `${n}.speakers` },
          el('legend', { text: t('admin.programme.field.speakers') }),
          rows.length ? el('ul', { class: 'plain' }, rows) : el('p', { class: 'muted', text: t('admin.programme.noSessionSpeakers') }),
          addRow),
        el('fieldset', { class: 'field session-materials', 'data-field': `${n}.materials` },
          el('legend', { text: t('admin.materials.legend') }),
          materials.length ? el('ul', { class: 'plain' }, materials) : el('p', { class: 'muted', text: t('admin.materials.none') }),
          ctx.editable && button(t('admin.materials.add'), () => {
            s.materials = s.materials || [];
            s.materials.push({ id: uniqueId('material', s.materials.map((x) => x.id)), title: '', kind: 'slides', url: '' });
            changed();
            redraw(`${n}.materials[${s.materials.length - 1}].title`);
          })),
        ctx.editable && el('div', { class: 'actions' },
          button(t('admin.programme.duplicate'), () => duplicate(s)),
          button(t('admin.programme.removeSession'), (b) => removeSession(s, b), { class: 'secondary danger-text' }))));
    details.addEventListener('toggle', () => { if (details.open) open.add(s); else open.delete(s); });
    return details;
  }

  /**
   * A file for a material (`POST …/uploads`, then the file sent as the answer says): its public
   * address becomes the material's URL. Until the upload route exists, the API's refusal is shown.
   */
  function uploader(name, mat) {
    const id = `f-${name.replace(/[^\w-]/g, '-')}-file`;
    const file = el('input', { type: 'file', id, class: 'upload' });
    file.addEventListener('change', async () => {
      const chosen = file.files[0];
      if (!chosen) return;
      file.disabled = true;
      Console.notice(t('admin.materials.uploading', { name: chosen.name }));
      try {
        const { body: grant } = await Console.api('POST', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}/uploads`,
          { filename: chosen.name, content_type: chosen.type || 'application/octet-stream', size: chosen.size });
        const data = new FormData();
        for (const [k, v] of Object.entries(grant.upload.fields || {})) data.append(k, v);
        data.append('file', chosen);
        const sent = await fetch(grant.upload.url, { method: grant.upload.method || 'POST', body: data });
        if (!sent.ok) throw new Console.ApiError(sent.status, null);
        mat.url = grant.file_url;
        if (!mat.title) mat.title = chosen.name;
        changed();
        redraw(`${name}.url`);
        Console.notice(t('admin.materials.uploaded', { name: chosen.name }));
      } catch (e) {
        if (!(e instanceof Console.ApiError)) throw e;
        Console.notice(Console.problemText(e), 'error');
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
        el('span', { class: 'label', dir: 'auto', text: sp.name || t('admin.programme.unnamed') }), ' ',
        el('span', { class: 'muted', text: t('admin.programme.speaksIn', { count: uses }) })),
      el('div', { class: 'item-body' },
        el('div', { class: 'grid' },
          input(`${n}.name`, t('admin.programme.field.name'), sp.name, { 'aria-required': 'true', autocomplete: 'off' })[0],
          input(`${n}.id`, t('admin.programme.field.id'), sp.id, { hint: 'admin.programme.idHint', 'aria-required': 'true' })[0],
          input(`${n}.affiliation`, t('admin.programme.field.affiliation'), sp.affiliation)[0]),
        input(`${n}.bio`, t('admin.programme.field.bio'), sp.bio, { control: 'textarea' })[0],
        ctx.editable && el('div', { class: 'actions' },
          button(t('admin.programme.removeSpeaker'), (b) => removeSpeaker(sp, b), { class: 'secondary danger-text' }))));
    details.addEventListener('toggle', () => { if (details.open) open.add(sp); else open.delete(sp); });
    return details;
  }

  function sessionsByDay() {
    if (!state.sessions.length) return [el('p', { class: 'muted', text: t('admin.programme.noSessions') })];
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
      el('legend', { class: 'visually-hidden', text: t('admin.programme.heading') }),
      el('section', { 'aria-labelledby': 'sessions-heading' },
        el('h2', { id: 'sessions-heading', text: t('admin.programme.sessions') }),
        el('p', { class: 'zone-label', text: t('admin.programme.timesIn', { zone: Console.zoneName(zone, ctx.event.starts_at) }) }),
        sessionsByDay(),
        editable && el('div', { class: 'actions' }, button(t('admin.programme.addSession'), addSession, { id: 'add-session' }))),
      el('section', { 'aria-labelledby': 'speakers-heading' },
        el('h2', { id: 'speakers-heading', text: t('admin.programme.speakers') }),
        state.speakers.length ? state.speakers.map(speakerCard) : el('p', { class: 'muted', text: t('admin.programme.noSpeakers') }),
        editable && el('div', { class: 'actions' }, button(t('admin.programme.addSpeaker'), addSpeaker, { id: 'add-speaker' }))));
    form.replaceChildren(
      el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      fields,
      editable && el('div', { class: 'actions' },
        el('button', { type: 'submit', id: 'save-draft', text: t('admin.programme.save') })));
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
    Console.clearErrors(form);
    if (submit) submit.disabled = true;
    try {
      const res = await Console.api('PUT', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}/programme/draft`, body());
      // The saved draft comes back in start order; what was open stays open.
      const was = (list) => list.filter((x) => open.has(x)).map((x) => x.id);
      const sessions = was(state.sessions);
      const speakers = was(state.speakers);
      state = fromApi(res.body);
      open.clear();
      state.sessions.filter((x) => sessions.includes(x.id)).forEach((x) => open.add(x));
      state.speakers.filter((x) => speakers.includes(x.id)).forEach((x) => open.add(x));
      draw();
      guard.clean();
      unsaved = false;
      form.querySelector('#save-draft').focus();
      Console.notice(t('admin.programme.saved'));
      return true;
    } catch (e) {
      if (!(e instanceof Console.ApiError)) throw e;
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
        Console.fieldErrors(form, { ...e, problem: { ...e.problem, errors: named } });
      } else {
        Console.notice(problemText(e), 'error');
      }
      return false;
    } finally {
      const again = form.querySelector('#save-draft');
      if (again) again.disabled = false;
    }
  }

  function problemText(e) {
    const code = String((e.problem && e.problem.type) || '').split('/').pop();
    if (code && Plenary.has(`admin.programme.problem.${code}`)) return t(`admin.programme.problem.${code}`);
    return Console.problemText(e);
  }

  function drawPreview() {
    const panel = ctx.main.querySelector('#publish-panel');
    const out = panel.querySelector('#preview');
    const publish = panel.querySelector('#publish');
    if (!preview) { out.replaceChildren(); if (publish) publish.hidden = true; return; }
    if (preview.published) {
      out.replaceChildren(el('div', { class: 'announce', 'data-kind': 'ok', tabindex: '-1', id: 'published' },
        el('p', { class: 'status-line', text: t('admin.programme.publishedVersion', { version: preview.version }) }),
        el('p', { text: ProgrammeChanges.summary(preview.changes) }),
        el('p', {},
          el('a', { href: `/admin/versions?event=${encodeURIComponent(ctx.eventId)}`, text: t('admin.programme.seeVersions') }), ' · ',
          el('a', { href: `/events/${encodeURIComponent(ctx.eventId)}`, text: t('admin.programme.seePublic') }))));
      if (publish) publish.hidden = true;
      return;
    }
    const { changes, notified, to } = preview;
    out.replaceChildren(
      el('h3', { id: 'preview-heading', tabindex: '-1', text: t('admin.programme.previewHeading', { version: to }) }),
      changes.length ? el('p', { id: 'preview-summary', text: `${ProgrammeChanges.summary(changes)}. ${t('admin.programme.notified', { count: notified })}` }) : null,
      ProgrammeChanges.render(changes, zone));
    if (publish) publish.hidden = !changes.length;
  }

  async function showPreview() {
    // The preview is of the saved draft, which is what publishing takes: save what was typed first.
    if (unsaved && ctx.editable && !(await save())) return;
    try {
      const res = await Console.api('GET', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}/programme/draft/changes`);
      preview = res.body;
      drawPreview();
      ctx.main.querySelector('#preview-heading').focus();
    } catch (e) {
      if (!(e instanceof Console.ApiError)) throw e;
      Console.notice(problemText(e), 'error');
    }
  }

  async function publish(opener) {
    const { changes, notified, to } = preview;
    const ok = await Console.confirm({
      title: t('admin.programme.publishTitle', { version: to }),
      body: `${ProgrammeChanges.summary(changes)}. ${t('admin.programme.notified', { count: notified })}`,
      confirm: t('admin.programme.publish'),
    });
    if (!ok) { opener.focus(); return; }
    try {
      const res = await Console.api('POST', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}/programme/publish`);
      preview = { published: true, ...res.body };
      drawPreview();
      Console.notice(t('admin.programme.publishedVersion', { version: res.body.version }));
      ctx.main.querySelector('#published').focus();
    } catch (e) {
      if (!(e instanceof Console.ApiError)) throw e;
      Console.notice(problemText(e), 'error');
    }
  }

  // ---- The page ----

  async function render(c) {
    ctx = c;
    ctx.editable = c.may('edit');
    zone = (c.event && c.event.timezone) || 'UTC';
    // The frame keeps its live regions at the top of <main>; the page draws below them.
    const root = el('div', { id: 'programme-page' },
      el('h1', { text: t('admin.programme.heading') }),
      el('p', { class: 'muted', id: 'programme-loading', 'aria-busy': 'true', text: t('admin.programme.loading') }));
    c.main.append(root);
    if (!state) {
      try {
        const res = await Console.api('GET', `/v1/admin/events/${encodeURIComponent(c.eventId)}/programme/draft`);
        state = fromApi(res.body);
      } catch (e) {
        if (!(e instanceof Console.ApiError)) throw e;
        root.querySelector('#programme-loading').replaceWith(
          el('p', { class: 'announce', 'data-kind': 'error', id: 'programme-failed', text: `${t('admin.programme.loadFailed')} ${problemText(e)}` }));
        return;
      }
    }
    // A fresh form each time the frame draws the page (a language switch); the draft stays in `state`.
    form = el('form', { id: 'programme-form', novalidate: true });
    form.addEventListener('input', onInput);
    form.addEventListener('change', onInput);
    form.addEventListener('submit', (ev) => { ev.preventDefault(); save(); });
    draw();
    guard = ctx.editable ? Console.dirtyGuard(form) : { clean() {} };
    if (unsaved) changed();
    const previewButton = button(t('admin.programme.preview'), showPreview, { id: 'show-preview' });
    const publishButton = ctx.editable
      ? button(t('admin.programme.publish'), (b) => publish(b), { id: 'publish', class: '', hidden: true })
      : null;
    root.replaceChildren(...[
      el('h1', { text: t('admin.programme.heading') }),
      ctx.editable ? null : el('p', { class: 'announce', id: 'read-only', text: t('admin.programme.readOnly', { role: t(`admin.programme.role.${c.role}`) }) }),
      el('p', {}, el('a', { href: `/admin/versions?event=${encodeURIComponent(c.eventId)}`, text: t('admin.programme.seeVersions') })),
      form,
      el('section', { id: 'publish-panel', class: 'panel', 'aria-labelledby': 'publish-heading' },
        el('h2', { id: 'publish-heading', text: ctx.editable ? t('admin.programme.publishHeading') : t('admin.programme.previewOnlyHeading') }),
        el('p', { text: ctx.editable ? t('admin.programme.publishLead') : t('admin.programme.previewOnlyLead') }),
        el('div', { class: 'actions' }, previewButton),
        el('div', { id: 'preview', 'aria-live': 'polite' }),
        publishButton && el('div', { class: 'actions' }, publishButton)),
    ].filter(Boolean));
    drawPreview();
  }

  Console.start({ page: 'programme', event: true, render });
})();
