// Citizens' personal data and how long it is kept. A consultation's citizen name, email and every free text that may
// name a person (topic, notes, reasons, the survey comment, provider and mail-server messages) are erased
// PERSONAL_DATA_RETENTION_DAYS after it ends, or at once when an admin erases them on request. What the figures need
// stays: times, department, host, type, status, relay waits, survey scores. The audit log keeps each change's fact
// (who, what, when) without the personal values. README「個人情報の保存期間」lists every place.
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Store } from '../core/store/db.ts';
import { flushErased } from '../core/store/db.ts';
import type { IdSource } from '../core/ids.ts';
import { writeAudit } from '../core/audit.ts';
import { emlPrefix } from '../templates/mail.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What an erased value reads as, where the shape of a record is kept. */
export const ERASED = '[erased]';

/** Fields of audit records that may carry a person's words or address. */
const PERSONAL_FIELDS = new Set(['topic', 'note', 'statusNote', 'reason', 'comment', 'problem', 'email', 'to']);

/** An audit record's before/after without personal values: the citizen keeps only their language; free text is erased. */
export function withoutPersonalValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPersonalValues);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'citizen' && v && typeof v === 'object') out[k] = { name: ERASED, email: ERASED, locale: (v as { locale?: unknown }).locale ?? null };
    else if (PERSONAL_FIELDS.has(k) && typeof v === 'string') out[k] = v === '' ? '' : ERASED;
    else out[k] = withoutPersonalValues(v);
  }
  return out;
}

const redactJson = (text: string | null): string | null => {
  if (text === null) return null;
  try {
    return JSON.stringify(withoutPersonalValues(JSON.parse(text)));
  } catch {
    return JSON.stringify(ERASED);
  }
};

/** A survey answer without its free text: satisfaction and "would use again" only (null when there was none). */
export function surveyScores(survey: string | null): string | null {
  if (!survey) return null;
  try {
    const s = JSON.parse(survey) as { satisfaction?: unknown; again?: unknown };
    return JSON.stringify({
      satisfaction: typeof s.satisfaction === 'number' ? s.satisfaction : null,
      again: typeof s.again === 'boolean' ? s.again : null,
      comment: '',
    });
  } catch {
    return null;
  }
}

export interface ErasureDeps {
  readonly store: Pick<Store, 'db' | 'dialect'>;
  readonly ids: IdSource;
  /** Where the file outbox writes .eml files ($DATA_DIR/outbox). */
  readonly outboxDir: string;
}

export type ErasureReason = 'retention' | 'request';

/** Removes the personal data of one consultation from every table (one transaction), then its .eml files. */
export async function erasePersonalData(
  deps: ErasureDeps,
  consultationId: string,
  now: number,
  actor: string,
  reason: ErasureReason,
): Promise<'erased' | 'not_found'> {
  const at = new Date(now).toISOString();
  const found = await deps.store.db.transaction().execute(async (trx) => {
    const c = await trx
      .selectFrom('consultations')
      .select(['id', 'personal_data_erased_at', 'citizen_name', 'citizen_email'])
      .where('id', '=', consultationId)
      .executeTakeFirst();
    if (!c) return false;
    // What staff typed in the console with the citizen's name or address (/book …) goes too.
    const typed = [c.citizen_email, ...(c.citizen_name.length >= 2 ? [c.citizen_name] : [])].filter(Boolean);
    if (typed.length > 0) {
      await trx
        .deleteFrom('chat_messages')
        .where('purpose', 'in', ['said', 'reply', 'direct'])
        .where((eb) => eb.or(typed.map((t) => eb('text', 'like', `%${t.replace(/[%_\\]/g, '')}%`))))
        .execute();
    }
    await trx
      .updateTable('consultations')
      .set({ citizen_name: '', citizen_email: '', topic: '', status_note: '', personal_data_erased_at: c.personal_data_erased_at ?? at })
      .where('id', '=', consultationId)
      .execute();
    const relays = trx.selectFrom('relays').select('id').where('consultation_id', '=', consultationId);
    await trx.updateTable('relays').set({ note: '' }).where('consultation_id', '=', consultationId).execute();
    // What the bot posted about it (alerts carry the relay note; replies and the accepter's message name the citizen).
    await trx
      .deleteFrom('chat_messages')
      .where((eb) => eb.or([eb('relay_id', 'in', relays), eb('text', 'like', `%${consultationId}%`), eb('card', 'like', `%${consultationId}%`)]))
      .execute();
    const progress = await trx.selectFrom('app_progress').select('survey').where('consultation_id', '=', consultationId).executeTakeFirst();
    if (progress)
      await trx
        .updateTable('app_progress')
        .set({ survey: surveyScores(progress.survey), checklist: '{}', updated_at: at })
        .where('consultation_id', '=', consultationId)
        .execute();
    await trx.deleteFrom('idempotency_keys').where('consultation_id', '=', consultationId).execute();
    // Finished jobs go; one still waiting keeps what it needs to run (a mail to an erased citizen is then skipped).
    await trx.deleteFrom('outbox').where('consultation_id', '=', consultationId).where('status', '<>', 'pending').execute();
    await trx.updateTable('outbox').set({ last_error: '' }).where('consultation_id', '=', consultationId).execute();
    await trx.updateTable('outbox').set({ payload: '{}' }).where('consultation_id', '=', consultationId).where('kind', '=', 'mail.staff_notice').execute();
    const audit = await trx
      .selectFrom('audit_log')
      .select(['id', 'before_json', 'after_json'])
      .where('entity', '=', 'consultation')
      .where('entity_id', '=', consultationId)
      .execute();
    for (const a of audit) {
      await trx
        .updateTable('audit_log')
        .set({ before_json: redactJson(a.before_json), after_json: redactJson(a.after_json) })
        .where('id', '=', a.id)
        .execute();
    }
    await writeAudit(trx, deps.ids, now, {
      actor,
      action: 'consultation.personal_data_erased',
      entity: 'consultation',
      entityId: consultationId,
      before: null,
      after: { reason },
    });
    return true;
  });
  if (!found) return 'not_found';
  await removeFiles(deps.outboxDir, (name) => name.startsWith(emlPrefix(consultationId)));
  return 'erased';
}

/** A message half written when the process stopped (the file outbox writes `.<name>.tmp`, then renames it). */
const UNFINISHED = /^\.(.+\.eml)\.tmp$/;

/** Removes the .eml files `wanted` names, and the unfinished copies of them. */
async function removeFiles(dir: string, wanted: (name: string, modifiedMs: number, unfinished: boolean) => boolean): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const entry of names) {
    const unfinished = UNFINISHED.exec(entry)?.[1];
    const name = unfinished ?? (entry.endsWith('.eml') ? entry : null);
    if (!name) continue;
    const file = path.join(dir, entry);
    const modified = await stat(file).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (modified === null || !wanted(name, modified, unfinished !== undefined)) continue;
    await unlink(file).catch(() => undefined);
    removed++;
  }
  return removed;
}

/** Bookings are taken at most this many days ahead (HORIZON_DAYS ≤ 366): an .eml is never older than its consultation by more. */
const MAX_HORIZON_DAYS = 366;

/**
 * The daily retention purge: every consultation that ended more than `retentionDays` ago has its personal data
 * erased; so do the console's conversation records, retry keys and finished jobs of that age.
 */
export async function purgePersonalData(
  deps: ErasureDeps,
  now: number,
  retentionDays: number,
): Promise<{ consultations: number; records: number; files: number }> {
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  const { db } = deps.store;
  let consultations = 0;
  for (;;) {
    const due = await db
      .selectFrom('consultations')
      .select('id')
      .where('end_at', '<', cutoff)
      .where('personal_data_erased_at', 'is', null)
      .orderBy('end_at')
      .limit(200)
      .execute();
    if (due.length === 0) break;
    for (const c of due) if ((await erasePersonalData(deps, c.id, now, 'system', 'retention')) === 'erased') consultations++;
  }
  // Staff type citizens' names in commands (/book): the console keeps the conversation, for as long as the rest.
  const said = await db.deleteFrom('chat_messages').where('purpose', 'in', ['said', 'reply', 'direct']).where('created_at', '<', cutoff).executeTakeFirst();
  // A retry key only serves a client repeating a request: a week is plenty.
  const keys = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', new Date(now - 7 * DAY_MS).toISOString())
    .executeTakeFirst();
  const jobs = await db.deleteFrom('outbox').where('status', 'in', ['done', 'dead']).where('done_at', '<', cutoff).executeTakeFirst();
  // Files from before they were named after their consultation: by age, once surely past every consultation's retention.
  const legacyBefore = now - (retentionDays + MAX_HORIZON_DAYS) * DAY_MS;
  // A copy left unfinished by a crash more than a day ago will never be finished: it goes too.
  const files = await removeFiles(
    deps.outboxDir,
    (name, modified, unfinished) => (unfinished && modified < now - DAY_MS) || (!/^[0-9A-Z]{4,16}_/.test(name) && modified < legacyBefore),
  );
  const records = Number(said.numDeletedRows) + Number(keys.numDeletedRows) + Number(jobs.numDeletedRows);
  if (consultations + records + files > 0) {
    await writeAudit(db, deps.ids, now, {
      actor: 'system',
      action: 'personal_data.purged',
      entity: 'retention',
      entityId: cutoff.slice(0, 10),
      before: null,
      after: { consultations, records, files, endedBefore: cutoff, retentionDays },
    });
  }
  if (consultations + records > 0) await flushErased(deps.store);
  return { consultations, records, files };
}
