// The retention purge: the only path that deletes consent records. Once a consultation ended more than
// CONSENT_RETENTION_DAYS ago, its consents and app answers are deleted; only the survey's scores stay, for the
// figures (the audit log keeps that it happened, with no personal content). Runs as a daily outbox job ('app.purge')
// that schedules its next run; the same job erases personal data past PERSONAL_DATA_RETENTION_DAYS.
import type { Db } from '../../core/store/schema.ts';
import type { IdSource } from '../../core/ids.ts';
import { writeAudit } from '../../core/audit.ts';
import { surveyScores } from '../../scheduler/personal-data.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The step of an app record reduced to its survey scores. */
export const PURGED = 'purged';

export async function purgeAppRecords(db: Db, ids: IdSource, now: number, retentionDays: number): Promise<{ consents: number; progress: number }> {
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  return db.transaction().execute(async (trx) => {
    const ended = trx.selectFrom('consultations').select('id').where('end_at', '<', cutoff);
    const consents = await trx.deleteFrom('consents').where('consultation_id', 'in', ended).executeTakeFirst();
    const rows = await trx
      .selectFrom('app_progress')
      .select(['consultation_id', 'survey'])
      .where('consultation_id', 'in', ended)
      .where('step', '<>', PURGED)
      .execute();
    for (const row of rows) {
      await trx
        .updateTable('app_progress')
        .set({
          step: PURGED,
          checklist: '{}',
          staff_checked: '{}',
          pushed_step: null,
          pushed_at: null,
          survey: surveyScores(row.survey),
          updated_at: new Date(now).toISOString(),
        })
        .where('consultation_id', '=', row.consultation_id)
        .execute();
    }
    const out = { consents: Number(consents.numDeletedRows), progress: rows.length };
    if (out.consents + out.progress > 0) {
      await writeAudit(trx, ids, now, {
        actor: 'system',
        action: 'app.records_purged',
        entity: 'retention',
        entityId: cutoff.slice(0, 10),
        before: null,
        after: { ...out, endedBefore: cutoff, retentionDays },
      });
    }
    return out;
  });
}

export const nextPurge = (now: number) => now + DAY_MS;
