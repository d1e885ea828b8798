// The retention purge: the only path that deletes consent records. Once a consultation ended more than
// CONSENT_RETENTION_DAYS ago, its consents and app answers are deleted (the audit log keeps that it happened, with
// no personal content). Runs as a daily outbox job ('app.purge') that schedules its next run.
import type { Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { writeAudit } from '../core/audit.ts';
import { enqueue } from '../core/outbox.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function purgeAppRecords(db: Db, ids: IdSource, now: number, retentionDays: number): Promise<{ consents: number; progress: number }> {
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  return db.transaction().execute(async (trx) => {
    const ended = trx.selectFrom('consultations').select('id').where('end_at', '<', cutoff);
    const consents = await trx.deleteFrom('consents').where('consultation_id', 'in', ended).executeTakeFirst();
    const progress = await trx.deleteFrom('app_progress').where('consultation_id', 'in', ended).executeTakeFirst();
    const out = { consents: Number(consents.numDeletedRows), progress: Number(progress.numDeletedRows) };
    if (out.consents + out.progress > 0) {
      await writeAudit(trx, ids, now, { actor: 'system', action: 'app.records_purged', entity: 'retention', entityId: cutoff.slice(0, 10), before: null, after: { ...out, endedBefore: cutoff, retentionDays } });
    }
    return out;
  });
}

/** Makes sure one purge is scheduled (at start-up; each run schedules the next, a day later). */
export async function schedulePurge(db: Db, ids: IdSource, now: number, runAfter = now): Promise<void> {
  const pending = await db.selectFrom('outbox').select('id').where('kind', '=', 'app.purge').where('status', '=', 'pending').executeTakeFirst();
  if (!pending) await enqueue(db, ids, now, 'app.purge', null, {}, runAfter);
}

export const nextPurge = (now: number) => now + DAY_MS;
