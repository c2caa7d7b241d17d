// What real clients found (issue 21), in the browser: the manage page's subscribable calendar
// URL, Arabic pages isolating left-to-right runs, and the event page an ITU visitor expects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';

const { BASE, newPage, done, outbox } = harness;
const EVENT = 'qos-workshop-2021';

before(harness.launch);
after(harness.close);

/** Registers `email` through the API and confirms it: the bearer the manage page takes. */
async function confirmedRegistrant(email, language = 'en') {
  const res = await fetch(`${BASE}/v1/events/${EVENT}/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `clients-${email}` },
    body: JSON.stringify({
      email, given_name: 'Ada', family_name: 'Lovelace', country: 'CH', organisation: 'Analytical Engines',
      category: 'academia', language, consent: true,
    }),
  });
  assert.equal(res.status, 202, await res.text());
  const mail = (await outbox('confirmation')).filter((m) => m.to === email).pop();
  assert.ok(mail, `a confirmation email to ${email}`);
  const token = mail.text.match(/\/registration\/confirm\?token=([A-Za-z0-9_-]+)/)[1];
  const confirmed = await harness.api('POST', '/v1/registrations/confirm', { token });
  assert.equal(confirmed.status, 200, await confirmed.text());
  return token;
}

test('the manage page offers a subscribable calendar URL, as webcal:// and https, and revokes it', async () => {
  const token = await confirmedRegistrant(`feed-${Date.now()}@example.org`);
  const page = await newPage({ language: 'en' });
  await page.goto(`${BASE}/registration/manage?token=${token}`);
  await page.locator('#manage-status[data-status="confirmed"]').waitFor();
  await page.locator('#calendar').waitFor();
  assert.equal(await page.locator('#feed-links').isVisible(), false, 'no secret URL before it is asked for');

  await page.click('#feed-open');
  await page.locator('#feed-links').waitFor();
  const https = await page.inputValue('#feed-url');
  const webcal = await page.getAttribute('#feed-webcal', 'href');
  assert.match(https, /^https?:\/\/[^/]+\/v1\/calendar-feeds\/[A-Za-z0-9_-]+$/);
  assert.equal(webcal, https.replace(/^https?:/, 'webcal:'));
  assert.match(await page.textContent('#calendar'), /Anyone who has this address/);
  // Read-only, without a bearer: what a calendar app does with it.
  const cal = await fetch(https);
  assert.equal(cal.status, 200);
  assert.match(cal.headers.get('content-type'), /^text\/calendar/);
  assert.match(await cal.text(), /BEGIN:VCALENDAR/);
  await harness.screenshot(page, 'manage-calendar-feed-en');

  await page.click('#feed-close');
  await page.waitForFunction(() => document.getElementById('announce').dataset.kind === 'ok');
  assert.equal(await page.locator('#feed-links').isVisible(), false);
  assert.equal((await fetch(https)).status, 404, 'a revoked URL answers 404');

  // Asking again gives a new URL; the revoked one stays dead.
  await page.click('#feed-open');
  await page.locator('#feed-links').waitFor();
  const again = await page.inputValue('#feed-url');
  assert.notEqual(again, https);
  assert.equal((await fetch(again)).status, 200);
  assert.equal((await fetch(https)).status, 404);
  await done(page);
});
