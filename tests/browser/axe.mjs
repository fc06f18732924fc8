// axe-core in the page under test: injected from the npm package (the context must be made
// with bypassCSP, since the site's Content-Security-Policy rightly refuses inline scripts),
// run over the whole document, and reduced to the problems the tests refuse: those of
// serious or critical impact, with the elements they were found on.
import { createRequire } from 'node:module';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export async function axeProblems(page) {
  await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() => globalThis.axe.run(document));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
}

// Every violation, whatever its impact, for the log.
export async function axeAll(page) {
  await page.addScriptTag({ path: axePath });
  const results = await page.evaluate(() => globalThis.axe.run(document));
  return results.violations.map((v) => `${v.impact} ${v.id} (${v.nodes.length})`);
}
