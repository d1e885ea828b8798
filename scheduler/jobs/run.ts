// Outbox jobs: the meeting sync (the provider's meeting made to match the consultation), and the runner that claims due
// jobs one at a time and dispatches every kind (meetings, mail, relay); failures are retried, refusals need attention.
import { deliverConsentRefused } from '../../bot/notify.ts';
import { retryTransient } from '../../core/store/db.ts';
import { nextPurge, purgeAppRecords } from '../../embedded-app/retention.ts';
import type { Logger } from '../../core/log.ts';
import type { Config } from '../../core/config.ts';
import type { MailTransport } from '../../templates/mail.ts';
import { MailError } from '../../templates/mail.ts';
import { purgePersonalData } from '../personal-data.ts';
import { NotYet, runMailJob } from '../mail-jobs.ts';
import { escalateRelay, relayDepsOf } from '../../bot/relay.ts';
import { deliverAttentionNotice, deliverRelayEvent } from '../../bot/notify.ts';
import type { RelayEvent } from '../../bot/notify.ts';
import type { ChatPlatform } from '../../bot/chat.ts';
import type { ChatPlatformKind } from '../../bot/staff.ts';
import { enqueue } from '../../core/outbox.ts';
import type { Store } from '../../core/store/db.ts';
import type { Db, MeetingTable } from '../../core/store/schema.ts';
import type { IdSource } from '../../core/ids.ts';
import type { ConferencingProvider, Meeting, MeetingRequest, ProviderKind } from '../../core/conferencing/index.ts';
import { ProviderError } from '../../core/conferencing/index.ts';
import { writeAudit } from '../../core/audit.ts';
import { claimDue, leaseConsultation, markDone, markFailed, releaseConsultation, releaseUnrun } from '../../core/outbox.ts';
import type { OutboxJob } from '../../core/outbox.ts';
import { listDepartments } from '../../core/departments.ts';
import type { ConsultationStatus } from '../status.ts';
import { transition } from '../status.ts';

export interface JobDeps {
  readonly store: Store;
  readonly config: Pick<Config, 'city' | 'mail' | 'relay' | 'publicBaseUrl' | 'app' | 'secretKey' | 'personalDataRetentionDays'>;
  readonly mail: MailTransport;
  /** Chat platforms that relay alerts and news go to. */
  readonly chat: Partial<Record<ChatPlatformKind, ChatPlatform>>;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  /** The providers configured; a host whose provider is missing here makes its consultations need attention. */
  readonly providers: Partial<Record<ProviderKind, ConferencingProvider>>;
  /** Tries before a consultation is marked needs_attention. */
  readonly maxAttempts?: number;
  /** Lease length and renewal interval of a running job (default LEASE_MS, HEARTBEAT_MS). */
  readonly leases?: { readonly leaseMs: number; readonly heartbeatMs: number };
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

async function setStatus(db: Db, deps: JobDeps, id: string, from: ConsultationStatus, to: ConsultationStatus, note: string, action: string): Promise<boolean> {
  if (from === to) return false;
  const now = deps.clock();
  const r = await db
    .updateTable('consultations')
    .set({ status: to, status_note: note, updated_at: iso(now) })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return false;
  await writeAudit(db, deps.ids, now, { actor: 'system', action, entity: 'consultation', entityId: id, before: { status: from }, after: { status: to, note } });
  return true;
}

/** booked (or needs attention, after a retry) with its meeting in place → meeting ready, and the invitation queued. */
async function markReady(trx: Db, deps: JobDeps, consultationId: string, status: ConsultationStatus, now: number): Promise<void> {
  if (status !== 'booked' && status !== 'needs_attention') return;
  if (await setStatus(trx, deps, consultationId, status, 'meeting_ready', '', 'consultation.meeting_ready')) {
    // The invitation, in the same transaction as the meeting state it describes.
    await enqueue(trx, deps.ids, now, 'mail.invitation', consultationId);
  }
}

/** Brings the provider's meeting in line with the consultation as it is now. Safe to run again. */
export async function syncMeeting(deps: JobDeps, consultationId: string): Promise<void> {
  const { db } = deps.store;
  const c = await db.selectFrom('consultations').selectAll().where('id', '=', consultationId).executeTakeFirst();
  if (!c) return;
  const status = c.status as ConsultationStatus;
  const existing = await db.selectFrom('meetings').selectAll().where('consultation_id', '=', consultationId).executeTakeFirst();
  const hosts = await db
    .selectFrom('hosts')
    .selectAll()
    .where('id', 'in', [c.host_id, existing?.host_id ?? c.host_id])
    .execute();
  const hostOf = (id: string) => hosts.find((h) => h.id === id)!;
  const providerOf = (hostId: string): ConferencingProvider => {
    const kind = hostOf(hostId).provider as ProviderKind;
    const provider = deps.providers[kind];
    if (!provider) {
      throw new ProviderError(kind, `${kind} is not configured on this server (see .env.example) / ${kind} の設定がありません`, { retryable: false });
    }
    return provider;
  };

  if (existing && (status === 'cancelled' || existing.host_id !== c.host_id)) {
    await providerOf(existing.host_id).deleteMeeting(toMeeting(existing), hostOf(existing.host_id).account);
    await db.deleteFrom('meetings').where('consultation_id', '=', consultationId).execute();
    await writeAudit(db, deps.ids, deps.clock(), {
      actor: 'system',
      action: 'meeting.deleted',
      entity: 'consultation',
      entityId: consultationId,
      before: { providerMeetingId: existing.provider_meeting_id },
      after: null,
    });
  }
  if (status === 'cancelled' || status === 'completed') return;

  const now = deps.clock();
  if (existing && existing.host_id === c.host_id && existing.synced_version === c.version) {
    // Nothing to change at the provider (e.g. a retry after a refused email): only the status may need to move on.
    await db.transaction().execute((trx) => markReady(trx, deps, consultationId, status, now));
    return;
  }
  const department = (await listDepartments(db)).find((d) => d.id === c.department_id);
  const request: MeetingRequest = {
    consultationId,
    title: `${department?.name ?? ''} オンライン相談`.trim(),
    start: Date.parse(c.start_at),
    end: Date.parse(c.end_at),
    hostAccount: hostOf(c.host_id).account,
    invitee: { name: c.citizen_name, email: c.citizen_email },
  };
  const provider = providerOf(c.host_id);
  const updating = existing && existing.host_id === c.host_id ? existing : null;
  const meeting = updating ? await provider.updateMeeting(toMeeting(updating), request) : await provider.createMeeting(request);
  await db.transaction().execute(async (trx) => {
    if (updating) {
      await trx
        .updateTable('meetings')
        .set(meetingRow(consultationId, c.host_id, c.version, meeting, now, updating.created_at))
        .where('consultation_id', '=', consultationId)
        .execute();
      await writeAudit(trx, deps.ids, now, {
        actor: 'system',
        action: 'meeting.updated',
        entity: 'consultation',
        entityId: consultationId,
        before: { version: updating.synced_version },
        after: { version: c.version },
      });
    } else {
      await trx
        .insertInto('meetings')
        .values(meetingRow(consultationId, c.host_id, c.version, meeting, now))
        .execute();
      await writeAudit(trx, deps.ids, now, {
        actor: 'system',
        action: 'meeting.created',
        entity: 'consultation',
        entityId: consultationId,
        before: null,
        after: { provider: meeting.provider, providerMeetingId: meeting.providerMeetingId },
      });
    }
    await markReady(trx, deps, consultationId, status, now);
  });
  // Changed while we were at the provider: another pass brings the meeting up to date.
  const after = await db.selectFrom('consultations').select(['version', 'status']).where('id', '=', consultationId).executeTakeFirst();
  if (after && (after.version !== c.version || after.status === 'cancelled')) await enqueue(db, deps.ids, deps.clock(), 'meeting.sync', consultationId);
}

/** Retry delay for a failed job: 30 s doubling to 30 minutes, half of it random (so that many failures spread out). */
function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** (attempt - 1), 30 * 60_000);
  return base / 2 + random() * (base / 2);
}

/**
 * A running job holds its outbox row and its consultation for LEASE_MS, renewed every HEARTBEAT_MS while it runs. If
 * the process dies, the lease runs out within LEASE_MS and any instance takes the job again at its next look
 * (POLL_MS): a crashed job is picked up again within about 20 s.
 */
export const LEASE_MS = 15_000;
export const HEARTBEAT_MS = 5_000;
export const POLL_MS = 5_000;

/** The leases a running job holds, renewed while it runs; finishing uses the current values. */
interface Held {
  outbox(): string;
  consultation(): string | null;
  stop(): Promise<void>;
}

function holdLeases(deps: JobDeps, job: OutboxJob, consultationLease: string | null): Held {
  const { db } = deps.store;
  let outbox = job.lockedUntil;
  let consultation = consultationLease;
  let renewing: Promise<void> = Promise.resolve();
  const later = (current: string) => {
    const next = new Date(deps.clock() + (deps.leases?.leaseMs ?? LEASE_MS)).toISOString();
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

/** What to tell staff when a job gives up for good, by what it was doing. */
async function giveUpNote(db: Db, job: OutboxJob, message: string): Promise<{ ja: string; en: string } | null> {
  if (job.kind === 'meeting.sync') {
    const m = await db.selectFrom('meetings').select('consultation_id').where('consultation_id', '=', job.consultationId!).executeTakeFirst();
    const c = await db.selectFrom('consultations').select('status').where('id', '=', job.consultationId!).executeTakeFirst();
    if (c?.status === 'cancelled')
      return {
        ja: `取り消した相談の会議を削除できませんでした（参加用の情報がまだ有効です）: ${message}`,
        en: `The cancelled consultation's meeting could not be deleted (its join details still work): ${message}`,
      };
    return m
      ? { ja: `会議の日時を変更できませんでした: ${message}`, en: `The meeting could not be moved: ${message}` }
      : { ja: `会議を作成できませんでした: ${message}`, en: `The meeting could not be made: ${message}` };
  }
  if (job.kind === 'mail.invitation' || job.kind === 'mail.change' || job.kind === 'mail.reminder' || job.kind === 'mail.cancellation') {
    return {
      ja: `相談者へのメールを送れませんでした（メールアドレスを確かめてください）: ${message}`,
      en: `The email to the citizen could not be sent (check the address): ${message}`,
    };
  }
  return null;
}

/** Email addresses in an error message (a mail server's reply names the recipient) never reach a log line. */
const forLog = (message: string) => message.replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+/g, '[email]');

async function runJob(deps: JobDeps, job: OutboxJob): Promise<void> {
  const { db } = deps.store;
  const maxAttempts = deps.maxAttempts ?? 8;
  // One job at a time per consultation, across every instance: the consultation itself is leased.
  const leased = job.consultationId
    ? await retryTransient(() => leaseConsultation(db, job.consultationId!, deps.clock(), deps.leases?.leaseMs ?? LEASE_MS))
    : 'none';
  if (leased === 'busy') {
    await releaseUnrun(db, job, deps.clock() + 5_000);
    return;
  }
  const held = holdLeases(deps, job, leased === 'none' ? null : leased);
  const current = () => ({ ...job, lockedUntil: held.outbox() });
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
      case 'relay.notify': {
        const p = job.payload as { relayId: string; event: RelayEvent };
        await deliverRelayEvent(
          {
            db,
            ids: deps.ids,
            clock: deps.clock,
            log: deps.log,
            platforms: deps.chat,
            publicBaseUrl: deps.config.publicBaseUrl,
            secretKey: deps.config.secretKey,
          },
          p.relayId,
          p.event,
        );
        break;
      }
      case 'app.consent_refused':
        await deliverConsentRefused(
          { db, ids: deps.ids, clock: deps.clock, log: deps.log, platforms: deps.chat },
          job.consultationId!,
          (job.payload as { consentId: string }).consentId,
        );
        break;
      case 'consultation.attention':
        await deliverAttentionNotice({ db, ids: deps.ids, clock: deps.clock, log: deps.log, platforms: deps.chat }, job.consultationId!, job.id);
        break;
      case 'relay.escalate':
        await escalateRelay(relayDepsOf({ ...deps, db }), (job.payload as { relayId: string }).relayId);
        break;
      case 'app.purge': {
        const purged = await purgeAppRecords(db, deps.ids, deps.clock(), deps.config.app.consentRetentionDays);
        if (purged.consents + purged.progress > 0) deps.log.info(purged, 'app records past retention purged');
        const erased = await purgePersonalData(
          { store: deps.store, ids: deps.ids, outboxDir: deps.config.mail.outboxDir },
          deps.clock(),
          deps.config.personalDataRetentionDays,
        );
        if (erased.consultations > 0) deps.log.info(erased, 'personal data past retention erased');
        await held.stop();
        // Done and the next one planned together: a crash between the two cannot leave the purge unplanned.
        await db.transaction().execute(async (trx) => {
          await markDone(trx, current(), deps.clock());
          await enqueue(trx, deps.ids, deps.clock(), 'app.purge', null, {}, nextPurge(deps.clock()));
        });
        return;
      }
      default: {
        const unknown: never = job.kind;
        throw new Error(`unknown outbox job kind ${String(unknown)}`);
      }
    }
    await held.stop();
    await markDone(db, current(), deps.clock());
  } catch (error) {
    await held.stop();
    const message = error instanceof Error ? error.message : String(error);
    const now = deps.clock();
    // A refusal (bad credentials, a setting the provider rejects, a mailbox the mail server refuses) needs a person, not another try.
    const refused = (error instanceof ProviderError && !error.retryable) || (error instanceof MailError && error.permanent);
    const giveUp = job.attempts >= maxAttempts || refused;
    if (error instanceof NotYet && !giveUp) {
      await markFailed(db, current(), now, message, now + Math.min(60_000 * job.attempts, 10 * 60_000));
      return;
    }
    deps.log.warn(
      { jobId: job.id, kind: job.kind, consultationId: job.consultationId, attempt: job.attempts, err: forLog(message) },
      giveUp ? 'job gave up' : 'job failed; will retry',
    );
    await markFailed(db, current(), now, message, giveUp ? null : now + retryDelayMs(job.attempts));
    if (giveUp && job.consultationId) await needsAttention(deps, job, error instanceof MailError ? error.reply : message, now);
  } finally {
    const lease = held.consultation();
    if (job.consultationId && lease) await releaseConsultation(db, job.consultationId, lease);
  }
}

async function needsAttention(deps: JobDeps, job: OutboxJob, message: string, now: number): Promise<void> {
  const { db } = deps.store;
  const note = await giveUpNote(db, job, message);
  if (!note) return;
  const c = await db.selectFrom('consultations').select('status').where('id', '=', job.consultationId!).executeTakeFirst();
  const status = c?.status as ConsultationStatus | undefined;
  if (!status) return;
  const next = transition(status, 'provider_failed');
  await db.transaction().execute(async (trx) => {
    if (next.ok) await setStatus(trx, deps, job.consultationId!, status, next.value, `${note.ja} / ${note.en}`, 'consultation.needs_attention');
    else
      await trx
        .updateTable('consultations')
        .set({ status_note: `${note.ja} / ${note.en}` })
        .where('id', '=', job.consultationId!)
        .execute();
    // Staff hear of it where they are: by email (STAFF_NOTICE_EMAIL or the department's address) and in the department's chat.
    await enqueue(trx, deps.ids, now, 'mail.staff_notice', job.consultationId, { problem: `${note.ja} / ${note.en}` });
    await enqueue(trx, deps.ids, now, 'consultation.attention', job.consultationId, {});
  });
  deps.log.warn({ consultationId: job.consultationId }, 'consultation needs attention');
}

/** Runs due jobs one by one until none is left; returns how many ran. */
export async function runDueJobs(deps: JobDeps, limit = 20): Promise<number> {
  let ran = 0;
  while (ran < limit) {
    // One claim per job, so that no lease outlives the work it covers.
    const [job] = await retryTransient(() => claimDue(deps.store.db, deps.store.dialect, deps.clock(), deps.leases?.leaseMs ?? LEASE_MS, 1));
    if (!job) break;
    await runJob(deps, job);
    ran++;
  }
  return ran;
}

export interface Worker {
  /** Look for work now (after a commit that queued some). */
  wake(): void;
  stop(): Promise<void>;
  /** Resolves when nothing is due (tests, shutdown). */
  idle(): Promise<void>;
}

/** Looks at the outbox at once, every `pollMs` (jobs left by another instance, retries) and whenever woken. */
export function startWorker(deps: JobDeps, pollMs = POLL_MS): Worker {
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
