// Real Chromium for page tests: Debian's /usr/bin/chromium driven by playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

/** A describe block with one real Chromium for its tests; with no Chromium, one visible "skipped" line instead. */
export function describeInChromium(title: string, body: (browser: () => Browser) => void): void {
  describe(title, function () {
    this.timeout(90_000);
    if (!HAS_CHROMIUM) {
      it.skip(`skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`, () => {});
      return;
    }
    let browser: Browser | undefined;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });
    body(() => browser!);
  });
}
