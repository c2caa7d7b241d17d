// The console area's steps (sign-in, events, join details) for an organiser's day: functions of
// `(page, …)` that drive the pages as an organiser would, used by admin-console.test.mjs and
// admin-day.test.mjs. Times are wall times in the event's zone, as the forms take them.
import assert from 'node:assert/strict';
import { BASE, ready, signIn, signInAsLocalAdmin, signInWithDeploymentToken } from '../harness.mjs';

export { signIn, signInAsLocalAdmin, signInWithDeploymentToken };

/** Signs out with the header's button; resolves on the sign-in page. */
export async function signOut(page) {
  await page.click('#sign-out');
  await page.waitForURL((u) => u.pathname === '/admin/sign-in');
  await ready(page);
}

/**
 * Fills the event form that is open (`/admin/event?…`) with `fields`: any of `id`, `title`,
 * `description`, `timezone`, `starts_at`, `ends_at` (`YYYY-MM-DDTHH:MM` in the event's zone),
 * `format`, `visibility`, `languages` (list), `opens_at`, `closes_at`, `capacity`, `waitlist`,
 * `approval_required`, `categories` (list), `member_states_only`, `contact_name`,
 * `contact_email`, `reminders` (text).
 */
export async function fillEventForm(page, fields) {
  const text = { id: 'f-id', title: 'f-title', description: 'f-description', timezone: 'f-timezone',
    starts_at: 'f-starts_at', ends_at: 'f-ends_at', opens_at: 'f-registration-opens_at',
    closes_at: 'f-registration-closes_at', capacity: 'f-capacity', contact_name: 'f-contact-name',
    contact_email: 'f-contact-email', reminders: 'f-reminders' };
  for (const [key, id] of Object.entries(text)) {
    if (fields[key] !== undefined) await page.fill(`#${id}`, String(fields[key]));
  }
  if (fields.format) await page.selectOption('#f-format', fields.format);
  if (fields.visibility) await page.selectOption('#f-visibility', fields.visibility);
  for (const [key, id] of [['waitlist', 'f-waitlist'], ['approval_required', 'f-approval_required'],
    ['member_states_only', 'f-eligibility-itu_member_states_only']]) {
    if (fields[key] !== undefined) await page.setChecked(`#${id}`, Boolean(fields[key]));
  }
  for (const [key, name] of [['languages', 'languages'], ['categories', 'eligibility.categories']]) {
    if (!fields[key]) continue;
    for (const box of await page.locator(`input[name="${name}"]`).all()) {
      await box.setChecked(fields[key].includes(await box.getAttribute('value')));
    }
  }
}

/** Submits the event form and waits for the answer: the settings page of `id` or a message. */
export async function submitEventForm(page) {
  await page.click('#event-submit');
}

/**
 * Creates an event through `/admin/event?new=1` (an administrator's page) and lands on its
 * settings. Defaults: a two-day public virtual event in Europe/Zurich in 2021, as the seed's.
 */
export async function createEvent(page, fields) {
  const f = {
    timezone: 'Europe/Zurich', starts_at: '2021-10-05T14:00', ends_at: '2021-10-06T16:30',
    visibility: 'public', ...fields,
  };
  assert.ok(f.id && f.title, 'createEvent needs an id and a title');
  await page.goto(`${BASE}/admin/event?new=1`);
  await ready(page);
  await fillEventForm(page, f);
  await submitEventForm(page);
  await page.waitForURL((u) => u.searchParams.get('event') === f.id);
  await ready(page);
  return f.id;
}

/** Starts a new event from a copy of `sourceId` (the events list's link), with `fields`. */
export async function copyEvent(page, sourceId, fields) {
  await page.goto(`${BASE}/admin/`);
  await ready(page);
  await page.click(`a.copy[href="/admin/event?copy=${sourceId}"]`);
  await ready(page);
  await fillEventForm(page, fields);
  await submitEventForm(page);
  await page.waitForURL((u) => u.searchParams.get('event') === fields.id);
  await ready(page);
  return fields.id;
}

/**
 * Saves an event's join details on `/admin/join?event=ID`: `url`, `passcode`, `dial_in`,
 * `instructions`, `release_at` (wall time in the event's zone). Resolves once saved.
 */
export async function setJoinInfo(page, eventId, info) {
  await page.goto(`${BASE}/admin/join?event=${encodeURIComponent(eventId)}`);
  await ready(page);
  for (const name of ['url', 'passcode', 'dial_in', 'instructions', 'release_at']) {
    if (info[name] !== undefined) await page.fill(`#f-${name}`, info[name]);
  }
  await page.click('#join-submit');
  await page.locator('#console-status:not([hidden]), #console-alert:not([hidden]), #join-form .error-summary:not([hidden])').first().waitFor();
  return page.getAttribute('#join-state', 'data-state');
}
