// Browser tests of the reference website that plenary-local serves: Playwright's library
// (playwright-core) driving Debian's Chromium, run with node's own test runner. Start them with
// scripts/browser-test.sh, which starts the stack and passes its address in PLENARY_BASE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done } = harness;
const EVENT = 'qos-workshop-2021';

before(harness.launch);
after(harness.close);

const shot = harness.screenshot;

function api(method, path, { body, token } = {}) {
  return harness.api(method, path, body, token);
}

/** The link of the newest `kind` email to `to`, after running the notifications job. */
async function linkInMail(to, kind, pathPrefix) {
  assert.equal((await api('POST', '/_local/notifications/run')).status, 200);
  const { messages } = await (await api('GET', '/_local/outbox')).json();
  const mail = messages.filter((m) => m.to.toLowerCase() === to.toLowerCase() && m.kind === kind).pop();
  assert.ok(mail, `a ${kind} email to ${to}`);
  const link = mail.text.match(/https?:\/\/\S+?\/registration\/\w+\?token=[A-Za-z0-9_-]+/);
  assert.ok(link, `a link in: ${mail.text}`);
  // --site-url defaults to the stack's own address, so the emailed link opens these pages.
  assert.ok(link[0].startsWith(`${BASE}${pathPrefix}?token=`), `${link[0]} opens ${BASE}${pathPrefix}`);
  return link[0];
}

async function fillRegistration(page, person) {
  await page.fill('#f-email', person.email);
  await page.fill('#f-given_name', person.given_name ?? 'Ada');
  await page.fill('#f-family_name', person.family_name ?? 'Lovelace');
  await page.selectOption('#f-country', person.country ?? 'CH');
  await page.fill('#f-organisation', person.organisation ?? 'Analytical Engines');
  await page.selectOption('#f-category', person.category ?? 'academia');
  if (person.consent) await page.check('#f-consent');
}

for (const language of ['en', 'ar']) {
  test(`event page (${language}): the programme in the visitor's zone, then in the event's`, async () => {
    const page = await newPage({ language, timezoneId: 'America/New_York' });
    const res = await page.goto(`${BASE}/events/${EVENT}`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
    assert.equal(await page.getAttribute('html', 'dir'), language === 'ar' ? 'rtl' : 'ltr');
    assert.equal(await page.getAttribute('html', 'lang'), language);

    const firstTime = page.locator('.session .when time').first();
    await firstTime.waitFor();
    assert.match(await page.textContent('#zone-label'), /America\/New_York/);
    // The seed's first session starts at 14:00 in Zurich (CEST), 08:00 in New York (EDT).
    assert.equal(await firstTime.textContent(), '08:00');
    assert.ok(await page.locator('.session').count() > 3, 'the sessions are listed');
    await shot(page, `event-${language}`);

    await page.check('input[name="zone"][value="event"]');
    await page.waitForFunction(() => document.getElementById('zone-label').textContent.includes('Europe/Zurich'));
    assert.equal(await firstTime.textContent(), '14:00');
    assert.match(await page.textContent('#zone-label'), /UTC\+02:00/);

    const ics = await page.getAttribute('#calendar-link', 'href');
    assert.equal(ics, `/v1/events/${EVENT}/programme.ics`);
    const cal = await api('GET', ics);
    assert.match(cal.headers.get('content-type'), /^text\/calendar/);
    await done(page);
  });
}

test('at 360 px the event page fits without sideways scrolling (ar and en)', async () => {
  for (const language of ['ar', 'en']) {
    const page = await newPage({ language, width: 360 });
    await page.goto(`${BASE}/events/${EVENT}`);
    await page.locator('.session').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${language}: ${overflow}px wider than the screen`);
    await shot(page, `event-360-${language}`);
    await done(page);
  }
});

test('the language follows the browser, and the switcher choice is remembered', async () => {
  const page = await newPage({ language: null, locale: 'fr-FR' });
  await page.goto(`${BASE}/`);
  await page.locator('#events a').first().waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.textContent('h1'), 'Ateliers et réunions');
  assert.equal(await page.getAttribute('#events a >> nth=0', 'href'), `/events/${EVENT}`);

  await page.selectOption('#language-switch', 'ar');
  await page.waitForFunction(() => document.documentElement.dir === 'rtl');
  await page.reload();
  await page.locator('#events a').first().waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  await shot(page, 'index-ar');

  await page.selectOption('#language-switch', 'en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await shot(page, 'index-en');
  await done(page);
});

for (const language of ['en', 'ar']) {
  test(`registration form (${language}): the API's field errors appear next to their fields`, async () => {
    const page = await newPage({ language });
    await page.goto(`${BASE}/events/${EVENT}`);
    await page.locator('#register-form').waitFor();
    await fillRegistration(page, { email: 'not-an-email', consent: false });
    await page.click('#register-submit');

    const emailError = page.locator('#f-email-error');
    await emailError.waitFor();
    assert.ok((await emailError.textContent()).length > 0);
    assert.ok(await page.locator('#f-consent-error').isVisible());
    for (const id of ['f-email', 'f-consent']) {
      assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', id);
      assert.match(await page.getAttribute(`#${id}`, 'aria-describedby'), new RegExp(`${id}-error`));
    }
    assert.equal(await page.getAttribute('#f-given_name', 'aria-invalid'), null, 'valid fields are not marked');
    // The summary is an alert (read out at once) and takes focus; its links lead to the fields.
    assert.equal(await page.evaluate(() => document.activeElement.className), 'error-summary');
    assert.equal(await page.getAttribute('.error-summary', 'role'), 'alert');
    assert.equal(await page.locator('.error-summary li').count(), 2);
    await page.click('.error-summary a[data-field="email"]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-email');
    await page.locator('#register-form').scrollIntoViewIfNeeded();
    await shot(page, `form-errors-${language}`);

    // Fixing the fields and sending again clears the marks and shows "check your email".
    await page.fill('#f-email', `fixed-${language}-${Date.now()}@example.org`);
    await page.check('#f-consent');
    await page.click('#register-submit');
    await page.locator('#check-email').waitFor();
    assert.equal(await page.locator('#register-form').isVisible(), false);
    await done(page);
  });
}

test('the organiser releases the join details (PUT join-info)', async () => {
  const res = await api('PUT', `/v1/admin/events/${EVENT}/join-info`, {
    token: ORGANISER_TOKEN,
    body: { url: 'https://meet.example/x', passcode: '1234', release_at: '2021-08-01T00:00:00Z' },
  });
  assert.equal(res.status, 200, await res.text());
});

for (const language of ['en', 'ar']) {
  const erase = language === 'ar';
  test(`a newcomer (${language}) registers, confirms from the email, sees the join link, edits and ${erase ? 'cancels with erasure' : 'cancels'}`, async () => {
    const page = await newPage({ language });
    const email = `newcomer-${language}-${Date.now()}@example.org`;
    await page.goto(`${BASE}/events/${EVENT}`);
    await page.locator('#register-form').waitFor();
    await fillRegistration(page, { email, consent: true });
    await page.fill('#f-accessibility_needs', 'Captions, please.');
    await page.click('#register-submit');
    await page.locator('#check-email').waitFor();
    assert.match(await page.textContent('#check-email'), new RegExp(email.replace(/[.]/g, '\\.')));
    await shot(page, `check-email-${language}`);

    const confirmLink = await linkInMail(email, 'confirmation', '/registration/confirm');
    const token = new URL(confirmLink).searchParams.get('token');
    await page.goto(confirmLink);
    await page.locator('#confirm-status[data-status="confirmed"]').waitFor();
    if (language === 'en') assert.equal(await page.textContent('#confirm-status'), 'Your registration is confirmed.');
    await shot(page, `confirm-${language}`);

    await page.click('#manage-link');
    await page.locator('#manage-status[data-status="confirmed"]').waitFor();
    const join = page.locator('#join-link');
    await join.waitFor();
    const personal = await join.getAttribute('href');
    assert.match(personal, /\/v1\/join\/[A-Za-z0-9_-]+$/);
    const followed = await fetch(personal, { redirect: 'manual' });
    assert.equal(followed.status, 302);
    assert.equal(followed.headers.get('location'), 'https://meet.example/x');
    assert.match(await page.textContent('#join'), /1234/);
    assert.equal(await page.inputValue('#f-accessibility_needs'), 'Captions, please.');
    await shot(page, `manage-${language}`);

    // Edit: the PATCH is saved and shown again after a reload.
    await page.fill('#f-organisation', 'ITU');
    await page.click('#edit-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('announce').dataset.kind === 'ok');
    await page.reload();
    await page.locator('#manage-status').waitFor();
    assert.equal(await page.inputValue('#f-organisation'), 'ITU');

    // Cancel, through the confirmation dialog; "keep" first changes nothing.
    await page.click(erase ? '#erase-button' : '#cancel-button');
    await page.locator('#cancel-dialog[open]').waitFor();
    await shot(page, `cancel-dialog-${language}`);
    await page.click('#cancel-dialog-no');
    assert.equal(await page.getAttribute('#manage-status', 'data-status'), 'confirmed');
    await page.click(erase ? '#erase-button' : '#cancel-button');
    await page.click('#cancel-dialog-yes');
    if (erase) {
      await page.locator('#registration').waitFor({ state: 'hidden' });
      assert.equal((await api('GET', '/v1/registrations/me', { token })).status, 401);
    } else {
      await page.locator('#manage-status[data-status="cancelled"]').waitFor();
      assert.equal(await page.locator('#join').isVisible(), false);
      assert.equal(await page.locator('#cancel').isVisible(), false);
      assert.equal((await fetch(personal, { redirect: 'manual' })).status, 410);
    }
    await shot(page, `cancelled-${language}`);
    await done(page);
  });
}

test('a bad confirmation link says so', async () => {
  const page = await newPage({ language: 'en' });
  await page.goto(`${BASE}/registration/confirm?token=not-a-real-token-000000000`);
  await page.waitForFunction(() => document.getElementById('announce').dataset.kind === 'error');
  assert.match(await page.textContent('#announce'), /not valid/);
  assert.equal(await page.locator('#confirm-result').isVisible(), false);
  await done(page);
});

for (const language of ['en', 'ar']) {
  test(`unknown pages get the site's 404 page (${language}); API paths keep problem+json`, async () => {
    const page = await newPage({ language });
    const res = await page.goto(`${BASE}/no/such/page`);
    assert.equal(res.status(), 404);
    assert.match(res.headers()['content-type'], /^text\/html/);
    await page.waitForFunction(() => document.documentElement.lang !== '' && document.title !== 'Page not found');
    assert.ok(await page.locator('#not-found h1').isVisible());
    await shot(page, `404-${language}`);
    await done(page);

    const apiRes = await api('GET', '/v1/no/such/route');
    assert.equal(apiRes.status, 404);
    assert.equal(apiRes.headers.get('content-type'), 'application/problem+json');
  });
}
