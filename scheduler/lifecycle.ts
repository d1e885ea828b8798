// The one writer of a consultation's state: its status (through the pure transitions of status.ts), its time and host,
// its note. Every change is conditional on the version it was read at, bumps the version, writes its audit entry and
// runs what must close with it (an open relay), all in the caller's transaction. Nothing else updates these columns.
import type { ConsultationTable, Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import type { Problem, Result } from '../core/errors.ts';
import { fail, ok, problem } from '../core/errors.ts';
import { writeAudit } from '../core/audit.ts';
import { DAY_MS } from '../core/time.ts';
import type { ConsultationEvent, ConsultationStatus } from './status.ts';
import { isOpen, transition } from './status.ts';
import { enqueue } from '../core/outbox.ts';
import { MAIL_SURVEY, SURVEY_MAIL_AFTER_MS } from './job-kinds.ts';

/**
 * No consultation's block (its time and the buffer after it) is longer than this: 12 hours is the most ever made, and
 * the database refuses more (SQLite's triggers, PostgreSQL's check). Look-ups of a time's bookings read only this far
 * back from it, not the years of history before it.
 */
export const LONGEST_BLOCK_MS = DAY_MS;

/** What else must happen, in the same transaction, when a consultation changes (composed in server.ts). */
export interface ConsultationHooks {
  /** It was cancelled or completed: what is still open for it ends too (a relay still asking for someone). */
  readonly closed?: (trx: Db, consultationId: string, now: number, actor: string) => Promise<void>;
  /** Something is still going on for it (a relay asked or accepted): it does not end yet. */
  readonly busy?: (db: Db, consultationId: string) => Promise<string | null>;
  /** The citizen already answered the survey (in the in-meeting app): no mail asks them again. */
  readonly surveyAnswered?: (db: Db, consultationId: string) => Promise<boolean>;
  /** Its meeting has just been made: who already accepted a relay for it is sent the join details. */
  readonly meetingReady?: (trx: Db, consultationId: string, now: number) => Promise<void>;
}

export interface LifecycleDeps {
  readonly ids: IdSource;
  readonly hooks?: ConsultationHooks | undefined;
}

export type Schedule = Pick<ConsultationTable, 'host_id' | 'start_at' | 'end_at' | 'block_end_at'>;

export interface Change {
  /** A status event (status.ts); none for a change of time or host alone. */
  readonly event?: ConsultationEvent;
  /** A new time or host. */
  readonly schedule?: Schedule;
  /** The status note shown to staff (undefined: unchanged). */
  readonly note?: string;
  readonly action: string;
  readonly actor: string;
  readonly now: number;
  /** What the audit entry says of the consultation before and after (default: status, version, time, host). */
  readonly describe?: (row: ConsultationTable) => Promise<unknown> | unknown;
}

const iso = (ms: number) => new Date(ms).toISOString();

const brief = (r: ConsultationTable) => ({ status: r.status, version: r.version, start: r.start_at, end: r.end_at, hostId: r.host_id, note: r.status_note });

/** Changed by someone else since it was read: the caller reads again (and tells a person if they acted on stale data). */
export const STALE: Problem = problem(
  'conflict',
  'この相談は同時に別の人が変更しました。内容を確認してからもう一度お試しください。',
  'The consultation was changed by someone else at the same time; reload and try again.',
);
export const staleProblem = () => STALE;

/**
 * Applies a change to the consultation as it was read (`current`). Fails with invalid_state when the event is not
 * possible in its status, with conflict when it changed since. A status event that changes nothing (the invitation
 * sent again) writes nothing and returns the row as it is.
 */
export async function applyChange(trx: Db, deps: LifecycleDeps, current: ConsultationTable, change: Change): Promise<Result<ConsultationTable>> {
  let status = current.status as ConsultationStatus;
  if (change.event) {
    const next = transition(status, change.event);
    if (!next.ok) return next;
    if (next.value === status && !change.schedule && change.note === undefined) return ok(current);
    status = next.value;
  }
  // What the citizen and the meeting see changed: the meeting is brought in line, the calendar entry's SEQUENCE rises.
  const rescheduled = change.schedule !== undefined || status === 'cancelled' || change.event === 'retried';
  const updated = await trx
    .updateTable('consultations')
    .set({
      ...(change.schedule ?? {}),
      status,
      ...(change.note !== undefined ? { status_note: change.note } : {}),
      version: current.version + 1,
      schedule_version: current.schedule_version + (rescheduled ? 1 : 0),
      updated_at: iso(change.now),
    })
    .where('id', '=', current.id)
    .where('version', '=', current.version)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return fail(staleProblem());
  const describe = change.describe ?? brief;
  await writeAudit(trx, deps.ids, change.now, {
    actor: change.actor,
    action: change.action,
    entity: 'consultation',
    entityId: current.id,
    before: await describe(current),
    after: await describe(updated),
  });
  if (isOpen(current.status as ConsultationStatus) && !isOpen(status)) await deps.hooks?.closed?.(trx, current.id, change.now, change.actor);
  // Held, with a citizen who was sent its invitation: the survey is asked by mail a little later.
  if (status === 'completed' && current.status !== 'completed' && updated.citizen_email && updated.told_start_at) {
    await enqueue(trx, deps.ids, change.now, MAIL_SURVEY, current.id, {}, change.now + SURVEY_MAIL_AFTER_MS);
  }
  return ok(updated);
}

/**
 * A status event on a consultation known by id (jobs, the clock, platform events): read in the transaction, applied,
 * and read again if someone changed it in between. Returns the row after, or null when the event does not apply now
 * (the consultation is gone, or its status has moved past it).
 */
export async function applyEvent(
  trx: Db,
  deps: LifecycleDeps,
  consultationId: string,
  event: ConsultationEvent,
  o: { readonly actor: string; readonly now: number; readonly action: string; readonly note?: string; readonly from?: ReadonlyArray<ConsultationStatus> },
): Promise<ConsultationTable | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await trx.selectFrom('consultations').selectAll().where('id', '=', consultationId).executeTakeFirst();
    if (!current) return null;
    if (o.from && !o.from.includes(current.status as ConsultationStatus)) return null;
    const r = await applyChange(trx, deps, current, { event, actor: o.actor, now: o.now, action: o.action, ...(o.note !== undefined ? { note: o.note } : {}) });
    if (r.ok) return r.value;
    if (r.reason.code !== 'conflict') return null;
  }
  return null;
}

/** A mail told the citizen this time (invitation or change): a later change or cancellation names it. Not a change of state. */
export async function recordTold(trx: Db, consultationId: string, start: number, end: number): Promise<void> {
  await trx
    .updateTable('consultations')
    .set({ told_start_at: iso(start), told_end_at: iso(end) })
    .where('id', '=', consultationId)
    .execute();
}

/** A new consultation's row: booked, version 1, nothing told yet; the caller gives what it is. */
export function newConsultationRow(
  r: Pick<ConsultationTable, 'id' | 'host_id' | 'start_at' | 'end_at' | 'block_end_at' | 'department_id' | 'citizen_name' | 'citizen_email' | 'topic'> &
    Pick<ConsultationTable, 'consultation_type' | 'citizen_locale' | 'booked_by' | 'kind' | 'site_id'>,
  now: number,
): ConsultationTable {
  return {
    ...r,
    job_lease_until: null,
    status: 'booked',
    status_note: '',
    version: 1,
    schedule_version: 1,
    told_start_at: null,
    told_end_at: null,
    created_at: iso(now),
    updated_at: iso(now),
    personal_data_erased_at: null,
  };
}

/** The first write of a consultation: booked, version 1, audited. The database refuses it if the host is taken then. */
export async function createConsultation(trx: Db, deps: LifecycleDeps, row: ConsultationTable, actor: string, now: number, after: unknown): Promise<void> {
  if (row.status !== 'booked' || row.version !== 1 || row.schedule_version !== 1) throw new Error('a new consultation starts booked, at version 1');
  await trx.insertInto('consultations').values(row).execute();
  await writeAudit(trx, deps.ids, now, { actor, action: 'consultation.booked', entity: 'consultation', entityId: row.id, before: null, after });
}
