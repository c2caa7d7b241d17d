// The programme editor and the versions page in Chromium against plenary-local: building a
// programme, field errors at their inputs, unsaved work, read-only roles, failures, a
// keyboard-only run, axe audits and screenshots. Each test works on an event of its own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, ORGANISER_TOKEN, TOKEN_KEY, newPage, done, screenshot, audit, api, ready, close,
  signIn, signInWithDeploymentToken, tabTo,
} from './harness.mjs';
import {
  openEditor, addSpeaker, addSession, saveDraft, preview, previewAndPublish, openVersions, sessionItem, speakerItem, expand, collapseAll,
} from './console-steps/programme.mjs';

const SEED = 'qos-workshop-2021';
let made = 0;

after(close);

/** A new public event like the seed's workshop (8–9 September 2021, 14:00–16:30 in Zurich), no draft. */
async function freshEvent() {
  made += 1;
  const id = `editor-test-${process.pid}-${made}`;
  const seed = await (await api('GET', `/v1/admin/events/${SEED}`, undefined, ORGANISER_TOKEN)).json();
  delete seed.created_at;
  delete seed.updated_at;
  // Unlisted, so the public site's own tests on the same stack still find the seed's events first.
  const res = await api('PUT', `/v1/admin/events/${id}`, { ...seed, title: `Editor test ${made}`, visibility: 'unlisted' }, ORGANISER_TOKEN);
  assert.equal(res.status, 201, await res.text());
  return id;
}

async function draftOf(id) {
  return (await api('GET', `/v1/admin/events/${id}/programme/draft`, undefined, ORGANISER_TOKEN)).json();
}

async function adminPage(opts) {
  const page = await newPage(opts);
  await signInWithDeploymentToken(page);
  return page;
}


test('an editor builds a programme of sessions and speakers, previews exactly what publishing changes and publishes it', async () => {
  const id = await freshEvent();
  const page = await adminPage();
  await openEditor(page, id);
  await page.getByText('The draft has no sessions yet.').waitFor();
  await page.getByText('The draft has no speakers yet.').waitFor();

  await addSpeaker(page, { name: 'Amina Diallo', id: 'diallo', affiliation: 'ARTP Senegal', bio: 'Regulator.' });
  await addSpeaker(page, { name: 'Jean Martin', id: 'martin' });
  await addSession(page, {
    title: 'Opening', id: 'opening', kind: 'opening', day: '2021-09-08', start: '14:00', end: '14:20', track: 'Plenary',
    speakers: [{ id: 'diallo', role: 'chair' }],
  });
  await addSession(page, {
    title: 'Measuring QoE', id: 'qoe', kind: 'panel', day: '2021-09-08', start: '14:20', end: '15:30', track: 'Plenary',
    abstract: 'How operators measure experience.', speakers: [{ id: 'diallo', role: 'moderator' }, { id: 'martin', role: 'panelist' }],
  });
  await addSession(page, { title: 'Closing', id: 'closing', kind: 'closing', day: '2021-09-09', start: '16:00', end: '16:30' });
  await saveDraft(page);

  const saved = await draftOf(id);
  assert.deepEqual(saved.sessions.map((s) => [s.id, s.starts_at, s.ends_at]), [
    ['opening', '2021-09-08T14:00:00+02:00', '2021-09-08T14:20:00+02:00'],
    ['qoe', '2021-09-08T14:20:00+02:00', '2021-09-08T15:30:00+02:00'],
    ['closing', '2021-09-09T16:00:00+02:00', '2021-09-09T16:30:00+02:00'],
  ]);
  assert.deepEqual(saved.sessions[1].speakers, [{ id: 'diallo', role: 'moderator' }, { id: 'martin', role: 'panelist' }]);
  assert.equal(saved.speakers[0].affiliation, 'ARTP Senegal');
  // The days are headed in the event's zone, whatever the reader's (New York here).
  await page.getByRole('heading', { name: 'Wednesday, September 8, 2021' }).waitFor();
  await page.getByRole('heading', { name: 'Thursday, September 9, 2021' }).waitFor();

  assert.equal(await previewAndPublish(page, { expect: /added: 3\. Registrants who will get the change digest: 0/ }), 1);
  await page.getByText('Version 1 is published.').first().waitFor();
  const published = await (await api('GET', `/v1/events/${id}/programme`)).json();
  assert.equal(published.version, 1);
  assert.deepEqual(published.days.map((d) => d.sessions.map((s) => s.id)), [['opening', 'qoe'], ['closing']]);

  assert.deepEqual(await openVersions(page, id), [1]);
  await page.getByRole('link', { name: 'Back to the programme editor' }).click();
  await page.locator('#programme-form').waitFor();

  // Version 2: a session moved to the other day, one renamed, one removed.
  const qoe = sessionItem(page, 'Measuring QoE');
  await expand(qoe);
  await qoe.getByLabel('Day').selectOption('2021-09-09');
  await qoe.getByLabel('Starts').fill('14:00');
  await qoe.getByLabel('Starts').blur();
  // A move keeps the session's length: 70 minutes from 14:00.
  assert.equal(await sessionItem(page, 'Measuring QoE').getByLabel('Ends').inputValue(), '15:10');
  const opening = sessionItem(page, 'Opening');
  await expand(opening);
  await opening.getByLabel('Title').fill('Opening and welcome');
  const closing = sessionItem(page, 'Closing');
  await expand(closing);
  await closing.getByRole('button', { name: 'Remove the session' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Remove' }).click();
  await saveDraft(page);
  const line = await preview(page);
  assert.match(line, /removed: 1, moved: 1, updated: 1/);
  const moved = page.locator('#preview li[data-change="moved"]');
  assert.match(await moved.innerText(), /Measuring QoE/);
  assert.match(await moved.innerText(), /Wed, Sep 8, 2021,? 14:20.*→.*Thu, Sep 9, 2021,? 14:00/s);
  assert.match(await page.locator('#preview li[data-change="updated"]').innerText(), /Opening\s*→\s*Opening and welcome/);
  // The README's picture: the days, one session open, and the preview.
  await collapseAll(page);
  await expand(sessionItem(page, 'Opening and welcome'));
  await screenshot(page, 'console-programme-editor');
  await audit(page, 'console-programme-editor');
  assert.equal(await previewAndPublish(page), 2);

  assert.deepEqual(await openVersions(page, id), [2, 1]);
  const v2 = page.locator('.versions > li[data-version="2"]');
  await v2.locator('li[data-change="removed"]').waitFor();
  assert.equal(await v2.locator('li[data-change]').count(), 3);
  assert.equal(await page.locator('.versions > li[data-version="1"] li[data-change="added"]').count(), 3);
  await screenshot(page, 'console-programme-versions');
  await audit(page, 'console-programme-versions');
  await done(page);
});

test('every field error from the API is shown at its session\'s input, and a failed save keeps the work', async () => {
  const id = await freshEvent();
  const page = await adminPage();
  await openEditor(page, id);
  await addSession(page, { title: 'First', id: 'first', start: '14:00', end: '15:00' });
  const second = await addSession(page, { title: 'Second', id: 'second', abstract: 'Kept after a failed save.', start: '15:00', end: '14:30' });
  await collapseAll(page);
  const res = await saveDraft(page, { ok: false });
  assert.equal(res.status(), 400);
  assert.ok((await res.json()).errors.some((e) => e.field === 'sessions[1].ends_at'));

  const ends = page.locator(`[name="${second.replace('.title', '.ends_at')}"]`);
  assert.equal(await ends.getAttribute('aria-invalid'), 'true');
  assert.ok(await ends.isVisible(), 'the session with the error is opened');
  const described = (await ends.getAttribute('aria-describedby')).split(' ');
  assert.match(await page.locator(`[id="${described.pop()}"]`).innerText(), /after starts_at/);
  const summary = page.locator('#programme-form .error-summary');
  assert.ok(await summary.evaluate((s) => s === document.activeElement), 'the summary takes focus');
  await summary.getByRole('link').first().click();
  assert.ok(await ends.evaluate((e) => e === document.activeElement), 'the summary links to the input');
  // Nothing typed was lost.
  assert.equal(await page.locator(`[name="${second.replace('.title', '.abstract')}"]`).inputValue(), 'Kept after a failed save.');
  assert.equal(await page.locator(`[name="${second}"]`).inputValue(), 'Second');
  await screenshot(page, 'console-programme-errors');

  // An overlap in one track is named at the later session's start.
  await ends.fill('15:30');
  const third = await addSession(page, { title: 'Third', id: 'third', day: '2021-09-08', start: '14:30', end: '15:00' });
  assert.equal((await saveDraft(page, { ok: false })).status(), 400);
  const start = page.locator(`[name="${third.replace('.title', '.starts_at')}"]`);
  assert.equal(await start.getAttribute('aria-invalid'), 'true');
  assert.equal(await ends.getAttribute('aria-invalid'), null, 'a fixed field is no longer marked');
  await start.fill('16:00');
  await start.blur();
  await saveDraft(page);
  assert.deepEqual((await draftOf(id)).sessions.map((s) => s.id), ['first', 'second', 'third']);
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
  await done(page);
});

test('leaving the editor with unsaved changes asks first, and staying keeps the work', async () => {
  const id = await freshEvent();
  const page = await adminPage();
  await openEditor(page, id);
  await addSession(page, { title: 'Not saved yet' });
  await page.locator('#event-nav').getByRole('link', { name: /versions/i }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: /cancel/i }).click();
  assert.match(page.url(), /\/admin\/programme\?/);
  assert.equal(await page.locator('input[name="sessions[0].title"]').inputValue(), 'Not saved yet');
  // Closing the tab or leaving the site asks through the browser's own prompt.
  let asked = false;
  page.on('dialog', async (d) => { asked = d.type() === 'beforeunload'; await d.dismiss(); });
  await page.close({ runBeforeUnload: true });
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(asked, 'a beforeunload prompt');
  await done(page);
});

test('removing a speaker still used explains where, and duplicating a session puts the copy after it', async () => {
  const id = await freshEvent();
  const page = await adminPage();
  await openEditor(page, id);
  await addSpeaker(page, { name: 'Li Wei', id: 'li' });
  await addSession(page, { title: 'Keynote', id: 'keynote', kind: 'keynote', start: '14:00', end: '14:45', speakers: [{ id: 'li', role: 'speaker' }] });
  await saveDraft(page);

  await sessionItem(page, 'Keynote').getByRole('button', { name: 'Duplicate' }).click();
  const copy = page.locator('input[name="sessions[1].title"]');
  assert.ok(await copy.evaluate((e) => e === document.activeElement), 'the copy opens with its title focused');
  assert.equal(await page.locator('input[name="sessions[1].id"]').inputValue(), 'keynote-1');
  assert.equal(await page.locator('input[name="sessions[1].starts_at"]').inputValue(), '14:45');
  assert.equal(await page.locator('input[name="sessions[1].ends_at"]').inputValue(), '15:30');
  await copy.fill('Keynote, second part');

  const li = speakerItem(page, 'Li Wei');
  await expand(li);
  await li.getByRole('button', { name: 'Remove the speaker' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Li Wei still speaks in sessions \(2\): Keynote, Keynote, second part/);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await saveDraft(page);
  const saved = await draftOf(id);
  assert.deepEqual(saved.speakers, []);
  assert.deepEqual(saved.sessions.map((s) => [s.id, s.speakers.length]), [['keynote', 0], ['keynote-1', 0]]);
  await done(page);
});

test('a viewer and a reviewer see the draft and its preview read-only, with nothing to save or publish', async () => {
  const id = await freshEvent();
  const { speakers, sessions } = await draftOf(SEED);
  assert.equal((await api('PUT', `/v1/admin/events/${id}/programme/draft`, { speakers, sessions }, ORGANISER_TOKEN)).status, 200);
  for (const [role, word] of [['viewer', 'lecteur'], ['reviewer', 'vérificateur']]) {
    const email = `${role}-${process.pid}@example.org`;
    const put = await api('PUT', `/v1/admin/events/${id}/team/${encodeURIComponent(email)}`, { role, name: `A ${role}` }, ORGANISER_TOKEN);
    assert.equal(put.status, 200, await put.text());
    const page = await newPage({ language: 'fr' });
    await signIn(page, email);
    await openEditor(page, id);
    await page.getByRole('heading', { name: 'Éditeur du programme' }).waitFor();
    assert.match(await page.locator('#read-only').innerText(), new RegExp(word));
    for (const control of ['#save-draft', '#add-session', '#add-speaker', '#publish']) {
      assert.equal(await page.locator(control).count(), 0, `${control} is hidden from a ${role}`);
    }
    const first = page.locator('details.session-item').first();
    await expand(first);
    assert.ok(await first.locator('input').first().isDisabled(), 'inputs are read-only');
    await page.locator('#show-preview').click();
    await page.locator('#preview-heading').waitFor();
    if (role === 'viewer') {
      await screenshot(page, 'console-programme-viewer');
      await audit(page, 'console-programme-viewer');
    }
    await done(page);
  }
});

test('the editor shows a problem, never a blank page, when the API fails or the session has expired', async () => {
  const page = await adminPage();
  await page.route('**/programme/draft', (route) => route.fulfill({
    status: 503, contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: 503, detail: 'The store is unavailable.' }),
  }));
  await page.goto(`${BASE}/admin/programme?event=${SEED}`);
  await ready(page);
  assert.match(await page.locator('#programme-failed').innerText(), /The draft could not be loaded\. The store is unavailable\./);
  await page.unroute('**/programme/draft');

  await page.evaluate((k) => sessionStorage.setItem(k, 'plo_expired-or-revoked-token-0000000000'), TOKEN_KEY);
  await page.goto(`${BASE}/admin/programme?event=${SEED}`);
  await page.waitForURL((u) => u.pathname === '/admin/sign-in' && u.searchParams.get('expired') === '1');
  await done(page);
});

test('a keyboard-only run adds a session, fills it, saves and publishes with Tab, Enter and Space', async () => {
  const id = await freshEvent();
  const page = await adminPage();
  await openEditor(page, id);
  await tabTo(page, '#add-session');
  await page.keyboard.press('Enter');
  assert.ok(await page.evaluate(() => document.activeElement.name === 'sessions[0].title'), 'the new session\'s title has the focus');
  await page.keyboard.type('Opening by keyboard');
  await tabTo(page, '[name="sessions[0].abstract"]');
  await page.keyboard.type('Typed without a mouse.');
  await tabTo(page, '#save-draft');
  const saved = page.waitForResponse((r) => r.url().endsWith('/programme/draft') && r.request().method() === 'PUT');
  await page.keyboard.press('Enter');
  assert.equal((await saved).status(), 200);
  await tabTo(page, '#show-preview');
  await page.keyboard.press('Space');
  await page.locator('#preview-heading:focus').waitFor();
  await tabTo(page, '#publish');
  await page.keyboard.press('Enter');
  await page.locator('dialog[open]').waitFor();
  const published = page.waitForResponse((r) => r.url().endsWith('/programme/publish'));
  await page.keyboard.press('Enter');
  assert.equal((await published).status(), 200);
  await page.locator('#published:focus').waitFor();
  // Previewing again: nothing left to publish, so no Publish button.
  await tabTo(page, '#show-preview');
  await page.keyboard.press('Enter');
  await page.getByText('Nothing to publish: the draft is the same as the published programme.').waitFor();
  assert.ok(await page.locator('#publish').isHidden());
  const programme = await (await api('GET', `/v1/events/${id}/programme`)).json();
  assert.equal(programme.days[0].sessions[0].title, 'Opening by keyboard');
  assert.equal(programme.days[0].sessions[0].starts_at, '2021-09-08T14:00:00+02:00');
  await done(page);
});

test('the editor fits a 360 px wide screen', async () => {
  const page = await adminPage({ width: 360, height: 780 });
  await openEditor(page, SEED);
  await page.locator('details.session-item summary').first().click();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling');
  await screenshot(page, 'console-programme-editor-360');
  await done(page);
});
