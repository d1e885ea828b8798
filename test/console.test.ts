import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { describeInChromium } from './browser.ts';
import { ADMIN_TOKEN, jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

describeInChromium('staff console in Chromium', (browser) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('sqlite');
  });
  after(async () => {
    await s?.close();
  });

  async function as(page: Page, name: string) {
    await page.goto(`${s.url}/console`);
    await page.fill('#new-staff', name);
    await page.getByRole('button', { name: '追加' }).click();
    await page.waitForURL('**/console?staff=*');
  }
  async function type(page: Page, text: string) {
    await page.fill('#say', text);
    await page.getByRole('button', { name: '送る' }).click();
    await page.waitForURL('**/console?staff=*');
  }
  const chat = (page: Page) => page.locator('#chat').innerText();

  it('a newcomer books, relays to 税務, a tax staff member accepts, and finishes with /done', async () => {
    s.clock.now = jst('2026-12-01', '10:10');
    const page = await browser().newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${s.url}/console`);
    await page.waitForURL('**/admin/login?next=/console');
    await page.getByLabel('管理者 API トークン').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.waitForURL('**/console');

    await as(page, '税務課 田中');
    const tanaka = new URL(page.url()).searchParams.get('staff')!;
    await type(page, '/duty on 税務');
    assert.match(await chat(page), /税務課の当番を始めました/);

    await as(page, '総合窓口 山本');
    const yamamoto = new URL(page.url()).searchParams.get('staff')!;
    await type(page, '/book 12/1 13:00 60 山田太郎 yamada@example.jp 総合窓口 相続の手続き');
    const id = /予約しました: #([0-9A-Z]{8})/.exec(await chat(page))![1]!;
    await s.running.worker.idle();

    // The citizen has joined (a relay is for a consultation happening now).
    s.clock.now = jst('2026-12-01', '13:05');
    await type(page, '／relay　税務　相続の件');
    assert.match(await chat(page), new RegExp(`税務課を呼び出しました（相談 #${id}、1番目）`));
    await s.running.worker.idle();

    await page.goto(`${s.url}/console?staff=${tanaka}`);
    const alert = page.locator('#departments .card').first();
    assert.match(await alert.innerText(), /【呼び出し】税務課へのおつなぎ[\s\S]*相続の件/);
    await alert.getByRole('button', { name: '対応する / Accept' }).click();
    await page.waitForURL('**/console?staff=*');
    await s.running.worker.idle();
    await page.reload();
    const tanakaChat = await chat(page);
    assert.match(tanakaChat, new RegExp(`相談 #${id} をお願いします`));
    assert.match(tanakaChat, /参加: http/);
    assert.match(tanakaChat, /パスワード: \d+/);
    assert.match(await page.locator('#departments').innerText(), /税務課 田中さんが対応中です/);

    await page.setViewportSize({ width: 375, height: 667 });
    await page.reload();
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= 375, `usable on a phone without sideways scrolling (${width})`);
    await page.setViewportSize({ width: 1200, height: 900 });
    await type(page, '/done');
    assert.match(await chat(page), /おつなぎを終えました/);
    await s.running.worker.idle();
    await page.goto(`${s.url}/console?staff=${yamamoto}`);
    assert.match(await chat(page), /税務課の田中さんが対応します/);
    assert.match(await chat(page), /税務課の対応が終わりました/);
    await page.close();
  });
});
