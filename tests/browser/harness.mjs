// What every browser test shares: Playwright's library (playwright-core) driving Debian's
// Chromium against the plenary-local that scripts/browser-test.sh started (PLENARY_BASE).
// Pages fail their test on a CSP violation or a script error (`done`); `audit` runs axe-core;
// `signIn` goes through the emailed link, as an organiser would.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

export const BASE = process.env.PLENARY_BASE;
export const ORGANISER_TOKEN = process.env.PLENARY_ORGANISER_TOKEN || 'test-organiser-token-0123456789abcdefghijkl';
export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** The administrator plenary-local seeds at start-up. */
export const LOCAL_ADMIN = 'admin@plenary.local';
/** Where a console session's bearer lives (one tab's sessionStorage). */
export const TOKEN_KEY = 'plenary.console.token';

let browser;
// Content-Security-Policy violations and uncaught errors since the last `done`.
let faults = [];

/** The one browser of this test file (started on first use); `close()` in an `after` hook. */
export async function launch() {
  assert.ok(BASE, 'PLENARY_BASE must name a running plenary-local (scripts/browser-test.sh sets it)');
  mkdirSync(ARTIFACTS, { recursive: true });
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  return browser;
}

export async function close() {
  await browser?.close();
  browser = undefined;
}

/** A fresh browser profile; `language` is stored as the reader's choice unless null. */
export async function newPage({ language = 'en', timezoneId = 'America/New_York', locale = 'en-US', width = 1100, height = 900 } = {}) {
  const context = await (await launch()).newContext({ timezoneId, locale, viewport: { width, height }, acceptDownloads: true });
  if (language) {
    await context.addInitScript((l) => localStorage.setItem('plenary.language', l), language);
  }
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  watch(page);
  return page;
}

/** Counts `page`'s CSP violations and script errors as faults (newPage does it for its page). */
export function watch(page) {
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) faults.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => faults.push(`page error: ${e.message}`));
}

/** Closes the page's profile and fails if any page had a CSP violation or a script error. */
export async function done(page) {
  await page.context().close();
  const found = faults;
  faults = [];
  assert.deepEqual(found, [], 'no CSP violations or script errors');
}

export async function screenshot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core over what `page` shows now (WCAG 2.x A and AA rules), in a context of its own with
 * the CSP bypassed so the audit's script can run; the page's own context keeps the strict CSP.
 * Fails on serious or critical violations; writes every finding to artifacts/<name>.axe.json.
 */
export async function audit(page, name) {
  const url = page.url();
  const storage = await page.evaluate(() => ({ session: { ...sessionStorage }, local: { ...localStorage } }));
  const viewport = page.viewportSize();
  const context = await (await launch()).newContext({ bypassCSP: true, viewport });
  await context.addInitScript((s) => {
    for (const [k, v] of Object.entries(s.session)) sessionStorage.setItem(k, v);
    for (const [k, v] of Object.entries(s.local)) localStorage.setItem(k, v);
  }, storage);
  const copy = await context.newPage();
  try {
    await copy.goto(url);
    await copy.waitForFunction(() => document.body.dataset.ready === 'true' || !document.querySelector('.console'), null, { timeout: 15_000 })
      .catch(() => {});
    await copy.waitForLoadState('networkidle');
    await copy.addScriptTag({ content: AXE });
    const result = await copy.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${ARTIFACTS}${name}.axe.json`, JSON.stringify(result.violations, null, 1));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
    assert.deepEqual(bad, [], `${name}: no serious or critical accessibility violations`);
    return result.violations;
  } finally {
    await context.close();
  }
}

/** A raw API call (redirects not followed): the fetch Response. `bearer` defaults to none. */
export async function api(method, path, body, bearer) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  return fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
}

/** The outbox's messages (after one run of the notifications job), only `kind` when given. */
export async function outbox(kind) {
  assert.equal((await api('POST', '/_local/notifications/run')).status, 200);
  const { messages } = await (await api('GET', '/_local/outbox')).json();
  return kind ? messages.filter((m) => m.kind === kind) : messages;
}

/** Resolves when the console page has drawn (Console.start sets body[data-ready]). */
export async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/**
 * Signs `email` in as an organiser would: the sign-in form, the link from the outbox, then
 * `/admin/` (or `next`). An address may ask five times an hour, so tests use their own.
 */
export async function signIn(page, email, { next } = {}) {
  const before = (await outbox('organiser_sign_in')).length;
  await page.goto(`${BASE}/admin/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.fill('#f-email', email);
  await page.click('#sign-in-submit');
  await page.locator('#check-email').waitFor();
  let mail;
  for (let i = 0; i < 50 && !mail; i++) {
    mail = (await outbox('organiser_sign_in')).slice(before)
      .filter((m) => m.to.toLowerCase() === email.toLowerCase()).pop();
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, `a sign-in email to ${email} (is it an organiser? at most 5 an hour)`);
  const link = mail.text.match(/https?:\/\/\S+?\/admin\/sign-in\?token=[A-Za-z0-9_-]+/);
  assert.ok(link, `a sign-in link in: ${mail.text}`);
  await page.goto(link[0]);
  await page.waitForURL((u) => u.pathname === (next ? new URL(next, BASE).pathname : '/admin/'));
  await ready(page);
  return link[0];
}

/** Signs the seeded local administrator in at once, through the banner's `/_local/sign-in`. */
export async function signInAsLocalAdmin(page, { next } = {}) {
  await page.goto(`${BASE}/_local/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.waitForURL((u) => u.pathname === (next ? new URL(next, BASE).pathname : '/admin/'));
  await ready(page);
}

/** The first sign-in after a deployment: the deployment token on the sign-in page. */
export async function signInWithDeploymentToken(page, token = ORGANISER_TOKEN) {
  await page.goto(`${BASE}/admin/sign-in`);
  await page.click('#deployment summary');
  await page.fill('#f-token', token);
  await page.click('#deployment-submit');
  await page.waitForURL((u) => u.pathname === '/admin/');
  await ready(page);
}

/** The bearer the console holds in `page`'s tab, for API calls as that person. */
export async function bearerOf(page) {
  return page.evaluate((k) => sessionStorage.getItem(k), TOKEN_KEY);
}

/** Time to interactive of the page just loaded, from the Performance API (ms): until drawn. */
export async function timeToInteractive(page) {
  await ready(page);
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('console-ready')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    return Math.round(mark ? mark.startTime : nav.domContentLoadedEventEnd);
  });
}

/** Presses Tab (only Tab) until `selector` has the focus, as a keyboard-only organiser would. */
export async function tabTo(page, selector) {
  for (let i = 0; i < 400; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/** Confirms `email`'s registration through the link in its confirmation email: `{ token, status }`. */
export async function confirmByMail(email) {
  let mail;
  for (let i = 0; i < 50 && !mail; i++) {
    mail = (await outbox('confirmation')).filter((m) => m.to === email).pop();
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, `a confirmation email to ${email}`);
  const token = mail.text.match(/\/registration\/confirm\?token=([A-Za-z0-9_-]+)/)[1];
  const res = await api('POST', '/v1/registrations/confirm', { token });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return { token, status: JSON.parse(text).status };
}
