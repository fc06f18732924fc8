// Incident sharing in the browser, on the demo database (its fictitious providers have sent
// demo reports and a public snapshot is published): the demo provider sends a report through
// the form and sees it in its list with the shared notes scrubbed; the statistics page draws
// its charts with a table beside each, works on a phone-sized screen, and gives the canary
// nowhere; axe-core finds no serious or critical problem on the three pages.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { axeProblems } from './axe.mjs';
import { artifactsDir, launch, newPage, pathOf } from './support.mjs';

const PASSWORD = 'demo-password';

async function login(page, user, next) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForNavigation(),
    page.locator('form:has(#password) [type="submit"]').first().click(),
  ]);
  assert.equal(pathOf(page), next);
}

async function noSeriousA11yProblems(page, what) {
  const problems = await axeProblems(page);
  assert.deepEqual(problems, [], `axe on ${what}:\n${JSON.stringify(problems, null, 2)}`);
}

describe('incident sharing', { timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('sends a report through the form and lists it, scrubbed as shared', async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    await login(page, 'provider', '/portal/incidents');
    await page.locator('h1').waitFor();
    await noSeriousA11yProblems(page, '/portal/incidents');

    const id = `BROWSER-${Date.now()}`;
    await page.fill('#f-id', id);
    await page.fill('#f-date', '2025-06-02');
    await page.selectOption('#f-threat', 'ransomware');
    await page.fill('#f-family', 'LockBit');
    await page.selectOption('#f-detection', 'edr');
    await page.selectOption('#f-pref', '01');
    await page.selectOption('#f-industry', 'E');
    await page.selectOption('#f-size', '6-20');
    await page.fill('#f-customer', '株式会社ブラウザ試験');
    await page.selectOption('#f-response', 'onsite');
    await page.selectOption('#f-outcome', 'contained');
    await page.fill('#f-recovery', '2');
    await page.fill(
      '#f-notes',
      '株式会社ブラウザ試験の 鈴木様 (suzuki@browser-test.example.jp, 011-234-5678) の PC 10.9.8.7 が感染した。',
    );
    await Promise.all([page.waitForNavigation(), page.locator('form.report-form [type="submit"]').click()]);
    assert.equal(pathOf(page), '/portal/incidents');
    await page.locator('[role="status"]').first().waitFor();

    const row = page.locator('table.reports tbody tr', { hasText: id });
    await row.waitFor();
    // The provider sees its own raw notes, and what is shared in their place.
    assert.match(await row.innerText(), /ブラウザ試験/);
    await row.locator('summary').click();
    const shared = await row.locator('.note-shared').innerText();
    for (const gone of ['ブラウザ試験', '鈴木', 'suzuki', '234-5678', '10.9.8.7']) {
      assert.ok(!shared.includes(gone), `'${gone}' is in the shared notes: ${shared}`);
    }
    assert.match(shared, /〔組織名〕/);
    await page.screenshot({ path: join(artifactsDir, 'sharing-incidents.png'), fullPage: false });

    // A wrong date comes back with the form filled in and a reason.
    await page.fill('#f-id', `${id}-bad`);
    await page.fill('#f-date', '2099-01-01');
    await page.locator('form.report-form [type="submit"]').click();
    await page.locator('[role="alert"]').first().waitFor();
    assert.match(await page.locator('[role="alert"]').first().innerText(), /detected_on|検知日/);
    assert.equal(await page.inputValue('#f-id'), `${id}-bad`);
    await context.close();
  });

  it('shows the statistics as charts with tables, on a phone too', async () => {
    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ]) {
      const { context, page } = await newPage(browser, { viewport, bypassCSP: true });
      await login(page, 'provider', '/portal/stats');
      await page.locator('#sec-geography svg').waitFor();
      // Every chart has its numbers in a table with a caption.
      const sections = await page.locator('section.stats-section').count();
      assert.ok(sections >= 8, `only ${sections} sections`);
      const svgs = await page.locator('section.stats-section svg[role="img"]').count();
      const tables = await page.locator('section.stats-section table.data caption').count();
      assert.ok(svgs >= 8 && tables >= 8, `${svgs} charts, ${tables} tables`);
      assert.equal(await page.locator('#sec-geography .map-tile').count(), 47);
      // Nothing spills out of a phone's width but the scrollable tables.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
      const text = await page.locator('main').innerText();
      assert.ok(!text.includes('ブラウザ試験'), 'a customer name is on the statistics page');
      await page.screenshot({ path: join(artifactsDir, `sharing-stats-${name}.png`), fullPage: true });
      if (name === 'desktop') {
        await noSeriousA11yProblems(page, '/portal/stats');
      }
      await context.close();
    }
  });

  it('shows the published statistics to everyone', async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    await page.goto('/stats');
    await page.locator('h1').waitFor();
    assert.ok((await page.locator('section.stats-section').count()) >= 1);
    await noSeriousA11yProblems(page, '/stats');
    await page.screenshot({ path: join(artifactsDir, 'sharing-public.png'), fullPage: true });
    await context.close();
  });
});
