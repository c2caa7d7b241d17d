// `/admin/event`: edit (`?event=ID`), create (`?new=1`) or copy (`?copy=ID`) an event; times in its zone.

const { t, el, query } = Plenary;
const C = Console;
const T = C.texts('admin.event');
const F = C.texts('admin.form');
const L = C.texts('admin.links');
const LANGUAGES = ['en', 'fr', 'ar', 'es', 'ru', 'zh'];
const CATEGORIES = ['member_state', 'sector_member', 'associate', 'academia', 'individual'];
const editing = query('event');
const copying = query('copy');

/** Each field is named after the member of `e` it shows; `withId` adds the id of a new event. */
function form(e, withId) {
  const zone = e.timezone || 'Europe/Zurich';
  const of = (name) => name.split('.').reduce((o, k) => o?.[k], e);
  const field = (name, label, attrs = {}, control = 'input') => C.field(name, label, control, { value: of(name), ...attrs });
  const number = (name, label, hint) => field(name, label, { type: 'number', min: '1', inputmode: 'numeric', hint });
  const at = (name, label, attrs) => field(name, label, { type: 'datetime-local', value: C.wallTime(of(name), zone), ...attrs });
  const check = (name, label) => C.checkbox(name, label, Boolean(of(name)));
  const choose = (values, prefix) => values.map((v) => [v, t(`${prefix}.${v}`)]);
  const group = (legend, ...fields) => el('fieldset', { class: 'group' }, el('legend', { text: legend }), fields);
  const pair = (...fields) => el('div', { class: 'grid-2' }, fields);
  const required = { 'aria-required': 'true' };
  const room = group(F('inPerson'),
    el('p', { class: 'hint', text: F('inPersonHint') }),
    number('in_person.capacity', F('roomSeats'), T('capacityHint')),
    check('in_person.waitlist', F('roomWaitlist')),
    field('in_person.venue.name', F('venueName')),
    field('in_person.venue.address', F('venueAddress'), { rows: '2' }, 'textarea'));
  const f = el('form', { id: 'event-form', novalidate: true },
    group(T('about'),
      withId ? field('id', T('id'), { hint: T('idHint'), ...required, autocomplete: 'off' }) : null,
      field('title', T('titleField'), required),
      field('description', T('description'), { rows: '5' }, 'textarea'),
      pair(
        field('format', T('format'), { options: choose(['virtual', 'in_person', 'hybrid'], 'format'), value: e.format || 'virtual' }, 'select'),
        field('visibility', T('visibility'), {
          hint: T('visibilityHint'), options: choose(['public', 'unlisted', 'draft'], 'admin.visibility'), value: e.visibility || 'public',
        }, 'select')),
      C.choices('languages', T('languages'), LANGUAGES.map((l) => [l, C.languageName(l)]), e.languages || ['en'])),
    group(T('when'),
      field('timezone', T('timezone'), { list: 'zones', ...required, hint: T('timezoneHint'), value: zone, autocomplete: 'off' }),
      el('datalist', { id: 'zones' }, (Intl.supportedValuesOf?.('timeZone') || ['UTC']).map((z) => el('option', { value: z }))),
      pair(at('starts_at', T('startsAt'), required), at('ends_at', T('endsAt'), required))),
    group(T('registration'),
      pair(at('registration.opens_at', T('opensAt'), { hint: T('opensHint') }),
        at('registration.closes_at', T('closesAt'), { hint: T('closesHint') })),
      number('capacity', T('capacity'), T('capacityHint')),
      check('waitlist', T('waitlist')),
      check('approval_required', T('approval')),
      C.choices('eligibility.categories', T('categories'), choose(CATEGORIES, 'category'), of('eligibility.categories') || CATEGORIES),
      check('eligibility.itu_member_states_only', T('memberStatesOnly')),
      number('registrations_per_email_domain_per_hour', F('perDomain'), F('perDomainHint'))),
    room,
    documents(e.links || []),
    Questions.section(e),
    group(T('contact'), pair(field('contact.name', T('contactName')), field('contact.email', T('contactEmail'), { type: 'email' }))),
    group(T('reminders'), field('reminders', T('remindersField'), { hint: T('remindersHint'), value: (e.reminders || []).join(', ') })),
    el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'event-submit', text: T(withId ? 'create' : 'save') })));
  // The API refuses room settings unless the event is hybrid.
  const showRoom = () => { room.hidden = f.elements.format.value !== 'hybrid'; };
  room.id = 'in-person';
  showRoom();
  f.elements.format.addEventListener('change', showRoom);
  Questions.wire(f);
  return f;
}

const links = (root) => [...root.querySelectorAll('.link-row')].map((li) => ({
  title: li.querySelector('[name$=".title"]').value.trim(), url: li.querySelector('[name$=".url"]').value.trim(),
}));

/** Named `links[i].title` and `links[i].url`, as the API names their problems. */
function documents(stored) {
  const list = el('ol', { class: 'plain', id: 'links-list' });
  const row = (link, i) => el('li', { class: 'link-row grid-2' },
    C.field(`links[${i}].title`, L('title', { n: i + 1 }), 'input', { value: link.title || '' }),
    C.field(`links[${i}].url`, L('url', { n: i + 1 }), 'input', { type: 'url', value: link.url || '', autocomplete: 'off' }),
    C.button(L('remove', { n: i + 1 }), () => {
      // Later rows move up, renamed for their new place.
      list.replaceChildren(...links(list).filter((_, j) => j !== i).map(row));
      list.closest('form').dispatchEvent(new Event('input'));
      add.focus();
    }, { class: 'secondary link-remove' }));
  const add = C.button(L('add'), () => {
    list.append(row({}, list.children.length));
    list.lastChild.querySelector('input').focus();
  }, { id: 'links-add' });
  list.append(...stored.map(row));
  return el('fieldset', { class: 'group', id: 'links', 'data-field': 'links' },
    el('legend', { text: L('legend') }),
    el('p', { class: 'hint', text: L('hint') }),
    list, add);
}

/** The stored event under the form's fields, so what the form hides goes back as it came. */
function body(f, stored) {
  const v = (n) => f.elements[n].value.trim();
  const on = (n) => f.elements[n].checked;
  const number = (n) => (/^\d+$/.test(v(n)) ? Number(v(n)) : v(n) || undefined);
  const zone = v('timezone');
  // With an unusable zone the time still goes (as UTC), so only the zone is refused.
  const at = (n) => (v(n) ? C.instant(v(n), zone) || C.instant(v(n), 'UTC') : undefined);
  const either = (a, b) => v(a) || v(b);
  const { created_at, updated_at, ...kept } = stored;
  return {
    ...kept,
    title: v('title'), description: v('description'), timezone: zone,
    starts_at: at('starts_at'), ends_at: at('ends_at'),
    format: v('format'), visibility: v('visibility'), languages: C.checked(f, 'languages'),
    capacity: number('capacity'), waitlist: on('waitlist'), approval_required: on('approval_required'),
    eligibility: {
      categories: C.checked(f, 'eligibility.categories'),
      itu_member_states_only: on('eligibility.itu_member_states_only'),
    },
    registrations_per_email_domain_per_hour: number('registrations_per_email_domain_per_hour'),
    reminders: v('reminders').split(/[\s,;]+/).filter(Boolean),
    registration: either('registration.opens_at', 'registration.closes_at')
      ? { opens_at: at('registration.opens_at'), closes_at: at('registration.closes_at') } : undefined,
    contact: either('contact.name', 'contact.email') ? { name: v('contact.name'), email: v('contact.email') } : undefined,
    in_person: v('format') === 'hybrid' ? {
      capacity: number('in_person.capacity'),
      waitlist: on('in_person.waitlist'),
      venue: either('in_person.venue.name', 'in_person.venue.address')
        ? { name: v('in_person.venue.name'), address: v('in_person.venue.address') || undefined } : undefined,
    } : undefined,
    links: links(f),
    questions: Questions.read(f),
  };
}

/** Null when the new id is well formed and free. */
async function idProblem(id) {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(id)) return T('idInvalid');
  // A PUT on a used id would replace that event.
  const taken = await C.api('GET', C.eventPath(id)).then(() => true, (e) => { if (e.status === 404) return false; throw e; });
  return taken ? T('idTaken') : null;
}

async function render(ctx) {
  const { main } = ctx;
  let start = ctx.event;
  if (editing) {
    main.append(el('h1', { text: T('editHeading') }),
      el('p', { class: 'muted' }, el('code', { text: editing }), ' · ',
        T('updated', { when: C.when(start.updated_at || start.created_at, C.ownZone()) })));
    if (query('created')) C.notice(T('created'));
  } else {
    const source = copying && await C.api('GET', C.eventPath(copying));
    main.append(el('h1', { text: source ? T('copyHeading', { title: source.title }) : T('newHeading') }));
    if (!ctx.me.administrator) {
      main.append(el('p', { class: 'problem', id: 'not-allowed', text: T('createForbidden') }));
      return;
    }
    if (source) main.append(el('p', { class: 'lead', text: T('copyLead') }));
    const { id, starts_at, ends_at, registration, created_at, updated_at, ...kept } = source || {};
    start = source ? { ...kept, visibility: 'draft' }
      : { languages: ['en'], format: 'virtual', visibility: 'draft', timezone: 'Europe/Zurich', reminders: ['P7D', 'P1D', 'PT1H'] };
  }
  const f = form(start, !editing);
  main.append(f);
  if (!ctx.may('edit')) {
    for (const c of f.elements) c.disabled = true;
    f.querySelector(':scope > .actions').remove();
    f.before(el('p', { id: 'read-only', class: 'panel', text: T('readOnly', { role: t(`admin.role.${ctx.role}`) }) }));
    return;
  }
  const guard = C.dirtyGuard(f);
  C.onSubmit(f, async () => {
    const id = editing || f.elements.id.value.trim();
    const problem = !editing && await idProblem(id);
    if (problem) return C.fieldErrors(f, { status: 400, problem: { errors: [{ field: 'id', message: problem }] } });
    await C.api('PUT', C.eventPath(id), body(f, start));
    guard.clean();
    if (editing) C.notice(T('saved'));
    else location.assign(`/admin/event?event=${encodeURIComponent(id)}&created=1`);
  });
  if (!editing) f.elements.id.focus();
}

C.start({ page: 'event', event: Boolean(editing), render });
