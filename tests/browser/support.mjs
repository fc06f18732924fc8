// Shared set-up for the browser tests: Debian's Chromium driven by playwright-core, against
// the server that run.sh started (its URL in SMESEC_URL).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const baseURL = process.env.SMESEC_URL;
if (!baseURL) {
  throw new Error('SMESEC_URL is not set: run the tests through tests/browser/run.sh');
}

// Where screenshots go for people to look at (run.sh points it into the build folder).
export const artifactsDir = process.env.SMESEC_BROWSER_ARTIFACTS ?? join(process.cwd(), 'artifacts');
mkdirSync(artifactsDir, { recursive: true });

// The machine's network is closed: without the background-networking flags Chromium keeps
// trying to reach outside hosts. playwright-core gives each launch a new empty profile.
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launch() {
  return chromium.launch({
    executablePath: process.env.SMESEC_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args,
  });
}

// A fresh context (no cookies) whose relative URLs resolve against the server.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ baseURL, ...options });
  const page = await context.newPage();
  return { context, page };
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}
