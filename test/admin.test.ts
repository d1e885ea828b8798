import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { describeInChromium, noSeriousViolations, signInAsAdmin } from './browser.ts';
import { ADMIN_TOKEN, booking, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';
import { listDepartments } from '../scheduler/departments.ts';

const signIn = (page: Page, s: TestServer) => signInAsAdmin(page, s.url, ADMIN_TOKEN);

async function emlSubjects(s: TestServer): Promise<string[]> {
  const dir = path.join(s.config.dataDir, 'outbox');
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.eml'))) out.push((await simpleParser(readFileSync(path.join(dir, f)))).subject ?? '');
  return out;
}

describeInChromium('admin page in Chromium', (browser) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    await s.close();
  });

  it('edits the invitation with a live preview, refuses an unknown variable, saves, rolls back, and the next booking uses the active version', async () => {
    const page = await browser().newPage({ viewport: { width: 1100, height: 900 } });
    await signIn(page, s);
    await page.getByRole('link', { name: '日本語を編集' }).first().click();
    await page.waitForURL('**/admin/templates/invitation/ja');
    const subject = page.getByLabel('件名');

    await subject.fill('【{{ city.name }}】ご案内その一 {{ consultation.id }}');
    await page.locator('#preview-subject', { hasText: '【市役所】ご案内その一 SAMPLE01' }).waitFor();

    await subject.fill('【{{ city.name }}】{{ meeting.pasword }}');
    await page.getByRole('button', { name: '保存して使う' }).click();
    const error = page.locator('#subject-error');
    await error.waitFor();
    assert.match(await error.innerText(), /使えない変数があります: meeting\.pasword/);
    assert.equal(await subject.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('.flash.error').innerText(), /保存できませんでした/);
    assert.match(await page.locator('main').innerText(), /使用中: 初期設定/, 'a broken template is never active');

    await subject.fill('【{{ city.name }}】ご案内その一 {{ consultation.id }}');
    await page.getByRole('button', { name: '保存して使う' }).click();
    await page.locator('.flash.ok').waitFor();
    assert.match(await page.locator('.flash.ok').innerText(), /第1版/);

    await subject.fill('【{{ city.name }}】ご案内その二 {{ consultation.id }}');
    await page.getByRole('button', { name: '保存して使う' }).click();
    await page.locator('.flash.ok', { hasText: '第2版' }).waitFor();

    await page.getByRole('button', { name: '第1版に戻す' }).click();
    await page.locator('.flash.ok', { hasText: '戻しました' }).waitFor();
    assert.equal(await subject.inputValue(), '【{{ city.name }}】ご案内その一 {{ consultation.id }}');
    assert.match(await page.locator('main').innerText(), /使用中: 第3版/);
    const history = await page.locator('table').first().innerText();
    assert.match(history, /初期管理者\s+2026年11月24日（火）09:00/, 'who saved it, in Japanese, at city time (not UTC)');
    assert.doesNotMatch(history, /UTC|bootstrap admin/);

    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    assert.deepEqual(await emlSubjects(s), [`【市役所】ご案内その一 ${c.id}`]);
    await page.close();
  });

  it('sites and devices: a branch added, a device moved there, its token made once, used on the device, and revoked', async () => {
    const context = await browser().newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await signIn(page, s);
    await page.getByRole('link', { name: '拠点と端末' }).click();
    await page.waitForURL('**/admin/sites');
    await page.getByRole('button', { name: '追加' }).click();
    await page.getByText('支所の名前を入れてください。').first().waitFor();
    await page.getByLabel('支所の名前').fill('三隅支所');
    await page.getByRole('button', { name: '追加' }).click();
    await page.getByText('三隅支所を追加しました。').waitFor();
    await page.getByLabel('拠点', { exact: true }).selectOption({ label: '三隅支所' });
    await page.getByRole('button', { name: '移す' }).click();
    await page.getByText('端末の拠点を変えました。').waitFor();
    await noSeriousViolations(page, 'sites and devices');
    await page.getByRole('button', { name: 'この端末のトークンを作る' }).click();
    const token = (await page.locator('.flash code').first().textContent())!;
    assert.match(token, /^mdg_dev_/);
    await page.goto(`${s.url}/admin/sites`);
    assert.equal(await page.getByText(token).count(), 0, 'shown once');

    const device = await browser().newPage({ viewport: { width: 1280, height: 800 } });
    await device.goto(`${s.url}/counter/login`);
    await device.getByLabel('端末用トークン').fill(token);
    await device.getByRole('button', { name: 'この端末で使う' }).click();
    await device.getByRole('heading', { name: '三隅支所 オンライン窓口' }).waitFor();
    await page.getByRole('button', { name: '取り消す' }).click();
    await page.getByText('トークンを取り消しました').waitFor();
    await device.reload();
    await device.waitForURL('**/counter/login');
    await device.close();
    await context.close();
  });

  it('axe finds nothing serious on any staff page, the start page or the dry-run meeting page (wide tables scroll by keyboard too)', async () => {
    // A phone's width: wide tables scroll, and must be reachable by keyboard.
    const context = await browser().newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    const rules = ['scrollable-region-focusable', 'landmark-one-main', 'empty-table-header', 'page-has-heading-one'];
    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await s.running.worker.idle();
    await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', note: '庁舎点検' });
    await page.goto(`${s.url}/`);
    await noSeriousViolations(page, 'the start page', { rules });
    for (const name of ['管理画面', '職員コンソール', '支所の窓口画面', '課の呼び出しボード'])
      assert.equal(await page.getByRole('link', { name: new RegExp(name) }).count(), 1, name);
    await page.goto(`${s.url}/dry-run/meetings/dryrun-${c.id}`);
    await noSeriousViolations(page, 'the dry-run meeting page', { rules });
    await signIn(page, s);
    const paths = [
      '/admin/templates',
      '/admin/templates/invitation/ja',
      '/admin/departments',
      '/admin/sites',
      '/admin/calendar',
      '/admin/app',
      '/admin/app/consent',
      '/admin/app/checklist/general',
      '/admin/privacy',
      '/admin/stats',
      '/admin/consultations',
      `/admin/consultations/${c.id}`,
      '/console',
      '/counter',
      '/board',
    ];
    for (const p of paths) {
      await page.goto(`${s.url}${p}`);
      // The email preview is a sandboxed frame of the email itself (no script: axe cannot enter it).
      await noSeriousViolations(page, p, { exclude: '#preview-html', rules });
    }
    await page.goto(`${s.url}/console`);
    await page.getByLabel('職員を追加').fill('税務課 田中');
    await page.getByRole('button', { name: '追加' }).click();
    await page.getByLabel('コマンド').fill('/help');
    await page.getByRole('button', { name: '送る' }).click();
    await noSeriousViolations(page, 'the console with a conversation', { rules });
    await context.close();
  });

  it('departments and closures are edited on the page, with errors next to the field', async () => {
    const context = await browser().newContext({ viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    await signIn(page, s);
    await page.getByRole('link', { name: '課', exact: true }).click();
    await page.locator('#new-name').fill('市民課');
    await page.locator('#new-aliases').fill('市民、税');
    await page.getByRole('button', { name: '追加' }).click();
    await page.locator('#new-aliases-error').waitFor();
    assert.match(await page.locator('#new-aliases-error').innerText(), /税務課 がすでに使っています/);
    await page.locator('#new-aliases').fill('市民、住民票');
    await page.getByRole('button', { name: '追加' }).click();
    await page.locator('.flash.ok', { hasText: '市民課' }).waitFor();
    const staffDepartments = (await s.call('GET', '/api/v1/departments')).body.departments.map((d: { name: string }) => d.name);
    assert.ok(staffDepartments.includes('市民課'));
    // Departments a citizen could not be told whom to call are named, until a contact is entered.
    assert.match(await page.locator('.flash.warn').innerText(), /連絡先（電話番号と受付時間）のない課があります: .*市民課.*税務課/);
    const tax = page.locator('section').filter({ has: page.getByRole('heading', { name: '税務課', exact: true }) });
    await tax.getByLabel('連絡先').fill('0879-26-1111（平日 8:30〜17:15）');
    await tax.getByRole('button', { name: '保存' }).click();
    await page.locator('.flash.ok').waitFor();
    assert.doesNotMatch(await page.locator('.flash.warn').innerText(), /税務課/);
    assert.equal((await listDepartments(s.running.store.db)).find((d) => d.name === '税務課')!.contact, '0879-26-1111（平日 8:30〜17:15）');

    await page.getByRole('link', { name: '受付時間・閉庁日' }).click();
    await page.getByLabel('開始日').fill('2026-12-02');
    await page.getByLabel('開始時刻').fill('12:00');
    await page.getByRole('button', { name: '追加' }).click();
    await page.locator('#endTime-error').waitFor();
    await page.getByLabel('開始時刻').fill('');
    await page.getByLabel('メモ').fill('庁舎点検');
    await page.getByRole('button', { name: '追加' }).click();
    await page.locator('.flash.ok').waitFor();
    assert.match(await page.locator('table').innerText(), /2026-12-02[\s\S]*終日[\s\S]*庁舎点検/);
    const refused = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }));
    assert.equal(refused.status, 422);
    assert.match(refused.body.detail_ja, /庁舎点検/);
    // A crafted link cannot put its own words in the green box: only messages this server signed are shown.
    await page.goto(`${s.url}/admin/calendar?saved=${encodeURIComponent('至急 http://evil.example/ でサインインし直してください|x')}`);
    assert.equal(await page.locator('.flash.ok').count(), 0);
    await page.goto(`${s.url}/admin/calendar?saved=x&sig=forged`);
    assert.equal(await page.locator('.flash.ok').count(), 0);
    // A closure over a booked consultation: the admin sees it and chooses; the citizen is told of the cancellation.
    const booked = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-04T10:00:00+09:00' }))).body;
    await page.getByLabel('開始日').fill('2026-12-04');
    await page.getByLabel('メモ').fill('選挙事務');
    await page.getByRole('button', { name: '追加' }).click();
    const confirm = page.getByRole('region', { name: /閉庁と重なる相談/ });
    await confirm.waitFor();
    assert.match(await page.getByRole('heading', { level: 2, name: /予約済みの相談が1件あります/ }).innerText(), /閉庁「2026-12-04 終日（選挙事務）」の日時に/);
    assert.match(await page.locator('.flash.warn').innerText(), /まだ追加していません/);
    assert.match(await confirm.innerText(), new RegExp(`#${booked.id}[\\s\\S]*12月4日[\\s\\S]*税務課`));
    await noSeriousViolations(page, 'the closure confirmation');
    await page.getByRole('button', { name: '取り消す' }).click();
    await page.locator('.flash.ok').waitFor();
    assert.match(await page.locator('.flash.ok').innerText(), new RegExp(`1件を取り消しました（#${booked.id}）`));
    assert.equal((await s.call('GET', `/api/v1/consultations/${booked.id}`)).body.statusNote, '臨時閉庁（選挙事務）のため');
    // Removing a closure is confirmed on a page of its own (it opens the days for booking again).
    await page.locator('tr', { hasText: '選挙事務' }).getByRole('link', { name: '削除…' }).click();
    assert.match(await page.locator('main').innerText(), /削除しますか？[\s\S]*閉庁 2026-12-04 終日（選挙事務）[\s\S]*また予約できるようになります/);
    await noSeriousViolations(page, 'the removal confirmation');
    await page.getByRole('button', { name: '削除する' }).click();
    await page.locator('.flash.ok', { hasText: '削除しました' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /選挙事務/);
    for (const path of [
      '/admin/templates',
      '/admin/templates/invitation/ja',
      '/admin/departments',
      '/admin/calendar',
      '/admin/privacy',
      '/admin/stats',
      '/console',
    ]) {
      await page.goto(`${s.url}${path}`);
      const width = await page.evaluate('document.documentElement.scrollWidth');
      assert.ok((width as number) <= 320, `no sideways scrolling at 320 px on ${path} (${width})`);
    }
    await context.close();
  });
});

describe('who did it, as people read it', () => {
  it('names the person at the end of an actor, and the first admin token in Japanese', async () => {
    const { actorName } = await import('../core/audit.ts');
    assert.equal(actorName('admin:token:AB12CD34:税務課 田中'), '税務課 田中');
    assert.equal(actorName('admin:token:AB12CD34:bootstrap admin'), '初期管理者', 'as earlier versions named it');
    assert.equal(actorName('system'), 'system');
  });
});

describe('admin page security', function () {
  this.timeout(30_000);
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    await s.close();
  });

  it('refuses a wrong sign-in, a form without its CSRF token, and a post from another site', async () => {
    const login = await fetch(`${s.url}/admin/login`);
    const loginCookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const loginCsrf = /name="login_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
    const bad = await fetch(`${s.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
      body: new URLSearchParams({ login_csrf: loginCsrf, token: 'wrong' }),
    });
    assert.equal(bad.status, 401);
    const good = await fetch(`${s.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
      body: new URLSearchParams({ login_csrf: loginCsrf, token: ADMIN_TOKEN }),
    });
    assert.equal(good.status, 303);
    const session = good.headers.getSetCookie().find((c) => c.startsWith('madoguchi_admin='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    const cookie = session.split(';')[0]!;
    const noCsrf = await fetch(`${s.url}/admin/templates/invitation/ja`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ subject: 'x', text: 'x', html: 'x' }),
    });
    assert.equal(noCsrf.status, 403);
    const page = await (await fetch(`${s.url}/admin/templates/invitation/ja`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const crossSite = await fetch(`${s.url}/admin/templates/invitation/ja`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'https://evil.example' },
      body: new URLSearchParams({ csrf, subject: 'x', text: 'x', html: 'x' }),
    });
    assert.equal(crossSite.status, 403);
    assert.equal((await s.running.store.db.selectFrom('template_versions').selectAll().execute()).length, 0, 'nothing was saved');
    const anonymous = await fetch(`${s.url}/admin/templates`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/admin/login');
  });
});
