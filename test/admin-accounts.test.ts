// Running the counter from /admin: host accounts (add, check, rename, retire), staff (department, site, duty), API
// tokens (made and shown once, revoked) and the audit log, in Chromium.
import assert from 'node:assert/strict';
import { handleMessage } from '../bot/index.ts';
import { describeInChromium, noSeriousViolations, signInAsAdmin } from './browser.ts';
import { ADMIN_TOKEN, FORM, booking, signIn, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

describeInChromium('accounts, staff, tokens and the audit log in the admin page', (browser) => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer('sqlite');
  });
  afterEach(async () => {
    await s.close();
  });

  it('adds a host account, checks it, renames it, and will not retire one with consultations ahead', async () => {
    const context = await browser().newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await signInAsAdmin(page, s.url, ADMIN_TOKEN);
    await page.goto(`${s.url}/admin/hosts`);
    await page.locator('#new-host-name').fill('相談用専用PC 2');
    await page.locator('#new-host-account').fill('pc2@city.example.jp');
    await page.getByRole('button', { name: '追加' }).click();
    await page.locator('.flash.ok', { hasText: '相談用専用PC 2を追加しました' }).waitFor();
    const row = page.locator('tr', { hasText: '相談用専用PC 2' });
    await row.getByRole('button', { name: 'アカウントを確かめる' }).click();
    assert.match(await page.locator('tr', { hasText: '相談用専用PC 2' }).locator('ul.check').innerText(), /✔ 試行用の端末です/);
    // The same account again is refused, in both languages, nothing added.
    await page.locator('#new-host-name').fill('もう一台');
    await page.locator('#new-host-account').fill('PC2@city.example.jp');
    await page.getByRole('button', { name: '追加' }).click();
    assert.match(await page.locator('.flash.error').innerText(), /すでにホスト「相談用専用PC 2」として登録されています/);
    assert.equal((await s.call('GET', '/api/v1/hosts')).body.hosts.length, 2);
    await noSeriousViolations(page, '/admin/hosts');

    const first = (await s.call('GET', '/api/v1/hosts')).body.hosts[0];
    assert.equal((await s.call('POST', '/api/v1/consultations', booking({ hostId: first.id }))).status, 201);
    await page.reload();
    const busy = page.locator('tbody tr').nth(0);
    await busy.locator('summary').click();
    assert.equal(await busy.getByRole('button', { name: '利用をやめる' }).isDisabled(), true);
    assert.match(await busy.innerText(), /これからの相談が1件あるため/);
    const spare = page.locator('tbody tr').nth(1);
    await spare.locator('summary').click();
    await spare.getByLabel('名前').fill('相談用PC（2階）');
    await spare.getByRole('button', { name: '保存' }).click();
    await page.locator('.flash.ok', { hasText: '名前を変えました' }).waitFor();
    const renamed = page.locator('tbody tr').nth(1);
    assert.match(await renamed.innerText(), /相談用PC（2階）/);
    await renamed.locator('summary').click();
    await renamed.getByRole('button', { name: '利用をやめる' }).click();
    assert.equal((await s.call('GET', '/api/v1/hosts')).body.hosts.length, 2, 'not without the confirmation');
    await renamed.getByRole('checkbox').check();
    await renamed.getByRole('button', { name: '利用をやめる' }).click();
    await page.locator('.flash.ok', { hasText: '「相談用PC（2階）」の利用をやめました' }).waitFor();
    assert.equal((await s.call('GET', '/api/v1/hosts')).body.hosts.length, 1);
    await context.close();
  });

  it('sets a staff member’s department and duty, makes a token shown once and revokes it, and finds it all in the audit log', async () => {
    const tanaka = { platform: 'console' as const, userId: 'u-t', displayName: '田中' };
    await handleMessage(s.running.deps, tanaka, '/help');
    const context = await browser().newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await signInAsAdmin(page, s.url, ADMIN_TOKEN);
    await page.goto(`${s.url}/admin/staff`);
    const row = page.locator('tr', { hasText: '田中' });
    assert.equal(await row.getByRole('button', { name: '当番にする' }).isDisabled(), true, 'no department yet');
    await row.getByLabel('課').selectOption({ label: '税務課' });
    await row.getByRole('button', { name: '保存' }).click();
    await page.locator('.flash.ok', { hasText: '保存しました' }).waitFor();
    await page.locator('tr', { hasText: '田中' }).getByRole('button', { name: '当番にする' }).click();
    await page.locator('.flash.ok', { hasText: '田中さんを当番にしました' }).waitFor();
    assert.match(await page.locator('tr', { hasText: '田中' }).innerText(), /当番中（17:30まで）/);
    await noSeriousViolations(page, '/admin/staff');
    const { listStaff } = await import('../relay/staff.ts');
    const { listDepartments } = await import('../scheduler/departments.ts');
    const tax = (await listDepartments(s.running.store.db)).find((d) => d.name === '税務課')!;
    assert.deepEqual(
      (await listStaff(s.running.store.db)).map((m) => [m.displayName, m.departmentId, m.onDuty]),
      [['田中', tax.id, true]],
      'relays to 税務課 now alert 田中',
    );

    await page.goto(`${s.url}/admin/tokens`);
    await page.getByLabel('名前（だれが何に使うか）').fill('予約システム');
    await page.getByRole('button', { name: '作る' }).click();
    const token = (await page.locator('.flash.ok code').innerText()).trim();
    assert.match(token, /^mdg_/);
    const use = () => fetch(`${s.url}/api/v1/hosts`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal((await use()).status, 200);
    await page.goto(`${s.url}/admin/tokens`);
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(token), 'never shown again');
    await noSeriousViolations(page, '/admin/tokens');
    // Sending the same form again (a reload of the page that showed it) makes no second token.
    const { cookie, csrf } = await signIn(s.url);
    const form = await (await fetch(`${s.url}/admin/tokens`, { headers: { cookie } })).text();
    const once = /name="once" value="([^"]+)"/.exec(form)![1]!;
    const send = () =>
      fetch(`${s.url}/admin/tokens`, {
        method: 'POST',
        headers: { cookie, 'content-type': FORM },
        body: new URLSearchParams({ csrf, once, name: '二重', role: 'staff' }),
      });
    assert.equal((await send()).status, 200);
    const again = await send();
    assert.equal(again.status, 409);
    assert.match(await again.text(), /もう作りました/);
    assert.equal((await s.call('GET', '/api/v1/tokens')).body.tokens.filter((t: { name: string; revokedAt: string | null }) => t.name === '二重').length, 1);
    await page.goto(`${s.url}/admin/tokens`);
    // The last admin token cannot be revoked: nobody could sign in again.
    const bootstrap = page.locator('tr', { hasText: 'いまサインインに使っている' });
    await bootstrap.getByRole('checkbox').check();
    await bootstrap.getByRole('button', { name: '取り消す' }).click();
    assert.match(await page.locator('.flash.error').innerText(), /最後の管理者トークン/);
    const kept = page.locator('tr', { hasText: '予約システム' });
    await kept.getByRole('checkbox').check();
    await kept.getByRole('button', { name: '取り消す' }).click();
    await page.locator('.flash.ok', { hasText: '取り消しました' }).waitFor();
    assert.equal((await use()).status, 401);

    const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
    await page.goto(`${s.url}/admin/audit`);
    const log = await page.locator('main').innerText();
    assert.match(log, /トークンを取り消し[\s\S]*トークンを作成[\s\S]*当番にしました[\s\S]*職員の課・拠点を変更/, 'newest first');
    await page.getByLabel('相談の番号').fill(c.id);
    await page.getByRole('button', { name: '絞り込む' }).click();
    assert.match(await page.locator('tbody').innerText(), new RegExp(`予約 Booked\\t#${c.id}`));
    const entries = await page.locator('tbody tr').allInnerTexts();
    assert.ok(entries.length >= 1 && entries.every((e) => e.includes(`#${c.id}`)), 'only that consultation');
    await noSeriousViolations(page, '/admin/audit');
    await context.close();
  });
});
