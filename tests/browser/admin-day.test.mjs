// An organiser's day, end to end in Chromium against a real plenary-local, through the console's
// pages alone (the API is called only to play the registrant and to check what the pages did):
// sign in through the emailed link, create an approval event with a question of its own, build a
// programme of sessions and speakers, preview and publish it, see it on the public page, approve
// a registrant, send an announcement and find it in the outbox, add a viewer who then sees the
// console hide what a viewer may not do, and sign out. The steps are console-steps/*.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import { fillEventForm, submitEventForm, signOut } from './console-steps/events.mjs';
import { addQuestion } from './console-steps/forms.mjs';
import { openEditor, addSpeaker, addSession, saveDraft, previewAndPublish } from './console-steps/programme.mjs';
import { approve, sendAnnouncement } from './console-steps/desk.mjs';
import { addMember } from './console-steps/insight.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done, ready } = h;
const run = `${process.pid}-${Date.now().toString(36)}`;
const EVENT = `day-${run}`;
const ORGANISER = `day-organiser-${run}@example.org`;
const VIEWER = `day-viewer-${run}@example.org`;
const REGISTRANT = `day-registrant-${run}@example.org`;

before(h.launch);
after(h.close);

test('an organiser runs a workshop\'s day from the console alone, from the emailed sign-in link to signing out', async () => {
  // The installation's administrator made this organiser an administrator (the first step after a deployment).
  const made = await h.api('PUT', `/v1/admin/organisers/${encodeURIComponent(ORGANISER)}`, { name: 'Dana Day', administrator: true }, ORGANISER_TOKEN);
  assert.equal(made.status, 200, await made.text());

  // Sign in through the emailed link from the outbox.
  const page = await newPage();
  await h.signIn(page, ORGANISER);
  assert.match(await page.textContent('.console-header .person'), new RegExp(ORGANISER));

  // Create the event: an approval workshop with a question of its own.
  await page.click('#create-event');
  await ready(page);
  await fillEventForm(page, {
    id: EVENT, title: 'A day of the console: QoS workshop', timezone: 'Europe/Zurich',
    starts_at: '2021-10-05T14:00', ends_at: '2021-10-06T16:30', visibility: 'unlisted',
    languages: ['en', 'fr'], approval_required: true, capacity: 50,
  });
  await addQuestion(page, { id: 'role', kind: 'choice', required: true, label: { en: 'Your role', fr: 'Votre rôle' },
    options: [{ id: 'regulator', label: { en: 'Regulator', fr: 'Régulateur' } }, { id: 'operator', label: { en: 'Operator', fr: 'Opérateur' } }] });
  await submitEventForm(page);
  await page.waitForURL((u) => u.searchParams.get('event') === EVENT);
  await ready(page);

  // Build the programme: speakers, then sessions, saved; preview what publishing changes; publish.
  await page.click(`#event-nav a[href="/admin/programme?event=${EVENT}"]`);
  await openEditor(page, EVENT);
  await addSpeaker(page, { name: 'Amina Diallo', id: 'diallo', affiliation: 'ARTP Senegal' });
  await addSpeaker(page, { name: 'Jean Martin', id: 'martin', affiliation: 'ITU' });
  await addSession(page, { title: 'Opening', id: 'opening', kind: 'opening', day: '2021-10-05', start: '14:00', end: '14:20', speakers: [{ id: 'martin', role: 'chair' }] });
  await addSession(page, { title: 'Measuring QoE', id: 'qoe', kind: 'panel', day: '2021-10-05', start: '14:20', end: '15:30',
    speakers: [{ id: 'diallo', role: 'moderator' }, { id: 'martin', role: 'panelist' }] });
  await addSession(page, { title: 'Closing', id: 'closing', kind: 'closing', day: '2021-10-06', start: '16:00', end: '16:30' });
  await saveDraft(page);
  assert.equal(await previewAndPublish(page, { expect: /added: 3\. Registrants who will get the change digest: 0/ }), 1);
  await h.screenshot(page, 'admin-day-published');

  // The public page shows it.
  const visitor = await newPage();
  await visitor.goto(`${BASE}/events/${EVENT}`);
  await visitor.getByText('Measuring QoE').first().waitFor();
  await visitor.getByText('Amina Diallo').first().waitFor();
  await done(visitor);

  // A registrant of the approval event waits for approval; the organiser approves them.
  const registered = await h.api('POST', `/v1/events/${EVENT}/registrations`, {
    email: REGISTRANT, given_name: 'Ada', family_name: 'Walker', country: 'SN', organisation: 'ARTP',
    category: 'member_state', language: 'en', consent: true, answers: { role: 'regulator' },
  });
  assert.equal(registered.status, 202, await registered.text());
  assert.equal((await h.confirmByMail(REGISTRANT)).status, 'pending_approval');
  assert.match(await approve(page, EVENT, 'Ada Walker'), /Confirmed/);

  // An announcement to the confirmed, found in the outbox as sent.
  const subject = `Connection test before the workshop ${run}`;
  const sent = await sendAnnouncement(page, EVENT, { texts: { en: { subject, body: 'Please join ten minutes early.' } } });
  assert.equal(sent.recipients, 1);
  const mail = (await h.outbox('announcement')).filter((m) => m.to === REGISTRANT && m.subject.includes(subject));
  assert.equal(mail.length, 1, 'one announcement to the approved registrant');
  assert.match(mail[0].text, /Please join ten minutes early\./);

  // A viewer joins the team and sees the console hide what a viewer may not do.
  await addMember(page, VIEWER, 'viewer', { event: EVENT, name: 'Vic Viewer' });
  const viewer = await newPage();
  await h.signIn(viewer, VIEWER);
  assert.equal(await viewer.locator('#create-event').count(), 0, 'no event to create');
  await viewer.goto(`${BASE}/admin/programme?event=${EVENT}`);
  await ready(viewer);
  const nav = await viewer.locator('#event-nav a').allTextContents();
  assert.ok(nav.includes('Dashboard') && nav.includes('Programme'), nav.join());
  for (const hidden of ['Registrations', 'Announcements', 'Join details', 'Audit log', 'Attendance']) {
    assert.ok(!nav.includes(hidden), `${hidden} is hidden from a viewer: ${nav.join()}`);
  }
  assert.equal(await viewer.locator('#save-draft').count(), 0, 'a viewer cannot save the draft');
  await viewer.getByText('Measuring QoE').first().waitFor();
  await h.screenshot(viewer, 'admin-day-viewer');
  await done(viewer);

  // Sign out: the bearer stops working at once.
  const bearer = await h.bearerOf(page);
  await signOut(page);
  assert.equal((await h.api('GET', '/v1/admin/me', undefined, bearer)).status, 401);
  await done(page);
});
