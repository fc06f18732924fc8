// The top page: 47 prefectures in 8 regions, the Japanese/English switch, and a phone-sized
// layout without horizontal scrolling.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { artifactsDir, launch, newPage } from './support.mjs';

async function switchLanguage(page) {
  await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
}

describe('top page', { timeout: 120_000 }, () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists 47 prefecture links in 8 region sections, Hokkaido first and Okinawa last', async () => {
    const { context, page } = await newPage(browser);
    const response = await page.goto('/');
    assert.equal(response.status(), 200);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');

    const regions = page.locator('section.region[data-region]');
    assert.equal(await regions.count(), 8);
    for (let i = 0; i < 8; i++) {
      const region = regions.nth(i);
      assert.equal(await region.locator('h2').count(), 1, `region ${i + 1} has one h2`);
      assert.ok((await region.locator('h2').innerText()).trim().length > 0);
      assert.ok((await region.locator('li[data-pref]').count()) > 0, `region ${i + 1} is empty`);
    }

    // Every prefecture sits inside a region section and links to its services.
    const links = page.locator('section.region li[data-pref] a[href^="/services?prefecture="]');
    assert.equal(await links.count(), 47);
    assert.equal(await page.locator('li[data-pref]').count(), 47);
    const names = (await links.allInnerTexts()).map((s) => s.trim());
    assert.equal(names[0], '北海道');
    assert.equal(names[46], '沖縄県');
    assert.equal(new Set(names).size, 47, 'prefecture names are distinct');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(new Set(hrefs).size, 47, 'prefecture links are distinct');

    await page.screenshot({ path: join(artifactsDir, 'top-ja.png'), fullPage: true });
    await context.close();
  });

  it('switches to English and keeps the choice on the next page load', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/');
    await switchLanguage(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const first = page.locator('section.region li[data-pref] a').first();
    assert.equal((await first.innerText()).trim(), 'Hokkaido');

    // The choice is a cookie: a fresh load of the top page is still in English.
    await page.goto('/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.ok((await page.locator('body').innerText()).includes('Hokkaido'));
    await page.screenshot({ path: join(artifactsDir, 'top-en.png'), fullPage: true });

    // And the switch on the English page leads back to Japanese.
    await switchLanguage(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await page.goto('/');
    assert.equal(await page.getAttribute('html', 'lang'), 'ja');
    await context.close();
  });

  for (const lang of ['ja', 'en']) {
    it(`fits a phone-sized screen without horizontal scrolling (${lang})`, async () => {
      const { context, page } = await newPage(browser, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      });
      await page.goto('/');
      if (lang === 'en') {
        await switchLanguage(page);
        assert.equal(await page.getAttribute('html', 'lang'), 'en');
      }
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide on a ${innerWidth}px screen`);
      await page.screenshot({ path: join(artifactsDir, `top-phone-${lang}.png`), fullPage: true });
      await context.close();
    });
  }
});
