// The console area's steps (sign-in, events, join details) for an organiser's day: functions of
// `(page, …)` that drive the pages as an organiser would, used by admin-console.test.mjs and
// admin-day.test.mjs.
import assert from 'node:assert/strict';
import { BASE, ready, signIn, signInAsLocalAdmin, signInWithDeploymentToken } from '../harness.mjs';

export { signIn, signInAsLocalAdmin, signInWithDeploymentToken };

/** Signs out with the header's button; resolves on the sign-in page. */
export async function signOut(page) {
  await page.click('#sign-out');
  await page.waitForURL((u) => u.pathname === '/admin/sign-in');
  await ready(page);
}
