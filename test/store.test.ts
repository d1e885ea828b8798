import assert from 'node:assert/strict';
import { createIdSource } from '../core/ids.ts';
import { openStore } from '../core/store/db.ts';
import type { Store } from '../core/store/db.ts';
import { testConfig, DATABASES, openTestStore } from './helpers.ts';
import type { Place } from './helpers.ts';
import { ensureConfiguredHosts, listHosts } from '../core/hosts.ts';
import { seedDepartments, listDepartments } from '../core/departments.ts';
import { claimDue, enqueue, leaseConsultation } from '../core/outbox.ts';

const ids = createIdSource();
const NOW = Date.parse('2026-11-24T00:00:00Z');

async function seed(store: Store) {
  await ensureConfiguredHosts(store.db, ids, NOW, testConfig({}));
  await seedDepartments(store.db, ids, NOW);
  return { host: (await listHosts(store.db))[0]!, department: (await listDepartments(store.db))[0]! };
}

function row(hostId: string, departmentId: string, start: string, end: string, blockEnd: string, status = 'booked') {
  return {
    id: ids.shortId(),
    host_id: hostId,
    start_at: start,
    end_at: end,
    block_end_at: blockEnd,
    department_id: departmentId,
    citizen_name: '山田太郎',
    citizen_email: 'yamada@example.jp',
    topic: '',
    consultation_type: 'general',
    citizen_locale: 'ja',
    job_lease_until: null,
    booked_by: 'test',
    status,
    status_note: '',
    version: 1,
    created_at: new Date(NOW).toISOString(),
    updated_at: new Date(NOW).toISOString(),
  };
}

for (const kind of DATABASES) {
  describe(`store on ${kind}`, function () {
    this.timeout(30_000);
    let store: Store;
    let place: Place;
    beforeEach(async () => {
      ({ store, place } = await openTestStore(kind));
    });
    afterEach(async () => {
      await store.close();
      await place.cleanup();
    });

    it('the database itself refuses overlapping consultations on one host (buffer included)', async () => {
      const { host, department } = await seed(store);
      await store.db.insertInto('consultations').values(row(host.id, department.id, '2026-12-01T01:00:00.000Z', '2026-12-01T02:00:00.000Z', '2026-12-01T02:15:00.000Z')).execute();
      await assert.rejects(
        store.db.insertInto('consultations').values(row(host.id, department.id, '2026-12-01T02:10:00.000Z', '2026-12-01T03:00:00.000Z', '2026-12-01T03:15:00.000Z')).execute(),
        /overlap|conflicting key|consultation_overlap/,
      );
      // touching the end of the buffer is fine, and a cancelled consultation blocks nothing
      await store.db.insertInto('consultations').values(row(host.id, department.id, '2026-12-01T02:15:00.000Z', '2026-12-01T03:00:00.000Z', '2026-12-01T03:15:00.000Z')).execute();
      await store.db.insertInto('consultations').values(row(host.id, department.id, '2026-12-01T02:30:00.000Z', '2026-12-01T03:00:00.000Z', '2026-12-01T03:15:00.000Z', 'cancelled')).execute();
      // moving a row onto another is refused as well
      const last = row(host.id, department.id, '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z', '2026-12-01T06:15:00.000Z');
      await store.db.insertInto('consultations').values(last).execute();
      await assert.rejects(
        store.db.updateTable('consultations').set({ start_at: '2026-12-01T03:00:00.000Z' }).where('id', '=', last.id).execute(),
        /overlap|conflicting key|consultation_overlap/,
      );
    });

    it('applies migrations once: opening the store again changes nothing', async () => {
      await seed(store);
      const config = testConfig(place.env);
      const again = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}) });
      assert.equal((await listHosts(again.db)).length, 1);
      await again.close();
    });

    it('an outbox job is claimed by one worker at a time', async () => {
      for (let i = 0; i < 20; i++) await enqueue(store.db, ids, NOW, 'meeting.sync', `C${i}`);
      // PostgreSQL: a second instance with its own pool. SQLite is one process's store (node:sqlite waits for a lock
      // synchronously, so a second connection in the same process would wait on itself); its two workers share the store.
      const config = testConfig(place.env);
      const other =
        kind === 'postgres'
          ? await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}) })
          : { ...store, close: async () => {} };
      try {
        const [a, b] = await Promise.all([claimDue(store.db, store.dialect, NOW, 60_000, 15), claimDue(other.db, other.dialect, NOW, 60_000, 15)]);
        const claimed = [...a, ...b].map((j) => j.id);
        assert.equal(claimed.length, 20);
        assert.equal(new Set(claimed).size, 20);
        assert.deepEqual(await claimDue(store.db, store.dialect, NOW + 1000, 60_000, 50), [], 'leased jobs are not handed out again');
        assert.equal((await claimDue(store.db, store.dialect, NOW + 61_000, 60_000, 50)).length, 20, 'an expired lease is claimable again');
      } finally {
        await other.close();
      }
    });

    it('leases a consultation to one worker at a time', async () => {
      const { host, department } = await seed(store);
      const r = row(host.id, department.id, '2026-12-01T01:00:00.000Z', '2026-12-01T02:00:00.000Z', '2026-12-01T02:15:00.000Z');
      await store.db.insertInto('consultations').values(r).execute();
      const lease = await leaseConsultation(store.db, r.id, NOW, 60_000);
      assert.notEqual(lease, 'busy');
      assert.equal(await leaseConsultation(store.db, r.id, NOW + 1000, 60_000), 'busy');
      assert.notEqual(await leaseConsultation(store.db, r.id, NOW + 61_000, 60_000), 'busy', 'an expired lease can be taken');
      assert.equal(await leaseConsultation(store.db, 'GONE', NOW, 60_000), 'none');
    });

    it('coalesces a waiting meeting job for the same consultation', async () => {
      await enqueue(store.db, ids, NOW, 'meeting.sync', 'C1');
      await enqueue(store.db, ids, NOW, 'meeting.sync', 'C1');
      assert.equal((await claimDue(store.db, store.dialect, NOW, 60_000, 10)).length, 1);
      await enqueue(store.db, ids, NOW, 'meeting.sync', 'C1');
      assert.equal((await claimDue(store.db, store.dialect, NOW, 60_000, 10)).length, 0, 'not while the first one is running');
    });
  });
}
