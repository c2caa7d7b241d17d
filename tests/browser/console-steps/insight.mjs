// The insight pages' steps for an organiser's day (admin-day.test.mjs) and for
// admin-insight.test.mjs: the team, personal tokens, the dashboard and the audit log, each done
// through the console as a person would (forms, buttons, the confirmation dialog).
import assert from 'node:assert/strict';
import { BASE, ready } from '../harness.mjs';

function eventOf(page, event) {
  const id = event || new URL(page.url()).searchParams.get('event');
  assert.ok(id, 'an event id (pass { event } or be on an event page)');
  return id;
}

async function open(page, path) {
  await page.goto(`${BASE}${path}`);
  await ready(page);
}

/** The cells of the table with `caption` text (or the locator `table`), as rows of strings. */
export async function tableRows(table) {
  return table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
}

/** Confirms the console's dialog (its confirm button is the first). */
async function confirmDialog(page) {
  const dialog = page.locator('dialog.console-dialog');
  await dialog.waitFor();
  await dialog.locator('button').first().click();
  await dialog.waitFor({ state: 'detached' });
}

/** Opens the team page of `event` (or the current page's) and adds `email` with `role`. */
export async function addMember(page, email, role, { event, name } = {}) {
  await open(page, `/admin/team?event=${encodeURIComponent(eventOf(page, event))}`);
  await page.fill('#member-email', email);
  if (name) await page.fill('#member-name', name);
  await page.selectOption('#member-role', role);
  await page.click('#add-member-submit');
  await page.locator('#team-list tr', { hasText: email }).waitFor();
  await page.locator('#console-status', { hasText: email }).waitFor();
}

/** On the team page: gives `email` the role `role`. */
export async function changeRole(page, email, role) {
  const row = page.locator('#team-list tr', { hasText: email });
  await row.locator('select').selectOption(role);
  await row.locator('[data-action="change-role"]').click();
  await page.locator('#console-status', { hasText: email }).waitFor();
}

/** On the team page: removes `email` after the confirmation. */
export async function removeMember(page, email) {
  await page.locator('#team-list tr', { hasText: email }).locator('[data-action="remove"]').click();
  await confirmDialog(page);
  await page.locator('#team-list tr', { hasText: email }).waitFor({ state: 'detached' });
}

/** Creates a personal token on /admin/tokens; resolves to the secret shown once. */
export async function createToken(page, name, { readOnly = false, expires } = {}) {
  await open(page, '/admin/tokens');
  await page.fill('#token-name', name);
  if (readOnly) await page.check('#token-read-only');
  if (expires) await page.fill('#token-expiry', expires);
  await page.click('#create-token-submit');
  const secret = page.locator('#token-secret');
  await secret.waitFor();
  await page.locator('#token-list tr', { hasText: name }).waitFor();
  return secret.inputValue();
}

/** On /admin/tokens: revokes the token named `name` after the confirmation. */
export async function revokeToken(page, name) {
  await page.locator('#token-list tr', { hasText: name }).locator('[data-action="revoke"]').click();
  await confirmDialog(page);
  await page.locator('#token-list tr', { hasText: name }).waitFor({ state: 'detached' });
}

/**
 * Opens the dashboard of `event`; resolves to its tables by chart id (`chart-days`,
 * `chart-status`, …), each `{ key: value }` by the API's own keys.
 */
export async function readDashboard(page, event) {
  await open(page, `/admin/dashboard?event=${encodeURIComponent(eventOf(page, event))}`);
  return page.locator('.chart-card').evaluateAll((cards) => Object.fromEntries(cards.map((card) => [card.id,
    Object.fromEntries([...card.querySelectorAll('tbody tr')].filter((r) => r.querySelector('[data-key]'))
      .map((r) => [r.querySelector('[data-key]').dataset.key, Number(r.cells[1].textContent)]))])));
}

/** Opens the audit page of `event`; resolves to its rows (when, who, action, target, summary). */
export async function readAudit(page, event) {
  await open(page, `/admin/audit?event=${encodeURIComponent(eventOf(page, event))}`);
  return tableRows(page.locator('#audit-log'));
}
