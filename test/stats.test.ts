// The figures a city reports, end to end: a walk-in from a branch relayed across two departments, a booked
// consultation with a survey, a cancelled one; the API, the admin page, the CSV for Excel; nothing personal in any of
// them, and the same numbers after the citizen's personal data is erased.
import assert from 'node:assert/strict';
import { handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { citizenAt } from '../embedded-app/state/index.ts';
import { DATABASES, booking, jst, serverForEachTest, signIn } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const misumi: Sender = { platform: 'console', userId: 'u-misumi', displayName: '三隅支所 佐々木' };
const tax: Sender = { platform: 'console', userId: 'u-tax1', displayName: '税務課 田中' };
const pension: Sender = { platform: 'console', userId: 'u-pension', displayName: '保険年金課 高橋' };

for (const kind of DATABASES) {
  describe(`figures (${kind})`, function () {
    this.timeout(40_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));
    const say = async (who: Sender, text: string) => (await handleMessage(s.running.deps, who, text)).text;
    const at = async (date: string, time: string) => {
      s.clock.now = jst(date, time);
      s.running.worker.wake();
      await s.running.worker.idle();
    };

    /** One walk-in relayed twice (waits of 3 and 1 minutes), one booking held with a survey, one cancelled. */
    async function aDay(): Promise<{ walkIn: string; booked: string }> {
      // Booked first, on the main office's device; then the branch gets its own.
      const booked = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T14:00:00+09:00', durationMinutes: 30 }));
      assert.equal(booked.status, 201, JSON.stringify(booked.body));
      const cancelled = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00', department: '福祉課' }));
      assert.equal((await s.call('POST', `/api/v1/consultations/${cancelled.body.id}/cancel`, { reason: '都合により' })).status, 200);
      const site = await s.call('POST', '/api/v1/sites', { name: '三隅支所', phone: '0855-00-0000' });
      await s.call('POST', '/api/v1/hosts', { displayName: '三隅 窓口', provider: 'dryrun', account: 'misumi-1', siteId: site.body.id });
      await say(misumi, '/site 三隅');
      s.clock.now = jst('2026-12-01', '08:00');
      await say(tax, '/duty on 税務');
      await say(pension, '/duty on 年金');
      await at('2026-12-01', '10:00');
      const called = await say(misumi, '/call 税務 相続の手続き');
      const walkIn = /来庁者 #([0-9A-Z]+)/.exec(called)?.[1] ?? assert.fail(called);
      await at('2026-12-01', '10:03');
      assert.match(await say(tax, '/accept'), /をお願いします/);
      await at('2026-12-01', '10:20');
      assert.match(await say(tax, '/relay 年金'), /保険年金課を呼び出しました/);
      await at('2026-12-01', '10:21');
      assert.match(await say(pension, '/accept'), /をお願いします/);
      await at('2026-12-01', '10:40');
      await say(misumi, '/done');
      await at('2026-12-01', '14:45');
      await citizenAt({ db: s.running.store.db, ids: s.running.deps.ids, clock: () => s.clock.now }, booked.body.id, 'end', {
        survey: { satisfaction: 4, again: true, comment: '=HYPERLINK("x") 丁寧でした' },
      });
      return { walkIn, booked: booked.body.id };
    }

    it('counts consultations, waits, relays, length and the survey for a 年度, a month or a range', async () => {
      const { booked } = await aDay();
      const r = await s.call('GET', '/api/v1/stats?fiscalYear=2026');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const f = r.body;
      assert.equal(f.period.ja, '2026年度（令和8年度）');
      assert.equal(f.consultations.total, 3);
      const count = (rows: Array<{ key: string; count: number }>, key: string) => rows.find((x) => x.key === key)?.count;
      assert.equal(count(f.consultations.byKind, 'walk_in'), 1);
      assert.equal(count(f.consultations.byKind, 'booked'), 2);
      assert.equal(count(f.consultations.bySite, '三隅支所'), 1);
      assert.equal(count(f.consultations.byOutcome, 'cancelled'), 1);
      assert.equal(count(f.consultations.byOutcome, 'held'), 2);
      assert.equal(count(f.consultations.byDepartment, '税務課'), 2);
      assert.equal(count(f.consultations.byPlatform, 'dryrun'), 3);
      assert.deepEqual(
        f.consultations.byMonth.find((m: { month: string }) => m.month === '2026-12'),
        { month: '2026-12', booked: 2, walkIn: 1, total: 3 },
      );
      assert.deepEqual({ count: f.waits.count, median: f.waits.median, p90: f.waits.p90 }, { count: 2, median: 1, p90: 3 });
      assert.deepEqual(f.waits.byDepartment.map((d: { key: string; median: number }) => [d.key, d.median]).sort(), [
        ['保険年金課', 1],
        ['税務課', 3],
      ]);
      assert.deepEqual(
        f.waits.byHour.map((h: { hour: number; count: number }) => [h.hour, h.count]),
        [[10, 2]],
      );
      assert.equal(f.relays.total, 2);
      assert.equal(f.relays.average, 1, 'two relays over the two consultations held');
      assert.equal(f.length.count, 2);
      assert.equal(f.survey.answered, 1);
      assert.equal(f.survey.againShare, 1);
      assert.deepEqual(f.survey.comments, [{ date: '2026-12-01', department: '税務課', text: '=HYPERLINK("x") 丁寧でした' }]);
      const text = JSON.stringify(f);
      assert.ok(
        !text.includes('山田') && !text.includes('yamada@') && !text.includes('固定資産税について') && !text.includes('相続の手続き'),
        'no personal data',
      );

      assert.equal((await s.call('GET', '/api/v1/stats?month=2026-11')).body.consultations.total, 0);
      assert.equal((await s.call('GET', '/api/v1/stats?from=2026-12-02&to=2026-12-02')).body.consultations.total, 1);
      const bad = await s.call('GET', '/api/v1/stats?month=2026-13');
      assert.equal(bad.status, 422);
      assert.match(bad.body.detail_ja, /2026-11 のように/);

      // Erasing the citizen's personal data keeps every number; only the comment's words go.
      s.clock.now = jst('2026-12-03', '09:00');
      assert.equal((await s.call('POST', `/api/v1/consultations/${booked}/erase`, { reason: '本人から' })).status, 200);
      const after = (await s.call('GET', '/api/v1/stats?fiscalYear=2026')).body;
      assert.deepEqual({ ...after, survey: { ...after.survey, comments: [] } }, { ...f, survey: { ...f.survey, comments: [] } });
      assert.deepEqual(after.survey.comments, []);
    });

    it('figures are for admins only', async () => {
      const token = await s.call('POST', '/api/v1/tokens', { name: '税務課 職員', role: 'staff' });
      assert.equal(token.status, 201, JSON.stringify(token.body));
      const r = await s.call('GET', '/api/v1/stats', undefined, { authorization: `Bearer ${token.body.token}` });
      assert.equal(r.status, 403);
    });

    it('the admin page shows charts with their tables, and the CSV opens in Excel in Japanese without running a formula', async () => {
      await aDay();
      const { cookie } = await signIn(s.url);
      const page = await fetch(`${s.url}/admin/stats?fiscalYear=2026`, { headers: { cookie } });
      assert.equal(page.status, 200);
      const body = await page.text();
      assert.match(body, /<svg class="chart" role="img" aria-labelledby="chart-months"/);
      assert.match(body, /<caption>月別 \/ By month<\/caption>/);
      assert.match(body, /2026年12月<\/th><td>2件<\/td><td>1件<\/td><td>3件<\/td>/);
      assert.doesNotMatch(body, /山田|yamada@/);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /style-src[^;]*'sha256-/);
      const bad = await fetch(`${s.url}/admin/stats?month=2026-13`, { headers: { cookie } });
      assert.equal(bad.status, 422);
      assert.match(await bad.text(), /id="month" name="month"[^>]*aria-invalid="true" aria-describedby="month-error"[\s\S]*2026-11 のように/);

      const csv = await fetch(`${s.url}/admin/stats.csv?fiscalYear=2026`, { headers: { cookie } });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
      assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="madoguchi-figures_2026-04-01_2027-03-31.csv"/);
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM, for Excel');
      const text = bytes.toString('utf8').slice(1);
      assert.match(text, /^集計,項目,和暦,件数・値,中央値（分）,90パーセンタイル（分）\r\n/);
      assert.match(text, /相談の件数（月別）,2026年12月 合計,令和8年12月,3,,\r\n/);
      assert.match(text, /待ち時間（課別、分）,税務課,,1,3,3\r\n/);
      const comments = Buffer.from(await (await fetch(`${s.url}/admin/stats/comments.csv?fiscalYear=2026`, { headers: { cookie } })).arrayBuffer())
        .toString('utf8')
        .slice(1);
      assert.match(comments, /^日付,和暦,課,ご意見\r\n2026-12-01,令和8年12月1日,税務課,"'=HYPERLINK\(""x""\) 丁寧でした"\r\n$/, 'a formula is made plain text');
    });
  });
}
