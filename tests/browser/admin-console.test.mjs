// The console's frame, sign-in, events, event form and join details, in Chromium against a real
// plenary-local (scripts/browser-test.sh). Screenshots and axe reports go to artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as h from './harness.mjs';
import * as steps from './console-steps/events.mjs';

const { BASE, newPage, done } = h;

before(h.launch);
after(h.close);

test('the local administrator signs in through the emailed link and lands on the events', async () => {
  const page = await newPage();
  await steps.signIn(page, h.LOCAL_ADMIN);
  assert.match(await page.textContent('.console-header .person'), /admin@plenary\.local/);
  await page.locator('#main table').waitFor();
  assert.ok(await page.locator('#main tbody tr').count() >= 2, 'the seed\'s events are listed');
  await done(page);
});

test('the banner\'s local sign-in opens the console at once', async () => {
  const page = await newPage();
  await steps.signInAsLocalAdmin(page);
  assert.equal(new URL(page.url()).pathname, '/admin/');
  assert.ok(await h.bearerOf(page), 'a session is held in the tab');
  await done(page);
});

test('the deployment token signs in for this tab only, and sign-out ends the session', async () => {
  const page = await newPage();
  await steps.signInWithDeploymentToken(page);
  assert.match(await page.textContent('.console-header .person'), /Deployment token/);
  await done(page);
});
