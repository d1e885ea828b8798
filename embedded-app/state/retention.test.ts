import assert from 'node:assert/strict';
import { DATABASES, booking, jst, serverForEachTest } from '../../test/helpers.ts';
import type { TestServer } from '../../test/helpers.ts';
import { createIdSource } from '../../core/ids.ts';
import { purgeAppRecords } from './retention.ts';
import { CONSENT_VERSION } from './content.ts';

for (const kind of DATABASES) {
  describe(`consent records (${kind})`, function () {
    this.timeout(30_000);
    let s: TestServer;
    serverForEachTest(kind, (x) => (s = x));

    const consentFor = async (consultationId: string) => {
      const ids = createIdSource();
      await s.running.store.db
        .insertInto('consents')
        .values({
          id: ids.sortableId(s.clock.now),
          consultation_id: consultationId,
          text_version: CONSENT_VERSION,
          items: '[]',
          agreed: 1,
          entry_point: 'link',
          created_at: new Date(s.clock.now).toISOString(),
        })
        .execute();
    };

    it('are insert-only: the database refuses an update', async () => {
      const c = (await s.call('POST', '/api/v1/consultations', booking())).body;
      await consentFor(c.id);
      await assert.rejects(s.running.store.db.updateTable('consents').set({ agreed: 0 }).execute(), /insert-only/);
    });

    it('are purged only once the consultation ended longer ago than the retention period, and the purge is audited', async () => {
      const old = (await s.call('POST', '/api/v1/consultations', booking())).body; // 2026-12-01 10:00–11:00
      const recent = (await s.call('POST', '/api/v1/consultations', booking({ start: '2026-12-08T10:00:00+09:00' }))).body;
      await consentFor(old.id);
      await consentFor(recent.id);
      const db = s.running.store.db;
      const ids = createIdSource();
      // 30 days after the first ended, a 30-day retention keeps both (the first ended 30 days minus a minute ago)…
      assert.deepEqual(await purgeAppRecords(db, ids, jst('2026-12-31', '10:59'), 30), { consents: 0, progress: 0 });
      // …and a little later removes only the first.
      assert.deepEqual(await purgeAppRecords(db, ids, jst('2026-12-31', '11:01'), 30), { consents: 1, progress: 0 });
      const left = await db.selectFrom('consents').select('consultation_id').execute();
      assert.deepEqual(
        left.map((r) => r.consultation_id),
        [recent.id],
      );
      const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'app.records_purged').execute();
      assert.equal(audit.length, 1);
    });

    it('a daily purge job is scheduled at start-up, and plans its next run', async () => {
      // The first runs at once (while it runs, it and its next run are both pending): wait for it.
      await s.running.worker.idle();
      const jobs = await s.running.store.db.selectFrom('outbox').select(['kind', 'status', 'run_after']).where('kind', '=', 'app.purge').execute();
      assert.equal(jobs.filter((j) => j.status === 'done').length, 1);
      const next = jobs.filter((j) => j.status === 'pending');
      assert.equal(next.length, 1);
      assert.ok(Date.parse(next[0]!.run_after) > s.clock.now, 'the next one tomorrow');
    });
  });
}
