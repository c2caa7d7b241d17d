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

/**
 * Runs of Latin script on the page that are not isolated: text inside neither a <bdi> nor an
 * element with its own `dir` (the `dir="auto"` of a title, `dir="ltr"` of an address), nor a
 * form control, which keeps its own direction. In an Arabic page each is a run whose
 * punctuation the bidi algorithm may move.
 */
async function unisolatedLatin(page) {
  return page.evaluate(() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      // A run between U+2066–U+2068 and U+2069 is isolated in the text itself.
      if (!/[A-Za-z]/.test(n.data.replace(/[\u2066-\u2068][^\u2069]*\u2069/g, ''))) continue;
      const host = n.parentElement;
      if (host.closest('bdi, [dir]:not(html), script, style, noscript, select, option, textarea, [hidden]')) continue;
      if (!host.checkVisibility()) continue;
      found.push(`${host.tagName.toLowerCase()}#${host.id}: ${n.data.trim().slice(0, 80)}`);
    }
    return found;
  });
}

test('the event page says when in the event\'s zone and the visitor\'s, in the visitor\'s locale, and what registration, contact, remote participation and documents are', async () => {
  const page = await newPage({ language: 'en', locale: 'en-GB', timezoneId: 'America/New_York' });
  await page.goto(`${BASE}/events/${EVENT}`);
  await page.locator('#event-when time').first().waitFor();
  const when = (await page.textContent('#event-when')).replace(/\s+/g, ' ');
  assert.equal(when, '8–9 September 2021, 14:00–16:30 CEST (Europe/Zurich)');
  const visitor = (await page.textContent('#event-when-visitor')).replace(/\s+/g, ' ');
  assert.match(visitor, /^8–9 September 2021, 08:00–10:30 \S+ \(America\/New_York\)$/);
  assert.ok(await page.locator('#event-when-visitor-row').isVisible());
  // Registration closes when the event starts: 14:00 in Zurich is 08:00 in New York.
  assert.equal(await page.textContent('#event-registration'), 'Open until 8 September 2021 at 08:00 UTC-04:00');
  assert.equal(await page.getAttribute('#event-registration', 'data-open'), 'true');
  assert.match(await page.textContent('#event-contact'), /^Martin Adolph \(TSB\), tsbevents@itu\.int$/);
  assert.equal(await page.getAttribute('#event-contact a', 'href'), 'mailto:tsbevents@itu.int');
  assert.ok(await page.locator('#remote').isVisible());
  assert.match(await page.textContent('#remote-text'), /connection details/);
  assert.equal(await page.getAttribute('#documents-list a', 'href'), 'https://www.itu.int/md/T17-TSB-CIR-0331/en');
  assert.equal(await page.textContent('#documents-list a'), 'TSB Circular 331');
  const description = await page.getAttribute('meta[name="description"]', 'content');
  assert.match(description, /^A fully virtual workshop/);
  assert.ok(description.length <= 160, `${description.length} characters`);
  await harness.screenshot(page, 'event-facts-en-GB');
  await done(page);

  // en-US reads the month first; the same event, the same hours.
  const us = await newPage({ language: 'en', locale: 'en-US', timezoneId: 'Europe/Zurich' });
  await us.goto(`${BASE}/events/${EVENT}`);
  await us.locator('#event-when time').first().waitFor();
  assert.match(await us.textContent('#event-when'), /^September 8\s*–\s*9, 2021, 14:00–16:30 CEST/);
  assert.equal(await us.locator('#event-when-visitor-row').isVisible(), false, 'no second line when the zones agree');
  await done(us);
});

test('?lang= picks the page\'s language over the saved one, and switching writes it into the address', async () => {
  const page = await newPage({ language: 'en' });
  await page.goto(`${BASE}/events/${EVENT}?lang=fr`);
  await page.locator('#event-when time').first().waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('#remote-heading'), 'Participation à distance');
  await page.selectOption('#language-switch', 'es');
  await page.waitForFunction(() => document.documentElement.lang === 'es');
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'es');
  await page.reload();
  await page.locator('#event-when time').first().waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  await done(page);
});

test('Arabic pages isolate every left-to-right run they fill in: titles, zones, hours, names, addresses', async () => {
  const page = await newPage({ language: 'ar', timezoneId: 'America/New_York' });
  await page.goto(`${BASE}/events/${EVENT}`);
  await page.locator('.session').first().waitFor();
  await page.locator('#event-when time').first().waitFor();
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.deepEqual(await unisolatedLatin(page), [], 'event page');
  // The zone and its offset are each their own run: "(Europe/Zurich)" keeps its parentheses.
  assert.ok(await page.locator('#event-when bdi', { hasText: 'Europe/Zurich' }).count() >= 1);
  assert.ok(await page.locator('#zone-label bdi', { hasText: 'America/New_York' }).count() === 1);
  assert.match(await page.title(), /^\u2068ITU Workshop on Performance.*\u2069/);
  await page.check('input[name="zone"][value="event"]');
  await page.waitForFunction(() => document.getElementById('zone-label').textContent.includes('Europe/Zurich'));
  assert.deepEqual(await unisolatedLatin(page), [], 'event page in the event\'s zone');
  await harness.screenshot(page, 'event-facts-ar');
  await done(page);

  const token = await confirmedRegistrant(`bidi-${Date.now()}@example.org`, 'ar');
  const confirm = await newPage({ language: 'ar' });
  await confirm.goto(`${BASE}/registration/manage?token=${token}`);
  await confirm.locator('#manage-status[data-status="confirmed"]').waitFor();
  await confirm.click('#feed-open');
  await confirm.locator('#feed-links').waitFor();
  assert.deepEqual(await unisolatedLatin(confirm), [], 'manage page');
  await done(confirm);

  const home = await newPage({ language: 'ar' });
  await home.goto(`${BASE}/`);
  await home.locator('#events a').first().waitFor();
  assert.deepEqual(await unisolatedLatin(home), [], 'list of events');
  await done(home);
});
