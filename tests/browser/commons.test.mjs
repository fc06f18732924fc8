// The guideline-commons pages as their users meet them: an analyst uploads three guidelines,
// waits for the background analysis and downloads the workbook (a valid XLSX zip); an
// override survives a re-analysis; an industry association gets a gap report and a starter
// for its draft; and axe-core finds no serious or critical problem on the workspace pages.
// Every test uploads guidelines of its own industries, so the tests do not depend on order.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { artifactsDir, launch, newPage, pathOf } from './support.mjs';
import { axeProblems } from './axe.mjs';

const PASSWORD = 'demo-password';
const labelled = (name) => fileURLToPath(new URL(`../data/labelled/${name}.txt`, import.meta.url));

async function login(page, user, next) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form:has(#password) [type="submit"]')]);
  assert.equal(pathOf(page), next.split('?')[0]);
}

// Waits for the job page this page shows to end; it refreshes itself while the job runs.
async function waitForJob(page, state = 'done') {
  assert.equal(pathOf(page), '/workspace/job');
  await page.locator('#job[data-state="done"], #job[data-state="failed"]').waitFor({ timeout: 90_000 });
  assert.equal(await page.getAttribute('#job', 'data-state'), state);
}

async function upload(page, name, industry) {
  await page.goto('/workspace');
  await page.setInputFiles('#file', labelled(name));
  await page.fill('#industry', industry);
  await page.fill('#publisher', '（架空）業界団体');
  await page.fill('#year', '2024');
  await Promise.all([page.waitForNavigation(), page.click('#upload-submit')]);
  await waitForJob(page);
}

// The id of the stored guideline of industry, from the workspace's table.
async function guidelineOf(page, industry) {
  await page.goto('/workspace');
  const row = page.locator('#guideline-table tr[data-guideline]', { hasText: industry }).first();
  return row.getAttribute('data-guideline');
}

describe('analysis workspace', { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('uploads three guidelines, analyses them in the background and downloads the workbook', async () => {
    const { context, page } = await newPage(browser, { acceptDownloads: true });
    await login(page, 'analyst', '/workspace');
    await upload(page, 'logistics', '物流');
    await upload(page, 'clinic', '医療');
    await upload(page, 'food', '食品');

    await page.goto('/workspace/matrix');
    const heads = await page.locator('#matrix thead th abbr').allInnerTexts();
    for (const industry of ['物流', '医療', '食品'])
      assert.ok(heads.includes(industry), `${industry} is a column of the matrix`);
    assert.ok((await page.locator('#matrix tr.common').count()) > 0, 'some items are common');
    // The common items are orange.
    const orange = await page
      .locator('#matrix tr.common th.item')
      .first()
      .evaluate((th) => getComputedStyle(th).backgroundColor);
    assert.equal(orange, 'rgb(244, 177, 131)');
    await page.screenshot({ path: join(artifactsDir, 'commons-matrix.png'), fullPage: true });

    // A stricter criterion makes fewer items common.
    const before = Number(await page.innerText('#n-common'));
    await page.check('input[name="kind"][value="count"]');
    await page.fill('#criterion-value', '3');
    await page.selectOption('#criterion-min', '2');
    await Promise.all([page.waitForNavigation(), page.click('#criterion-submit')]);
    assert.ok(Number(await page.innerText('#n-common')) < before);
    assert.match(await page.innerText('#criterion-words'), /count:3:min=2/);

    // Open a cell and read its evidence with page numbers.
    await page.goto('/workspace/matrix');
    await Promise.all([page.waitForNavigation(), page.locator('#matrix td.s2 a').first().click()]);
    assert.equal(pathOf(page), '/workspace/cell');
    assert.ok((await page.locator('#evidence li').count()) > 0);
    assert.match(await page.locator('#evidence li .page').first().innerText(), /^p\.\d+$/);

    // The workbook.
    await page.goto('/workspace/matrix');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download-workbook'),
    ]);
    assert.equal(download.suggestedFilename(), 'workbook.xlsx');
    const path = join(artifactsDir, 'workbook.xlsx');
    await download.saveAs(path);
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    const names = execFileSync(
      'python3',
      [
        '-c',
        'import sys, zipfile\n' +
          'z = zipfile.ZipFile(sys.argv[1])\n' +
          'assert z.testzip() is None\n' +
          'print("\\n".join(z.namelist()))',
        path,
      ],
      { encoding: 'utf8' },
    ).split('\n');
    for (const part of ['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml'])
      assert.ok(names.includes(part), `the workbook has ${part}`);
    await context.close();
  });

  it('keeps an override when the guideline is analysed again', async () => {
    const { context, page } = await newPage(browser);
    await login(page, 'analyst', '/workspace');
    await upload(page, 'printing', '印刷');
    const id = await guidelineOf(page, '印刷');
    assert.ok(id);

    await page.goto(`/workspace/cell?g=${id}&item=BCP-03`);
    const proposed = (await page.innerText('#cell-proposed')).trim();
    const target = proposed === '2' ? '0' : '2';
    await page.check(`#override-form input[name="score"][value="${target}"]`);
    await page.fill('#note', '印刷業の見直しで確認した');
    await Promise.all([page.waitForNavigation(), page.click('#override-submit')]);

    // Re-analyse it from the workspace.
    await page.goto('/workspace');
    const row = page.locator(`#guideline-table tr[data-guideline="${id}"]`);
    await Promise.all([
      page.waitForNavigation(),
      row.locator('form[action="/workspace/analyse"] button').click(),
    ]);
    await waitForJob(page);

    await page.goto(`/workspace/cell?g=${id}&item=BCP-03`);
    assert.equal((await page.innerText('#cell-score')).trim(), target);
    assert.equal((await page.innerText('#cell-proposed')).trim(), proposed);
    assert.equal((await page.innerText('#cell-note')).trim(), '印刷業の見直しで確認した');
    await context.close();
  });

  it('has no serious or critical accessibility problems on the workspace pages', async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    await login(page, 'analyst', '/workspace');
    for (const path of ['/workspace', '/workspace/matrix', '/workspace/queue', '/handbook']) {
      await page.goto(path);
      const problems = await axeProblems(page);
      assert.deepEqual(problems, [], `axe on ${path}:\n${JSON.stringify(problems, null, 2)}`);
    }
    await context.close();
  });
});

describe('drafting support', { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('gives an association a gap report and a starter for its draft', async () => {
    const { context, page } = await newPage(browser, { acceptDownloads: true });
    await login(page, 'association', '/drafting');
    assert.equal((await page.innerText('#draft-industry')).trim(), '物流');
    await page.fill('#draft-title', '物流業 情報セキュリティガイドライン（草案）');
    await page.setInputFiles('#draft-file', labelled('small_shop'));
    await page.check('input[name="stage"][value="2"]');
    await Promise.all([page.waitForNavigation(), page.click('#draft-submit')]);
    assert.equal(pathOf(page), '/drafting/view');
    // The page refreshes itself until the analysis is in.
    await page.locator('#gap-table').waitFor({ timeout: 90_000 });
    const gaps = Number(await page.innerText('#n-gaps'));
    const rows = await page.locator('#gap-table tbody tr').count();
    assert.ok(rows > 0 && gaps > 0 && gaps <= rows, `${gaps} gaps in ${rows} rows`);
    assert.ok((await page.locator('#gap-table tr[data-gap="false"]').count()) > 0,
      'the draft writes some items');
    await page.screenshot({ path: join(artifactsDir, 'commons-gap-report.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#starter-md')]);
    const path = join(artifactsDir, 'starter.md');
    await download.saveAs(path);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^# 物流 情報セキュリティガイドライン（たたき台）/);
    assert.match(text, /\n## 1\. /);
    await context.close();
  });
});
