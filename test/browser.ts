// Real Chromium for page tests: Debian's /usr/bin/chromium driven by playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';

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

/**
 * Serves a stand-in host page (a Webex or Teams client) at hostUrl through page.route and opens it. The host origin
 * is not loopback, so Chromium's Local Network Access checks would block its iframe from loading an app on
 * 127.0.0.1 unless that origin is granted the permission.
 */
export async function serveHostPage(page: Page, hostUrl: string, html: string): Promise<void> {
  try {
    await page.context().grantPermissions(['local-network-access'], { origin: new URL(hostUrl).origin });
  } catch {
    // an older Chromium without this permission has no such check either
  }
  await page.route(hostUrl, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(hostUrl);
}

/** Signs in to /admin with the admin token (the way a newcomer does after the first start). */
export async function signInAsAdmin(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('管理者 API トークン').fill(token);
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.waitForURL('**/admin/templates');
}

/** axe finds no serious or critical violation on the page as it is now. */
export async function noSeriousViolations(
  page: Page,
  what: string,
  /** `rules`: these too, whatever axe rates them (the landmarks and keyboard access a page must have). */
  o: { readonly exclude?: string; readonly rules?: ReadonlyArray<string> } = {},
): Promise<void> {
  const builder = new AxeBuilder({ page });
  const result = await (o.exclude ? builder.exclude(o.exclude) : builder).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || o.rules?.includes(v.id));
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${what}: axe found serious or critical violations`,
  );
}
