// The walk-in remote counter (Hamada City's flow): a citizen at a branch is connected now to a main-office department,
// handed on across departments in the same meeting, with several branches calling at once; devices are not double
// used; a walk-in runs on past closing time; nobody on duty is said at once; outside hours needs a confirmation.
import assert from 'node:assert/strict';
import { handleAction, handleMessage } from '../bot/index.ts';
import type { Sender } from '../bot/index.ts';
import { feed } from '../core/chat.ts';
import { createLogger } from '../core/log.ts';
import { startServer } from '../server.ts';
import { DATABASES, booking, jst, serverForEachTest } from './helpers.ts';
import type { TestServer } from './helpers.ts';

const misumi: Sender = { platform: 'console', userId: 'u-misumi', displayName: '三隅支所 佐々木' };
const asahi: Sender = { platform: 'console', userId: 'u-asahi', displayName: '旭支所 大野' };
const tax1: Sender = { platform: 'console', userId: 'u-tax1', displayName: '税務課 田中' };
const tax2: Sender = { platform: 'console', userId: 'u-tax2', displayName: '税務課 鈴木' };
const pension: Sender = { platform: 'console', userId: 'u-pension', displayName: '保険年金課 高橋' };
const welfare: Sender = { platform: 'console', userId: 'u-welfare', displayName: '福祉課 中村' };

for (const kind of DATABASES) {
  describe(`walk-ins from branch counters (${kind})`, function () {
    this.timeout(40_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));

    const say = async (who: Sender, text: string) => (await handleMessage(s.running.deps, who, text)).text;
    const idle = () => s.running.worker.idle();
    const at = async (date: string, time: string) => {
      s.clock.now = jst(date, time);
      s.running.worker.wake();
      await idle();
    };
    /** Two branches with their own devices (三隅 has two), and the staff of each on their site. */
    const setUp = async () => {
      const sites: Record<string, string> = {};
      for (const name of ['三隅支所', '旭支所']) {
        const r = await s.call('POST', '/api/v1/sites', { name, phone: '0855-00-0000' });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        sites[name] = r.body.id;
      }
      const hosts: Record<string, string> = {};
      for (const [name, site, account] of [
        ['三隅 窓口1', '三隅支所', 'misumi-1'],
        ['三隅 窓口2', '三隅支所', 'misumi-2'],
        ['旭 窓口', '旭支所', 'asahi-1'],
      ] as const) {
        const r = await s.call('POST', '/api/v1/hosts', { displayName: name, provider: 'dryrun', account, siteId: sites[site] });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.siteId, sites[site]);
        hosts[name] = r.body.id;
      }
      assert.match(await say(misumi, '/site 三隅'), /三隅支所にしました/);
      assert.match(await say(asahi, '/拠点 旭支所'), /旭支所にしました/);
      // On duty on the day of the test (a duty ends by itself at 17:30).
      s.clock.now = jst('2026-12-01', '08:00');
      await say(tax1, '/duty on 税務');
      await say(tax2, '/duty on 税務');
      await say(pension, '/duty on 年金');
      await say(welfare, '/duty on 福祉');
      s.clock.now = jst('2026-12-01', '10:00');
      return { sites, hosts };
    };
    const relaysOf = (consultationId: string) =>
      s.running.store.db.selectFrom('relays').selectAll().where('consultation_id', '=', consultationId).orderBy('requested_at').orderBy('id').execute();
    const idIn = (text: string) => /来庁者 #([0-9A-Z]+)/.exec(text)?.[1] ?? assert.fail(text);

    it('two branches call 税務 at once and two staff accept one each; each accepter gets that meeting privately', async () => {
      const { hosts } = await setUp();
      const [a, b] = await Promise.all([say(misumi, '/call 税務 相続の手続き @1'), say(asahi, '/呼び出し 税務 固定資産の名義')]);
      assert.match(a, /税務課を呼び出しました/);
      assert.match(b, /税務課を呼び出しました/);
      const [ca, cb] = [idIn(a), idIn(b)];
      const queue = await say(tax1, '/queue');
      assert.match(queue, /税務課 1番目 #[0-9A-Z]+（(三隅|旭)支所の窓口から）/);
      assert.match(queue, /税務課 2番目 #[0-9A-Z]+（(三隅|旭)支所の窓口から）/);
      await idle();
      const first = await say(tax1, '/accept');
      const second = await say(tax2, '/accept');
      assert.match(first, /をお願いします/);
      assert.match(second, /をお願いします/);
      const taken = [...(await relaysOf(ca)), ...(await relaysOf(cb))];
      assert.deepEqual(new Set(taken.map((r) => r.status)), new Set(['accepted']));
      assert.equal(new Set(taken.map((r) => r.accepted_by)).size, 2, 'one each');
      await idle();
      const meetings = await s.running.store.db
        .selectFrom('meetings')
        .select(['consultation_id', 'join_url', 'host_id'])
        .where('consultation_id', 'in', [ca, cb])
        .execute();
      assert.equal(meetings.length, 2);
      assert.equal(meetings.find((m) => m.consultation_id === ca)!.host_id, hosts['三隅 窓口1'], 'on the device chosen at the branch');
      assert.equal(meetings.find((m) => m.consultation_id === cb)!.host_id, hosts['旭 窓口'], 'on the branch’s only device');
      const staffRows = await s.running.store.db.selectFrom('staff').select(['id', 'platform_user_id']).execute();
      for (const [who, c] of [
        [tax1, taken[0]!.accepted_by === staffRows.find((x) => x.platform_user_id === tax1.userId)!.id ? ca : cb],
        [tax2, taken[0]!.accepted_by === staffRows.find((x) => x.platform_user_id === tax2.userId)!.id ? ca : cb],
      ] as const) {
        const id = staffRows.find((x) => x.platform_user_id === who.userId)!.id;
        const mine = (await feed(s.running.store.db, 'console', [`staff:${id}`], 50)).map((i) => i.text).join('\n');
        const url = meetings.find((m) => m.consultation_id === c)!.join_url;
        assert.ok(mine.includes(url), `${who.displayName} got the join link of ${c}`);
        assert.match(mine, /の窓口から: 来庁者/);
      }
      const status = await say(misumi, '/status');
      assert.match(status, /三隅支所 三隅 窓口1: 使用中（来庁者 #/);
      assert.match(status, /当番: .*税務課: 税務課 田中、税務課 鈴木/);
    });

    it('hands the citizen on 税務 → 保険年金 → 福祉 in the same meeting, each hop timed, and the branch ends it', async () => {
      await setUp();
      const c = idIn(await say(misumi, '/call 税務 相続の手続き @1'));
      await idle();
      const meeting = await s.running.store.db.selectFrom('meetings').selectAll().where('consultation_id', '=', c).executeTakeFirstOrThrow();
      const view = (await s.call('GET', `/api/v1/consultations/${c}`)).body;
      assert.equal(view.kind, 'walk_in');
      assert.equal(view.status, 'in_progress', 'in progress as soon as its meeting is made');
      assert.equal(view.citizen.email, '', 'no email is needed');
      s.clock.now = jst('2026-12-01', '10:02');
      assert.match(await say(tax1, '/accept'), /をお願いします/);
      s.clock.now = jst('2026-12-01', '10:20');
      assert.match(await say(misumi, '/relay 年金 遺族年金も'), /保険年金課を呼び出しました/, 'the branch hands on while tax has them');
      s.clock.now = jst('2026-12-01', '10:23');
      assert.match(await say(pension, '/accept'), /をお願いします/);
      s.clock.now = jst('2026-12-01', '10:40');
      assert.match(await say(pension, '/relay 福祉'), /福祉課を呼び出しました/, 'the accepter hands on');
      s.clock.now = jst('2026-12-01', '10:41');
      assert.match(await say(welfare, '/accept'), /をお願いします/);
      s.clock.now = jst('2026-12-01', '11:05');
      assert.match(await say(misumi, '/done'), /来庁者の相談 #.* を終えました/);
      await idle();
      const chain = await relaysOf(c);
      const names = Object.fromEntries((await s.running.store.db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
      assert.deepEqual(
        chain.map((r) => [r.from_department_id ? names[r.from_department_id] : null, names[r.to_department_id], r.status]),
        [
          [null, '税務課', 'done'],
          ['税務課', '保険年金課', 'done'],
          ['保険年金課', '福祉課', 'done'],
        ],
      );
      const minute = (v: string | null) => new Date(Date.parse(v!) + 9 * 3_600_000).toISOString().slice(11, 16);
      assert.deepEqual(
        chain.map((r) => [minute(r.requested_at), minute(r.accepted_at), minute(r.finished_at)]),
        [
          ['10:00', '10:02', '10:20'],
          ['10:20', '10:23', '10:40'],
          ['10:40', '10:41', '11:05'],
        ],
        'each hop timed: requested, accepted, done',
      );
      const after = await s.running.store.db.selectFrom('meetings').selectAll().where('consultation_id', '=', c).executeTakeFirstOrThrow();
      assert.equal(after.provider_meeting_id, meeting.provider_meeting_id, 'one meeting for the whole visit');
      assert.equal((await s.call('GET', `/api/v1/consultations/${c}`)).body.status, 'completed');
    });

    it('refuses a device in use (or booked within its buffer) and offers the free ones of the site', async () => {
      const { hosts, sites } = await setUp();
      s.clock.now = jst('2026-12-01', '08:40');
      const booked = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T11:00:00+09:00', hostId: hosts['三隅 窓口2'] }));
      assert.equal(booked.status, 201, JSON.stringify(booked.body));
      s.clock.now = jst('2026-12-01', '10:40');
      const first = await say(misumi, '/call 税務');
      assert.match(first, /三隅 窓口1/, 'device 2 is booked from 11:00, within the first half hour: device 1 is the one free');
      const busy = await say(misumi, '/call 年金 @1');
      assert.match(busy, /三隅 窓口1はいま使えません/);
      assert.match(busy, /三隅支所に空いている端末はありません/);
      assert.match(busy, /11:00から予約/);
      const api = await s.call('POST', '/api/v1/walk-ins', { siteId: sites.三隅支所, department: '年金' });
      assert.equal(api.status, 409);
      assert.deepEqual(api.body.freeHosts, []);
      // A second device frees: with two free the staff are asked which one the citizen is at.
      await s.call('POST', `/api/v1/consultations/${booked.body.id}/cancel`, {});
      assert.match(await say(misumi, '/done'), /を終えました/);
      const ask = await handleMessage(s.running.deps, misumi, '/call 税務');
      assert.match(ask.text, /空いている端末が2台あります/);
      const choice = (ask.card!.body as Array<{ id?: string; choices?: Array<{ value: string }> }>).find((b) => b.id === 'hostId')!;
      assert.deepEqual(
        choice.choices!.map((c) => c.value),
        [hosts['三隅 窓口1'], hosts['三隅 窓口2']],
      );
      const started = await handleAction(s.running.deps, misumi, { verb: 'call', department: '税務', topic: '', hostId: hosts['三隅 窓口2'] });
      assert.match(started.text, /三隅 窓口2/);
    });

    it('runs on past closing time: /extend, then extended by itself while it goes on, for at most 12 hours', async () => {
      await setUp();
      await at('2026-12-01', '16:50');
      const c = idIn(await say(asahi, '/call 税務 相続'));
      await idle();
      assert.match(await say(asahi, '/extend 60'), /60分延長しました（18:20まで）/);
      assert.equal((await s.call('GET', `/api/v1/consultations/${c}`)).body.end, '2026-12-01T18:20:00+09:00', 'past 17:15');
      await at('2026-12-01', '18:36');
      const later = (await s.call('GET', `/api/v1/consultations/${c}`)).body;
      assert.equal(later.status, 'in_progress', 'nobody ended it: it goes on');
      assert.equal(later.end, '2026-12-01T19:06:00+09:00', 'extended by WALK_IN_MINUTES at its end');
      await at('2026-12-02', '05:00');
      assert.equal((await s.call('GET', `/api/v1/consultations/${c}`)).body.status, 'completed', 'completed 12 hours after its start at most');
      const refused = await s.call('POST', `/api/v1/consultations/${c}/extend`, { minutes: 30 });
      assert.equal(refused.status, 409);
    });

    it('a booking next on the device stops the extension: the branch and the department are told, /extend says until when', async () => {
      const { hosts } = await setUp();
      s.clock.now = jst('2026-12-01', '08:40');
      const next = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T11:00:00+09:00', hostId: hosts['旭 窓口'] }));
      assert.equal(next.status, 201);
      await at('2026-12-01', '10:00');
      const c = idIn(await say(asahi, '/call 税務 相続'));
      await at('2026-12-01', '10:46');
      const still = (await s.call('GET', `/api/v1/consultations/${c}`)).body;
      assert.equal(still.status, 'in_progress');
      assert.equal(still.end, '2026-12-01T10:30:00+09:00', 'not extended into the next booking');
      const branch = await s.running.store.db.selectFrom('staff').select('id').where('platform_user_id', '=', asahi.userId).executeTakeFirstOrThrow();
      const told = (await feed(s.running.store.db, 'console', [`staff:${branch.id}`], 50)).map((i) => i.text).join('\n');
      assert.match(told, new RegExp(`次の相談 #${next.body.id}があるため、これ以上延長できません`));
      const r = await say(asahi, `/extend 30 #${c}`);
      assert.match(r, new RegExp(`11:00 から次の相談 #${next.body.id}があるため、30分は延長できません`));
    });

    it('says at once when nobody of the department is on duty, with the alternatives', async () => {
      await setUp();
      await say(welfare, '/duty off');
      const reply = await handleMessage(s.running.deps, misumi, '/call 福祉 介護の相談 @1 受付12');
      assert.match(reply.text, /福祉課にはいま当番の方がいないため、課の全員を呼び出しています/);
      assert.match(reply.text, /折り返し/);
      const titles = ((reply.card?.actions ?? []) as Array<{ title: string }>).map((a) => a.title);
      assert.deepEqual(titles, ['このまま待つ / Keep waiting', '選んだ課へおつなぎ / Relay there', 'やめて折り返しにする / Call back later']);
      const choices = (reply.card!.body as Array<{ id?: string; choices?: Array<{ value: string }> }>).find((b) => b.id === 'department')!.choices!;
      assert.ok(
        choices.slice(0, 2).every((c) => ['税務課', '保険年金課'].includes(c.value)),
        'departments with someone on duty first',
      );
      const c = idIn(reply.text);
      assert.equal((await s.call('GET', `/api/v1/consultations/${c}`)).body.citizen.name, '受付 12');
    });

    it('outside opening hours asks staff to confirm, then calls', async () => {
      await setUp();
      s.clock.now = jst('2026-12-01', '17:40');
      const refused = await handleMessage(s.running.deps, misumi, '/call 税務 @1');
      assert.match(refused.text, /受付時間外/);
      assert.equal(((refused.card?.actions ?? []) as Array<{ data: { confirm?: string } }>)[0]?.data.confirm, 'yes');
      assert.equal(
        await s.running.store.db.selectFrom('consultations').select('id').where('kind', '=', 'walk_in').executeTakeFirst(),
        undefined,
        'nothing written',
      );
      assert.match(await say(misumi, '/call 税務 @1 !'), /税務課を呼び出しました/);
    });

    it(`a staff member's board from /board follows calls made ${kind === 'postgres' ? 'on another instance (LISTEN/NOTIFY)' : 'in this instance'}, and is no admin session`, async () => {
      await setUp();
      assert.match(
        (await handleMessage(s.running.deps, { ...tax1, direct: false }, '/board')).text,
        /1 対 1 のチャットで/,
        'never posted where others read it',
      );
      const reply = await say(tax2, '/ボード');
      const link = /(\S+\/board\/s\/\S+)/.exec(reply)![1]!.replace(s.config.publicBaseUrl, s.url);
      const opened = await fetch(link, { redirect: 'manual' });
      assert.equal(opened.status, 303);
      const cookie = opened.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const page = await (await fetch(`${s.url}/board`, { headers: { cookie } })).text();
      assert.match(page, /税務課 呼び出しボード/);
      assert.equal((await fetch(`${s.url}/admin/templates`, { headers: { cookie }, redirect: 'manual' })).status, 303, 'not an admin');
      for (const at of [link.length - 1, link.length - 20]) {
        const c = link[at]!;
        const forged = await fetch(`${link.slice(0, at)}${c === 'A' ? 'B' : 'A'}${link.slice(at + 1)}`, { redirect: 'manual' });
        assert.equal(forged.status, 404, `a link changed at ${at} is refused`);
      }

      // The stream on this instance; the call through another one on the same database (PostgreSQL).
      const other =
        kind === 'postgres'
          ? await startServer(s.config, {
              log: createLogger('silent'),
              clock: () => s.clock.now,
              workerPollMs: 60_000,
              ...(s.pgSchema ? { pgSchema: s.pgSchema } : {}),
            })
          : null;
      const abort = new AbortController();
      try {
        const res = await fetch(`${s.url}/board/events`, { headers: { cookie }, signal: abort.signal });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let seen = '';
        const waitFor = async (text: string) => {
          while (!seen.includes(text)) seen += decoder.decode((await reader.read()).value, { stream: true });
        };
        await waitFor('呼び出しはありません');
        const t0 = performance.now();
        const via = other ? other.deps : s.running.deps;
        assert.match((await handleMessage(via, misumi, '/call 税務 遺言書の件 @1')).text, /税務課を呼び出しました/);
        await waitFor('遺言書の件');
        assert.ok(performance.now() - t0 < 1000, 'on the board within a second');
        await waitFor('</form>');
        assert.match(seen, /selected>鈴木（当番）/, 'the accept form names whoever opened the board first');
      } finally {
        abort.abort();
        await other?.close();
      }
    });

    it('asks a staff member without a site where they are', async () => {
      await setUp();
      const stranger: Sender = { platform: 'console', userId: 'u-new', displayName: '新人' };
      assert.match(await say(stranger, '/call 税務'), /どこの窓口から呼び出すかを登録してください。例: \/site/);
      assert.match(await say(stranger, '/site 存在しない'), /「存在しない」という拠点は見つかりません/);
    });
  });
}
