import assert from 'node:assert/strict';
import * as S from '../api/schemas.ts';
import { DATABASES, PG_URL, booking, startTestServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

if (!PG_URL) {
  describe('PostgreSQL', () => {
    it.skip('skipped: no TEST_DATABASE_URL', () => {});
  });
}

async function countConsultations(s: TestServer): Promise<number> {
  const r = await s.running.store.db
    .selectFrom('consultations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function countAudit(s: TestServer): Promise<number> {
  const r = await s.running.store.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

function assertProblem(r: { status: number; body: any; headers: Headers }, status: number, field?: string) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
  S.Problem.parse(r.body);
  assert.ok(r.body.detail_ja.length > 0 && r.body.detail.length > 0);
  if (field) assert.equal(r.body.field, field, JSON.stringify(r.body));
}

for (const kind of DATABASES) {
  describe(`booking API on ${kind}`, function () {
    this.timeout(60_000);
    let s: TestServer;
    beforeEach(async () => {
      s = await startTestServer(kind);
    });
    afterEach(async () => {
      await s.close();
    });

    it('answers /healthz after checking the database', async () => {
      const r = await s.call('GET', '/healthz');
      assert.deepEqual([r.status, r.body], [200, { status: 'ok' }]);
    });

    it('refuses /api/v1 without a valid token, in Japanese and English', async () => {
      assertProblem(await s.call('GET', '/api/v1/hosts', undefined, { authorization: '' }), 401);
      assertProblem(await s.call('GET', '/api/v1/hosts', undefined, { authorization: 'Bearer nope' }), 401);
    });

    it('lists the host and offers slots on the grid from 08:30, none in 年末年始', async () => {
      const hosts = await s.call('GET', '/api/v1/hosts');
      assert.equal(hosts.body.hosts.length, 1);
      const r = await s.call('GET', '/api/v1/slots?from=2026-12-01&to=2026-12-01&duration=60');
      assert.equal(r.status, 200);
      for (const x of r.body.slots as unknown[]) S.Slot.parse(x);
      assert.equal(r.body.slots[0].start, '2026-12-01T08:30:00+09:00');
      assert.equal(r.body.slots.at(-1).end, '2026-12-01T17:15:00+09:00');
      const closed = await s.call('GET', '/api/v1/slots?from=2026-12-29&to=2027-01-03&duration=60');
      assert.deepEqual(closed.body.slots, []);
      assertProblem(await s.call('GET', '/api/v1/slots?from=2026-12-01&to=2026-13-01&duration=60'), 422, 'query.to');
    });

    it('books a consultation, and the dry-run provider makes its meeting', async () => {
      const r = await s.call('POST', '/api/v1/consultations', booking());
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const c = S.Consultation.parse(r.body);
      assert.equal(c.status, 'booked');
      assert.equal(c.department.name, '税務課');
      assert.equal(c.start, '2026-12-01T10:00:00+09:00');
      assert.equal(r.headers.get('location'), `/api/v1/consultations/${c.id}`);
      await s.running.worker.idle();
      const after = S.Consultation.parse((await s.call('GET', `/api/v1/consultations/${c.id}`)).body);
      assert.equal(after.status, 'invited', 'meeting made, and the invitation sent');
      assert.match(after.meeting!.meetingNumber, /^\d{9}$/);
      assert.match(after.meeting!.password, /^\d{8}$/, 'MEETING_PASSWORD_LENGTH (8), as a real meeting would have it');
      const page = await fetch(after.meeting!.joinUrl.replace(s.config.publicBaseUrl, s.url));
      assert.match(await page.text(), /試験運用（ドライラン）/);
      const list = await s.call('GET', '/api/v1/consultations?from=2026-12-01&to=2026-12-01');
      assert.deepEqual(
        list.body.consultations.map((x: { id: string }) => x.id),
        [c.id],
      );
      const audit = await s.call('GET', `/api/v1/consultations/${c.id}/audit`);
      assert.deepEqual(
        audit.body.entries.map((e: { action: string }) => e.action),
        ['consultation.booked', 'meeting.created', 'consultation.meeting_ready', 'mail.invitation.sent', 'consultation.invited'],
      );
    });

    it('says in plain Japanese what is wrong with the input and what to do, never zod’s words', async () => {
      const cases: Array<[string, string, unknown, RegExp]> = [
        ['POST', '/api/v1/consultations', booking({ department: 123 }), /department: 文字で入れてください/],
        ['POST', '/api/v1/consultations', booking({ durationMinutes: 'sixty' }), /durationMinutes: 数で入れてください（例: 60）/],
        [
          'POST',
          '/api/v1/consultations',
          booking({ start: '2026-12-01 10:00' }),
          /start: 日時は 2026-12-01T10:00:00\+09:00 のように、時差（\+09:00）まで付けて入れてください/,
        ],
        ['POST', '/api/v1/consultations', booking({ citizen: 'yamada' }), /citizen: まとまり（\{ … \}）で入れてください/],
        ['PATCH', '/api/v1/consultations/NOSUCHID', {}, /変えたいもの（start・durationMinutes・hostId のどれか）を入れてください/],
        ['GET', '/api/v1/slots?from=2026-02-30&to=2026-03-01&duration=60', undefined, /from: ありえない日付です/],
      ];
      for (const [method, path, body, ja] of cases) {
        const r = await s.call(method, path, body);
        assert.equal(r.status, 422, `${method} ${path}`);
        assert.match(r.body.detail_ja, ja);
        assert.doesNotMatch(r.body.detail_ja, /無効な入力|期待されました|expected|ISO 8601/);
      }
    });

    it('says why a day has no slots: the weekend, a holiday by its name, 年末年始, a closure by its note', async () => {
      await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2027-01-12', note: '庁舎点検' });
      const r = await s.call('GET', '/api/v1/slots?from=2026-12-31&to=2027-01-12&duration=60');
      assert.equal(r.status, 200);
      const why = Object.fromEntries((r.body.closedDays as Array<{ date: string; reason: { ja: string } }>).map((d) => [d.date, d.reason.ja]));
      assert.match(why['2026-12-31']!, /年末年始/);
      assert.match(why['2027-01-09']!, /土曜日/);
      assert.match(why['2027-01-11']!, /成人の日/);
      assert.match(why['2027-01-12']!, /庁舎点検/);
      assert.equal(why['2027-01-04'], undefined, 'an open day is not listed');
      assert.ok(r.body.slots.every((x: { start: string }) => !Object.keys(why).includes(x.start.slice(0, 10))));
    });

    it('refuses a start off the slot grid, naming the times on either side', async () => {
      const bad = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T10:07:00+09:00' }));
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].field, 'start');
      assert.match(bad.body.detail_ja, /予約は15分ごとの時刻でお願いします（10:07 ではなく、10:00 か 10:15）/);
      assert.equal((await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T10:15:00+09:00' }))).status, 201);
      const moved = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }));
      assert.equal((await s.call('PATCH', `/api/v1/consultations/${moved.body.id}`, { start: '2026-12-02T13:20:00+09:00' })).status, 422, 'a move too');
    });

    it('books a consultation type by its key and shows its name; an unknown type is refused with the known ones', async () => {
      const ok = await s.call('POST', '/api/v1/consultations', booking({ consultationType: 'after-death-procedures' }));
      assert.equal(ok.status, 201);
      assert.deepEqual(ok.body.consultationTypeName, { ja: 'おくやみ（亡くなった後の手続き）', en: 'Procedures after a death' });
      assert.deepEqual(
        (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }))).body.consultationTypeName.ja,
        '一般の相談',
      );
      const bad = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-03T10:00:00+09:00', consultationType: 'after-death' }));
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].field, 'consultationType');
      assert.match(bad.body.detail_ja, /相談の種類「after-death」はありません。使える種類: general（一般の相談）、after-death-procedures（おくやみ/);
      assert.deepEqual(bad.body.known, ['general', 'after-death-procedures']);
    });

    it('refuses a second booking of the same time with 409, naming the conflict and the next free slots', async () => {
      const first = await s.call('POST', '/api/v1/consultations', booking());
      const r = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T10:30:00+09:00' }));
      assertProblem(r, 409);
      assert.equal(r.body.conflicts[0].consultationId, first.body.id);
      assert.equal(r.body.nextSlots.length, 3);
      assert.match(r.body.detail_ja, /すでに予約があります/);
      // 08:30–09:30 plus the 15-minute buffer ends at 09:45, before 10:00: the earliest free time is 08:30
      assert.equal(r.body.nextSlots[0].start, '2026-12-01T08:30:00+09:00');
    });

    it('keeps the buffer: back-to-back is refused, 15 minutes later is accepted', async () => {
      assert.equal((await s.call('POST', '/api/v1/consultations', booking())).status, 201);
      assertProblem(await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T11:00:00+09:00' })), 409);
      assertProblem(await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T08:30:00+09:00', durationMinutes: 90 })), 409);
      assert.equal((await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T11:15:00+09:00' }))).status, 201);
      assert.equal((await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T08:30:00+09:00', durationMinutes: 75 }))).status, 201);
    });

    it('100 concurrent creates for one slot: exactly one 201, the rest 409', async () => {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => s.call('POST', '/api/v1/consultations', booking({ citizen: { name: `市民${i}`, email: `c${i}@example.jp` } }))),
      );
      const statuses = results.map((r) => r.status);
      const odd = results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => JSON.stringify(r.body));
      assert.deepEqual(odd, [], 'only 201 and 409');
      assert.equal(statuses.filter((x) => x === 201).length, 1, String(statuses));
      assert.equal(statuses.filter((x) => x === 409).length, 99, String(statuses));
      for (const r of results.filter((x) => x.status === 409)) assert.ok(r.body.conflicts.length === 1);
      assert.equal(await countConsultations(s), 1);
    });

    it('replays a repeated Idempotency-Key and creates nothing new, even when repeated concurrently', async () => {
      const h = { 'idempotency-key': 'book-7f3a' };
      const a = await s.call('POST', '/api/v1/consultations', booking(), h);
      const b = await s.call('POST', '/api/v1/consultations', booking(), h);
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.equal(b.body.id, a.body.id);
      const same = await Promise.all(
        Array.from({ length: 10 }, () =>
          s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }), { 'idempotency-key': 'k-2' }),
        ),
      );
      assert.deepEqual(new Set(same.map((r) => r.status)), new Set([201]));
      assert.equal(new Set(same.map((r) => r.body.id)).size, 1);
      assert.equal(await countConsultations(s), 2);
      assertProblem(await s.call('POST', '/api/v1/consultations', booking({ topic: 'other' }), h), 422, 'Idempotency-Key');
    });

    it('refuses bad input with a clear message naming the field, and writes nothing', async () => {
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [booking({ citizen: { name: '山田太郎', email: 'not-an-email' } }), 'citizen.email', /メール/],
        [booking({ start: '2026-11-20T10:00:00+09:00' }), 'start', /過ぎています/],
        [booking({ start: '2026-11-24T10:00:00+09:00' }), 'start', /120分前まで/],
        [booking({ start: '2026-12-01T16:45:00+09:00' }), 'start', /受付時間外/],
        [booking({ start: '2026-12-05T10:00:00+09:00' }), 'start', /土曜日のため閉庁日/],
        [booking({ start: '2027-01-11T10:00:00+09:00' }), 'start', /成人の日/],
        [booking({ start: '2026-12-30T10:00:00+09:00' }), 'start', /年末年始/],
        [booking({ start: '2026-12-01T08:30:00+09:00', durationMinutes: 600 }), 'durationMinutes', /収まりません/],
        [booking({ start: '2027-06-01T10:00:00+09:00' }), 'start', /90日先まで/],
        [booking({ hostId: 'NOPE' }), 'hostId', /登録されていません/],
        [booking({ department: '税務か' }), 'department', /税務課/],
        [booking({ start: '2026-12-01 10:00' }), 'start', /./],
        [booking({ durationMinutes: 0 }), 'durationMinutes', /./],
        [booking({ extra: 1 }), '', /./],
      ];
      const auditBefore = await countAudit(s);
      for (const [body, field, ja] of cases) {
        const r = await s.call('POST', '/api/v1/consultations', body);
        assertProblem(r, 422);
        if (field) assert.equal(r.body.field, field, JSON.stringify(r.body));
        assert.match(r.body.detail_ja, ja, JSON.stringify(r.body));
      }
      assert.equal(await countConsultations(s), 0);
      assert.equal(await countAudit(s), auditBefore);
      const broken = await s.call('POST', '/api/v1/consultations', '{"start": ');
      assertProblem(broken, 400);
      const sjis = await s.call('POST', '/api/v1/consultations', '{}', { 'content-type': 'application/json; charset=shift_jis' });
      assertProblem(sjis, 400);
      assert.match(sjis.body.detail_ja, /UTF-8/);
      assertProblem(await s.call('GET', '/api/v1/consultations/NOPE'), 404);
      assertProblem(await s.call('GET', '/api/v1/nothing-here'), 404);
    });

    it('honours a closure added by an admin, and only an admin may add one', async () => {
      const staffToken = (await s.call('POST', '/api/v1/tokens', { name: '税務課 田中', role: 'staff' })).body.token;
      const asStaff = { authorization: `Bearer ${staffToken}` };
      const closure = { kind: 'closed', startDate: '2026-12-02', note: '庁舎の停電' };
      assertProblem(await s.call('POST', '/api/v1/calendar/exceptions', closure, asStaff), 403);
      const added = await s.call('POST', '/api/v1/calendar/exceptions', closure);
      assert.equal(added.status, 201);
      const slots = await s.call('GET', '/api/v1/slots?from=2026-12-02&to=2026-12-02&duration=30', undefined, asStaff);
      assert.deepEqual(slots.body.slots, []);
      const r = await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }), asStaff);
      assertProblem(r, 422, 'start');
      assert.match(r.body.detail_ja, /庁舎の停電/);
      const lunch = await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', startTime: '12:00', endTime: '13:00' });
      assert.equal(lunch.status, 201);
      const partial = await s.call('GET', '/api/v1/slots?from=2026-12-03&to=2026-12-03&duration=60');
      assert.ok(!partial.body.slots.some((x: { start: string }) => x.start === '2026-12-03T11:30:00+09:00'));
      assert.ok(partial.body.slots.some((x: { start: string }) => x.start === '2026-12-03T13:00:00+09:00'));
      assertProblem(await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', startTime: '13:00' }), 422, 'endTime');
      assert.equal((await s.call('DELETE', `/api/v1/calendar/exceptions/${added.body.id}`)).status, 204);
      assert.equal((await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-02T10:00:00+09:00' }))).status, 201);
    });

    it('a closure over booked consultations is refused until the admin says to move, cancel or keep them', async () => {
      const at = (time: string) =>
        booking({ start: `2026-12-02T${time}:00+09:00`, citizen: { name: '山田太郎', email: `c${time.replace(':', '')}@example.jp` } });
      const [early, lunch, late] = await Promise.all(['10:00', '13:00', '15:00'].map(async (t) => (await s.call('POST', '/api/v1/consultations', at(t))).body));
      await s.running.worker.idle();
      const day = { kind: 'closed', startDate: '2026-12-02', note: '庁舎の停電' };
      const refused = await s.call('POST', '/api/v1/calendar/exceptions', day);
      assertProblem(refused, 409);
      assert.deepEqual(
        refused.body.consultations.map((c: { id: string }) => c.id),
        [early.id, lunch.id, late.id],
      );
      assert.match(refused.body.detail_ja, /予約済みの相談が3件あります/);
      assert.deepEqual((await s.call('GET', '/api/v1/calendar/exceptions')).body.exceptions, [], 'nothing saved');
      // Cancel the one at lunch: only it is on the closure, and the citizen is told why.
      const hour = await s.call('POST', '/api/v1/calendar/exceptions', { ...day, startTime: '12:30', endTime: '14:00', consultations: 'cancel' });
      assert.equal(hour.status, 201, JSON.stringify(hour.body));
      assert.deepEqual(hour.body.consultations, [{ id: lunch.id, outcome: 'cancelled', start: '2026-12-02T13:00:00+09:00' }]);
      const cancelled = (await s.call('GET', `/api/v1/consultations/${lunch.id}`)).body;
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.statusNote, '臨時閉庁（庁舎の停電）のため');
      // Move the rest: each goes to the next free time, and the closure is saved.
      const moved = await s.call('POST', '/api/v1/calendar/exceptions', { ...day, consultations: 'move' });
      assert.equal(moved.status, 201, JSON.stringify(moved.body));
      assert.deepEqual(
        moved.body.consultations.map((o: { id: string; outcome: string }) => [o.id, o.outcome]),
        [
          [early.id, 'moved'],
          [late.id, 'moved'],
        ],
      );
      for (const o of moved.body.consultations) {
        const now = (await s.call('GET', `/api/v1/consultations/${o.id}`)).body;
        assert.equal(now.start, o.movedTo);
        assert.ok(now.start.startsWith('2026-12-03T'), `moved to the next open day: ${now.start}`);
        assert.equal(now.scheduleVersion, 2);
      }
      assert.equal((await s.call('GET', '/api/v1/calendar/exceptions')).body.exceptions.length, 2);
      // Keep: nothing moves, and what was chosen is in the audit log.
      const keep = await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2026-12-03', consultations: 'keep' });
      assert.deepEqual(
        keep.body.consultations.map((o: { outcome: string }) => o.outcome),
        ['kept', 'kept'],
      );
      const log = await s.running.store.db
        .selectFrom('audit_log')
        .select('after_json')
        .where('action', '=', 'calendar_exception.consultations')
        .orderBy('at')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        log.map((l) => JSON.parse(l.after_json!).decision),
        ['cancel', 'move', 'keep'],
      );
      // A special opening, or a closure on nobody's time, needs no choice.
      assert.equal((await s.call('POST', '/api/v1/calendar/exceptions', { kind: 'closed', startDate: '2026-12-04' })).status, 201);
    });

    it('reschedules with an audit trail, refuses a move onto another booking, and cancels', async () => {
      const a = (await s.call('POST', '/api/v1/consultations', booking())).body;
      const b = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T14:00:00+09:00' }))).body;
      await s.running.worker.idle();
      const moved = await s.call('PATCH', `/api/v1/consultations/${a.id}`, { start: '2026-12-01T13:00:00+09:00', durationMinutes: 45 });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.start, '2026-12-01T13:00:00+09:00');
      assert.equal(moved.body.end, '2026-12-01T13:45:00+09:00');
      assert.equal(moved.body.scheduleVersion, 2);
      assert.ok(moved.body.version > a.version, 'every change bumps the version');
      const clash = await s.call('PATCH', `/api/v1/consultations/${a.id}`, { start: '2026-12-01T14:30:00+09:00' });
      assertProblem(clash, 409);
      assert.equal(clash.body.conflicts[0].consultationId, b.id);
      assertProblem(await s.call('PATCH', `/api/v1/consultations/${a.id}`, {}), 422);
      const audit = (await s.call('GET', `/api/v1/consultations/${a.id}/audit`)).body.entries;
      const entry = audit.find((e: { action: string }) => e.action === 'consultation.rescheduled');
      assert.equal(entry.before.start, '2026-12-01T10:00:00+09:00');
      assert.equal(entry.after.start, '2026-12-01T13:00:00+09:00');
      assert.match(entry.actor, /初期管理者/);
      await s.running.worker.idle();
      const meetingRow = await s.running.store.db.selectFrom('meetings').selectAll().where('consultation_id', '=', a.id).executeTakeFirstOrThrow();
      assert.equal(meetingRow.synced_version, 2);

      const cancelled = await s.call('POST', `/api/v1/consultations/${b.id}/cancel`, { reason: '市民の都合' });
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, 'cancelled');
      assertProblem(await s.call('POST', `/api/v1/consultations/${b.id}/cancel`, {}), 409);
      assertProblem(await s.call('PATCH', `/api/v1/consultations/${b.id}`, { start: '2026-12-01T15:00:00+09:00' }), 409);
      await s.running.worker.idle();
      assert.equal((await s.call('GET', `/api/v1/consultations/${b.id}`)).body.meeting, null);
      assert.equal(
        (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-01T14:00:00+09:00' }))).status,
        201,
        'a cancelled time is free again',
      );
    });

    it('with several hosts, a booking without hostId takes a free one; a host in use cannot be retired', async () => {
      const added = await s.call('POST', '/api/v1/hosts', { displayName: '相談用専用PC 2', provider: 'dryrun', account: 'pc2' });
      assert.equal(added.status, 201);
      assertProblem(await s.call('POST', '/api/v1/hosts', { displayName: 'x', provider: 'zoom', account: 'x' }), 422, 'provider');
      const a = await s.call('POST', '/api/v1/consultations', booking());
      const b = await s.call('POST', '/api/v1/consultations', booking());
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.notEqual(a.body.hostId, b.body.hostId);
      assertProblem(await s.call('POST', '/api/v1/consultations', booking()), 409);
      const slots = await s.call('GET', '/api/v1/slots?from=2026-12-01&to=2026-12-01&duration=60');
      assert.ok(!slots.body.slots.some((x: { start: string }) => x.start === '2026-12-01T10:00:00+09:00'));
      assert.ok(slots.body.slots.some((x: { start: string; hostId: string }) => x.start === '2026-12-01T08:30:00+09:00' && x.hostId === added.body.id));
      assertProblem(await s.call('DELETE', `/api/v1/hosts/${added.body.id}`), 409);
      const cancelled = await s.call('POST', `/api/v1/consultations/${a.body.hostId === added.body.id ? a.body.id : b.body.id}/cancel`, {});
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal((await s.call('DELETE', `/api/v1/hosts/${added.body.id}`)).status, 204);
      assert.equal((await s.call('GET', '/api/v1/hosts')).body.hosts.length, 1);
    });

    it('lets an admin create and revoke staff tokens', async () => {
      const issued = await s.call('POST', '/api/v1/tokens', { name: '福祉課 佐藤', role: 'staff' });
      assert.equal(issued.status, 201);
      const asStaff = { authorization: `Bearer ${issued.body.token}` };
      assert.equal((await s.call('GET', '/api/v1/hosts', undefined, asStaff)).status, 200);
      assertProblem(await s.call('POST', '/api/v1/tokens', { name: 'x', role: 'admin' }, asStaff), 403);
      assertProblem(await s.call('POST', '/api/v1/tokens', { name: 'x', role: 'boss' }), 422, 'role');
      assert.equal((await s.call('DELETE', `/api/v1/tokens/${issued.body.id}`)).status, 204);
      assertProblem(await s.call('GET', '/api/v1/hosts', undefined, asStaff), 401);
      const stored = await s.running.store.db.selectFrom('api_tokens').select('token_hash').execute();
      assert.ok(stored.every((t) => t.token_hash !== issued.body.token && /^[0-9a-f]{64}$/.test(t.token_hash)));
    });

    it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
      const r = await s.call('GET', '/api/v1/openapi.json', undefined, { authorization: '' });
      assert.equal(r.status, 200);
      assert.equal(r.body.openapi, '3.1.0');
      const create = r.body.paths['/api/v1/consultations'].post;
      const body = create.requestBody.content['application/json'].schema;
      assert.deepEqual(body.required.sort(), ['citizen', 'department', 'durationMinutes', 'start']);
      assert.ok(create.responses['409']);
    });
  });
}
