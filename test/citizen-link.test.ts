import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { HAS_CHROMIUM, launchChromium } from './browser.ts';
import { booking, jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

describe('the citizen’s personal link', function () {
  this.timeout(60_000);
  let s: TestServer;
  let browser: Browser | undefined;
  before(async () => {
    if (HAS_CHROMIUM) browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    await s.close();
  });

  async function linkFromInvitation(): Promise<string> {
    await s.call('POST', '/api/v1/consultations', booking());
    await s.running.worker.idle();
    const dir = path.join(s.config.dataDir, 'outbox');
    const mail = await simpleParser(readFileSync(path.join(dir, readdirSync(dir)[0]!)));
    const m = /(http:\/\/\S+\/app\/c\/\S+)/.exec(mail.text!);
    assert.ok(m, 'the invitation carries the personal link');
    assert.ok((mail.html as string).includes(m[1]!), 'in both parts');
    return m[1]!.replace(s.config.publicBaseUrl, s.url);
  }

  it('opens that consultation’s welcome page, in Japanese or English, and refuses it once expired or altered', async () => {
    const link = await linkFromInvitation();
    const ok = await fetch(link);
    assert.equal(ok.status, 200);
    const html = await ok.text();
    assert.match(html, /オンライン相談へようこそ/);
    assert.match(html, /2026年12月1日（火）10:00から/);
    assert.match(html, /税務課/);
    assert.match(await (await fetch(`${link}?lang=en`)).text(), /Welcome to your online consultation/);
    const altered = link.replace(/(\/app\/c\/[0-9A-Z]+)\.(\d+)\./, (_m, head: string, exp: string) => `${head}.${Number(exp) + 86400}.`);
    const refused = await fetch(altered);
    assert.equal(refused.status, 404);
    assert.match(await refused.text(), /このリンクは使えません/);
    s.clock.now = jst('2026-12-02', '11:01');
    const expired = await fetch(link);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /有効期限が過ぎています/);
  });

  it('reads large on a phone, in Chromium', async function () {
    if (!browser) return this.skip();
    const link = await linkFromInvitation();
    const page = await browser.newPage({ viewport: { width: 375, height: 667 } });
    await page.goto(link);
    assert.match(await page.locator('h1').innerText(), /ようこそ/);
    const m = (await page.evaluate(`({ w: document.documentElement.scrollWidth, f: parseFloat(getComputedStyle(document.body).fontSize) })`)) as { w: number; f: number };
    assert.ok(m.w <= 375 && m.f >= 18, JSON.stringify(m));
    await page.getByRole('link', { name: 'English' }).click();
    assert.match(await page.locator('h1').innerText(), /Welcome/);
    await page.close();
  });
});
