// Lighthouse (mobile, its default simulated throttling) and axe-core over the reference
// website's public pages, in Debian's Chromium, offline against the local stack that
// scripts/lighthouse.sh starts (PLENARY_BASE). Fails when a page is under a threshold or axe
// finds any violation; writes each report to .tmp/lighthouse/ and the scores to scores.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const BASE = process.env.PLENARY_BASE;
const OUT = process.env.LIGHTHOUSE_OUT || new URL('../../.tmp/lighthouse/', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Each page is measured this many times and its median score kept: the machine is shared,
// and Lighthouse's performance score moves with the load.
const RUNS = Number(process.env.LIGHTHOUSE_RUNS || 3);

export const PAGES = [
  ['events', '/'],
  ['event', '/events/qos-workshop-2021'],
  ['event-fr', '/events/qos-workshop-2021?lang=fr'],
  ['event-ar', '/events/qos-workshop-2021?lang=ar'],
];

export const THRESHOLDS = {
  performance: 95,
  accessibility: 100,
  'best-practices': 100,
  seo: 95,
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function axe(port, url) {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}` });
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'networkidle0' });
    // The page renders after its API calls; wait for its main content.
    await page.waitForFunction(() => document.querySelector('main h1, main h2, main li'), { timeout: 15000 });
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    }));
    await page.close();
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    browser.disconnect();
  }
}

async function main() {
  if (!BASE) throw new Error('PLENARY_BASE must name a running plenary-local');
  mkdirSync(OUT, { recursive: true });
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const scores = {};
  const failures = [];
  try {
    // LIGHTHOUSE_PAGES=event,event-ar measures only those (while working on one page).
    const only = (process.env.LIGHTHOUSE_PAGES || '').split(',').filter(Boolean);
    for (const [name, path] of PAGES.filter(([n]) => !only.length || only.includes(n))) {
      const url = BASE + path;
      const runs = [];
      for (let i = 0; i < RUNS; i += 1) {
        const { lhr, report } = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error' });
        writeFileSync(`${OUT}${name}-${i + 1}.json`, report);
        if (lhr.runtimeError) throw new Error(`${name}: ${lhr.runtimeError.message}`);
        runs.push(lhr);
      }
      const page = {};
      for (const category of Object.keys(THRESHOLDS)) {
        page[category] = median(runs.map((r) => Math.round(r.categories[category].score * 100)));
      }
      const audits = (id) => median(runs.map((r) => r.audits[id].numericValue));
      page.metrics = {
        cls: Number(audits('cumulative-layout-shift').toFixed(3)),
        tbt_ms: Math.round(audits('total-blocking-time')),
        lcp_ms: Math.round(audits('largest-contentful-paint')),
        fcp_ms: Math.round(audits('first-contentful-paint')),
      };
      const last = runs[runs.length - 1];
      page.failing = Object.keys(THRESHOLDS).flatMap((c) => last.categories[c].auditRefs
        .filter((ref) => ref.weight > 0 && last.audits[ref.id].score !== null && last.audits[ref.id].score < 1)
        .map((ref) => `${c}: ${ref.id} ${last.audits[ref.id].displayValue || last.audits[ref.id].score}`));
      page.axe = await axe(chrome.port, url);
      scores[name] = page;
      console.log(`${name} (${path}): ${JSON.stringify(page)}`);
      for (const [category, min] of Object.entries(THRESHOLDS)) {
        if (page[category] < min) failures.push(`${name}: ${category} ${page[category]} < ${min}`);
      }
      if (page.axe.length) failures.push(`${name}: axe-core found ${page.axe.join('; ')}`);
    }
  } finally {
    await chrome.kill();
  }
  writeFileSync(`${OUT}scores.json`, JSON.stringify(scores, null, 2));
  const total = PAGES.length * 2;
  const failed = new Set(failures.map((f) => f.split(':')[0])).size;
  for (const f of failures) console.error(`FAIL ${f}`);
  console.log(`lighthouse and axe-core: ${total - Math.min(total, failures.length)} passed, ${failures.length} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
