import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { HAS_CHROMIUM, launchChromium, noSeriousViolations } from './browser.ts';
import { booking, botDeps, jst, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { CONSENT_VERSION } from '../embedded-app/state/content.ts';
import { handleMessage } from '../bot/index.ts';
import { saveDepartment } from '../scheduler/departments.ts';
import { createIdSource } from '../core/ids.ts';

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

  async function linkFromInvitation(over: Record<string, unknown> = {}): Promise<string> {
    await s.call('POST', '/api/v1/consultations', booking(over));
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
    // A mail link checker fetching the page (no script) is not taken for the citizen opening it.
    const id = /\/app\/c\/([0-9A-Z]+)\./.exec(link)![1];
    assert.equal((await s.call('GET', `/api/v1/consultations/${id}/app`)).body.step, 'not_opened');
    assert.match(await (await fetch(`${link}?lang=en`)).text(), /Welcome to your online consultation/);
    const altered = link.replace(/(\/app\/c\/[0-9A-Z]+)\.(\d+)\./, (_m, head: string, exp: string) => `${head}.${Number(exp) + 86400}.`);
    const refused = await fetch(altered);
    assert.equal(refused.status, 404);
    assert.match(await refused.text(), /このリンクは使えません/);
    s.clock.now = jst('2026-12-02', '11:01');
    assert.equal((await fetch(link)).status, 200, 'a day after, the survey can still be answered');
    s.clock.now = jst('2026-12-04', '11:01');
    const expired = await fetch(link);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /有効期限が過ぎています/);
  });

  it('walks a citizen from welcome through consent (recorded with its text version) and documents to the join button, and after it the survey', async function () {
    if (!browser) return this.skip();
    const link = await linkFromInvitation();
    const context = await browser.newContext({ viewport: { width: 375, height: 667 } });
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('link', { name: '次へ' }).click();
    assert.match(await page.locator('h1').innerText(), /相談のときのお約束/);
    assert.match(await page.locator('ol.rules').innerText(), /録画・録音をしないでください/);
    await page.getByRole('button', { name: '同意します' }).click();
    assert.match(await page.locator('h1').innerText(), /用意していただく書類/);
    await page
      .getByRole('group', { name: /本人確認書類/ })
      .getByLabel('手元にあります')
      .check();
    await page.getByRole('group', { name: /メモ/ }).getByLabel('ありません').check();
    await page.getByRole('button', { name: '次へ' }).click();
    // Ready: days before, the button is promised for 30 minutes before the start, and the number and password are there.
    assert.match(await page.locator('h1').innerText(), /準備ができました/);
    assert.match(await page.locator('#join-later').innerText(), /開始の30分前（09:30）から、ここに「参加する」ボタンが出ます/);
    assert.equal(await page.getByRole('link', { name: '参加する' }).count(), 0);
    const meeting = (await s.call('GET', `/api/v1/consultations/${/\/app\/c\/([0-9A-Z]+)\./.exec(link)![1]}`)).body.meeting;
    assert.match(await page.locator('main').innerText(), new RegExp(`パスワード: ${meeting.password}`));
    // The survey waits for the consultation, and says so.
    await page.goto(`${link}/end`);
    assert.match(await page.locator('h1').innerText(), /アンケートは相談のあとにお願いします/);
    await page.getByRole('link', { name: '相談の準備のページへ' }).click();
    assert.match(await page.locator('h1').innerText(), /準備ができました/);
    // Two seconds before the button's time, the open page shows it at its time without a reload.
    s.clock.now = jst('2026-12-01', '09:29') + 58_000;
    await page.reload();
    const join = page.getByRole('link', { name: '参加する' });
    await join.waitFor({ timeout: 10_000 });
    assert.equal(await join.getAttribute('href'), meeting.joinUrl);
    assert.ok(await page.locator('#join-later').isHidden());
    await noSeriousViolations(page, 'the ready page with its join button');
    // After the end, the personal page asks the survey.
    s.clock.now = jst('2026-12-01', '11:00');
    await page.reload();
    assert.match(await page.locator('h1').innerText(), /ありがとうございました/);
    assert.match(await page.locator('.steps').innerText(), /5 \/ 5/);
    await page.getByLabel('とても満足').check();
    await page.getByLabel('はい').check();
    await page.getByLabel('ご意見（自由にお書きください）').fill('家から相談できて助かりました');
    await page.getByRole('button', { name: '送る' }).click();
    assert.match(await page.locator('h1').innerText(), /ご協力ありがとうございました/);
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= 375);
    await context.close();
    const db = s.running.store.db;
    const consent = await db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    assert.equal(consent.text_version, CONSENT_VERSION);
    assert.equal(consent.agreed, 1);
    assert.equal(consent.entry_point, 'link');
    const progress = await db.selectFrom('app_progress').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(progress.checklist), { 'id-card': 'have', notes: 'missing' });
    assert.deepEqual(JSON.parse(progress.survey!), { satisfaction: 5, again: true, comment: '家から相談できて助かりました' });
    const audit = (await s.call('GET', `/api/v1/consultations/${consent.consultation_id}/audit`)).body.entries.map((e: { action: string }) => e.action);
    assert.ok(audit.includes('consent.given'));
    const seen = (await s.call('GET', `/api/v1/consultations/${consent.consultation_id}/app`)).body;
    assert.equal(seen.step, 'end');
    assert.equal(seen.consents[0].agreed, true);
    assert.equal(seen.consents[0].textVersion, CONSENT_VERSION);
    assert.match(seen.consents[0].text[0].ja, /録画《ろくが》/, 'the exact words shown, kept by their hash');
    assert.deepEqual(seen.checklist, { 'id-card': 'have', notes: 'missing' });
    assert.equal(seen.survey.satisfaction, 5);
  });

  it('a citizen who does not agree is told the alternative, and the refusal is recorded', async () => {
    const link = await linkFromInvitation();
    const post = (path: string, body: string) =>
      fetch(`${link}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
    const res = await post('/consent', `choice=decline&version=${CONSENT_VERSION}`);
    const said = await res.text();
    assert.match(said, /お電話か、市役所の窓口でご相談ください/);
    assert.match(said, /案内メールに書かれた税務課にお問い合わせください/, 'no contact is set: the invitation is where to look');
    // With the department's contact, the page gives the number, tap-to-call.
    const tax = (await s.call('GET', '/api/v1/departments')).body.departments.find((d: { name: string }) => d.name === '税務課');
    await saveDepartment(s.running.store.db, createIdSource(), Date.now(), tax.id, {
      name: '税務課',
      aliases: ['税務'],
      contact: '０８７９－２６－１１１１（平日 8:30〜17:15）',
    });
    const again = await (await post('/consent', `choice=decline&version=${CONSENT_VERSION}`)).text();
    assert.match(again, /<a href="tel:0879261111">０８７９－２６－１１１１（平日 8:30〜17:15）<\/a>/);
    const consent = await s.running.store.db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    assert.equal(consent.agreed, 0);
    // The department is told in its space (without the citizen's name), so someone offers the phone or the counter.
    await s.running.worker.idle();
    const told = await s.running.store.db.selectFrom('chat_messages').selectAll().where('purpose', 'like', 'consent-refused:%').execute();
    assert.equal(told.length, 2, 'one post per refusal (console platform)');
    assert.match(told[0]!.text, new RegExp(`相談 #${consent.consultation_id}.*同意しませんでした`));
    assert.doesNotMatch(told[0]!.text, /山田/);
    // Without a yes, the documents and the survey lead back to the consent.
    for (const p of ['/documents', '/end']) {
      const r = await fetch(`${link}${p}`, { redirect: 'manual' });
      assert.equal(r.status, 303);
      assert.match(r.headers.get('location')!, /\/consent$/);
    }
    // An answer without the version of the text on screen (or to another version) is not recorded.
    for (const body of ['choice=agree', 'choice=agree&version=0123456789abcdef']) {
      assert.equal((await post('/consent', body)).status, 303);
    }
    // A personal link cannot pass itself off as a Webex entry.
    await post('/consent?via=webex', `choice=agree&version=${CONSENT_VERSION}&via=webex`);
    const rows = await s.running.store.db.selectFrom('consents').select(['agreed', 'entry_point']).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { agreed: 0, entry_point: 'link' },
        { agreed: 0, entry_point: 'link' },
        { agreed: 1, entry_point: 'link' },
      ],
    );
    // A full survey comment (1000 Japanese characters, about 9 KB as a form) is taken, after the consultation.
    assert.equal((await post('/end', 'satisfaction=4')).status, 303, 'not before it');
    s.clock.now = jst('2026-12-01', '11:00');
    const long = 'あ'.repeat(1000);
    assert.equal((await post('/end', `satisfaction=4&comment=${encodeURIComponent(long)}`)).status, 200);
    const progress = await s.running.store.db.selectFrom('app_progress').select('survey').executeTakeFirstOrThrow();
    assert.equal(JSON.parse(progress.survey!).comment, long);
    // A cancelled consultation's link says so, and whom to call.
    await s.call('POST', `/api/v1/consultations/${/\/app\/c\/([0-9A-Z]+)\./.exec(link)![1]}/cancel`, {});
    const gone = await fetch(link);
    assert.equal(gone.status, 404);
    assert.match(await gone.text(), /この相談は取り消されました。お手数ですが、税務課（０８７９－２６－１１１１（平日 8:30〜17:15））にお問い合わせください。/);
  });

  it('shows the citizen the relay: connecting to 税務課 with the minutes waited, then who is coming', async () => {
    const link = await linkFromInvitation({ department: '総合窓口課' });
    const c = (await s.call('GET', '/api/v1/consultations?from=2026-12-01&to=2026-12-01')).body.consultations[0];
    assert.match(await (await fetch(`${link}/status`)).text(), /担当の職員がお話しします/);
    s.clock.now = jst('2026-12-01', '10:05');
    const deps = botDeps(s);
    const reception = { platform: 'console' as const, userId: 'u-r', displayName: '受付' };
    const tax = { platform: 'console' as const, userId: 'u-t', displayName: '税務 田中' };
    await handleMessage(deps, reception, `/relay 税務 #${c.id}`);
    s.clock.now += 2 * 60_000;
    assert.match(await (await fetch(`${link}/status`)).text(), /税務課の担当者におつなぎしています。このままお待ちください。（2分）/);
    await handleMessage(deps, tax, '/duty on 税務');
    await handleMessage(deps, tax, '/accept');
    assert.match(await (await fetch(`${link}/status`)).text(), /税務課の田中がまいります/);
  });

  it('reads large on a phone, in Chromium', async function () {
    if (!browser) return this.skip();
    const link = await linkFromInvitation();
    const page = await browser.newPage({ viewport: { width: 375, height: 667 } });
    await page.goto(link);
    assert.match(await page.locator('h1').innerText(), /ようこそ/);
    const m = (await page.evaluate(`({ w: document.documentElement.scrollWidth, f: parseFloat(getComputedStyle(document.body).fontSize) })`)) as {
      w: number;
      f: number;
    };
    assert.ok(m.w <= 375 && m.f >= 18, JSON.stringify(m));
    await page.getByRole('link', { name: 'English' }).click();
    assert.match(await page.locator('h1').innerText(), /Welcome/);
    await page.close();
  });
});
