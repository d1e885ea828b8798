// The outbox: durable rows of work to do outside the database, written in the same transaction as the change that causes them.
import { sql } from 'kysely';
import type { Db } from './store/schema.ts';
import type { DialectName } from './store/schema.ts';
import type { IdSource } from './ids.ts';
import type { z } from 'zod';

/**
 * A kind of job and the shape of its payload: defined once by the module that owns the work (`defineJob` in
 * core/jobs.ts), used here to add rows. `coalesce`: a row already waiting untouched for the same consultation will see
 * the latest state when it runs, so another is not added (meeting syncs).
 */
export interface JobKind<P> {
  readonly kind: string;
  readonly payload: z.ZodType<P>;
  readonly coalesce?: boolean;
}

/** Declares a job kind where others add rows of it (the work itself is defined with `defineJob`, see core/jobs.ts). */
export const jobKind = <S extends z.ZodType>(kind: string, payload: S, more: { coalesce?: boolean } = {}): JobKind<z.output<S>> => ({
  kind,
  payload: payload as z.ZodType<z.output<S>>,
  ...more,
});

export interface OutboxJob {
  readonly id: string;
  readonly kind: string;
  readonly consultationId: string | null;
  /** As stored: each job parses it with its own schema. */
  readonly payload: unknown;
  readonly attempts: number;
  /** The lease this worker holds; finishing checks it, so a job whose lease passed to another worker is not marked twice. */
  readonly lockedUntil: string;
}

/** Adds a job in the caller's transaction, to run at `runAfter` (default now). The payload is checked against its kind's schema. */
export async function enqueue<P>(
  db: Db,
  ids: IdSource,
  now: number,
  job: JobKind<P>,
  consultationId: string | null,
  payload: P,
  runAfter = now,
): Promise<void> {
  const checked = job.payload.parse(payload);
  if (consultationId !== null && job.coalesce) {
    const waiting = await db
      .selectFrom('outbox')
      .select('id')
      .where('kind', '=', job.kind)
      .where('consultation_id', '=', consultationId)
      .where('status', '=', 'pending')
      .where('attempts', '=', 0)
      .where('locked_until', 'is', null)
      .executeTakeFirst();
    if (waiting) return;
  }
  await db
    .insertInto('outbox')
    .values(pendingRow(ids, now, job.kind, consultationId, checked, runAfter))
    .execute();
}

/** A new pending outbox row (the payload already checked against its kind's schema). */
function pendingRow(ids: IdSource, now: number, kind: string, consultationId: string | null, checked: unknown, runAfter: number) {
  return {
    id: ids.sortableId(now),
    kind,
    consultation_id: consultationId,
    payload: JSON.stringify(checked ?? {}),
    status: 'pending',
    run_after: new Date(runAfter).toISOString(),
    locked_until: null,
    last_error: '',
    created_at: new Date(now).toISOString(),
    done_at: null,
  };
}

/** A job to add: its kind, consultation, payload and when it may run (default now). */
export interface PlannedJob {
  readonly job: JobKind<unknown>;
  readonly consultationId: string | null;
  readonly payload: unknown;
  readonly runAfter?: number;
}

export const planned = <P>(job: JobKind<P>, consultationId: string | null, payload: P, runAfter?: number): PlannedJob => ({
  job: job as JobKind<unknown>,
  consultationId,
  payload,
  ...(runAfter === undefined ? {} : { runAfter }),
});

/**
 * Adds several jobs in one statement (a booking's meeting, reminders and moments), each payload checked as `enqueue`
 * checks it. `fresh`: their consultation was made in this very transaction, so nothing of it can be waiting to coalesce
 * with; otherwise coalescing kinds go through `enqueue`.
 */
export async function enqueueAll(db: Db, ids: IdSource, now: number, jobs: ReadonlyArray<PlannedJob>, o: { fresh?: boolean } = {}): Promise<void> {
  const rows = [];
  for (const j of jobs) {
    if (j.job.coalesce && j.consultationId !== null && !o.fresh) {
      await enqueue(db, ids, now, j.job, j.consultationId, j.payload, j.runAfter);
      continue;
    }
    rows.push(pendingRow(ids, now, j.job.kind, j.consultationId, j.job.payload.parse(j.payload), j.runAfter ?? now));
  }
  if (rows.length > 0) await db.insertInto('outbox').values(rows).execute();
}

/**
 * Makes sure one job of a kind that plans its own next run (a daily purge) is waiting: at start-up, and by the job
 * itself for its next run (`self`: the row now running, which does not count). Two instances never plan two.
 */
export async function ensureScheduled<P>(db: Db, ids: IdSource, now: number, job: JobKind<P>, payload: P, runAfter = now, self?: string): Promise<void> {
  let q = db.selectFrom('outbox').select('id').where('kind', '=', job.kind).where('status', '=', 'pending');
  if (self) q = q.where('id', '<>', self);
  if (!(await q.executeTakeFirst())) await enqueue(db, ids, now, job, null, payload, runAfter);
}

/**
 * Claims due jobs for `leaseMs`. PostgreSQL: SKIP LOCKED, so several instances share the work.
 * A consultation's jobs run one at a time: a job is not claimed while another of the same consultation is leased.
 */
export async function claimDue(db: Db, dialect: DialectName, now: number, leaseMs: number, limit: number): Promise<OutboxJob[]> {
  const at = new Date(now).toISOString();
  const until = new Date(now + leaseMs).toISOString();
  const rows = await db.transaction().execute(async (trx) => {
    let due = trx
      .selectFrom('outbox as o')
      .select('o.id')
      .where('o.status', '=', 'pending')
      .where('o.run_after', '<=', at)
      .where((eb) => eb.or([eb('o.locked_until', 'is', null), eb('o.locked_until', '<', at)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('outbox as busy')
              .select(sql.lit(1).as('one'))
              .whereRef('busy.consultation_id', '=', 'o.consultation_id')
              .whereRef('busy.id', '<>', 'o.id')
              .where('busy.status', '=', 'pending')
              .where('busy.locked_until', '>', at),
          ),
        ),
      )
      .orderBy('o.run_after')
      .orderBy('o.id')
      .limit(limit);
    if (dialect === 'postgres') due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return trx
      .updateTable('outbox')
      .set((eb) => ({ locked_until: until, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    consultationId: r.consultation_id,
    payload: JSON.parse(r.payload),
    attempts: r.attempts,
    lockedUntil: r.locked_until!,
  }));
}

export async function markDone(db: Db, job: OutboxJob, now: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'done', done_at: new Date(now).toISOString(), locked_until: null, last_error: '' })
    .where('id', '=', job.id)
    .where('locked_until', '=', job.lockedUntil)
    .execute();
}

/** Schedules another try, or gives up ('dead') when there are no tries left. */
export async function markFailed(db: Db, job: OutboxJob, now: number, error: string, retryAt: number | null): Promise<void> {
  await db
    .updateTable('outbox')
    .set(
      retryAt === null
        ? { status: 'dead', locked_until: null, last_error: error, done_at: new Date(now).toISOString() }
        : { run_after: new Date(retryAt).toISOString(), locked_until: null, last_error: error },
    )
    .where('id', '=', job.id)
    .where('locked_until', '=', job.lockedUntil)
    .execute();
}

/** Gives a claimed job back untried (its consultation is busy elsewhere): the attempt is not counted. */
export async function releaseUnrun(db: Db, job: OutboxJob, runAfter: number): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ run_after: new Date(runAfter).toISOString(), locked_until: null, attempts: eb('attempts', '-', 1) }))
    .where('id', '=', job.id)
    .where('locked_until', '=', job.lockedUntil)
    .execute();
}

/**
 * Leases a consultation for one job, so that its jobs never run at the same time on two instances.
 * Returns the lease to release, 'busy' when another worker holds it, or 'none' when the consultation is gone.
 */
export async function leaseConsultation(db: Db, consultationId: string, now: number, leaseMs: number): Promise<string | 'busy' | 'none'> {
  const until = new Date(now + leaseMs).toISOString();
  const r = await db
    .updateTable('consultations')
    .set({ job_lease_until: until })
    .where('id', '=', consultationId)
    .where((eb) => eb.or([eb('job_lease_until', 'is', null), eb('job_lease_until', '<', new Date(now).toISOString())]))
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) return until;
  const exists = await db.selectFrom('consultations').select('id').where('id', '=', consultationId).executeTakeFirst();
  return exists ? 'busy' : 'none';
}

export async function releaseConsultation(db: Db, consultationId: string, lease: string): Promise<void> {
  await db.updateTable('consultations').set({ job_lease_until: null }).where('id', '=', consultationId).where('job_lease_until', '=', lease).execute();
}
