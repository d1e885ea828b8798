// The branch counter page and the department's alert board in real Chromium: each device signs in with its device
// token; a call from the counter shows on the board at once, flashing (steady under reduced motion) and sounding until
// someone accepts; an accept in chat clears it within a second; an accept on the board is the same accept; the counter
// tells the citizen who is coming; axe finds nothing serious; screenshots for the README.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { describeInChromium, noSeriousViolations } from './browser.ts';
import { jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const SCREENSHOTS = path.resolve('test-results/screenshots');
const tax1: Sender = { platform: 'console', userId: 'u-tax1', displayName: '税務課 田中' };
const tax2: Sender = { platform: 'console', userId: 'u-tax2', displayName: '税務課 鈴木' };

async function open(browser: Browser, o: { reducedMotion?: 'reduce' | 'no-preference'; width?: number; height?: number } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: o.width ?? 1280, height: o.height ?? 800 },
    reducedMotion: o.reducedMotion ?? 'no-preference',
  });
  const page = await context.newPage();
  page.on('close', () => void context.close());
  return page;
}

async function signInDevice(page: Page, s: TestServer, role: 'counter' | 'board', token: string): Promise<void> {
  await page.goto(`${s.url}/${role}/login`);
  await page.getByLabel('端末用トークン').fill(token);
  await page.getByRole('button', { name: 'この端末で使う' }).click();
  await page.waitForURL(`**/${role}`);
}

describeInChromium('the branch counter and the department board in Chromium', (browser) => {
  let s: TestServer;
  let counterToken: string;
  let boardToken: string;
  before(async () => {
    s = await startTestServer('sqlite');
    const site = (await s.call('POST', '/api/v1/sites', { name: '三隅支所', phone: '0855-32-0000' })).body;
    const host = (await s.call('POST', '/api/v1/hosts', { displayName: '三隅 窓口1', provider: 'dryrun', account: 'misumi-1', siteId: site.id })).body;
    const tax = (await s.call('GET', '/api/v1/departments')).body.departments.find((d: { name: string }) => d.name === '税務課');
    counterToken = (await s.call('POST', '/api/v1/devices', { name: '三隅 窓口1', role: 'counter', scope: host.id })).body.token;
    boardToken = (await s.call('POST', '/api/v1/devices', { name: '税務課ボード', role: 'board', scope: tax.id })).body.token;
    s.clock.now = jst('2026-12-01', '10:00');
    await handleMessage(s.running.deps, tax1, '/duty on 税務');
    await handleMessage(s.running.deps, tax2, '/duty on 税務');
  });
  after(async () => {
    await s?.close();
  });

  it('a call from the counter flashes and sounds on the board, clears within 1 s of an accept in chat, and the board accepts too', async () => {
    const board = await open(browser());
    await signInDevice(board, s, 'board', boardToken);
    await board.getByRole('button', { name: /呼び出し音を有効にする/ }).click();
    assert.equal(await board.locator('body').getAttribute('data-sound'), 'on');
    await board.locator('#band', { hasText: '呼び出しはありません' }).waitFor();
    await noSeriousViolations(board, 'the quiet board');

    const counter = await open(browser());
    await signInDevice(counter, s, 'counter', counterToken);
    await counter.getByLabel(/ご用件/).fill('相続の手続き');
    await counter.getByRole('button', { name: /^税務課/ }).click();
    await counter.locator('#call-status', { hasText: '税務課につないでいます（0分）' }).waitFor();
    await noSeriousViolations(counter, 'the counter, calling');

    // The board is on its own screen: in front (a page in the background gets no animation frames to be seen in).
    await board.bringToFront();
    const calling = board.locator('#band.calling');
    await calling.waitFor({ timeout: 3000 });
    assert.match((await board.locator('.call').first().textContent()) ?? '', /三隅支所の窓口から「相続の手続き」/);
    const animation = `getComputedStyle(document.getElementById('band')).animationName`;
    assert.equal(await board.evaluate(animation), 'lamp', 'the band flashes');
    await board.waitForFunction(`Number(document.body.dataset.buzzes || '0') >= 1`, null, { timeout: 5000 });
    await noSeriousViolations(board, 'the calling board');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await board.screenshot({ path: path.join(SCREENSHOTS, 'board-calling.png') });
    await counter.screenshot({ path: path.join(SCREENSHOTS, 'counter-calling.png'), fullPage: true });

    const still = await open(browser(), { reducedMotion: 'reduce' });
    await signInDevice(still, s, 'board', boardToken);
    await still.locator('#band.calling').waitFor();
    assert.equal(await still.evaluate(animation), 'none', 'steady under reduced motion');
    await still.close();

    await board.bringToFront();
    const before = Date.now();
    assert.match((await handleMessage(s.running.deps, tax1, '/accept')).text, /をお願いします/);
    await board.locator('#band:not(.calling)').waitFor({ timeout: 1000 });
    assert.ok(Date.now() - before < 1000, 'cleared within a second');
    assert.match((await board.locator('.taken').textContent()) ?? '', /田中さん 三隅支所の窓口/);
    await counter.bringToFront();
    await counter.locator('#call-status', { hasText: '税務課の田中がまいります。' }).waitFor({ timeout: 2000 });
    await counter.screenshot({ path: path.join(SCREENSHOTS, 'counter-coming.png'), fullPage: true });

    // Handed on to the same department's colleague? No: tax finished; the branch ends the visit, then a second one
    // comes, and this time the board's own button takes it.
    await counter.getByRole('button', { name: '相談を終える' }).click();
    await counter.locator('#call-status', { hasText: 'ご用件の課を職員がお呼びします。' }).waitFor();
    s.clock.now = jst('2026-12-01', '10:40');
    await counter.getByRole('button', { name: /^税務課/ }).click();
    await board.bringToFront();
    await board.locator('#band.calling').waitFor({ timeout: 3000 });
    await board.getByLabel('対応する人').selectOption({ label: '鈴木（当番）' });
    await board.getByRole('button', { name: '対応する' }).click();
    await board.getByText('税務課 鈴木さんが対応します').waitFor();
    await counter.bringToFront();
    await counter.locator('#call-status', { hasText: '税務課の鈴木がまいります。' }).waitFor({ timeout: 2000 });
    const relay = await s.running.store.db.selectFrom('relays').selectAll().orderBy('requested_at', 'desc').executeTakeFirstOrThrow();
    const suzuki = await s.running.store.db.selectFrom('staff').select('id').where('platform_user_id', '=', tax2.userId).executeTakeFirstOrThrow();
    assert.equal(relay.accepted_by, suzuki.id, 'the same accept as in chat');
    await board.close();
    await counter.close();
  });

  it('refuses a wrong token, and a board’s token on the counter', async () => {
    const page = await open(browser());
    await page.goto(`${s.url}/counter/login`);
    await page.getByLabel('端末用トークン').fill(boardToken);
    await page.getByRole('button', { name: 'この端末で使う' }).click();
    await page.getByText('このトークンは使えません').waitFor();
    await noSeriousViolations(page, 'the sign-in refusal');
    const res = await fetch(`${s.url}/counter`, { redirect: 'manual' });
    assert.equal(res.status, 303, 'not signed in: to the sign-in page');
    await page.close();
  });

  it('the counter page fits a tablet', async () => {
    const page = await open(browser(), { width: 768, height: 1024 });
    await signInDevice(page, s, 'counter', counterToken);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.equal(overflow, 0, 'no sideways scrolling');
    await noSeriousViolations(page, 'the counter on a tablet');
    await page.close();
  });
});
