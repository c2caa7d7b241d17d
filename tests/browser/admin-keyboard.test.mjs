// Keyboard-only runs of the console's main tasks beside the programme editor's own
// (admin-programme.test.mjs): asking for a sign-in link, writing an event's registration question,
// approving a registrant and sending an announcement, each with Tab, Enter, Space, arrows and
// typing only. Every event here is unlisted and its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done, ready, tabTo } = h;
const run = `${process.pid}-${Date.now().toString(36)}`;
const EVENT = `keyboard-${run}`;
const key = (page, name) => page.keyboard.press(name);
const focused = (page) => page.evaluate(() => document.activeElement.id || document.activeElement.name);

before(async () => {
  await h.launch();
  const res = await h.api('PUT', `/v1/admin/events/${EVENT}`, {
    title: 'Keyboard workshop', timezone: 'Europe/Zurich', visibility: 'unlisted', approval_required: true,
    starts_at: '2030-03-10T09:00:00+01:00', ends_at: '2030-03-10T17:00:00+01:00',
    registration: { opens_at: '2021-01-01T00:00:00Z' }, languages: ['en'], reminders: ['P1D'],
  }, ORGANISER_TOKEN);
  assert.equal(res.status, 201, await res.text());
});
after(h.close);

test('a keyboard-only organiser asks for a sign-in link and opens it', async () => {
  // An organiser of this file's own: an address may ask for five links an hour.
  const who = `keyboard-admin-${run}@example.org`;
  assert.equal((await h.api('PUT', `/v1/admin/organisers/${encodeURIComponent(who)}`, { name: 'Kim Keys', administrator: true }, ORGANISER_TOKEN)).status, 200);
  const page = await newPage();
  const before = (await h.outbox('organiser_sign_in')).length;
  await page.goto(`${BASE}/admin/sign-in`);
  await ready(page);
  await tabTo(page, '#f-email');
  await page.keyboard.type(who);
  await key(page, 'Enter');
  await page.locator('#check-email:focus').waitFor();
  let mail;
  for (let i = 0; i < 50 && !mail; i++) {
    mail = (await h.outbox('organiser_sign_in')).slice(before).find((m) => m.to === who);
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, 'the link was mailed');
  await page.goto(mail.text.match(/https?:\/\/\S+?\/admin\/sign-in\?token=[A-Za-z0-9_-]+/)[0]);
  await page.waitForURL((u) => u.pathname === '/admin/');
  await ready(page);
  await done(page);
});

test('a keyboard-only organiser writes a registration question with two options and saves the event', async () => {
  const page = await newPage();
  await h.signInAsLocalAdmin(page, { next: `/admin/event?event=${EVENT}` });
  await tabTo(page, '#f-questions-add');
  await key(page, 'Enter');
  assert.equal(await focused(page), 'f-questions-0-id', 'the new question\'s id has the focus');
  await page.keyboard.type('topic');
  // The kind: a select moved with the arrow keys ("Any of the options" after "One of the options").
  await tabTo(page, '#f-questions-0-kind');
  await key(page, 'ArrowDown');
  assert.equal(await focused(page), 'f-questions-0-kind', 'a redraw keeps the focus on the kind');
  await tabTo(page, '#f-questions-0-required');
  await key(page, 'Space');
  await tabTo(page, '#f-questions-0-label-en');
  await page.keyboard.type('Topics of interest');
  await tabTo(page, '#f-questions-0-options-0-id');
  await page.keyboard.type('qos');
  await key(page, 'Tab');
  await page.keyboard.type('Quality of service');
  await tabTo(page, '#f-questions-0-options-add');
  await key(page, 'Space');
  assert.equal(await focused(page), 'f-questions-0-options-1-id', 'the new option\'s id has the focus');
  await page.keyboard.type('qoe');
  await key(page, 'Tab');
  await page.keyboard.type('Quality of experience');
  await tabTo(page, '#event-submit');
  await key(page, 'Enter');
  await page.locator('#console-status:not([hidden])').waitFor();
  const event = await (await h.api('GET', `/v1/admin/events/${EVENT}`, undefined, ORGANISER_TOKEN)).json();
  assert.deepEqual(event.questions, [{ id: 'topic', kind: 'choices', required: true, label: { en: 'Topics of interest' },
    options: [{ id: 'qos', label: { en: 'Quality of service' } }, { id: 'qoe', label: { en: 'Quality of experience' } }] }]);
  await done(page);
});

test('a keyboard-only manager approves a registrant and sends an announcement', async () => {
  const email = `keyboard-person-${run}@example.org`;
  const res = await h.api('POST', `/v1/events/${EVENT}/registrations`, {
    email, given_name: 'Kay', family_name: 'Board', country: 'CH', organisation: 'ITU', category: 'member_state',
    language: 'en', consent: true, answers: { topic: ['qoe'] },
  });
  assert.equal(res.status, 202, await res.text());
  await h.confirmByMail(email);

  const page = await newPage();
  await h.signInAsLocalAdmin(page, { next: `/admin/registrations?event=${EVENT}` });
  await page.locator('#reg-table').waitFor();
  await tabTo(page, 'button[data-action="approve"]');
  await key(page, 'Enter');
  await page.locator('dialog[open]').waitFor();
  // Approving is not dangerous: the dialog starts on its confirm button.
  await key(page, 'Enter');
  await page.locator('#reg-table .status-confirmed').waitFor();
  assert.match(await page.evaluate(() => document.activeElement.textContent), /Kay Board/, 'the focus stays on the row');

  await page.goto(`${BASE}/admin/announcements?event=${EVENT}`);
  await page.locator('#ann-form').waitFor();
  await tabTo(page, '#subject-en');
  await page.keyboard.type(`Typed by keyboard ${run}`);
  await key(page, 'Tab');
  await tabTo(page, '#body-en');
  await page.keyboard.type('Sent without a mouse.');
  await tabTo(page, '#ann-send');
  await key(page, 'Enter');
  await page.locator('dialog[open]').waitFor();
  await key(page, 'Enter');
  await page.locator('#ann-table tbody tr', { hasText: `Typed by keyboard ${run}` }).waitFor();
  const sent = (await h.outbox('announcement')).filter((m) => m.to === email && m.subject.includes(`Typed by keyboard ${run}`));
  assert.equal(sent.length, 1);
  await done(page);
});
