// Signing in and out of the admin pages with the demo operator account.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launch, newPage, pathOf } from './support.mjs';

const USER = 'operator';
const PASSWORD = 'demo-password';

async function submitLogin(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForNavigation(),
    page.locator('form:has(#password) [type="submit"]').first().click(),
  ]);
}

describe('login', { timeout: 120_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('sends a visitor without a session from /admin to the login page', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/admin');
    assert.equal(pathOf(page), '/login');
    assert.equal(await page.locator('#username').count(), 1);
    assert.equal(await page.locator('#password').getAttribute('type'), 'password');
    await context.close();
  });

  it('signs the operator in to the admin page and out again', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/admin');
    await submitLogin(page, USER, PASSWORD);
    assert.equal(pathOf(page), '/admin');
    await page.locator('h1#admin-title').waitFor();
    assert.ok((await page.locator('h1#admin-title').innerText()).trim().length > 0);

    // Still signed in on the next load.
    await page.goto('/admin');
    assert.equal(pathOf(page), '/admin');

    const logout = page
      .locator('#logout, form[action="/logout"] [type="submit"], a[href="/logout"]')
      .first();
    await Promise.all([page.waitForNavigation(), logout.click()]);
    assert.ok(!pathOf(page).startsWith('/admin'), `logout landed on ${page.url()}`);
    assert.ok(!pathOf(page).startsWith('/logout'), `logout landed on ${page.url()}`);

    await page.goto('/admin');
    assert.equal(pathOf(page), '/login');
    await context.close();
  });

  it('refuses a wrong password with an alert and no session', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/login');
    await submitLogin(page, USER, 'not-the-password');
    const alert = page.locator('[role="alert"]');
    await alert.first().waitFor();
    assert.ok((await alert.first().innerText()).trim().length > 0);
    assert.equal(await page.locator('h1#admin-title').count(), 0);

    await page.goto('/admin');
    assert.equal(pathOf(page), '/login');
    await context.close();
  });
});
