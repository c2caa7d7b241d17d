// The registrations and announcements steps of an organiser's day, driven as a person would:
// through the pages' labelled controls and the console's confirmation dialog. Each takes a page
// already signed in (harness.signIn) and the event's id.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const BASE = process.env.PLENARY_BASE;

/** Opens the registrations page, optionally filtered by `status`, and waits for its rows. */
export async function openRegistrations(page, eventId, { status } = {}) {
  await page.goto(`${BASE}/admin/registrations?event=${encodeURIComponent(eventId)}`);
  // Console.start marks the body once the page has drawn (here: the first page of rows).
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  if (status) {
    await page.getByLabel('Status', { exact: true }).selectOption(status);
    await page.waitForFunction((s) => !document.querySelector('#reg-loading')
      && [...document.querySelectorAll('#reg-table tbody tr')].every((tr) => tr.querySelector(`.status-${s}`)), status);
  }
}

async function act(page, eventId, name, action, confirmLabel) {
  await openRegistrations(page, eventId, { status: 'pending_approval' });
  const row = page.locator('#reg-table tbody tr', { has: page.locator('th', { hasText: name }) });
  await row.getByRole('button', { name: `${action} ${name}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: confirmLabel, exact: true }).click();
  return row;
}

/** Approves the pending registrant called `name` (given and family name); returns its new status text. */
export async function approve(page, eventId, name) {
  await act(page, eventId, name, 'Approve', 'Approve');
  const status = page.locator('#reg-table tbody tr', { has: page.locator('th', { hasText: name }) }).locator('td[data-col="status"]');
  await page.waitForFunction((n) => [...document.querySelectorAll('#reg-table tbody tr')]
    .some((tr) => tr.querySelector('th').textContent.includes(n) && !tr.querySelector('.status-pending_approval')), name);
  return (await status.textContent()).trim();
}

/** Rejects the pending registrant called `name`; returns its new status text. */
export async function reject(page, eventId, name) {
  await act(page, eventId, name, 'Reject', 'Reject');
  await page.waitForFunction((n) => [...document.querySelectorAll('#reg-table tbody tr')]
    .some((tr) => tr.querySelector('th').textContent.includes(n) && tr.querySelector('.status-rejected')), name);
  const row = page.locator('#reg-table tbody tr', { has: page.locator('th', { hasText: name }) });
  return (await row.locator('td[data-col="status"]').textContent()).trim();
}

/**
 * Writes and sends an announcement: `texts` maps languages to {subject, body} (English
 * required), `audience` is `confirmed` or `all`. Returns the recipients the page announced
 * and the preview's plain text in English, for comparing with the email.
 */
export async function sendAnnouncement(page, eventId, { texts, audience = 'confirmed' }) {
  const url = `${BASE}/admin/announcements?event=${encodeURIComponent(eventId)}`;
  // A page already open keeps what was written (leaving it would ask first).
  if (page.url() !== url) await page.goto(url);
  await page.locator('#ann-form').waitFor();
  for (const [lang, { subject, body }] of Object.entries(texts)) {
    await page.locator(`#tab-${lang}`).click();
    await page.locator(`#subject-${lang}`).fill(subject);
    await page.locator(`#body-${lang}`).fill(body);
  }
  await page.locator(`#tab-en`).click();
  await page.locator(`#aud-${audience}`).check();
  const preview = await previewText(page);
  await page.getByRole('button', { name: 'Send…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Send now' }).click();
  await page.getByText(/The announcement is on its way to \d+ recipients/).waitFor();
  const said = await page.getByText(/The announcement is on its way to \d+ recipients/).first().textContent();
  await page.locator('#ann-table tbody tr', { hasText: texts.en.subject }).waitFor();
  return { recipients: Number(said.match(/(\d+) recipients/)[1]), preview };
}

/** The announcement preview's plain text, once the API has rendered what was last typed. */
export async function previewText(page) {
  await page.locator('#ann-preview-mail:not([aria-busy])').waitFor();
  return page.locator('#preview-text').textContent();
}

/** Downloads the CSV through the page's button; returns its text. */
export async function downloadCsv(page, eventId) {
  await openRegistrations(page, eventId);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download all as CSV' }).click(),
  ]);
  const file = await download.path();
  assert.ok(file, 'the download was saved');
  return { name: download.suggestedFilename(), text: await readFile(file, 'utf8') };
}
