// Meeting jobs: make the provider's meeting match the consultation (create, update, delete), with retries; give up → needs_attention.
import type { Logger } from '../core/log.ts';
import type { Config } from '../core/config.ts';
import type { MailTransport } from '../templates/mail.ts';
import { NotYet, runMailJob } from './mail-jobs.ts';
import { enqueue } from '../core/outbox.ts';
import type { Store } from '../core/store/db.ts';
import type { Db, MeetingTable } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import type { ConferencingProvider, Meeting, MeetingRequest, ProviderKind } from '../core/conferencing/index.ts';
import { ProviderError } from '../core/conferencing/index.ts';
import { writeAudit } from '../core/audit.ts';
import { claimDue, markDone, markFailed } from '../core/outbox.ts';
import type { OutboxJob } from '../core/outbox.ts';
import { listDepartments } from '../core/departments.ts';
import type { ConsultationStatus } from './status.ts';
import { transition } from './status.ts';

export interface MeetingJobDeps {
  readonly store: Store;
  readonly config: Pick<Config, 'city' | 'mail'>;
  readonly mail: MailTransport;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  /** The providers configured; a host whose provider is missing here makes its consultations need attention. */
  readonly providers: Partial<Record<ProviderKind, ConferencingProvider>>;
  /** Tries before a consultation is marked needs_attention. */
  readonly maxAttempts?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toMeeting(row: MeetingTable): Meeting {
  return {
    provider: row.provider as ProviderKind,
    providerMeetingId: row.provider_meeting_id,
    meetingNumber: row.meeting_number,
    password: row.password,
    joinUrl: row.join_url,
    dialIn: JSON.parse(row.dial_in),
    sipAddress: row.sip_address,
  };
}

function meetingRow(consultationId: string, hostId: string, version: number, m: Meeting, now: number, createdAt?: string): MeetingTable {
  return {
    consultation_id: consultationId,
    host_id: hostId,
    synced_version: version,
    provider: m.provider,
    provider_meeting_id: m.providerMeetingId,
    meeting_number: m.meetingNumber,
    password: m.password,
    join_url: m.joinUrl,
    dial_in: JSON.stringify(m.dialIn),
    sip_address: m.sipAddress,
    created_at: createdAt ?? iso(now),
    updated_at: iso(now),
  };
}

async function setStatus(db: Db, deps: MeetingJobDeps, id: string, from: ConsultationStatus, to: ConsultationStatus, note: string, action: string): Promise<void> {
  if (from === to) return;
  const now = deps.clock();
  await db.updateTable('consultations').set({ status: to, status_note: note, updated_at: iso(now) }).where('id', '=', id).where('status', '=', from).execute();
  await writeAudit(db, deps.ids, now, { actor: 'system', action, entity: 'consultation', entityId: id, before: { status: from }, after: { status: to, note } });
}

/** Brings the provider's meeting in line with the consultation as it is now. Safe to run again. */
export async function syncMeeting(deps: MeetingJobDeps, consultationId: string): Promise<void> {
  const { db } = deps.store;
  const c = await db.selectFrom('consultations').selectAll().where('id', '=', consultationId).executeTakeFirst();
  if (!c) return;
  const existing = await db.selectFrom('meetings').selectAll().where('consultation_id', '=', consultationId).executeTakeFirst();
  const hosts = await db.selectFrom('hosts').selectAll().where('id', 'in', [c.host_id, existing?.host_id ?? c.host_id]).execute();
  const hostOf = (id: string) => hosts.find((h) => h.id === id);
  const providerOf = (hostId: string): ConferencingProvider => {
    const kind = hostOf(hostId)!.provider as ProviderKind;
    const provider = deps.providers[kind];
    if (!provider) {
      throw new ProviderError(kind, `${kind} is not configured on this server (see .env.example) / ${kind} の設定がありません`, { retryable: false });
    }
    return provider;
  };

  if (existing && (c.status === 'cancelled' || existing.host_id !== c.host_id)) {
    await providerOf(existing.host_id).deleteMeeting(toMeeting(existing));
    await db.deleteFrom('meetings').where('consultation_id', '=', consultationId).execute();
    await writeAudit(db, deps.ids, deps.clock(), { actor: 'system', action: 'meeting.deleted', entity: 'consultation', entityId: consultationId, before: { providerMeetingId: existing.provider_meeting_id }, after: null });
    if (c.status === 'cancelled') return;
  }
  if (c.status === 'cancelled' || c.status === 'completed') return;
  if (existing && existing.host_id === c.host_id && existing.synced_version === c.version) return;

  const department = (await listDepartments(db)).find((d) => d.id === c.department_id);
  const request: MeetingRequest = {
    consultationId,
    title: `${department?.name ?? ''} オンライン相談`.trim(),
    start: Date.parse(c.start_at),
    end: Date.parse(c.end_at),
    hostAccount: hostOf(c.host_id)!.account,
    invitee: { name: c.citizen_name, email: c.citizen_email },
  };
  const provider = providerOf(c.host_id);
  const now = deps.clock();
  if (existing && existing.host_id === c.host_id) {
    const updated = await provider.updateMeeting(toMeeting(existing), request);
    await db.updateTable('meetings').set(meetingRow(consultationId, c.host_id, c.version, updated, now, existing.created_at)).where('consultation_id', '=', consultationId).execute();
    await writeAudit(db, deps.ids, now, { actor: 'system', action: 'meeting.updated', entity: 'consultation', entityId: consultationId, before: { version: existing.synced_version }, after: { version: c.version } });
    return;
  }
  const created = await provider.createMeeting(request);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('meetings').values(meetingRow(consultationId, c.host_id, c.version, created, now)).execute();
    await writeAudit(trx, deps.ids, now, { actor: 'system', action: 'meeting.created', entity: 'consultation', entityId: consultationId, before: null, after: { provider: created.provider, providerMeetingId: created.providerMeetingId } });
    const status = c.status as ConsultationStatus;
    const next = transition(status, 'meeting_created');
    if (next.ok) await setStatus(trx, deps, consultationId, status, next.value, '', 'consultation.meeting_ready');
    // The invitation, in the same transaction as the meeting it describes.
    if (status !== 'invited') await enqueue(trx, deps.ids, now, 'mail.invitation', consultationId);
  });
}

function backoffMs(attempt: number): number {
  const base = Math.min(30_000 * 2 ** (attempt - 1), 30 * 60_000);
  return base / 2 + Math.random() * (base / 2);
}

async function runJob(deps: MeetingJobDeps, job: OutboxJob): Promise<void> {
  const { db } = deps.store;
  const maxAttempts = deps.maxAttempts ?? 8;
  try {
    switch (job.kind) {
      case 'meeting.sync':
        await syncMeeting(deps, job.consultationId!);
        break;
      case 'mail.invitation':
      case 'mail.reminder':
      case 'mail.change':
      case 'mail.cancellation':
      case 'mail.staff_notice':
        await runMailJob({ db, ids: deps.ids, clock: deps.clock, log: deps.log, config: deps.config, mail: deps.mail }, { ...job, kind: job.kind });
        break;
    }
    await markDone(db, job.id, deps.clock());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const now = deps.clock();
    // A refusal (bad credentials, a setting the provider rejects) needs a person, not another try.
    const giveUp = job.attempts >= maxAttempts || (error instanceof ProviderError && !error.retryable);
    if (error instanceof NotYet && !giveUp) {
      await markFailed(db, job.id, now, message, now + Math.min(60_000 * job.attempts, 10 * 60_000));
      return;
    }
    deps.log.warn({ jobId: job.id, kind: job.kind, consultationId: job.consultationId, attempt: job.attempts, err: message }, giveUp ? 'meeting job gave up' : 'meeting job failed; will retry');
    await markFailed(db, job.id, now, message, giveUp ? null : now + backoffMs(job.attempts));
    if (giveUp && job.consultationId) {
      const c = await db.selectFrom('consultations').select('status').where('id', '=', job.consultationId).executeTakeFirst();
      const status = c?.status as ConsultationStatus | undefined;
      const next = status ? transition(status, 'provider_failed') : null;
      if (status && next?.ok) {
        await db.transaction().execute(async (trx) => {
          await setStatus(trx, deps, job.consultationId!, status, next.value, `会議を作成できませんでした / The meeting could not be made: ${message}`, 'consultation.needs_attention');
          await enqueue(trx, deps.ids, now, 'mail.staff_notice', job.consultationId, { problem: message });
        });
        deps.log.warn({ consultationId: job.consultationId }, 'consultation needs attention');
      }
    }
  }
}

/** Runs every due job once; returns how many ran. */
export async function runDueJobs(deps: MeetingJobDeps, limit = 20): Promise<number> {
  const jobs = await claimDue(deps.store.db, deps.store.dialect, deps.clock(), 5 * 60_000, limit);
  for (const job of jobs) await runJob(deps, job);
  return jobs.length;
}

export interface Worker {
  /** Look for work now (after a commit that queued some). */
  wake(): void;
  stop(): Promise<void>;
  /** Resolves when nothing is due (tests, shutdown). */
  idle(): Promise<void>;
}

/** Polls the outbox every `pollMs` and whenever woken. */
export function startWorker(deps: MeetingJobDeps, pollMs = 5_000): Worker {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
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
          while (!stopped && (await runDueJobs(deps)) > 0);
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
