// `/admin/event`: an event's settings (`?event=ID`), a new event (`?new=1`) or a new one
// started from a copy of another (`?copy=ID`): every field of `PUT /v1/admin/events/{id}`,
// times in the event's zone, each 400 field error at its input.
'use strict';

(() => {
  const { t, el, query } = Plenary;
  const C = Console;
  const LANGUAGES = ['en', 'fr', 'ar', 'es', 'ru', 'zh'];
  const CATEGORIES = ['member_state', 'sector_member', 'associate', 'academia', 'individual'];
  const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
  const editing = query('event');
  const copying = query('copy');

  function zones() {
    try { return Intl.supportedValuesOf('timeZone'); } catch { return ['UTC', 'Europe/Zurich', 'Europe/Geneva']; }
  }

  /** The form, prefilled from `e` (an organiser view, or a blank new event). */
  function form(e, { withId }) {
    const zone = e.timezone || 'Europe/Zurich';
    const wall = (iso) => C.wallTime(iso, zone);
    const reg = e.registration || {};
    const contact = e.contact || {};
    const elig = e.eligibility || {};
    const room = e.in_person || {};
    const venue = room.venue || {};
    const f = el('form', { id: 'event-form', novalidate: true },
      el('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true }),
      el('fieldset', { class: 'group' },
        el('legend', { text: t('admin.event.about') }),
        withId ? C.field('id', t('admin.event.id'), 'input', { type: 'text', hint: t('admin.event.idHint'), 'aria-required': 'true', autocomplete: 'off', value: '' }) : null,
        C.field('title', t('admin.event.titleField'), 'input', { type: 'text', 'aria-required': 'true', value: e.title || '' }),
        C.field('description', t('admin.event.description'), 'textarea', { rows: '5' }),
        el('div', { class: 'grid-2' },
          C.field('format', t('admin.event.format'), 'select'),
          C.field('visibility', t('admin.event.visibility'), 'select', { hint: t('admin.event.visibilityHint') })),
        C.choices('languages', t('admin.event.languages'), LANGUAGES.map((l) => [l, C.languageName(l)]), e.languages || ['en'])),
      el('fieldset', { class: 'group' },
        el('legend', { text: t('admin.event.when') }),
        C.field('timezone', t('admin.event.timezone'), 'input', { type: 'text', list: 'zones', 'aria-required': 'true', hint: t('admin.event.timezoneHint'), value: zone, autocomplete: 'off' }),
        el('datalist', { id: 'zones' }, zones().map((z) => el('option', { value: z }))),
        el('div', { class: 'grid-2' },
          C.field('starts_at', t('admin.event.startsAt'), 'input', { type: 'datetime-local', 'aria-required': 'true', value: wall(e.starts_at) }),
          C.field('ends_at', t('admin.event.endsAt'), 'input', { type: 'datetime-local', 'aria-required': 'true', value: wall(e.ends_at) }))),
      el('fieldset', { class: 'group' },
        el('legend', { text: t('admin.event.registration') }),
        el('div', { class: 'grid-2' },
          C.field('registration.opens_at', t('admin.event.opensAt'), 'input', { type: 'datetime-local', hint: t('admin.event.opensHint'), value: wall(reg.opens_at) }),
          C.field('registration.closes_at', t('admin.event.closesAt'), 'input', { type: 'datetime-local', hint: t('admin.event.closesHint'), value: wall(reg.closes_at) })),
        C.field('capacity', t('admin.event.capacity'), 'input', { type: 'number', min: '1', inputmode: 'numeric', hint: t('admin.event.capacityHint'), value: e.capacity ?? '' }),
        C.checkbox('waitlist', t('admin.event.waitlist'), Boolean(e.waitlist)),
        C.checkbox('approval_required', t('admin.event.approval'), Boolean(e.approval_required)),
        C.choices('eligibility.categories', t('admin.event.categories'), CATEGORIES.map((c) => [c, t(`category.${c}`)]), elig.categories || CATEGORIES),
        C.checkbox('eligibility.itu_member_states_only', t('admin.event.memberStatesOnly'), Boolean(elig.itu_member_states_only)),
        C.field('registrations_per_email_domain_per_hour', t('admin.form.perDomain'), 'input', { type: 'number', min: '1', inputmode: 'numeric', hint: t('admin.form.perDomainHint'), value: e.registrations_per_email_domain_per_hour ?? '' })),
      el('fieldset', { class: 'group', id: 'in-person', hidden: e.format !== 'hybrid' },
        el('legend', { text: t('admin.form.inPerson') }),
        el('p', { class: 'hint', text: t('admin.form.inPersonHint') }),
        C.field('in_person.capacity', t('admin.form.roomSeats'), 'input', { type: 'number', min: '1', inputmode: 'numeric', hint: t('admin.event.capacityHint'), value: room.capacity ?? '' }),
        C.checkbox('in_person.waitlist', t('admin.form.roomWaitlist'), Boolean(room.waitlist)),
        C.field('in_person.venue.name', t('admin.form.venueName'), 'input', { type: 'text', value: venue.name || '' }),
        C.field('in_person.venue.address', t('admin.form.venueAddress'), 'textarea', { rows: '2' })),
      documents(e.links || []),
      Questions.section(e),
      el('fieldset', { class: 'group' },
        el('legend', { text: t('admin.event.contact') }),
        el('div', { class: 'grid-2' },
          C.field('contact.name', t('admin.event.contactName'), 'input', { type: 'text', value: contact.name || '' }),
          C.field('contact.email', t('admin.event.contactEmail'), 'input', { type: 'email', value: contact.email || '' }))),
      el('fieldset', { class: 'group' },
        el('legend', { text: t('admin.event.reminders') }),
        C.field('reminders', t('admin.event.remindersField'), 'input', { type: 'text', hint: t('admin.event.remindersHint'), value: (e.reminders || []).join(', ') })),
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'event-submit', text: withId ? t('admin.event.create') : t('admin.event.save') })));
    f.elements.description.value = e.description || '';
    f.elements['in_person.venue.address'].value = venue.address || '';
    f.elements.format.replaceChildren(...C.options(['virtual', 'in_person', 'hybrid'].map((v) => [v, t(`format.${v}`)]), e.format || 'virtual'));
    f.elements.visibility.replaceChildren(...C.options(['public', 'unlisted', 'draft'].map((v) => [v, t(`admin.visibility.${v}`)]), e.visibility || 'public'));
    // The room's settings are for hybrid events only (the API refuses them on others).
    f.elements.format.addEventListener('change', () => { f.querySelector('#in-person').hidden = f.elements.format.value !== 'hybrid'; });
    Questions.wire(f);
    return f;
  }

  /** The event's documents (its circular, the venue's page): a title and an address each. */
  function documents(links) {
    const list = el('ol', { class: 'plain', id: 'links-list' });
    const row = (link) => {
      const li = el('li', { class: 'link-row grid-2' },
        C.field('title', t('admin.links.title'), 'input', { type: 'text', value: link.title || '' }),
        C.field('url', t('admin.links.url'), 'input', { type: 'url', value: link.url || '', autocomplete: 'off' }),
        C.button(t('admin.links.remove'), () => {
          const form = list.closest('form');
          li.remove();
          renumber(list);
          form.dispatchEvent(new Event('input'));
          form.querySelector('#links-add').focus();
        }, { class: 'secondary link-remove' }));
      return li;
    };
    links.forEach((link) => list.append(row(link)));
    renumber(list);
    return el('fieldset', { class: 'group', id: 'links', 'data-field': 'links' },
      el('legend', { text: t('admin.links.legend') }),
      el('p', { class: 'hint', text: t('admin.links.hint') }),
      list,
      C.button(t('admin.links.add'), () => {
        list.append(row({}));
        renumber(list);
        list.lastChild.querySelector('input').focus();
      }, { id: 'links-add' }));
  }

  /** Names each row's inputs `links[i].title` and `links[i].url`, as the API names their problems. */
  function renumber(list) {
    [...list.children].forEach((li, i) => li.querySelectorAll('input').forEach((input) => {
      const name = `links[${i}].${input.name.split('.').pop()}`;
      const label = li.querySelector(`label[for="${input.id}"]`);
      input.name = name;
      input.id = C.fieldId(name);
      label.htmlFor = input.id;
      label.textContent = t(`admin.links.${name.endsWith('url') ? 'url' : 'title'}`, { n: i + 1 });
      li.querySelector('.link-remove').textContent = t('admin.links.remove', { n: i + 1 });
    }));
  }

  /**
   * The PUT body: the stored event with the form's fields over it, so what the form does not show
   * (its documents, say) goes back as it came. An empty optional field is left out (the default).
   */
  function body(f, stored) {
    const v = (n) => f.elements[n].value.trim();
    const number = (n) => (/^\d+$/.test(v(n)) ? Number(v(n)) : v(n) || undefined);
    const zone = v('timezone');
    // A wall time whose zone is not usable still goes as an instant, so only the zone is named.
    const at = (n) => (v(n) ? C.instant(v(n), zone) || C.instant(v(n), 'UTC') : undefined);
    const { created_at, updated_at, ...kept } = stored;
    const b = {
      ...kept,
      title: v('title'), description: v('description'), timezone: zone,
      starts_at: at('starts_at'), ends_at: at('ends_at'),
      format: v('format'), visibility: v('visibility'), languages: C.checked(f, 'languages'),
      capacity: number('capacity'),
      waitlist: f.elements.waitlist.checked, approval_required: f.elements.approval_required.checked,
      eligibility: {
        categories: C.checked(f, 'eligibility.categories'),
        itu_member_states_only: f.elements['eligibility.itu_member_states_only'].checked,
      },
      registrations_per_email_domain_per_hour: number('registrations_per_email_domain_per_hour'),
      reminders: v('reminders').split(/[\s,;]+/).filter(Boolean),
      registration: v('registration.opens_at') || v('registration.closes_at')
        ? { opens_at: at('registration.opens_at'), closes_at: at('registration.closes_at') } : undefined,
      contact: v('contact.name') || v('contact.email') ? { name: v('contact.name'), email: v('contact.email') } : undefined,
      in_person: v('format') === 'hybrid' ? {
        capacity: number('in_person.capacity'),
        waitlist: f.elements['in_person.waitlist'].checked,
        venue: v('in_person.venue.name') || v('in_person.venue.address')
          ? { name: v('in_person.venue.name'), address: v('in_person.venue.address') || undefined } : undefined,
      } : undefined,
      links: [...f.querySelectorAll('.link-row')].map((li) => ({
        title: li.querySelector('[name$=".title"]').value.trim(), url: li.querySelector('[name$=".url"]').value.trim(),
      })),
      questions: Questions.read(f),
    };
    return JSON.parse(JSON.stringify(b));
  }

  function idProblem(message) {
    return { status: 400, problem: { errors: [{ field: 'id', message }] } };
  }

  /** A new event: the id must be free (a PUT on a used id would replace that event). */
  async function create(f, start) {
    const id = f.elements.id.value.trim();
    if (!ID.test(id)) return C.fieldErrors(f, idProblem(t('admin.event.idInvalid')));
    try {
      await C.api('GET', `/v1/admin/events/${encodeURIComponent(id)}`);
      return C.fieldErrors(f, idProblem(t('admin.event.idTaken')));
    } catch (e) {
      if (!(e instanceof C.ApiError) || e.status !== 404) throw e;
    }
    await C.api('PUT', `/v1/admin/events/${encodeURIComponent(id)}`, body(f, start));
    return id;
  }

  function blank() {
    return { languages: ['en'], format: 'virtual', visibility: 'draft', timezone: 'Europe/Zurich', reminders: ['P7D', 'P1D', 'PT1H'] };
  }

  /** What a copy keeps: everything but the id, the dates and the registration window. */
  function copyOf(e) {
    const { id, starts_at, ends_at, registration, created_at, updated_at, ...kept } = e;
    return { ...kept, visibility: 'draft' };
  }

  async function renderNew(ctx, source) {
    const { main } = ctx;
    main.append(el('h1', { text: source ? t('admin.event.copyHeading', { title: source.title }) : t('admin.event.newHeading') }));
    if (!ctx.me.administrator) {
      main.append(el('p', { class: 'problem', id: 'not-allowed', text: t('admin.event.createForbidden') }));
      return;
    }
    if (source) main.append(el('p', { class: 'lead', text: t('admin.event.copyLead') }));
    const start = source ? copyOf(source) : blank();
    const f = form(start, { withId: true });
    main.append(f);
    const guard = C.dirtyGuard(f);
    C.onSubmit(f, async () => {
      const id = await create(f, start);
      if (typeof id !== 'string') return;
      guard.clean();
      location.assign(`/admin/event?event=${encodeURIComponent(id)}&created=1`);
    });
    f.elements.id.focus();
  }

  async function renderEdit(ctx) {
    const { main, event: e } = ctx;
    main.append(el('h1', { text: t('admin.event.editHeading') }),
      el('p', { class: 'muted' }, el('code', { text: ctx.eventId }), ' · ',
        t('admin.event.updated', { when: C.when(e.updated_at || e.created_at, C.ownZone()) })));
    if (query('created')) C.notice(t('admin.event.created'));
    const f = form(e, { withId: false });
    main.append(f);
    if (!ctx.may('edit')) {
      // The settings are readable, but the role may not change them (the API would refuse).
      f.querySelectorAll('input, select, textarea, button').forEach((c) => { c.disabled = true; });
      f.querySelector(':scope > .actions').remove();
      main.insertBefore(el('p', { id: 'read-only', class: 'panel', text: t('admin.event.readOnly', { role: t(`admin.role.${ctx.role}`) }) }), f);
      return;
    }
    const guard = C.dirtyGuard(f);
    C.onSubmit(f, async () => {
      await C.api('PUT', `/v1/admin/events/${encodeURIComponent(ctx.eventId)}`, body(f, e));
      guard.clean();
      C.notice(t('admin.event.saved'));
    });
  }

  C.start({
    page: 'event',
    event: Boolean(editing),
    async render(ctx) {
      if (editing) return renderEdit(ctx);
      if (copying) {
        const source = (await C.api('GET', `/v1/admin/events/${encodeURIComponent(copying)}`)).body;
        return renderNew(ctx, source);
      }
      return renderNew(ctx, null);
    },
  });
})();
