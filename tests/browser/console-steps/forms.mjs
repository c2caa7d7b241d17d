// The registration form's steps of an organiser's day, on the event form that is open
// (`/admin/event?…`): the form's own questions, a hybrid event's room and the per-domain limit;
// and a session's materials in the programme editor. Driven through labels and buttons.
import { expand, sessionItem } from './programme.mjs';

/**
 * Adds a question at the end: `{ id, kind, required?, label: { en, fr? }, options?: [{ id, label:
 * { en, fr? } }], max_length?, shown_if?: { question, equals } }`. The event's languages must be
 * ticked first (each gets a label input).
 */
export async function addQuestion(page, q) {
  await page.getByRole('button', { name: 'Add a question', exact: true }).click();
  const n = (await page.locator('fieldset.question').count()) - 1;
  const at = (name) => page.locator(`[name="questions.${n}.${name}"]`);
  await at('id').fill(q.id);
  if (q.kind !== 'choice') await at('kind').selectOption(q.kind);
  if (q.required) await at('required').check();
  for (const [l, text] of Object.entries(q.label)) await at(`label.${l}`).fill(text);
  for (const [j, o] of (q.options || []).entries()) {
    if (j > 0) await page.locator(`fieldset.question >> nth=${n}`).getByRole('button', { name: 'Add an option', exact: true }).click();
    await at(`options.${j}.id`).fill(o.id);
    for (const [l, text] of Object.entries(o.label)) await at(`options.${j}.label.${l}`).fill(text);
  }
  if (q.max_length) await at('max_length').fill(String(q.max_length));
  if (q.shown_if) {
    await at('shown_if.question').selectOption(q.shown_if.question);
    await at('shown_if.equals').selectOption(String(q.shown_if.equals));
  }
  return n;
}

/** Fills a hybrid event's room: `{ capacity?, waitlist?, venue?, address? }` (the format must be hybrid). */
export async function setRoom(page, room) {
  if (room.capacity !== undefined) await page.getByLabel('Seats in the room').fill(String(room.capacity));
  if (room.waitlist !== undefined) await page.getByLabel('Keep a waiting list for the room').setChecked(room.waitlist);
  if (room.venue !== undefined) await page.getByLabel('Venue', { exact: true }).fill(room.venue);
  if (room.address !== undefined) await page.getByLabel('Venue address').fill(room.address);
}

/** Sets (or empties, with '') the limit of registrations per email domain per hour. */
export async function setPerDomainLimit(page, limit) {
  await page.getByLabel('Registrations per email domain per hour').fill(String(limit));
}

/** Adds a material `{ title, kind?, url, language? }` to the session titled `session` in the editor. */
export async function addMaterial(page, session, m) {
  const item = await expand(sessionItem(page, session));
  await item.getByRole('button', { name: 'Add a material', exact: true }).click();
  const row = item.locator('.material-row').last();
  await row.getByLabel('Material title').fill(m.title);
  if (m.kind) await row.getByLabel('Kind', { exact: true }).selectOption(m.kind);
  await row.getByLabel('Address (URL)').fill(m.url);
  if (m.language) await row.getByLabel('Language', { exact: true }).selectOption(m.language);
}
