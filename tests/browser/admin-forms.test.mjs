// The console's views of registration forms, hybrid events, materials and attendance, in Chromium
// against plenary-local: the event form's questions, room and per-domain limit (saved exactly, and
// a save that keeps what the form does not show), each question problem at its input, the
// registrations list's mode and answers, the dashboard's counts of them, attendance, and a
// session's materials in the programme editor. Every event here is unlisted and its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { fillEventForm } from './console-steps/events.mjs';
import { addQuestion, setRoom, setPerDomainLimit, addMaterial } from './console-steps/forms.mjs';
import { openEditor, saveDraft } from './console-steps/programme.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done, ready } = h;
const run = `${process.pid}-${Date.now().toString(36)}`;

before(h.launch);
after(h.close);

async function admin(method, path, body) {
  const res = await h.api(method, path, body, ORGANISER_TOKEN);
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? null : res.json();
}

async function stored(id) {
  const { created_at, updated_at, ...event } = await admin('GET', `/v1/admin/events/${id}`);
  return event;
}

const QUESTIONS = [
  { id: 'role', kind: 'choice', required: true, label: { en: 'Your role', fr: 'Votre rôle' },
    options: [{ id: 'regulator', label: { en: 'Regulator', fr: 'Régulateur' } }, { id: 'other', label: { en: 'Other', fr: 'Autre' } }] },
  { id: 'role_other', kind: 'text', required: true, max_length: 100, label: { en: 'Which role?' },
    shown_if: { question: 'role', equals: 'other' } },
  { id: 'sg12', kind: 'boolean', required: false, label: { en: 'Will you also attend the SG12RG-AFR meeting?' } },
];

/** A hybrid, unlisted event with the questions above, made through the API. */
async function hybridEvent(name) {
  const id = `console-forms-${name}-${run}`;
  await admin('PUT', `/v1/admin/events/${id}`, {
    title: `Console forms ${name}`, timezone: 'Europe/Zurich', format: 'hybrid', visibility: 'unlisted',
    starts_at: '2030-03-10T09:00:00+01:00', ends_at: '2030-03-11T17:00:00+01:00',
    registration: { opens_at: '2021-01-01T00:00:00Z' }, languages: ['en', 'fr'], capacity: 100,
    in_person: { capacity: 10, waitlist: true, venue: { name: 'ITU, Popov room', address: 'Place des Nations, Geneva' } },
    questions: QUESTIONS, reminders: ['P1D'],
  });
  return id;
}

async function register(event, person) {
  const res = await h.api('POST', `/v1/events/${event}/registrations`, {
    given_name: 'Person', family_name: 'Test', country: 'CH', organisation: 'ITU', category: 'member_state',
    language: 'en', consent: true, ...person,
  });
  assert.equal(res.status, 202, await res.text());
}

test('an administrator sets registration questions, a hybrid room and a per-domain limit, saved exactly as the API takes them', async () => {
  const id = `console-forms-new-${run}`;
  const page = await newPage();
  await h.signInAsLocalAdmin(page);
  await page.goto(`${BASE}/admin/event?new=1`);
  await ready(page);
  await fillEventForm(page, {
    id, title: 'Console forms: a hybrid workshop', timezone: 'Europe/Zurich', starts_at: '2030-03-10T09:00',
    ends_at: '2030-03-11T17:00', format: 'hybrid', visibility: 'unlisted', languages: ['en', 'fr'], capacity: 100,
  });
  // The room's settings appear for a hybrid event only.
  assert.ok(await page.locator('#in-person').isVisible());
  await setRoom(page, { capacity: 10, waitlist: true, venue: 'ITU, Popov room', address: 'Place des Nations, Geneva' });
  await setPerDomainLimit(page, 5);
  for (const q of QUESTIONS) await addQuestion(page, q);
  await h.screenshot(page, 'admin-event-questions');
  await page.click('#event-submit');
  await page.waitForURL((u) => u.searchParams.get('event') === id);
  await ready(page);

  const event = await stored(id);
  assert.deepEqual(event.questions, QUESTIONS);
  assert.deepEqual(event.in_person, { capacity: 10, waitlist: true, venue: { name: 'ITU, Popov room', address: 'Place des Nations, Geneva' } });
  assert.equal(event.registrations_per_email_domain_per_hour, 5);
  // The public event asks the same questions.
  const shown = await (await h.api('GET', `/v1/events/${id}`)).json();
  assert.deepEqual(shown.questions, QUESTIONS);

  // Opened again, the form shows what is stored, the condition included.
  assert.equal(await page.inputValue('#f-questions-1-shown_if-question'), 'role');
  assert.equal(await page.inputValue('#f-questions-1-shown_if-equals'), 'other');
  assert.equal(await page.inputValue('#f-questions-0-options-1-label-fr'), 'Autre');
  assert.equal(await page.inputValue('#f-in_person-capacity'), '10');
  assert.equal(await page.inputValue('#f-registrations_per_email_domain_per_hour'), '5');
  await h.audit(page, 'admin-event-questions');
  await done(page);
});

test('saving the event form keeps the documents and the labels in languages the event does not offer as they were', async () => {
  const id = await hybridEvent('keep');
  const before = await stored(id);
  const links = [{ title: 'TSB Circular 331', url: 'https://www.itu.int/md/T17-TSB-CIR-0331/en' }];
  // A label in Arabic, a language the event does not offer, and documents the form has no input for.
  before.questions[0].label.ar = 'دورك';
  await admin('PUT', `/v1/admin/events/${id}`, { ...before, links });
  const page = await newPage();
  await h.signInAsLocalAdmin(page, { next: `/admin/event?event=${id}` });
  await page.fill('#f-title', 'Console forms: renamed');
  await page.click('#event-submit');
  await page.locator('#console-status:not([hidden])').waitFor();
  const after = await stored(id);
  assert.equal(after.title, 'Console forms: renamed');
  assert.deepEqual({ ...after, title: null }, { ...before, links, title: null });
  await done(page);
});

test('documents are added and removed in the event form, a bad address named at its input', async () => {
  const id = await hybridEvent('links');
  await admin('PUT', `/v1/admin/events/${id}`, { ...(await stored(id)), links: [{ title: 'TSB Circular 331', url: 'https://www.itu.int/md/T17-TSB-CIR-0331/en' }] });
  const page = await newPage();
  await h.signInAsLocalAdmin(page, { next: `/admin/event?event=${id}` });
  assert.equal(await page.inputValue('#f-links-0--title'), 'TSB Circular 331');
  for (const [title, url] of [['Call for papers', 'ftp://example.org/cfp'], ['Venue', 'https://www.itu.int/en/about/Pages/visit.aspx']]) {
    await page.click('#links-add');
    const row = page.locator('.link-row').last();
    await row.locator('input[type=text]').fill(title);
    await row.locator('input[type=url]').fill(url);
  }
  await page.click('#event-submit');
  await page.waitForFunction(() => document.querySelector('#f-links-1--url')?.getAttribute('aria-invalid') === 'true');
  await page.getByRole('button', { name: 'Remove document 2', exact: true }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'links-add');
  assert.equal(await page.inputValue('#f-links-1--title'), 'Venue', 'the rows after it move up');
  await page.click('#event-submit');
  await page.locator('#console-status:not([hidden])').waitFor();
  assert.deepEqual((await stored(id)).links, [{ title: 'TSB Circular 331', url: 'https://www.itu.int/md/T17-TSB-CIR-0331/en' },
    { title: 'Venue', url: 'https://www.itu.int/en/about/Pages/visit.aspx' }]);
  await done(page);
});

test('each question problem from the API is shown at its input, and the form keeps what was typed', async () => {
  const page = await newPage();
  await h.signInAsLocalAdmin(page);
  await page.goto(`${BASE}/admin/event?new=1`);
  await ready(page);
  await fillEventForm(page, { id: `console-forms-bad-${run}`, title: 'Console forms: bad questions', starts_at: '2030-03-10T09:00', ends_at: '2030-03-10T17:00', visibility: 'unlisted' });
  // No English label, and an option without an id.
  await addQuestion(page, { id: 'role', kind: 'choice', label: {}, options: [{ id: '', label: { en: 'Regulator' } }] });
  await page.click('#event-submit');
  await page.locator('#event-form .error-summary:not([hidden])').waitFor();
  for (const input of ['#f-questions-0-label-en', '#f-questions-0-options-0-id']) {
    assert.equal(await page.getAttribute(input, 'aria-invalid'), 'true', `${input} is marked`);
  }
  const summary = await page.textContent('#event-form .error-summary');
  assert.match(summary, /Question in English/);
  assert.match(summary, /Option 1: id/);
  assert.equal(await page.inputValue('#f-questions-0-id'), 'role', 'the question is still there');
  assert.equal((await h.api('GET', `/v1/admin/events/console-forms-bad-${run}`, undefined, ORGANISER_TOKEN)).status, 404);
  await done(page);
});

test('the registrations list shows how each registrant takes part and their answers, and the dashboard counts them', async () => {
  const id = await hybridEvent('list');
  await register(id, { email: `ada-${run}@example.org`, given_name: 'Ada', participation: 'in_person', answers: { role: 'other', role_other: 'Chair', sg12: true } });
  await register(id, { email: `rex-${run}@example.org`, given_name: 'Rex', participation: 'remote', answers: { role: 'regulator' } });
  const page = await newPage();
  await h.signInAsLocalAdmin(page, { next: `/admin/registrations?event=${id}` });
  await page.locator('#reg-table').waitFor();
  const ada = page.locator('#reg-table tbody tr', { hasText: 'Ada' });
  assert.equal((await ada.locator('td[data-col="participation"]').textContent()).trim(), 'In person');
  const answers = await ada.locator('td[data-col="answers"]').textContent();
  assert.match(answers, /Your role: Other/);
  assert.match(answers, /Which role\?: Chair/);
  assert.match(answers, /SG12RG-AFR meeting\?: Yes/);
  const rex = page.locator('#reg-table tbody tr', { hasText: 'Rex' });
  assert.equal((await rex.locator('td[data-col="participation"]').textContent()).trim(), 'Online');
  assert.match(await rex.locator('td[data-col="answers"]').textContent(), /Your role: Regulator/);
  await h.screenshot(page, 'admin-registrations-answers');

  await page.goto(`${BASE}/admin/dashboard?event=${id}`);
  await ready(page);
  const count = async (chart, key) => page.locator(`#${chart} tr`, { has: page.locator(`[data-key="${key}"]`) }).locator('td').textContent();
  assert.equal(await count('chart-participation', 'in_person'), '1');
  assert.equal(await count('chart-participation', 'remote'), '1');
  assert.equal(await count('chart-answers-role', 'other'), '1');
  assert.equal(await count('chart-answers-role', 'regulator'), '1');
  assert.equal(await count('chart-answers-sg12', 'true'), '1');
  assert.match(await page.textContent('#chart-answers-role h2'), /Your role/);
  await done(page);
});

test('attendance lists each confirmed registrant\'s joins through their personal link, and the dashboard counts attended and absent', async () => {
  const id = await hybridEvent('attendance');
  const joiner = `joiner-${run}@example.org`;
  const absent = `absent-${run}@example.org`;
  await register(id, { email: joiner, given_name: 'Jo', family_name: 'Joiner', participation: 'remote', answers: { role: 'regulator' } });
  await register(id, { email: absent, given_name: 'Al', family_name: 'Absent', participation: 'remote', answers: { role: 'regulator' } });
  const { token: bearer } = await h.confirmByMail(joiner);
  await h.confirmByMail(absent);
  await admin('PUT', `/v1/admin/events/${id}/join-info`, { url: 'https://meet.example.org/qos', release_at: '2021-01-01T00:00:00Z' });
  const join = await (await h.api('GET', '/v1/registrations/me/join', undefined, bearer)).json();
  assert.equal((await h.api('GET', new URL(join.personal_url).pathname)).status, 302);

  const page = await newPage();
  await h.signInAsLocalAdmin(page, { next: `/admin/attendance?event=${id}` });
  const row = page.locator('.console-table tbody tr', { hasText: 'Jo Joiner' });
  assert.match(await row.textContent(), /Jo Joiner.*joiner-.*Confirmed\s*1/);
  assert.match(await page.locator('.console-table tbody tr', { hasText: 'Al Absent' }).textContent(), /Confirmed\s*0\s*—\s*—/, 'never joined');
  assert.ok(await page.locator('.event-nav a[aria-current="page"]', { hasText: 'Attendance' }).count());
  await h.screenshot(page, 'admin-attendance');
  await h.audit(page, 'admin-attendance');

  await page.goto(`${BASE}/admin/dashboard?event=${id}`);
  await ready(page);
  const count = async (key) => page.locator('#chart-attendance tr', { has: page.locator(`[data-key="${key}"]`) }).locator('td').textContent();
  assert.equal(await count('attended'), '1');
  assert.equal(await count('absent'), '1');
  await done(page);
});

test('an editor adds a session\'s materials, a bad address is named at its input, and the published programme carries them', async () => {
  const id = await hybridEvent('materials');
  await admin('PUT', `/v1/admin/events/${id}/programme/draft`, {
    speakers: [], sessions: [{ id: 'opening', title: 'Opening', kind: 'opening', starts_at: '2030-03-10T09:00:00+01:00', ends_at: '2030-03-10T09:30:00+01:00', speakers: [] }],
  });
  const page = await newPage();
  await h.signInAsLocalAdmin(page);
  await openEditor(page, id);
  await addMaterial(page, 'Opening', { title: 'Opening slides', kind: 'slides', url: 'javascript:alert(1)', language: 'fr' });
  await page.click('#save-draft');
  const url = page.locator('[name="sessions[0].materials[0].url"]');
  await page.waitForFunction(() => document.querySelector('[name="sessions[0].materials[0].url"]')?.getAttribute('aria-invalid') === 'true');
  assert.equal(await url.inputValue(), 'javascript:alert(1)', 'the failed save keeps the work');
  await url.fill('https://www.itu.int/en/ITU-T/Workshops-and-Seminars/qos/opening.pdf');
  await saveDraft(page);
  const draft = await admin('GET', `/v1/admin/events/${id}/programme/draft`);
  assert.deepEqual(draft.sessions[0].materials, [{ id: 'material-1', title: 'Opening slides', kind: 'slides',
    url: 'https://www.itu.int/en/ITU-T/Workshops-and-Seminars/qos/opening.pdf', language: 'fr' }]);
  await h.screenshot(page, 'admin-programme-materials');
  await admin('POST', `/v1/admin/events/${id}/programme/publish`);
  const programme = await (await h.api('GET', `/v1/events/${id}/programme`)).json();
  assert.equal(programme.days[0].sessions[0].materials[0].title, 'Opening slides');
  await done(page);
});

test('a material\'s file uploads through the upload route and its address fills in', async (t) => {
  const id = await hybridEvent('upload');
  // The upload route comes with another part of the work; until it exists this test says so.
  const probe = await h.api('POST', `/v1/admin/events/${id}/uploads`, { filename: 'probe.pdf', content_type: 'application/pdf', size: 5 }, ORGANISER_TOKEN);
  if (probe.status === 404) {
    t.skip('POST /v1/admin/events/{id}/uploads is not served by this stack yet');
    return;
  }
  await admin('PUT', `/v1/admin/events/${id}/programme/draft`, {
    speakers: [], sessions: [{ id: 'opening', title: 'Opening', kind: 'opening', starts_at: '2030-03-10T09:00:00+01:00', ends_at: '2030-03-10T09:30:00+01:00', speakers: [] }],
  });
  const page = await newPage();
  await h.signInAsLocalAdmin(page);
  await openEditor(page, id);
  const item = page.locator('details.session-item', { hasText: 'Opening' });
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Add a material', exact: true }).click();
  await item.locator('input[type=file]').setInputFiles({ name: 'opening.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await page.getByText('opening.pdf is uploaded').waitFor();
  const address = await page.inputValue('[name="sessions[0].materials[0].url"]');
  assert.match(address, /^https?:\/\//);
  assert.equal(await (await fetch(address)).text(), '%PDF-1.4\n%%EOF\n');
  await saveDraft(page);
  await done(page);
});
