import assert from 'node:assert/strict';
import { describeInChromium } from './browser.ts';
import { booking, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

describeInChromium('pages in Chromium', (browser) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite');
  });
  after(async () => {
    await s?.close();
  });

  async function open(path: string) {
    const page = await browser().newPage({ viewport: { width: 320, height: 640 } });
    const response = await page.goto(`${s.url}${path}`);
    return { page, status: response?.status() };
  }

  async function assertReadableAt320(page: import('playwright-core').Page) {
    // A string, because this file is type-checked without the DOM library.
    const m = (await page.evaluate(`({
      scrollWidth: document.documentElement.scrollWidth,
      fontSize: parseFloat(getComputedStyle(document.body).fontSize),
      lang: document.documentElement.lang,
    })`)) as { scrollWidth: number; fontSize: number; lang: string };
    assert.ok(m.scrollWidth <= 320, `no sideways scrolling at 320 px (scrollWidth ${m.scrollWidth})`);
    assert.ok(m.fontSize >= 18, `base text at least 18 px (${m.fontSize})`);
    assert.equal(m.lang, 'ja');
  }

  it('the start page says what this is and that it is a dry run, readable on a phone', async () => {
    const { page, status } = await open('/');
    assert.equal(status, 200);
    assert.match(await page.locator('h1').innerText(), /オンライン相談窓口/);
    assert.match(await page.locator('.note').innerText(), /試験運用（ドライラン）/);
    await assertReadableAt320(page);
    await page.close();
  });

  it('a dry-run join link opens a page that says plainly there is no real call', async () => {
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    const meeting = (await s.call('GET', `/api/v1/consultations/${c.id}`)).body.meeting;
    const { page, status } = await open(new URL(meeting.joinUrl).pathname);
    assert.equal(status, 200);
    const text = await page.locator('body').innerText();
    assert.match(text, /実際のビデオ会議にはつながりません/);
    assert.match(text, /2026年12月1日（火）10:00/);
    assert.match(text, /税務課/);
    assert.ok(!text.includes('山田'), 'the citizen is not named on a page anyone with the link can open');
    await assertReadableAt320(page);
    await page.close();
  });
});
