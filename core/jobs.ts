// Typed jobs, run by a worker inside the server process. A job is defined once, by the module that owns its work:
// `defineJob(kind, payloadSchema, run)`; server.ts binds each domain's jobs to that domain's dependencies and starts one
// worker. The worker claims due outbox rows one at a time (any instance may take any row), holds a short lease renewed
// while the job runs, retries failures with backoff, and hands a job that gives up to its own `gaveUp`.
import type { z } from 'zod';
import { JOB_RETRY, backoffMs } from './backoff.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/db.ts';
import { retryTransient } from './store/db.ts';
import { claimDue, leaseConsultation, markDone, markFailed, releaseConsultation, releaseUnrun } from './outbox.ts';
import type { JobKind, OutboxJob } from './outbox.ts';

/** What a running job knows of its row. */
export interface ClaimedJob {
  readonly id: string;
  readonly kind: string;
  readonly consultationId: string | null;
  /** 1 on the first try. */
  readonly attempts: number;
}

export interface JobDefinition<P, D> extends JobKind<P> {
  run(payload: P, job: ClaimedJob, deps: D): Promise<void>;
  /** The job failed for good (a refusal, or no tries left): tell a person. Called once, with the last error. */
  gaveUp?(payload: P, job: ClaimedJob, deps: D, message: string, error: unknown): Promise<void>;
  /** Tries before giving up (default 8). */
  readonly maxAttempts?: number;
}

interface JobMore<P, D> {
  readonly gaveUp?: (payload: P, job: ClaimedJob, deps: D, message: string, error: unknown) => Promise<void>;
  readonly maxAttempts?: number;
  readonly coalesce?: boolean;
}

/**
 * Defines a job: its kind and payload schema (or a kind declared with `jobKind` where others enqueue it), and what
 * running it does with the dependencies `D` it is bound to in server.ts.
 */
export function defineJob<S extends z.ZodType, D>(
  kind: string,
  payload: S,
  run: (payload: z.output<S>, job: ClaimedJob, deps: D) => Promise<void>,
  more?: JobMore<z.output<S>, D>,
): JobDefinition<z.output<S>, D>;
export function defineJob<P, D>(kind: JobKind<P>, run: (payload: P, job: ClaimedJob, deps: D) => Promise<void>, more?: JobMore<P, D>): JobDefinition<P, D>;
export function defineJob(kind: string | JobKind<unknown>, a: unknown, b?: unknown, c?: unknown): JobDefinition<unknown, unknown> {
  if (typeof kind === 'string') return { kind, payload: a as z.ZodType, run: b as JobDefinition<unknown, unknown>['run'], ...(c as object) };
  return { ...kind, run: a as JobDefinition<unknown, unknown>['run'], ...(b as object) };
}

/** Wait for something that will come (a meeting still being made): tried again soon, without counting as a failure to report. */
export class JobNotReady extends Error {}

/** Whether an error says that trying again cannot help (a refusal a person must fix). */
export function isRefusal(error: unknown): boolean {
  const e = error as { retryable?: unknown; permanent?: unknown };
  return e?.retryable === false || e?.permanent === true;
}

/** A job bound to its dependencies: what the worker runs. */
export interface BoundJob {
  readonly kind: string;
  readonly maxAttempts: number;
  run(rawPayload: unknown, job: ClaimedJob): Promise<void>;
  gaveUp(rawPayload: unknown, job: ClaimedJob, message: string, error: unknown): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of jobs of different payloads, each checked by its own schema
export function bindJobs<D>(jobs: ReadonlyArray<JobDefinition<any, D>>, deps: D): BoundJob[] {
  return jobs.map((j) => ({
    kind: j.kind,
    maxAttempts: j.maxAttempts ?? 8,
    run: (raw, job) => j.run(j.payload.parse(raw), job, deps),
    gaveUp: async (raw, job, message, error) => {
      const parsed = j.payload.safeParse(raw);
      if (parsed.success) await j.gaveUp?.(parsed.data, job, deps, message, error);
    },
  }));
}

/**
 * A running job holds its row and its consultation for `leaseMs`, renewed every `heartbeatMs` while it runs. If the
 * process dies, the lease runs out and any instance takes the job again at its next look (`pollMs`): a crashed job is
 * picked up again within about 20 s.
 */
export const LEASE_MS = 15_000;
export const HEARTBEAT_MS = 5_000;
export const POLL_MS = 5_000;

export interface WorkerDeps {
  readonly store: Store;
  readonly jobs: ReadonlyArray<BoundJob>;
  readonly clock: () => number;
  readonly random?: () => number;
  readonly log: Logger;
  readonly leases?: { readonly leaseMs: number; readonly heartbeatMs: number };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The leases a running job holds, renewed while it runs; finishing uses the current values. */
interface Held {
  outbox(): string;
  consultation(): string | null;
  stop(): Promise<void>;
}

function holdLeases(deps: WorkerDeps, job: OutboxJob, consultationLease: string | null): Held {
  const { db } = deps.store;
  const leaseMs = deps.leases?.leaseMs ?? LEASE_MS;
  let outbox = job.lockedUntil;
  let consultation = consultationLease;
  let renewing: Promise<void> = Promise.resolve();
  const later = (current: string) => {
    const next = iso(deps.clock() + leaseMs);
    return next > current ? next : current;
  };
  const renew = async () => {
    const nextOutbox = later(outbox);
    const r = await db.updateTable('outbox').set({ locked_until: nextOutbox }).where('id', '=', job.id).where('locked_until', '=', outbox).executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) outbox = nextOutbox;
    else deps.log.warn({ jobId: job.id, kind: job.kind }, 'job lease lost (taken over after a stall); its result will not be recorded twice');
    if (consultation && job.consultationId) {
      const nextLease = later(consultation);
      const c = await db
        .updateTable('consultations')
        .set({ job_lease_until: nextLease })
        .where('id', '=', job.consultationId)
        .where('job_lease_until', '=', consultation)
        .executeTakeFirst();
      if (Number(c.numUpdatedRows) > 0) consultation = nextLease;
    }
  };
  const timer = setInterval(() => {
    renewing = renewing
      .then(renew)
      .catch((error: unknown) => deps.log.warn({ jobId: job.id, err: error instanceof Error ? error.message : String(error) }, 'job lease not renewed'));
  }, deps.leases?.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  return {
    outbox: () => outbox,
    consultation: () => consultation,
    async stop() {
      clearInterval(timer);
      await renewing;
    },
  };
}

/** Email addresses in an error message (a mail server's reply names the recipient) never reach a log line. */
export const withoutAddresses = (message: string) => message.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '[email]');

async function runOne(deps: WorkerDeps, byKind: ReadonlyMap<string, BoundJob>, job: OutboxJob): Promise<void> {
  const { db } = deps.store;
  const leaseMs = deps.leases?.leaseMs ?? LEASE_MS;
  const bound = byKind.get(job.kind);
  if (!bound) {
    // A kind this version does not know (written by a newer one?): left for an instance that does, and said once.
    deps.log.warn({ jobId: job.id, kind: job.kind }, 'job of an unknown kind left waiting');
    await releaseUnrun(db, job, deps.clock() + 10 * 60_000);
    return;
  }
  // One job at a time per consultation, across every instance: the consultation itself is leased.
  const leased = job.consultationId ? await retryTransient(() => leaseConsultation(db, job.consultationId!, deps.clock(), leaseMs)) : 'none';
  if (leased === 'busy') {
    await releaseUnrun(db, job, deps.clock() + 5_000);
    return;
  }
  const held = holdLeases(deps, job, leased === 'none' ? null : leased);
  const current = () => ({ ...job, lockedUntil: held.outbox() });
  const claimed: ClaimedJob = { id: job.id, kind: job.kind, consultationId: job.consultationId, attempts: job.attempts };
  try {
    await bound.run(job.payload, claimed);
    await held.stop();
    await markDone(db, current(), deps.clock());
  } catch (error) {
    await held.stop();
    const message = error instanceof Error ? error.message : String(error);
    const now = deps.clock();
    const giveUp = job.attempts >= bound.maxAttempts || isRefusal(error);
    if (error instanceof JobNotReady && !giveUp) {
      await markFailed(db, current(), now, message, now + Math.min(60_000 * job.attempts, 10 * 60_000));
      return;
    }
    deps.log.warn(
      { jobId: job.id, kind: job.kind, consultationId: job.consultationId, attempt: job.attempts, err: withoutAddresses(message) },
      giveUp ? 'job gave up' : 'job failed; will retry',
    );
    await markFailed(db, current(), now, message, giveUp ? null : now + backoffMs(job.attempts, JOB_RETRY, deps.random));
    if (giveUp) {
      const said = (error as { reply?: unknown }).reply;
      await bound.gaveUp(job.payload, claimed, typeof said === 'string' && said ? said : message, error);
    }
  } finally {
    const lease = held.consultation();
    if (job.consultationId && lease) await releaseConsultation(db, job.consultationId, lease);
  }
}

export interface Worker {
  /** Look for work now (after a commit that queued some, here or on another instance). */
  wake(): void;
  stop(): Promise<void>;
  /** Resolves when nothing is due (tests, shutdown). */
  idle(): Promise<void>;
}

/** Starts the worker: it looks at once, whenever woken, and every `pollMs` (work left by another instance, retries). */
export function startWorker(deps: WorkerDeps, pollMs = POLL_MS): Worker {
  const byKind = new Map(deps.jobs.map((j) => [j.kind, j]));
  const leaseMs = deps.leases?.leaseMs ?? LEASE_MS;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const drain = async () => {
    for (let ran = 0; !stopped && ran < 50; ran++) {
      // One claim per job, so that no lease outlives the work it covers.
      const [job] = await retryTransient(() => claimDue(deps.store.db, deps.store.dialect, deps.clock(), leaseMs, 1));
      if (!job) return;
      await runOne(deps, byKind, job);
    }
    again = true;
  };
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await drain();
        } while (again && !stopped);
      } catch (error) {
        deps.log.error({ err: error instanceof Error ? error.message : String(error) }, 'outbox worker error');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void tick(), pollMs);
  timer.unref();
  void tick();
  return {
    wake: () => void tick(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
    async idle() {
      await tick();
      while (running) await running;
    },
  };
}
