import assert from 'node:assert/strict';
import { createIdSource } from '../core/ids.ts';
import { openStore } from '../core/store/db.ts';
import type { Store } from '../core/store/db.ts';
import { testConfig, DATABASES, freshPlace, openTestStore } from './helpers.ts';
import type { Place } from './helpers.ts';
import { addHostOnce, ensureConfiguredHosts, listHosts } from '../scheduler/hosts.ts';
import { withStartupLock } from '../core/store/db.ts';
import { migrateTo, migrateToLatest } from '../core/store/migrations.ts';
import { bootstrapAdmin } from '../core/auth/tokens.ts';
import { seedDepartments, listDepartments } from '../scheduler/departments.ts';
import { claimDue, enqueue, leaseConsultation } from '../core/outbox.ts';
import { MEETING_SYNC } from '../scheduler/jobs.ts';

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
    personal_data_erased_at: null,
    schedule_version: 1,
    told_start_at: null,
    told_end_at: null,
    kind: 'booked',
    site_id: null,
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
      await store.db
        .insertInto('consultations')
        .values(row(host.id, department.id, '2026-12-01T01:00:00.000Z', '2026-12-01T02:00:00.000Z', '2026-12-01T02:15:00.000Z'))
        .execute();
      await assert.rejects(
        store.db
          .insertInto('consultations')
          .values(row(host.id, department.id, '2026-12-01T02:10:00.000Z', '2026-12-01T03:00:00.000Z', '2026-12-01T03:15:00.000Z'))
          .execute(),
        /overlap|conflicting key|consultation_overlap/,
      );
      // touching the end of the buffer is fine, and a cancelled consultation blocks nothing
      await store.db
        .insertInto('consultations')
        .values(row(host.id, department.id, '2026-12-01T02:15:00.000Z', '2026-12-01T03:00:00.000Z', '2026-12-01T03:15:00.000Z'))
        .execute();
      await store.db
        .insertInto('consultations')
        .values(row(host.id, department.id, '2026-12-01T02:30:00.000Z', '2026-12-01T03:00:00.000Z', '2026-12-01T03:15:00.000Z', 'cancelled'))
        .execute();
      // moving a row onto another is refused as well
      const last = row(host.id, department.id, '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z', '2026-12-01T06:15:00.000Z');
      await store.db.insertInto('consultations').values(last).execute();
      await assert.rejects(
        store.db.updateTable('consultations').set({ start_at: '2026-12-01T03:00:00.000Z' }).where('id', '=', last.id).execute(),
        /overlap|conflicting key|consultation_overlap/,
      );
    });

    it('refuses an overlap across midnight and after a long history of the host, reading one day of it', async () => {
      const { host, department } = await seed(store);
      // A year of earlier consultations on the host, then one that runs over midnight (city time) with its buffer.
      const day = 86_400_000;
      const first = Date.parse('2025-12-01T01:00:00.000Z');
      for (let i = 0; i < 365; i += 1) {
        const start = first + i * day;
        await store.db
          .insertInto('consultations')
          .values(
            row(host.id, department.id, new Date(start).toISOString(), new Date(start + 3_600_000).toISOString(), new Date(start + 4_500_000).toISOString()),
          )
          .execute();
      }
      await store.db
        .insertInto('consultations')
        .values(row(host.id, department.id, '2026-12-01T14:30:00.000Z', '2026-12-01T15:00:00.000Z', '2026-12-01T15:15:00.000Z'))
        .execute();
      await assert.rejects(
        store.db
          .insertInto('consultations')
          .values(row(host.id, department.id, '2026-12-01T15:05:00.000Z', '2026-12-01T15:30:00.000Z', '2026-12-01T15:45:00.000Z'))
          .execute(),
        /overlap|conflicting key|consultation_overlap/,
      );
      // The look-ups read one day back, so a block may not be longer than a day (12 hours is the most ever made).
      await assert.rejects(
        store.db
          .insertInto('consultations')
          .values(row(host.id, department.id, '2026-12-10T01:00:00.000Z', '2026-12-11T01:00:00.000Z', '2026-12-11T01:15:00.000Z'))
          .execute(),
        /consultation_too_long|consultations_block_within_a_day/,
      );
    });

    it('keeps the reference tables per process and reads them again after a write from another instance', async () => {
      const { department } = await seed(store);
      const first = await listDepartments(store.db);
      const again = await listDepartments(store.db);
      assert.equal(again[0], first[0], 'nothing written: the same objects, from the cache');
      assert.notEqual(again, first, 'each caller gets its own array');
      const config = testConfig(place.env);
      const other = await openStore({
        databaseUrl: config.databaseUrl,
        sqlitePath: config.sqlitePath,
        ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
      });
      try {
        // By hand, not through our functions: the database's triggers raise the version.
        await other.db.updateTable('departments').set({ contact: '0877-00-0000' }).where('id', '=', department.id).execute();
        await other.db
          .insertInto('calendar_exceptions')
          .values({
            id: 'x1',
            kind: 'closure',
            start_date: '2026-12-01',
            end_date: '2026-12-01',
            start_minute: null,
            end_minute: null,
            note: '',
            created_by: 'test',
            created_at: new Date(NOW).toISOString(),
          })
          .execute();
      } finally {
        await other.close();
      }
      const after = (await listDepartments(store.db)).find((d) => d.id === department.id);
      assert.equal(after?.contact, '0877-00-0000');
      const { listCalendarExceptions } = await import('../scheduler/calendar-store.ts');
      assert.deepEqual(
        (await listCalendarExceptions(store.db)).map((e) => e.id),
        ['x1'],
      );
      // A write of this process is seen by the next read, even with reads of the version side by side.
      await Promise.all([listDepartments(store.db), listDepartments(store.db)]);
      await store.db.updateTable('departments').set({ contact: 'same process' }).where('id', '=', department.id).execute();
      const [x, y] = await Promise.all([listDepartments(store.db), listDepartments(store.db)]);
      assert.equal(x.find((d) => d.id === department.id)?.contact, 'same process');
      assert.equal(x[0], y[0], 'side by side: one read of the version, one load');
      await store.db.updateTable('departments').set({ contact: '0877-00-0000' }).where('id', '=', department.id).execute();
      // Inside a transaction what it wrote itself is read, never the cache.
      await store.db
        .transaction()
        .execute(async (trx) => {
          await trx.updateTable('departments').set({ contact: 'tx' }).where('id', '=', department.id).execute();
          assert.equal((await listDepartments(trx)).find((d) => d.id === department.id)?.contact, 'tx');
          throw new Error('roll back');
        })
        .catch(() => {});
      assert.equal((await listDepartments(store.db)).find((d) => d.id === department.id)?.contact, '0877-00-0000');
    });

    it('applies migrations once: opening the store again changes nothing', async () => {
      await seed(store);
      const config = testConfig(place.env);
      const again = await openStore({
        databaseUrl: config.databaseUrl,
        sqlitePath: config.sqlitePath,
        ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}),
      });
      assert.equal((await listHosts(again.db)).length, 1);
      await again.close();
    });

    it('an outbox job is claimed by one worker at a time', async () => {
      for (let i = 0; i < 20; i++) await enqueue(store.db, ids, NOW, MEETING_SYNC, `C${i}`, {});
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
      await enqueue(store.db, ids, NOW, MEETING_SYNC, 'C1', {});
      await enqueue(store.db, ids, NOW, MEETING_SYNC, 'C1', {});
      assert.equal((await claimDue(store.db, store.dialect, NOW, 60_000, 10)).length, 1);
      await enqueue(store.db, ids, NOW, MEETING_SYNC, 'C1', {});
      assert.equal((await claimDue(store.db, store.dialect, NOW, 60_000, 10)).length, 0, 'not while the first one is running');
    });

    it('one live host row per account: the database refuses a second, and adding it again is a no-op', async () => {
      await seed(store);
      const host = { id: 'DUP00001', display_name: 'x', provider: 'dryrun', account: 'dryrun', created_at: new Date(NOW).toISOString(), retired_at: null };
      await assert.rejects(store.db.insertInto('hosts').values(host).execute(), /UNIQUE|duplicate key/);
      assert.equal(await addHostOnce(store.db, ids, NOW, { displayName: 'again', provider: 'dryrun', account: 'dryrun' }), null);
      assert.equal(await addHostOnce(store.db, ids, NOW, { displayName: 'again', provider: 'dryrun', account: ' DryRun ' }), null, 'in any case');
      // A retired row does not count: the account can be registered anew.
      await store.db
        .updateTable('hosts')
        .set({ retired_at: new Date(NOW).toISOString() })
        .execute();
      assert.ok(await addHostOnce(store.db, ids, NOW, { displayName: 'new', provider: 'dryrun', account: 'dryrun' }));
    });

    it('the start-up lock lets five instances at once make exactly one first admin', async () => {
      const config = testConfig(place.env);
      const others =
        kind === 'postgres'
          ? await Promise.all(
              Array.from({ length: 5 }, () =>
                openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, ...(place.pgSchema ? { pgSchema: place.pgSchema } : {}) }),
              ),
            )
          : [store];
      try {
        const made = await Promise.all(
          others.flatMap((o) =>
            Array.from({ length: kind === 'postgres' ? 1 : 5 }, () => withStartupLock(o, (db) => bootstrapAdmin(db, createIdSource(), NOW, null))),
          ),
        );
        assert.equal(made.filter((t) => t !== null).length, 1);
        assert.equal((await store.db.selectFrom('api_tokens').select('id').execute()).length, 1);
      } finally {
        if (kind === 'postgres') await Promise.all(others.map((o) => o.close()));
      }
    });

    it('duplicate host rows left by instances started together are mended by the migration', async () => {
      // A database at the state before 0008, with the same Webex account twice (what instances started together made).
      const fresh = await freshPlace(kind);
      const config = testConfig(fresh.env);
      const old = await openStore({
        databaseUrl: config.databaseUrl,
        sqlitePath: config.sqlitePath,
        ...(fresh.pgSchema ? { pgSchema: fresh.pgSchema } : {}),
        migrate: false,
      });
      try {
        await migrateTo(old.db, old.dialect, '0007_app_content');
        const at = (m: number) => new Date(NOW + m).toISOString();
        await old.db
          .insertInto('hosts')
          .values([
            { id: 'HOSTAAAA', display_name: 'PC', provider: 'webex', account: 'soudan@city.example.jp', created_at: at(0), retired_at: null },
            { id: 'HOSTBBBB', display_name: 'PC', provider: 'webex', account: 'soudan@city.example.jp', created_at: at(1), retired_at: null },
            // The same account written in another case (0010 takes these as one).
            { id: 'HOSTCCCC', display_name: 'PC', provider: 'webex', account: ' Soudan@City.Example.JP', created_at: at(2), retired_at: null },
          ])
          .execute();
        await seedDepartments(old.db, ids, NOW);
        const dept = (await listDepartments(old.db))[0]!;
        const before0008 = (r: ReturnType<typeof row>) => {
          const { personal_data_erased_at: _, schedule_version: _s, told_start_at: _t, told_end_at: _e, kind: _k, site_id: _si, ...rest } = r;
          return rest;
        };
        const onA = row('HOSTAAAA', dept.id, '2026-12-01T01:00:00.000Z', '2026-12-01T02:00:00.000Z', '2026-12-01T02:15:00.000Z', 'invited');
        const onB = row('HOSTBBBB', dept.id, '2026-12-01T05:00:00.000Z', '2026-12-01T06:00:00.000Z', '2026-12-01T06:15:00.000Z', 'invited');
        const clash = row('HOSTBBBB', dept.id, '2026-12-01T01:00:00.000Z', '2026-12-01T02:00:00.000Z', '2026-12-01T02:15:00.000Z', 'invited');
        const onC = row('HOSTCCCC', dept.id, '2026-12-01T07:00:00.000Z', '2026-12-01T07:30:00.000Z', '2026-12-01T07:45:00.000Z', 'invited');
        await old.db
          .insertInto('consultations')
          .values([onA, onB, clash, onC].map(before0008) as never)
          .execute();
        await migrateToLatest(old.db, old.dialect);
        assert.deepEqual(
          (await listHosts(old.db)).map((h) => h.id),
          ['HOSTAAAA'],
          'the oldest row stays',
        );
        const after = await old.db.selectFrom('consultations').select(['id', 'host_id', 'status']).execute();
        assert.equal(after.find((c) => c.id === onB.id)!.host_id, 'HOSTAAAA', 'a consultation that fits moves to it');
        assert.equal(after.find((c) => c.id === onC.id)!.host_id, 'HOSTAAAA', 'and so does one on the account written in capitals');
        assert.equal(await addHostOnce(old.db, ids, NOW, { displayName: 'again', provider: 'webex', account: 'SOUDAN@city.example.jp' }), null);
        assert.equal(after.find((c) => c.id === onA.id)!.status, 'invited');
        assert.equal(after.find((c) => c.id === clash.id)!.status, 'needs_attention', 'a true double booking is shown to staff');
      } finally {
        await old.close();
        await fresh.cleanup();
      }
    });
  });
}
