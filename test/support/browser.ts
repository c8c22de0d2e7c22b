/**
 * Debian's Chromium, headless, driven by playwright-core (no downloaded browser). The background
 * networking flags matter: without them Chromium phones home at start, and this machine's closed network
 * refuses its connections. `npm test` installs Chromium when missing (scripts/ensure-test-deps.sh).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) for the dashboard tests`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where the tests leave screenshots of the pages they walk through (a CI artifact). */
export const SCREENSHOTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'test-artifacts', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
