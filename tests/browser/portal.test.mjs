// The registry's logged-in pages as their users meet them, on the demo data: the operator
// drafts a case study for a service of the demo provider and sends it, the provider confirms
// it in the portal, the operator publishes it and it appears on the public case studies
// (and takes it down again, so the demo's public list is left as the other tests expect);
// and axe-core finds no serious or critical problem on the portal, review and operator
// pages, in Japanese and in English.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { artifactsDir, launch, newPage, pathOf } from './support.mjs';
import { axeProblems } from './axe.mjs';

const PASSWORD = 'demo-password';
// The demo user "provider" works for this fictitious provider (see docs/registry.md).
const DEMO_PROVIDER = '北海道あんしんITサポート';

async function login(page, user, next) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', user);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form:has(#password) [type="submit"]')]);
  assert.equal(pathOf(page), next.split('?')[0]);
}

async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

async function assertNoAxeProblems(page, path) {
  await page.goto(path);
  assert.ok((await page.locator('h1').count()) === 1, `${path} has one h1`);
  const problems = await axeProblems(page);
  assert.deepEqual(problems, [], `axe on ${path}:\n${JSON.stringify(problems, null, 2)}`);
}

describe('case studies between operator and provider', { timeout: 180_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('goes from the operator\'s draft through the provider\'s confirmation to the public page', async () => {
    const title = `導入事例 ブラウザ確認 ${Date.now()}`;
    const op = await newPage(browser);
    await login(op.page, 'operator', '/operator/cases');

    // The operator chooses a service of the demo provider and drafts from a webinar.
    const option = op.page.locator('#cs-service option', { hasText: DEMO_PROVIDER }).first();
    const service = await option.getAttribute('value');
    assert.ok(service, 'the demo provider has a service to choose');
    await op.page.selectOption('#cs-service', service);
    await op.page.selectOption('#cs-source', 'webinar');
    await op.page.fill('#cs-title', title);
    await op.page.fill('#cs-body', 'ウェビナーで紹介された利用者が、不審な通信の通知を受けて被害を防いだ。');
    await op.page.selectOption('#cs-pref', '01');
    await submit(op.page, '#draft-button');
    assert.equal(pathOf(op.page), '/operator/case');
    const caseId = new URL(op.page.url()).searchParams.get('id');
    assert.ok(caseId);
    await submit(op.page, '#send-button');
    assert.equal(await op.page.getAttribute('#case-state', 'class'), 'state state-awaiting_provider');

    // The provider finds it in the portal and confirms it.
    const pv = await newPage(browser);
    await login(pv.page, 'provider', '/portal');
    await pv.page.goto('/portal/cases');
    const article = pv.page.locator(`article[data-case="${caseId}"]`);
    await article.waitFor();
    assert.ok((await article.innerText()).includes(title));
    await submit(pv.page, `#confirm-${caseId}`);
    assert.equal(pathOf(pv.page), '/portal/cases');
    assert.equal(await pv.page.getAttribute(`article[data-case="${caseId}"]`, 'data-state'), 'confirmed');
    assert.ok((await pv.page.locator('[role="status"]').innerText()).trim().length > 0);
    await pv.page.screenshot({ path: join(artifactsDir, 'portal-cases.png'), fullPage: true });
    await pv.context.close();

    // The operator sees the confirmation and publishes.
    await op.page.goto(`/operator/case?id=${caseId}`);
    assert.equal(await op.page.getAttribute('#case-state', 'class'), 'state state-confirmed');
    await submit(op.page, '#publish-button');
    assert.equal(await op.page.getAttribute('#case-state', 'class'), 'state state-published');

    // Anyone can read it now.
    const pub = await newPage(browser);
    const response = await pub.page.goto('/cases');
    assert.equal(response.status(), 200);
    assert.ok((await pub.page.content()).includes(title), 'the published study is on /cases');

    // Taking it down hides it again, and leaves the demo's public list as it was for the
    // other tests.
    await submit(op.page, '#unpublish-button');
    assert.equal(await op.page.getAttribute('#case-state', 'class'), 'state state-withdrawn');
    await pub.page.goto('/cases');
    assert.ok(!(await pub.page.content()).includes(title), 'the withdrawn study left /cases');
    await pub.context.close();
    await op.context.close();
  });
});

describe('portal, review and operator pages', { timeout: 300_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('the provider portal has no serious or critical accessibility problems', async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    await login(page, 'provider', '/portal');
    await page.screenshot({ path: join(artifactsDir, 'portal-home.png'), fullPage: true });
    const service = await page.locator('#services tr[data-service] a').first().getAttribute('href');
    const application = await page
      .locator('#applications tr[data-application] a')
      .first()
      .getAttribute('href');
    for (const path of [
      '/admin',
      '/portal',
      service,
      application,
      '/portal/service/edit',
      '/portal/messages',
      '/portal/inquiries',
      '/portal/cases',
      '/portal/profile',
      '/portal?lang=en',
      '/portal/service/edit?lang=en',
    ]) {
      await assertNoAxeProblems(page, path);
    }
    // The form after checking against the standard, with its live report.
    await page.goto('/portal/service/edit?lang=ja');
    await page.fill('#f-name', 'アクセシビリティ確認用サービス');
    await page.fill('#f-monthly_yen', '9800');
    await submit(page, '#check-button');
    await page.locator('#report-h').waitFor();
    assert.ok((await page.locator('tr[data-verdict="fail"]').count()) > 0, 'an empty form fails');
    await page.screenshot({ path: join(artifactsDir, 'portal-form-report.png'), fullPage: true });
    const problems = await axeProblems(page);
    assert.deepEqual(problems, [], `axe on the checked form:\n${JSON.stringify(problems, null, 2)}`);
    await context.close();
  });

  it('the reviewer\'s pages have no serious or critical accessibility problems', async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    await login(page, 'reviewer', '/review');
    const first = await page.locator('#queue tr[data-application] a').first().getAttribute('href');
    for (const path of ['/admin', '/review', first, '/review/schedule', '/review?all=1', `${first}&lang=en`]) {
      await assertNoAxeProblems(page, path);
    }
    await page.goto(first);
    await page.screenshot({ path: join(artifactsDir, 'review-application.png'), fullPage: true });
    await context.close();
  });

  it('the operator\'s pages have no serious or critical accessibility problems', async () => {
    const { context, page } = await newPage(browser, { bypassCSP: true });
    await login(page, 'operator', '/operator');
    await page.goto('/operator/services');
    const service = await page.locator('#services tr[data-service] a').first().getAttribute('href');
    await page.goto('/operator/providers');
    const provider = await page.locator('#providers tr[data-provider] a').first().getAttribute('href');
    await page.goto('/operator/cases');
    const study = await page.locator('#cases tr[data-case] a').first().getAttribute('href');
    for (const path of [
      '/admin',
      '/operator',
      '/operator/providers',
      provider,
      '/operator/services',
      service,
      '/operator/cases',
      study,
      '/operator/inquiries',
      '/operator/import',
      '/operator/outbox',
      '/operator?lang=en',
    ]) {
      await assertNoAxeProblems(page, path);
    }
    // Running the reminders from the page reports what it did.
    await page.goto('/operator?lang=ja');
    await submit(page, '#remind-button');
    await page.locator('#reminded').waitFor();
    await page.screenshot({ path: join(artifactsDir, 'operator-home.png'), fullPage: true });
    await context.close();
  });
});
