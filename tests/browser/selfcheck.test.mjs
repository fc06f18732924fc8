// The SME self-check on a phone-sized window (390 x 844): every question answered by touch,
// the result with its score, chart and table, no sideways scrolling, printing on A4 without
// the site's navigation or forms, a private link that can be deleted, and axe-core finding no
// serious or critical problem on the form and the result.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { artifactsDir, launch, newPage, pathOf } from './support.mjs';
import { axeAll, axeProblems } from './axe.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// Answers every question: mostly done, every third partly, every seventh not done.
async function answerAll(page) {
  const questions = page.locator('fieldset.sc-q');
  const n = await questions.count();
  for (let i = 0; i < n; i++) {
    const value = i % 7 === 6 ? 'not_done' : i % 3 === 2 ? 'partly' : 'done';
    await questions.nth(i).locator(`label:has(input[value="${value}"])`).tap();
  }
  return n;
}

async function noSidewaysScroll(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width}px wide on a 390px screen`);
}

describe('self-check', { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('is completed on a phone and printed on A4 without navigation', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await page.goto('/selfcheck');
    await noSidewaysScroll(page);
    // Each question is a group of radio buttons with a legend; each choice has a label.
    const n = await answerAll(page);
    assert.ok(n >= 10, `${n} questions`);
    assert.equal(await page.locator('fieldset.sc-q:not(:has(legend))').count(), 0);
    await page.selectOption('#prefecture', '13');
    await page.selectOption('#industry', 'E');
    await page.selectOption('#size', '6-20');
    await page.screenshot({ path: join(artifactsDir, 'selfcheck-phone-form.png') });
    await Promise.all([page.waitForNavigation(), page.locator('#selfcheck-submit').tap()]);

    const score = Number(await page.innerText('#score'));
    assert.ok(score > 0 && score < 100, `score ${score}`);
    assert.ok(['good', 'fair', 'low'].includes(await page.getAttribute('#band', 'data-band')));
    assert.equal(await page.locator('svg.radar').count(), 1);
    assert.ok((await page.locator('#category-table tbody tr').count()) > 0);
    assert.ok((await page.locator('#gaps article.sc-gap').count()) > 0);
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(artifactsDir, 'selfcheck-phone-result.png'), fullPage: true });

    // Printed: no header, navigation or forms; the answers and the chart stay.
    await page.emulateMedia({ media: 'print' });
    const hidden = async (sel) =>
      page.locator(sel).first().evaluate((el) => getComputedStyle(el).display === 'none');
    assert.ok(await hidden('.site-header'), 'the site header is not printed');
    assert.ok(await hidden('.site-nav'), 'the navigation is not printed');
    assert.ok(await hidden('#save-form'), 'the forms are not printed');
    assert.ok(await hidden('.sc-actions'), 'the actions are not printed');
    assert.ok(!(await hidden('svg.radar')), 'the chart is printed');
    assert.ok(!(await hidden('#answers-table')), 'the answers are printed');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(join(artifactsDir, 'selfcheck-result.pdf'), pdf);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    await page.emulateMedia({ media: 'screen' });

    // Kept under a private link, then deleted by its holder.
    await Promise.all([page.waitForNavigation(), page.locator('#save-button').tap()]);
    assert.match(pathOf(page), /^\/selfcheck\/r\/[A-Za-z0-9_-]{43}$/);
    const link = page.url();
    assert.equal(Number(await page.innerText('#score')), score);
    assert.ok((await page.innerText('#private-link')).includes(new URL(link).pathname));
    await Promise.all([page.waitForNavigation(), page.locator('#delete-button').tap()]);
    const gone = await page.goto(link);
    assert.equal(gone.status(), 404);
    await context.close();
  });

  it('has no serious or critical accessibility problems on the form and the result', async () => {
    const { context, page } = await newPage(browser, { ...PHONE, bypassCSP: true });
    await page.goto('/selfcheck');
    let problems = await axeProblems(page);
    assert.deepEqual(problems, [], `axe on the form:\n${JSON.stringify(problems, null, 2)}`);
    const formAll = await axeAll(page);
    await answerAll(page);
    await Promise.all([page.waitForNavigation(), page.locator('#selfcheck-submit').tap()]);
    problems = await axeProblems(page);
    assert.deepEqual(problems, [], `axe on the result:\n${JSON.stringify(problems, null, 2)}`);
    const resultAll = await axeAll(page);
    // Whatever axe says below serious, kept for people to read.
    writeFileSync(
      join(artifactsDir, 'selfcheck-axe.txt'),
      `form: ${formAll.join(', ') || 'none'}\nresult: ${resultAll.join(', ') || 'none'}\n`,
    );
    readFileSync(join(artifactsDir, 'selfcheck-axe.txt'));
    await context.close();
  });

  it('shows the English version', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await page.goto('/selfcheck?lang=en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await page.innerText('h1'), /self-check/i);
    assert.ok((await page.locator('label.sc-opt', { hasText: "Don't know" }).count()) > 0);
    await context.close();
  });
});
