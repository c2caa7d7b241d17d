// The programme editor's steps of an organiser's day, as functions of the page: each works on
// /admin/programme?event=ID the way a person does (labels, buttons), and leaves the page there.
import assert from 'node:assert/strict';
import { BASE, ready } from '../harness.mjs';

/** Opens the editor of `eventId` and waits until the draft is drawn. */
export async function openEditor(page, eventId) {
  await page.goto(`${BASE}/admin/programme?event=${encodeURIComponent(eventId)}`);
  await ready(page);
  await page.locator('#programme-form').waitFor();
}

/** The <details> of the session whose title (or id) is `name`. */
export function sessionItem(page, name) {
  return page.locator('details.session-item').filter({ has: page.locator('summary .label', { hasText: name }) });
}

/** Opens a session's or speaker's <details> unless it is open already; returns it. */
export async function expand(item) {
  if (!(await item.evaluate((d) => d.open))) await item.locator('summary').click();
  return item;
}

/** Closes every open session and speaker. */
export async function collapseAll(page) {
  await page.locator('#programme-form details[open] > summary').evaluateAll((list) => list.forEach((s) => s.click()));
}

export function speakerItem(page, name) {
  return page.locator('details.speaker-item').filter({ has: page.locator('summary .label', { hasText: name }) });
}

/** Adds a speaker: `{ name, id?, affiliation?, bio? }`. */
export async function addSpeaker(page, { name, id, affiliation, bio }) {
  await page.getByRole('button', { name: 'Add a speaker', exact: true }).click();
  const item = page.locator('details.speaker-item[open]').last();
  await item.getByLabel('Name', { exact: true }).fill(name);
  if (id) await item.getByLabel('Identifier').fill(id);
  if (affiliation) await item.getByLabel('Affiliation').fill(affiliation);
  if (bio) await item.getByLabel('Biography').fill(bio);
}

/**
 * Adds a session: `{ title, id?, day? (YYYY-MM-DD), start? (HH:MM), end?, kind?, track?, abstract?,
 * speakers?: [{ id, role }] }`. Times are in the event's zone, as the editor shows them.
 */
export async function addSession(page, s) {
  await page.getByRole('button', { name: 'Add a session', exact: true }).click();
  const title = page.locator('details.session-item[open] input[name$="].title"]:focus');
  await title.waitFor();
  const name = await title.getAttribute('name');
  const at = (field) => page.locator(`[name="${name.replace('.title', `.${field}`)}"]`);
  await title.fill(s.title);
  if (s.id) await at('id').fill(s.id);
  if (s.kind) await at('kind').selectOption(s.kind);
  if (s.track) await at('track').fill(s.track);
  if (s.abstract) await at('abstract').fill(s.abstract);
  if (s.day) await at('day').selectOption(s.day);
  if (s.start) { await at('starts_at').fill(s.start); await at('starts_at').blur(); }
  if (s.end) await at('ends_at').fill(s.end);
  for (const [j, sp] of (s.speakers || []).entries()) {
    const item = page.locator('details.session-item').filter({ has: page.locator(`[name="${name}"]`) });
    await item.getByRole('button', { name: 'Add a speaker to this session' }).click();
    const prefix = name.replace('.title', `.speakers[${j}]`);
    await page.locator(`[name="${prefix}.id"]`).selectOption(sp.id);
    if (sp.role) await page.locator(`[name="${prefix}.role"]`).fill(sp.role);
  }
  return name;
}

/** Saves the draft and waits for the API's answer; `ok: false` expects the field errors. */
export async function saveDraft(page, { ok = true } = {}) {
  const answer = page.waitForResponse((r) => r.url().endsWith('/programme/draft') && r.request().method() === 'PUT');
  await page.getByRole('button', { name: 'Save the draft' }).click();
  const res = await answer;
  assert.equal(res.status() === 200, ok, `save answered ${res.status()}: ${await res.text()}`);
  if (ok) await page.locator('#save-draft:focus').waitFor();
  else await page.locator('#programme-form .error-summary:not([hidden])').waitFor();
  return res;
}

/** Shows the preview; returns its summary line ('' when there is nothing to publish). */
export async function preview(page) {
  await page.getByRole('button', { name: 'Preview the changes' }).click();
  await page.locator('#preview-heading').waitFor();
  const summary = page.locator('#preview-summary');
  return (await summary.count()) ? summary.innerText() : '';
}

/** Previews, checks the count of sessions named, publishes with the confirmation; returns the version. */
export async function previewAndPublish(page, { expect } = {}) {
  const line = await preview(page);
  if (expect) assert.match(line, expect);
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  const answer = page.waitForResponse((r) => r.url().endsWith('/programme/publish'));
  await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
  const res = await answer;
  assert.equal(res.status(), 200, await res.text());
  await page.locator('#published').waitFor();
  return (await res.json()).version;
}

/** Opens the versions page and returns the versions it lists, newest first. */
export async function openVersions(page, eventId) {
  await page.goto(`${BASE}/admin/versions?event=${encodeURIComponent(eventId)}`);
  await ready(page);
  await page.locator('.versions, #versions-empty').first().waitFor();
  await page.locator('.version-changes [aria-busy]').first().waitFor({ state: 'detached' }).catch(() => {});
  return page.locator('.versions > li').evaluateAll((items) => items.map((li) => Number(li.dataset.version)));
}
