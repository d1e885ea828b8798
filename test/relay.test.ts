import assert from 'node:assert/strict';
import { createIdSource } from '../core/ids.ts';
import { openStore } from '../core/store/db.ts';
import type { Store } from '../core/store/db.ts';
import { ensureConfiguredHosts } from '../scheduler/hosts.ts';
import { listDepartments, seedDepartments } from '../scheduler/departments.ts';
import { bookConsultation, cancelConsultation } from '../scheduler/consultations.ts';
import { acceptRelay, cancelRelay, declineRelay, escalateRelay, finishRelay, getRelay, openRelayOf, requestRelay, waitingQueue } from '../relay/store.ts';
import type { RelayDeps } from '../relay/store.ts';
import { claimDue } from '../core/outbox.ts';
import { DATABASES, TEST_NOW, jst, openTestStore, testConfig } from './helpers.ts';
import type { Place } from './helpers.ts';

const ids = createIdSource();

for (const kind of DATABASES) {
  describe(`relay on ${kind}`, function () {
    this.timeout(30_000);
    let store: Store;
    let place: Place;
    let clock: { now: number };
    let deps: RelayDeps;
    let tax: string;
    let welfare: string;
    let pension: string;

    async function consultation(hour: number): Promise<string> {
      const config = testConfig(place.env);
      const r = await bookConsultation(
        { store, config, ids, clock: () => TEST_NOW },
        {
          start: jst('2026-12-01', `${String(hour).padStart(2, '0')}:00`),
          durationMinutes: 45,
          department: '総合窓口課',
          citizen: { name: '山田太郎', email: 'yamada@example.jp' },
        },
        'test',
      );
      assert.ok(r.ok, JSON.stringify(r));
      // Each is going on (a relay is for a consultation happening now), one after another on the same host, past its time.
      await store.db.updateTable('consultations').set({ status: 'in_progress' }).where('id', '=', r.value.consultation.id).execute();
      return r.value.consultation.id;
    }

    beforeEach(async () => {
      ({ store, place } = await openTestStore(kind));
      await ensureConfiguredHosts(store.db, ids, TEST_NOW, testConfig(place.env));
      await seedDepartments(store.db, ids, TEST_NOW);
      const d = await listDepartments(store.db);
      tax = d.find((x) => x.name === '税務課')!.id;
      welfare = d.find((x) => x.name === '福祉課')!.id;
      pension = d.find((x) => x.name === '保険年金課')!.id;
      clock = { now: jst('2026-12-01', '10:05') };
      deps = { db: store.db, ids, clock: () => clock.now, escalationMinutes: 3, walkInEscalationMinutes: 1, lamp: false };
    });
    afterEach(async () => {
      await store.close();
      await place.cleanup();
    });

    it('two staff accept at the same moment: exactly one wins, the other is told who took it', async () => {
      const c = await consultation(10);
      const r = await requestRelay(deps, { consultationId: c, toDepartmentId: tax, fromDepartmentId: null, note: '相続の件', requestedBy: 'staff:A' });
      assert.ok(r.ok);
      const results = await Promise.all(['staff:T1', 'staff:T2', 'staff:T3', 'staff:T4'].map((s) => acceptRelay(deps, r.value.relay.id, s)));
      const winners = results.filter((x) => x.ok && x.value.won);
      assert.equal(winners.length, 1);
      const winner = winners[0]!.ok ? winners[0]!.value.relay.acceptedBy : null;
      for (const x of results) {
        assert.ok(x.ok);
        assert.equal(x.value.relay.acceptedBy, winner, 'everyone learns who took it');
      }
    });

    it('queues relays per department in the order asked, with waiting time; one open relay per consultation', async () => {
      const [c1, c2, c3] = [await consultation(9), await consultation(11), await consultation(13)];
      await requestRelay(deps, { consultationId: c1, toDepartmentId: tax, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      clock.now += 60_000;
      const second = await requestRelay(deps, { consultationId: c2, toDepartmentId: tax, fromDepartmentId: null, note: '', requestedBy: 'staff:B' });
      clock.now += 1_000;
      const other = await requestRelay(deps, { consultationId: c3, toDepartmentId: welfare, fromDepartmentId: null, note: '', requestedBy: 'staff:C' });
      assert.ok(second.ok && other.ok);
      assert.equal(second.value.position, 2, 'second in the tax department');
      assert.equal(other.value.position, 1, 'first in welfare');
      clock.now += 4 * 60_000;
      const q = await waitingQueue(store.db, clock.now);
      assert.deepEqual(
        q.map((e) => [e.relay.consultationId, e.position, e.waitingMinutes]),
        [
          [c1, 1, 5],
          [c2, 2, 4],
          [c3, 1, 4],
        ],
      );
      const again = await requestRelay(deps, { consultationId: c1, toDepartmentId: pension, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      assert.equal(again.ok, false);
      if (!again.ok) assert.match(again.reason.message.ja, /すでにほかの課へおつなぎ中/);
    });

    it('escalates an unanswered relay when its time comes (fake clock), and not an accepted one', async () => {
      const [c1, c2] = [await consultation(9), await consultation(11)];
      const a = await requestRelay(deps, { consultationId: c1, toDepartmentId: tax, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      const b = await requestRelay(deps, { consultationId: c2, toDepartmentId: tax, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      assert.ok(a.ok && b.ok);
      await acceptRelay(deps, b.value.relay.id, 'staff:T');
      assert.deepEqual(
        await claimDue(store.db, store.dialect, clock.now + 2 * 60_000, 60_000, 10).then((j) => j.filter((x) => x.kind === 'relay.escalate')),
        [],
        'not before 3 minutes',
      );
      clock.now += 3 * 60_000;
      const due = (await claimDue(store.db, store.dialect, clock.now, 60_000, 10)).filter((x) => x.kind === 'relay.escalate');
      assert.equal(due.length, 2);
      const escalated = await Promise.all(due.map((j) => escalateRelay(deps, (j.payload as { relayId: string }).relayId)));
      assert.deepEqual(escalated.sort(), [false, true]);
      assert.ok((await getRelay(store.db, a.value.relay.id))!.escalatedAt);
      assert.equal((await getRelay(store.db, b.value.relay.id))!.escalatedAt, null);
      assert.equal(await escalateRelay(deps, a.value.relay.id), false, 'escalates once');
    });

    it('decline, cancel and done move the relay on, and a finished relay frees the consultation for the next one', async () => {
      const c = await consultation(10);
      const r1 = await requestRelay(deps, { consultationId: c, toDepartmentId: tax, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      assert.ok(r1.ok);
      const declined = await declineRelay(deps, r1.value.relay.id, 'staff:T');
      assert.ok(declined.ok);
      assert.equal(declined.value.relay.status, 'declined');
      assert.equal(declined.value.everyone, true, 'nobody else known in the department: one no ends it');
      assert.equal((await acceptRelay(deps, r1.value.relay.id, 'staff:T2')).ok, false, 'a declined relay cannot be accepted');
      const r2 = await requestRelay(deps, { consultationId: c, toDepartmentId: welfare, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      assert.ok(r2.ok, 'relay elsewhere after a decline');
      assert.equal((await finishRelay(deps, r2.value.relay.id, 'staff:W')).ok, false, 'not done before it is accepted');
      await acceptRelay(deps, r2.value.relay.id, 'staff:W');
      const done = await finishRelay(deps, r2.value.relay.id, 'staff:W');
      assert.ok(done.ok);
      assert.equal(await openRelayOf(store.db, c), null);
      const r3 = await requestRelay(deps, { consultationId: c, toDepartmentId: pension, fromDepartmentId: welfare, note: '', requestedBy: 'staff:W' });
      assert.ok(r3.ok);
      assert.ok((await cancelRelay(deps, r3.value.relay.id, 'staff:W')).ok);
    });

    it('survives a restart in the middle of a relay, and a cancelled consultation cannot be relayed', async () => {
      const c = await consultation(10);
      const r = await requestRelay(deps, { consultationId: c, toDepartmentId: tax, fromDepartmentId: null, note: '年金と税', requestedBy: 'staff:A' });
      assert.ok(r.ok);
      await store.close();
      const config = testConfig(place.env);
      store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}) });
      deps = { ...deps, db: store.db };
      const open = await openRelayOf(store.db, c);
      assert.equal(open?.note, '年金と税');
      const accepted = await acceptRelay(deps, r.value.relay.id, 'staff:T');
      assert.ok(accepted.ok && accepted.value.won);
      const c2 = await consultation(14);
      await cancelConsultation({ store, config, ids, clock: () => TEST_NOW }, c2, '', 'test');
      const refused = await requestRelay(deps, { consultationId: c2, toDepartmentId: tax, fromDepartmentId: null, note: '', requestedBy: 'staff:A' });
      assert.equal(refused.ok, false);
    });
  });
}
