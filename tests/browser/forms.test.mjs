// Browser tests of registration forms on the reference website: the event's own questions in
// the reader's language (English standing in for a missing one), conditional questions shown and
// hidden as answers change, each `answers.<id>` error at its input, the manage page editing the
// answers, and a hybrid event's "in person or remote" with the seats left. Every event made here
// is unlisted, so the public site's tests on the same stack still find the seed's events first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done } = harness;

before(harness.launch);
after(harness.close);

const shot = harness.screenshot;
const stamp = Date.now();

function api(method, path, { body, token } = {}) {
  return harness.api(method, path, body, token);
}

const QUESTIONS = [
  { id: 'sg12', kind: 'boolean', required: false,
    label: { en: 'Will you also attend the SG12RG-AFR meeting on 7 September?',
      ar: 'هل ستحضر أيضًا اجتماع SG12RG-AFR في 7 سبتمبر؟' } },
  { id: 'role', kind: 'choice', required: true, label: { en: 'Your role', ar: 'دورك' },
    options: [{ id: 'regulator', label: { en: 'Regulator', ar: 'جهة تنظيمية' } },
      { id: 'operator', label: { en: 'Operator' } },
      { id: 'other', label: { en: 'Other', ar: 'أخرى' } }] },
  { id: 'role_other', kind: 'text', required: true, max_length: 200,
    label: { en: 'Which role?', ar: 'ما هو دورك؟' }, shown_if: { question: 'role', equals: 'other' } },
  { id: 'topics', kind: 'choices', required: false, label: { en: 'Topics of interest' },
    options: [{ id: 'qos', label: { en: 'QoS' } }, { id: 'qoe', label: { en: 'QoE' } }] },
];

/** An unlisted event open for registration under the stack's simulated clock (August 2021). */
async function createEvent(id, extra = {}) {
  const body = {
    title: `Forms workshop ${id}`, timezone: 'Europe/Zurich',
    starts_at: '2030-03-10T09:00:00+01:00', ends_at: '2030-03-10T17:00:00+01:00',
    registration: { opens_at: '2021-01-01T00:00:00Z' }, languages: ['en', 'ar'],
    visibility: 'unlisted', capacity: 100, waitlist: true, reminders: ['P1D'],
    ...extra,
  };
  const res = await api('PUT', `/v1/admin/events/${id}`, { token: ORGANISER_TOKEN, body });
  assert.ok(res.ok, `event ${id}: ${res.status} ${await res.text()}`);
}

/** The link of the newest `kind` email to `to`, after running the notifications job. */
async function linkInMail(to, kind) {
  const mail = (await harness.outbox(kind)).filter((m) => m.to.toLowerCase() === to.toLowerCase()).pop();
  assert.ok(mail, `a ${kind} email to ${to}`);
  const link = mail.text.match(/https?:\/\/\S+?\/registration\/\w+\?token=[A-Za-z0-9_-]+/);
  assert.ok(link, `a link in: ${mail.text}`);
  return link[0];
}

/** Confirms `email`'s registration from its emailed link: the registrant's bearer. */
async function confirmByMail(email) {
  const token = new URL(await linkInMail(email, 'confirmation')).searchParams.get('token');
  const res = await api('POST', '/v1/registrations/confirm', { body: { token } });
  assert.equal(res.status, 200, await res.text());
  return token;
}

async function fillPerson(page, email) {
  await page.fill('#f-email', email);
  await page.fill('#f-given_name', 'Ada');
  await page.fill('#f-family_name', 'Lovelace');
  await page.selectOption('#f-country', 'CH');
  await page.fill('#f-organisation', 'Analytical Engines');
  await page.selectOption('#f-category', 'academia');
  await page.check('#f-consent');
}

const labelOf = (page, id) => page.textContent(`label[for="f-answers-${id}"]`);
const boxShown = (page, id) => page.locator(`[data-question-box="${id}"]`).isVisible();

for (const language of ['en', 'ar']) {
  test(`registration form (${language}): the event's questions in the reader's language, conditions, errors at their inputs`, async () => {
    const id = `forms-${language}-${stamp}`;
    await createEvent(id, { questions: QUESTIONS });
    const page = await newPage({ language });
    await page.goto(`${BASE}/events/${id}`);
    await page.locator('#f-answers-role').waitFor();

    // Labels in the reader's language; English where the organiser gave no translation.
    const ar = language === 'ar';
    assert.equal((await labelOf(page, 'role')).trim(), ar ? 'دورك' : 'Your role');
    assert.match(await labelOf(page, 'sg12'), ar ? /هل ستحضر/ : /SG12RG-AFR meeting/);
    const options = await page.locator('#f-answers-role option').allTextContents();
    assert.deepEqual(options.slice(1), ar ? ['جهة تنظيمية', 'Operator', 'أخرى'] : ['Regulator', 'Operator', 'Other']);
    assert.match(await page.textContent('[data-question-box="topics"] legend'), /Topics of interest/);
    // A non-hybrid event asks no "in person or remote".
    assert.equal(await page.locator('input[name="participation"]').count(), 0);

    // The conditional question shows only while its condition holds.
    assert.equal(await boxShown(page, 'role_other'), false);
    await page.selectOption('#f-answers-role', 'other');
    assert.equal(await boxShown(page, 'role_other'), true);
    await page.selectOption('#f-answers-role', 'regulator');
    assert.equal(await boxShown(page, 'role_other'), false);
    await page.selectOption('#f-answers-role', 'other');

    // The API's `answers.<id>` errors land at their inputs: the required role text left empty.
    const email = `forms-${language}-${stamp}@example.org`;
    await fillPerson(page, email);
    await page.click('#register-submit');
    const error = page.locator('#f-answers-role_other-error');
    await error.waitFor();
    assert.ok((await error.textContent()).length > 0);
    assert.equal(await page.getAttribute('#f-answers-role_other', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#f-answers-role_other', 'aria-describedby'), /f-answers-role_other-error/);
    assert.equal(await page.getAttribute('#f-answers-role', 'aria-invalid'), null, 'a good answer is not marked');
    assert.equal(await page.locator('.error-summary a[data-field="answers.role_other"]').count(), 1);
    await shot(page, `forms-errors-${language}`);

    // Answered, the registration goes through with the answers that apply.
    await page.fill('#f-answers-role_other', 'Standards body');
    await page.selectOption('#f-answers-sg12', 'true');
    await page.check('#f-answers-topics');
    await page.click('#register-submit');
    await page.locator('#check-email').waitFor();
    const token = await confirmByMail(email);
    const me = await (await api('GET', '/v1/registrations/me', { token })).json();
    assert.deepEqual(me.answers, { sg12: true, role: 'other', role_other: 'Standards body', topics: ['qos'] });
    await done(page);
  });
}

for (const language of ['en', 'ar']) {
  test(`manage page (${language}): the registrant edits their answers`, async () => {
    const id = `forms-manage-${language}-${stamp}`;
    await createEvent(id, { questions: QUESTIONS });
    const email = `forms-manage-${language}-${stamp}@example.org`;
    const res = await api('POST', `/v1/events/${id}/registrations`, {
      body: { email, given_name: 'Ada', family_name: 'Lovelace', country: 'CH', organisation: 'AE',
        category: 'academia', language, consent: true, answers: { role: 'regulator', topics: ['qoe'] } },
    });
    assert.equal(res.status, 202);
    const token = await confirmByMail(email);

    const page = await newPage({ language });
    await page.goto(`${BASE}/registration/manage?token=${token}`);
    await page.locator('#manage-status[data-status="confirmed"]').waitFor();
    await page.locator('#f-answers-role').waitFor();
    assert.equal(await page.inputValue('#f-answers-role'), 'regulator');
    assert.equal(await page.isChecked('#f-answers-topics-qoe'), true);
    assert.equal(await page.isChecked('#f-answers-topics'), false);
    assert.equal(await boxShown(page, 'role_other'), false);

    // A required answer the condition now asks for, left empty: its error at its input.
    await page.selectOption('#f-answers-role', 'other');
    assert.equal(await boxShown(page, 'role_other'), true);
    await page.click('#edit-form button[type="submit"]');
    await page.locator('#f-answers-role_other-error').waitFor();
    assert.equal(await page.getAttribute('#f-answers-role_other', 'aria-invalid'), 'true');
    await shot(page, `forms-manage-errors-${language}`);

    await page.fill('#f-answers-role_other', 'Vendor');
    await page.check('#f-answers-topics');
    await page.uncheck('#f-answers-topics-qoe');
    await page.click('#edit-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('announce').dataset.kind === 'ok');
    const me = await (await api('GET', '/v1/registrations/me', { token })).json();
    assert.deepEqual(me.answers, { role: 'other', role_other: 'Vendor', topics: ['qos'] });
    await page.reload();
    await page.locator('#f-answers-role_other').waitFor();
    assert.equal(await page.inputValue('#f-answers-role_other'), 'Vendor');
    assert.equal(await page.isChecked('#f-answers-topics'), true);
    await done(page);
  });
}

for (const language of ['en', 'ar']) {
  test(`hybrid event (${language}): "in person or remote" with the seats left, refused unchosen, switched on the manage page`, async () => {
    const id = `forms-hybrid-${language}-${stamp}`;
    await createEvent(id, {
      format: 'hybrid', capacity: 500,
      in_person: { capacity: 2, waitlist: true, venue: { name: 'ITU headquarters', address: 'Place des Nations, Geneva' } },
    });
    // One seat of the room's two is taken already.
    const first = `forms-hybrid-first-${language}-${stamp}@example.org`;
    const res = await api('POST', `/v1/events/${id}/registrations`, {
      body: { email: first, given_name: 'Grace', family_name: 'Hopper', country: 'US', organisation: 'Navy',
        category: 'academia', language: 'en', consent: true, participation: 'in_person' },
    });
    assert.equal(res.status, 202);
    await confirmByMail(first);

    const page = await newPage({ language });
    await page.goto(`${BASE}/events/${id}`);
    await page.locator('#f-participation').waitFor();
    const room = await page.textContent('label[for="f-participation"]');
    const remote = await page.textContent('label[for="f-participation-remote"]');
    assert.match(room, /ITU headquarters/);
    assert.match(room, language === 'ar' ? /المقاعد المتبقية: 1/ : /seats left: 1/);
    assert.match(remote, language === 'ar' ? /500/ : /seats left: 500/);
    assert.equal(await page.isChecked('#f-participation'), false);

    // Not chosen: the API's `participation` error is shown at the choice.
    const email = `forms-hybrid-${language}-${stamp}@example.org`;
    await fillPerson(page, email);
    await page.click('#register-submit');
    await page.locator('#f-participation-error').waitFor();
    assert.equal(await page.getAttribute('#f-participation', 'aria-invalid'), 'true');
    await shot(page, `forms-hybrid-errors-${language}`);
    await page.check('#f-participation');
    await page.click('#register-submit');
    await page.locator('#check-email').waitFor();
    const token = await confirmByMail(email);
    const me = await (await api('GET', '/v1/registrations/me', { token })).json();
    assert.equal(me.participation, 'in_person');
    assert.equal(me.status, 'confirmed');

    // The manage page shows the mode and switches it.
    await page.goto(`${BASE}/registration/manage?token=${token}`);
    await page.locator('#f-participation').waitFor();
    assert.equal(await page.isChecked('#f-participation'), true);
    await page.check('#f-participation-remote');
    await page.click('#edit-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('announce').dataset.kind === 'ok');
    const after = await (await api('GET', '/v1/registrations/me', { token })).json();
    assert.equal(after.participation, 'remote');
    assert.equal(after.status, 'confirmed');
    await shot(page, `forms-hybrid-manage-${language}`);
    await done(page);
  });
}
