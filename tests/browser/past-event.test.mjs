// The post-event page in a real browser: an (unlisted) event that is over leads with its
// presentations and recordings — one of them a file uploaded through the organiser's upload
// route and the local stack's form, as the console sends it — keeps the programme as it ran,
// and says the event has ended instead of offering the registration form. The shared stack's
// clock is never moved (the other test files run on it), so the event simply ended before it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as harness from './harness.mjs';

const { BASE, ORGANISER_TOKEN, newPage, done, api } = harness;

before(harness.launch);
after(harness.close);

const id = `past-${Date.now().toString(36)}`;
let fileUrl;

/** Uploads `bytes` as `filename` the way the site does: the grant, then the multipart form. */
async function upload(filename, type, bytes) {
  const res = await api('POST', `/v1/admin/events/${id}/uploads`, { filename, content_type: type, size: bytes.length }, ORGANISER_TOKEN);
  assert.equal(res.status, 201);
  const granted = await res.json();
  const form = new FormData();
  for (const [name, value] of Object.entries(granted.upload.fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type }), filename);
  const sent = await fetch(granted.upload.url, { method: granted.upload.method, body: form });
  assert.equal(sent.status, 204, await sent.text());
  return granted.file_url;
}

before(async () => {
  const event = {
    title: 'Past workshop on QoS', timezone: 'Europe/Zurich', visibility: 'unlisted', format: 'virtual',
    starts_at: '2021-08-10T14:00:00+02:00', ends_at: '2021-08-10T16:30:00+02:00', languages: ['en', 'fr'],
    registration: { opens_at: '2021-07-01T00:00:00Z', closes_at: '2021-08-10T12:00:00Z' },
  };
  assert.equal((await api('PUT', `/v1/admin/events/${id}`, event, ORGANISER_TOKEN)).status, 201);
  fileUrl = await upload('Opening slides.pdf', 'application/pdf', new TextEncoder().encode('%PDF-1.4\n% the opening slides\n'));
  const draft = {
    speakers: [],
    sessions: [
      { id: 'opening', title: 'Opening remarks', kind: 'opening', starts_at: '2021-08-10T14:00:00+02:00', ends_at: '2021-08-10T14:15:00+02:00',
        materials: [
          { id: 'slides', title: 'Opening slides', kind: 'slides', url: fileUrl, language: 'en' },
          { id: 'rec', title: 'Recording of the opening', kind: 'recording', url: 'https://media.example.org/past/opening' },
        ] },
      { id: 'break', title: 'Break', kind: 'break', starts_at: '2021-08-10T14:15:00+02:00', ends_at: '2021-08-10T14:30:00+02:00' },
      { id: 'panel', title: 'Panel on monitoring', kind: 'panel', starts_at: '2021-08-10T14:30:00+02:00', ends_at: '2021-08-10T16:30:00+02:00',
        materials: [{ id: 'summary', title: 'Résumé du panel', kind: 'document', url: 'https://docs.example.org/panel.pdf', language: 'fr' }] },
    ],
  };
  assert.equal((await api('PUT', `/v1/admin/events/${id}/programme/draft`, draft, ORGANISER_TOKEN)).status, 200);
  assert.equal((await api('POST', `/v1/admin/events/${id}/programme/publish`, undefined, ORGANISER_TOKEN)).status, 200);
});

for (const [language, heading, ended] of [
  ['en', 'Presentations and recordings', 'This event has ended.'],
  ['fr', 'Présentations et enregistrements', 'Cet événement est terminé.'],
]) {
  test(`an event that is over (${language}) leads with its presentations and recordings and has ended`, async () => {
    const page = await newPage({ language, timezoneId: 'Europe/Zurich' });
    assert.equal((await page.goto(`${BASE}/events/${id}`)).status(), 200);
    await page.locator('#past-sessions li').first().waitFor();
    // First after the event's facts: the materials, then the programme as held.
    const headings = await page.locator('#event h2').allTextContents();
    assert.equal(headings[0], heading, headings.join(' | '));
    assert.ok(headings.indexOf(heading) < headings.findIndex((h) => h === (language === 'en' ? 'Programme as held' : 'Programme tel qu’il s’est déroulé')));
    assert.equal(await page.textContent('#past-ended'), ended);
    // Every session with materials, in order; the break has none.
    assert.deepEqual(await page.locator('#past-sessions > ul > li').evaluateAll((li) => li.map((l) => l.dataset.session)), ['opening', 'panel']);
    const links = page.locator('#past-sessions a');
    assert.deepEqual(await links.allTextContents(), ['Opening slides', 'Recording of the opening', 'Résumé du panel']);
    assert.equal(await links.first().getAttribute('href'), fileUrl);
    // The uploaded file is served where the link points.
    const file = await fetch(fileUrl);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    // The programme is still there, every session of it.
    assert.equal(await page.locator('#programme .session').count(), 3);
    // No form: the event has ended.
    assert.equal(await page.isVisible('#register-form'), false);
    assert.equal(await page.textContent('#registration-closed'), ended);
    assert.equal(await page.isVisible('#registration-closed'), true);
    assert.equal(await page.isVisible('#remote'), false);
    assert.equal(await page.textContent('#event-registration'), ended);
    await harness.screenshot(page, `past-event-${language}`);
    await harness.audit(page, `past-event-${language}`);
    await done(page);
  });
}

test('an event not yet over shows no materials section and keeps its form', async () => {
  const page = await newPage();
  await page.goto(`${BASE}/events/qos-workshop-2021`);
  await page.locator('.session').first().waitFor();
  assert.equal(await page.isVisible('#past'), false);
  assert.equal(await page.isVisible('#register-form'), true);
  assert.equal(await page.textContent('#programme-heading'), 'Programme');
  await done(page);
});
