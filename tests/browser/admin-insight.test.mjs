// The console's dashboard, team, personal tokens, audit and organisers pages in Chromium against
// a real plenary-local (scripts/browser-test.sh): what each shows matches the API, a member's
// console hides what their role may not do, a token's secret is shown once and works, every
// page passes axe and leaves a screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';
import * as steps from './console-steps/insight.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done, ready, screenshot, audit } = harness;
const EVENT = 'qos-workshop-2021';

before(harness.launch);
after(harness.close);

async function json(method, path, body, bearer = ORGANISER_TOKEN) {
  const res = await harness.api(method, path, body, bearer);
  return { status: res.status, body: res.status === 204 ? null : await res.json().catch(() => null) };
}

async function register(email, { country = 'CH', category = 'academia', language = 'en' } = {}) {
  const res = await harness.api('POST', `/v1/events/${EVENT}/registrations`, {
    email, given_name: 'Ada', family_name: 'Lovelace', country, organisation: 'Analytical Engines',
    category, language, consent: true,
  });
  assert.equal(res.status, 202, `registration of ${email}`);
}

async function adminPage(opts) {
  const page = await newPage(opts);
  await harness.signInAsLocalAdmin(page);
  return page;
}

test('the dashboard charts every count of the stats, with tables that match them', async () => {
  await register('dash-1@example.org', { country: 'CH' });
  await register('dash-2@example.org', { country: 'FR', category: 'individual', language: 'fr' });
  await register('dash-3@example.org', { country: 'FR', language: 'fr' });
  await harness.api('POST', '/_local/clock?advance=PT30H');
  await register('dash-4@example.org', { country: 'KE', language: 'es' });
  await harness.outbox();
  const stats = (await json('GET', `/v1/admin/events/${EVENT}/stats`)).body;
  assert.ok(Object.keys(stats.registrations_by_day).length >= 2, 'registrations on two days');

  const page = await adminPage();
  const tables = await steps.readDashboard(page, EVENT);
  // Every day from the first to the last, the days without one as 0.
  const days = Object.fromEntries(Object.entries(tables['chart-days']).filter(([, v]) => v));
  assert.deepEqual(days, stats.registrations_by_day);
  const sum = Object.values(tables['chart-days']).reduce((a, b) => a + b, 0);
  assert.equal(sum, stats.total);
  assert.deepEqual(tables['chart-status'], stats.by_status);
  assert.deepEqual(tables['chart-category'], stats.by_category);
  assert.deepEqual(tables['chart-language'], stats.by_language);
  assert.deepEqual(tables['chart-mail'], stats.emails);
  const top = Object.entries(stats.by_country).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 10);
  assert.deepEqual(tables['chart-country'], Object.fromEntries(top));
  assert.equal(await page.textContent('[data-fact="total"]'), String(stats.total));
  // Each chart is an image with a name, its values written beside the bars, not left to colour.
  for (const id of ['chart-days', 'chart-status', 'chart-category', 'chart-country', 'chart-language', 'chart-mail']) {
    const svg = page.locator(`#${id} svg[role="img"]`);
    assert.ok((await svg.getAttribute('aria-label')).length > 3, `${id} has a name`);
  }
  const values = await page.locator('#chart-country .chart-value').allTextContents();
  assert.deepEqual(values, top.map(([, v]) => String(v)));
  assert.match(await page.textContent('#chart-days h2'), /Europe\/Zurich/);
  await page.locator('#chart-days summary').click();
  await screenshot(page, 'console-dashboard');
  await audit(page, 'console-dashboard');

  // 360 px wide: nothing makes the page scroll sideways.
  await page.setViewportSize({ width: 360, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `no sideways scrolling at 360 px (${overflow} px)`);
  await screenshot(page, 'console-dashboard-360');
  await done(page);
});

test('the dashboard is in French, and an unknown event is a problem, not a blank page', async () => {
  const page = await adminPage({ language: 'fr' });
  await steps.readDashboard(page, EVENT);
  assert.equal(await page.textContent('main h1'), 'Tableau de bord');
  assert.match(await page.textContent('#chart-status h2'), /Par statut/);
  await page.goto(`${BASE}/admin/dashboard?event=no-such-event`);
  await ready(page);
  assert.ok((await page.textContent('main h1')).length > 0);
  assert.ok((await page.textContent('main .problem')).length > 0);
  await done(page);
});

test('a member added with a role signs in and sees their console hide what the role may not do', async () => {
  const admin = await adminPage();
  const email = 'insight-viewer@example.org';
  await steps.addMember(admin, email, 'viewer', { event: EVENT, name: 'Vera Viewer' });
  const team = (await json('GET', `/v1/admin/events/${EVENT}/team`)).body.members;
  assert.equal(team.find((m) => m.email === email).role, 'viewer');
  assert.equal(team.find((m) => m.email === email).name, 'Vera Viewer');
  await screenshot(admin, 'console-team');
  await audit(admin, 'console-team');

  const member = await newPage();
  await harness.signIn(member, email);
  await member.goto(`${BASE}/admin/team?event=${EVENT}`);
  await ready(member);
  assert.ok(await member.isVisible('#team-read-only'));
  assert.equal(await member.locator('#add-member').count(), 0, 'no form to add a member');
  assert.equal(await member.locator('[data-action="remove"], [data-action="change-role"]').count(), 0);
  assert.ok(await member.isVisible(`#team-list tr:has-text("${email}")`));
  const nav = await member.locator('#event-nav a').allTextContents();
  assert.ok(nav.includes('Dashboard') && nav.includes('Team'), nav.join());
  assert.ok(!nav.includes('Audit log') && !nav.includes('Registrations'), nav.join());
  await member.goto(`${BASE}/admin/audit?event=${EVENT}`);
  await ready(member);
  assert.ok(await member.isVisible('#audit-forbidden'));
  // The page hides what the API refuses: this bearer gets 403 there.
  assert.equal((await json('GET', `/v1/admin/events/${EVENT}/audit`, undefined, await harness.bearerOf(member))).status, 403);
  await member.goto(`${BASE}/admin/organisers`);
  await ready(member);
  assert.ok(await member.isVisible('#organisers-forbidden'));
  await steps.readDashboard(member, EVENT);
  assert.ok(await member.isVisible('#chart-status svg'));

  // A manager now: the same tab's next page offers the team's controls.
  await admin.goto(`${BASE}/admin/team?event=${EVENT}`);
  await ready(admin);
  await steps.changeRole(admin, email, 'manager');
  await member.goto(`${BASE}/admin/team?event=${EVENT}`);
  await ready(member);
  assert.ok(await member.isVisible('#add-member'));
  assert.ok(await member.isVisible('[data-action="remove"]'));

  // Removed after the confirmation (cancelling first changes nothing).
  await admin.locator(`#team-list tr:has-text("${email}") [data-action="remove"]`).click();
  await admin.locator('dialog.console-dialog button.secondary').click();
  assert.ok(await admin.isVisible(`#team-list tr:has-text("${email}")`));
  await steps.removeMember(admin, email);
  const after = (await json('GET', `/v1/admin/events/${EVENT}/team`)).body.members;
  assert.ok(!after.some((m) => m.email === email));
  await member.goto(`${BASE}/admin/team?event=${EVENT}`);
  await ready(member);
  assert.ok((await member.textContent('main .problem')).length > 0, 'the removed member is told, not shown a blank page');
  await done(member);
  await done(admin);
});

test('a personal token is shown once, works against the API, is listed with its last use and revoked', async () => {
  const page = await adminPage();
  const secret = await steps.createToken(page, 'insight export script');
  assert.ok(secret.length > 20);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'token-secret', 'the secret is selected to copy');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.click('#copy-token');
  await page.locator('#copy-status', { hasText: /./ }).waitFor();
  await screenshot(page, 'console-tokens');
  await audit(page, 'console-tokens');

  const me = await json('GET', '/v1/admin/me', undefined, secret);
  assert.equal(me.status, 200);
  assert.equal(me.body.email, harness.LOCAL_ADMIN);
  await page.reload();
  await ready(page);
  assert.equal(await page.locator('#token-secret').count(), 0, 'the secret is not shown again');
  assert.ok(!(await page.content()).includes(secret));
  const row = page.locator('#token-list tr', { hasText: 'insight export script' });
  assert.ok(!(await row.textContent()).includes('Never'), 'its last use is listed');

  const readOnly = await steps.createToken(page, 'insight read-only', { readOnly: true });
  assert.equal((await json('GET', `/v1/admin/events/${EVENT}/stats`, undefined, readOnly)).status, 200);
  assert.equal((await json('PUT', `/v1/admin/events/${EVENT}/team/ro@example.org`, { role: 'viewer' }, readOnly)).status, 403);
  assert.match(await page.textContent('#token-list tr:has-text("insight read-only")'), /Read-only/);

  await steps.revokeToken(page, 'insight export script');
  assert.equal((await json('GET', '/v1/admin/me', undefined, secret)).status, 401);
  await steps.revokeToken(page, 'insight read-only');
  await done(page);
});

test('the deployment token is told it cannot create tokens', async () => {
  const page = await newPage();
  await harness.signInWithDeploymentToken(page);
  await page.goto(`${BASE}/admin/tokens`);
  await ready(page);
  assert.ok(await page.isVisible('#tokens-deployment'));
  assert.equal(await page.locator('#create-token').count(), 0);
  await done(page);
});

test('the audit log lists team changes newest first and pages through the cursor', async () => {
  for (let i = 0; i < 27; i++) {
    const res = await json('PUT', `/v1/admin/events/${EVENT}/team/audit-${i}@example.org`, { role: 'viewer' });
    assert.equal(res.status, 200);
  }
  const page = await adminPage();
  const rows = await steps.readAudit(page, EVENT);
  assert.equal(rows.length, 25, 'one page');
  assert.match(rows[0][3], /audit-26@example\.org/, 'newest first');
  assert.match(rows[0][1], /Deployment token/);
  const api = (await json('GET', `/v1/admin/events/${EVENT}/audit?limit=25`)).body.entries;
  assert.deepEqual(rows.map((r) => r[2]), api.map((e) => e.action));
  await screenshot(page, 'console-audit');
  await audit(page, 'console-audit');
  await page.click('[data-action="more"]');
  await page.waitForFunction(() => document.querySelectorAll('#audit-log tbody tr').length > 25);
  const all = await steps.tableRows(page.locator('#audit-log'));
  assert.ok(all.some((r) => /audit-0@example\.org/.test(r[3])), 'the oldest change is on the next page');
  // The two pages are the API's two pages, in order, nothing twice or left out.
  const first = (await json('GET', `/v1/admin/events/${EVENT}/audit?limit=25`)).body;
  const second = (await json('GET', `/v1/admin/events/${EVENT}/audit?limit=25&cursor=${first.next_cursor}`)).body;
  const both = [...first.entries, ...second.entries];
  assert.deepEqual(all.map((r) => [r[2], r[3]]), both.map((e) => [e.action, e.target]));
  const times = await page.locator('#audit-log time').evaluateAll((ts) => ts.map((x) => x.getAttribute('datetime')));
  assert.deepEqual(times, both.map((e) => e.at));
  await done(page);
});

test('an administrator adds, promotes and removes a person and reads the installation audit', async () => {
  const page = await adminPage();
  await page.goto(`${BASE}/admin/organisers`);
  await ready(page);
  assert.ok(await page.isVisible(`#organiser-list tr:has-text("${harness.LOCAL_ADMIN}")`));
  const email = 'insight-person@example.org';
  await page.fill('#organiser-email', email);
  await page.fill('#organiser-name', 'Pat Person');
  await page.click('#add-organiser-submit');
  const row = page.locator('#organiser-list tr', { hasText: email });
  await row.waitFor();
  await row.locator('[data-action="promote"]').click();
  await page.locator('#organiser-list tr', { hasText: email }).locator('[data-action="demote"]').waitFor();
  let people = (await json('GET', '/v1/admin/organisers')).body.organisers;
  assert.equal(people.find((o) => o.email === email).administrator, true);
  await page.waitForFunction(() => document.querySelectorAll('#installation-log tbody tr').length > 0);
  const log = await steps.tableRows(page.locator('#installation-log'));
  assert.ok(log.some((r) => r[3].includes(email)), 'the installation log names the person');
  await screenshot(page, 'console-organisers');
  await audit(page, 'console-organisers');
  await page.locator('#organiser-list tr', { hasText: email }).locator('[data-action="remove"]').click();
  await page.locator('dialog.console-dialog button').first().click();
  await page.locator('#organiser-list tr', { hasText: email }).waitFor({ state: 'detached' });
  people = (await json('GET', '/v1/admin/organisers')).body.organisers;
  assert.ok(!people.some((o) => o.email === email));
  await done(page);
});

test('an expired session on an insight page goes back to sign-in with a message', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/admin/sign-in`);
  await page.evaluate((k) => sessionStorage.setItem(k, 'not-a-session-token'), harness.TOKEN_KEY);
  await page.goto(`${BASE}/admin/dashboard?event=${EVENT}`);
  await page.waitForURL((u) => u.pathname === '/admin/sign-in' && u.searchParams.get('expired') === '1');
  assert.equal(new URL(page.url()).searchParams.get('next'), `/admin/dashboard?event=${EVENT}`);
  await done(page);
});
