// The admin's list of consultations: filters, those needing attention first with the provider's message, one
// consultation's timeline, and acting on it (retry, move, cancel) in Chromium; the CSV without and with personal data.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ConferencingProvider, Meeting, MeetingRequest } from '../core/conferencing/index.ts';
import { ProviderError } from '../core/conferencing/index.ts';
import { describeInChromium, noSeriousViolations, signInAsAdmin } from './browser.ts';
import { ADMIN_TOKEN, booking, signIn, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

/** A dry-run host that refuses the first meeting, as Webex does a setting it will not take, then works. */
function refusingOnce(): ConferencingProvider & { refusals: number } {
  const p = {
    kind: 'dryrun' as const,
    refusals: 1,
    async createMeeting(r: MeetingRequest): Promise<Meeting> {
      if (p.refusals > 0) {
        p.refusals--;
        throw new ProviderError('dryrun', 'Password does not meet complexity requirements.', { status: 400, retryable: false, trackingId: 'T-1' });
      }
      return {
        provider: 'dryrun',
        providerMeetingId: `m-${r.consultationId}`,
        meetingNumber: '25512345678',
        password: 'Pw123456',
        joinUrl: `https://example.invalid/${r.consultationId}`,
        dialIn: [],
        sipAddress: '',
      };
    },
    async updateMeeting(m: Meeting) {
      return m;
    },
    async deleteMeeting() {},
  };
  return p;
}

describeInChromium('consultations in the admin page', (browser) => {
  let s: TestServer;
  afterEach(async () => {
    await s?.close();
  });

  it('lists what needs attention first with its message, shows the timeline, and retries, moves and cancels from the page', async () => {
    s = await startTestServer('sqlite', {}, { providers: { dryrun: refusingOnce() } });
    const failed = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-03T10:00:00+09:00' }))).body;
    await s.running.worker.idle();
    const fine = (
      await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T10:00:00+09:00', citizen: { name: '佐藤花子', email: 'sato@example.jp' } }))
    ).body;
    await s.running.worker.idle();
    assert.equal((await s.call('GET', `/api/v1/consultations/${failed.id}`)).body.status, 'needs_attention');

    const context = await browser().newContext({ viewport: { width: 1100, height: 900 } });
    const page: Page = await context.newPage();
    await signInAsAdmin(page, s.url, ADMIN_TOKEN);
    await page.getByRole('link', { name: '相談', exact: true }).click();
    await page.waitForURL('**/admin/consultations');
    const rows = page.locator('tbody tr');
    assert.match(
      await rows.nth(0).innerText(),
      new RegExp(`#${failed.id}[\\s\\S]*要対応[\\s\\S]*complexity requirements`),
      'needs attention first, with the message',
    );
    assert.match(await rows.nth(1).innerText(), new RegExp(`#${fine.id}[\\s\\S]*佐藤花子`));
    assert.match(await page.locator('main').innerText(), /要対応 1件/);
    await noSeriousViolations(page, 'the consultation list', { rules: ['scrollable-region-focusable'] });

    // Filters: the department and the status.
    await page.getByLabel('状態 Status').selectOption('needs_attention');
    await page.getByRole('button', { name: '絞り込む' }).click();
    assert.equal(await rows.count(), 1);

    await page.getByRole('link', { name: `#${failed.id}` }).click();
    const timeline = page.locator('table', { hasText: 'できごと' });
    assert.match(await timeline.innerText(), /予約[\s\S]*要対応になりました[\s\S]*complexity requirements/);
    await noSeriousViolations(page, 'one consultation');
    await page.getByRole('button', { name: 'もう一度試す' }).click();
    await page.locator('.flash.ok', { hasText: 'もう一度試しています' }).waitFor();
    await s.running.worker.idle();
    await page.reload();
    assert.match(await page.locator('.facts').innerText(), /状態\n案内送信済み/);
    assert.match(await timeline.innerText(), /やり直し[\s\S]*会議ができました[\s\S]*案内メールを送りました/);

    // Move: a field error next to the field, then a real move.
    await page.getByLabel('長さ（分）').fill('abc');
    await page.getByRole('button', { name: 'この日時に変える' }).click();
    assert.match(await page.locator('#move-duration-error').innerText(), /5〜720 分/);
    await page.getByLabel('長さ（分）').fill('30');
    await page.getByLabel('開始時刻').fill('13:30');
    await page.getByRole('button', { name: 'この日時に変える' }).click();
    await page.locator('.flash.ok', { hasText: '日時を変えました' }).waitFor();
    assert.match(await page.locator('.facts').innerText(), /13:30〜14:00（30分）/);

    // Cancel needs a reason and the confirmation; the citizen is told.
    await page.getByLabel('理由（必須。相談者に伝わります）').fill('担当者の急な不在のため');
    await page.getByRole('checkbox', { name: /この相談を取り消します/ }).check();
    await page.getByRole('button', { name: '取り消す' }).click();
    await page.locator('.flash.ok', { hasText: '取り消しました' }).waitFor();
    await s.running.worker.idle();
    await page.reload();
    assert.match(await timeline.innerText(), /取り消し[\s\S]*担当者の急な不在のため[\s\S]*メール送信: 取り消し/);
    await context.close();
  });

  it('the CSV has no personal data unless asked for, and never what was erased; asking is audited', async () => {
    s = await startTestServer('sqlite');
    const a = (
      await s.call('POST', '/api/v1/consultations', booking({ start: '2026-11-25T10:00:00+09:00', citizen: { name: '山田太郎', email: 'yamada@example.jp' } }))
    ).body;
    const b = (
      await s.call('POST', '/api/v1/consultations', booking({ start: '2026-11-26T10:00:00+09:00', citizen: { name: '=cmd|calc', email: 'x@example.jp' } }))
    ).body;
    await s.running.worker.idle();
    s.clock.now = Date.parse('2026-11-27T01:00:00Z');
    assert.equal((await s.call('POST', `/api/v1/consultations/${a.id}/erase`, {})).status, 200);
    const { cookie } = await signIn(s.url);
    const get = async (q: string) => {
      const r = await fetch(`${s.url}/admin/consultations.csv?from=2026-11-01&to=2026-11-30${q}`, { headers: { cookie } });
      assert.equal(r.status, 200);
      return Buffer.from(await r.arrayBuffer()).toString('utf8');
    };
    const plain = await get('');
    assert.doesNotMatch(await get('&personal=yes'), /山田|calc/, 'personal data only with the confirmation ticked');
    assert.ok(plain.startsWith('\uFEFF番号,開始（日本時間）,和暦,'));
    assert.match(plain, new RegExp(`${b.id},2026-11-26 10:00,令和8年11月26日 10:00,`));
    assert.doesNotMatch(plain, /山田|yamada|calc|固定資産税について/);
    const personal = await get('&personal=yes&confirm=yes');
    assert.match(personal, /,氏名,メールアドレス,相談内容\r\n/);
    assert.match(personal, new RegExp(`${a.id},.*,（消去済み）,,\\r\\n`), 'erased stays erased');
    assert.match(personal, /,'=cmd\|calc,x@example\.jp,固定資産税について\r\n/, 'a formula is made plain text');
    const audit = await s.running.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'consultations.exported_with_personal_data').execute();
    assert.equal(audit.length, 1);
    assert.doesNotMatch(audit[0]!.after_json ?? '', /山田|x@example/);
  });
});
