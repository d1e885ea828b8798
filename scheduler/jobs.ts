// The consultation domain's jobs: the meeting at the provider, the mails to the citizen and to staff, the moments a
// consultation starts and ends, the notice when a person must act, and the daily erasure of personal data past its
// retention. Defined here with their payloads; server.ts binds them to SchedulerJobDeps.
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Store } from '../core/store/db.ts';
import type { IdSource } from '../core/ids.ts';
import type { ChatPlatforms } from '../core/chat.ts';
import type { AppEvents } from '../core/events.ts';
import { CONSULTATIONS_EVENT } from '../core/events.ts';
import type { ConferencingProvider, ProviderKind } from '../core/conferencing/index.ts';
import type { ClaimedJob } from '../core/jobs.ts';
import { defineJob } from '../core/jobs.ts';
import { enqueue, ensureScheduled } from '../core/outbox.ts';
import type { MailTransport } from '../templates/mail.ts';
import { mailFailureNote } from '../templates/mail.ts';
import type { ConsultationHooks, LifecycleDeps } from './lifecycle.ts';
import { applyChange, applyEvent } from './lifecycle.ts';
import { syncMeeting } from './meetings.ts';
import type { MailKind, MailPayload } from './mail-jobs.ts';
import { runMailJob } from './mail-jobs.ts';
import { deliverAttentionNotice, deliverOverrunNotice } from './notices.ts';
import { extendConsultation } from './consultations.ts';
import * as kinds from './job-kinds.ts';

export { planMoments } from './job-kinds.ts';
import { purgePersonalData } from './personal-data.ts';
import { transition } from './status.ts';
import type { ConsultationStatus } from './status.ts';
import { MINUTE_MS } from '../core/time.ts';

export interface SchedulerJobDeps {
  readonly store: Store;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'city' | 'mail' | 'publicBaseUrl' | 'secretKey' | 'personalDataRetentionDays' | 'slots' | 'walkIn'>;
  readonly mail: MailTransport;
  readonly providers: Partial<Record<ProviderKind, ConferencingProvider>>;
  /** Where staff notices go. */
  readonly chat: ChatPlatforms;
  /** What the domains above must do with a change (composed in server.ts). */
  readonly hooks?: ConsultationHooks | undefined;
  /** The pages following a consultation are told when its meeting is ready. */
  readonly events?: AppEvents | undefined;
}

const none = z.object({});
type Deps = SchedulerJobDeps;
const lifecycle = (d: Deps): LifecycleDeps => ({ ids: d.ids, hooks: d.hooks });

/**
 * A job gave up for good: the consultation needs a person. Its status says so (unless it is already under way) with
 * the provider's or mail server's own words, and staff are told by email and in the department's chat.
 */
async function needsAttention(d: Deps, job: ClaimedJob, note: { ja: string; en: string }): Promise<void> {
  if (!job.consultationId) return;
  const id = job.consultationId;
  const text = `${note.ja} / ${note.en}`;
  const now = d.clock();
  await d.store.db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) return;
    const event = transition(c.status as ConsultationStatus, 'provider_failed').ok ? ('provider_failed' as const) : undefined;
    const changed = await applyChange(trx, lifecycle(d), c, {
      ...(event ? { event } : {}),
      note: text,
      actor: 'system',
      now,
      action: 'consultation.needs_attention',
    });
    if (!changed.ok) return;
    await enqueue(trx, d.ids, now, MAIL_STAFF_NOTICE, id, { problem: text });
    await enqueue(trx, d.ids, now, ATTENTION_NOTICE, id, {});
  });
  d.log.warn({ consultationId: id }, 'consultation needs attention');
}

export const ATTENTION_NOTICE = defineJob('consultation.attention', none, async (_p, job, d: Deps) => {
  await deliverAttentionNotice({ db: d.store.db, ids: d.ids, clock: d.clock, platforms: d.chat }, job.consultationId!, job.id);
});

export const MAIL_INVITATION = defineJob('mail.invitation', none, (p, job, d: Deps) => mail(d, 'mail.invitation', job, p), { gaveUp: mailGaveUp });
export const MAIL_REMINDER = defineJob(kinds.MAIL_REMINDER, (p, job, d: Deps) => mail(d, 'mail.reminder', job, p), { gaveUp: mailGaveUp });
export const MAIL_CHANGE = defineJob(kinds.MAIL_CHANGE, (p, job, d: Deps) => mail(d, 'mail.change', job, p), { gaveUp: mailGaveUp });
export const MAIL_CANCELLATION = defineJob(kinds.MAIL_CANCELLATION, (p, job, d: Deps) => mail(d, 'mail.cancellation', job, p), { gaveUp: mailGaveUp });
// A survey mail that cannot be delivered is let go: the consultation was held, and nobody needs to act on it.
export const MAIL_SURVEY = defineJob(kinds.MAIL_SURVEY, (p, job, d: Deps) => mail(d, 'mail.survey', job, p), {
  // (The server's words are not logged: they may name the citizen's address.)
  gaveUp: async (_p, job, d) => d.log.warn({ consultationId: job.consultationId }, 'survey mail not delivered'),
});
export const MAIL_STAFF_NOTICE = defineJob('mail.staff_notice', z.object({ problem: z.string().default('') }), (p, job, d: Deps) =>
  mail(d, 'mail.staff_notice', job, p),
);

function mail(d: Deps, kind: MailKind, job: ClaimedJob, payload: MailPayload): Promise<void> {
  return runMailJob({ db: d.store.db, ids: d.ids, clock: d.clock, log: d.log, config: d.config, mail: d.mail, hooks: d.hooks }, kind, job, payload);
}

async function mailGaveUp(_p: unknown, job: ClaimedJob, d: Deps, message: string, error: unknown): Promise<void> {
  const why = mailFailureNote(error);
  await needsAttention(d, job, { ja: `${why.ja}: ${message}`, en: `${why.en}: ${message}` });
}

export const MEETING_SYNC = defineJob(
  kinds.MEETING_SYNC,
  async (_p, job, d: Deps) => {
    const meetingDeps = {
      db: d.store.db,
      ids: d.ids,
      clock: d.clock,
      providers: d.providers,
      hooks: d.hooks,
      walkInMeetingHours: d.config.walkIn.meetingHours,
    };
    await syncMeeting(meetingDeps, job.consultationId!, {
      invitation: MAIL_INVITATION,
      again: MEETING_SYNC,
    });
    await d.events?.changed(job.consultationId!);
    await d.events?.changed(CONSULTATIONS_EVENT);
  },
  {
    async gaveUp(_p, job, d, message) {
      const id = job.consultationId!;
      const meeting = await d.store.db.selectFrom('meetings').select('consultation_id').where('consultation_id', '=', id).executeTakeFirst();
      const c = await d.store.db.selectFrom('consultations').select('status').where('id', '=', id).executeTakeFirst();
      const note =
        c?.status === 'cancelled'
          ? {
              ja: `取り消した相談の会議を削除できませんでした（参加用の情報がまだ有効です）: ${message}`,
              en: `The cancelled consultation's meeting could not be deleted (its join details still work): ${message}`,
            }
          : meeting
            ? { ja: `会議の日時を変更できませんでした: ${message}`, en: `The meeting could not be moved: ${message}` }
            : { ja: `会議を作成できませんでした: ${message}`, en: `The meeting could not be made: ${message}` };
      await needsAttention(d, job, note);
    },
  },
);

/** When a consultation is still going on at its end and cannot be extended, the end is looked at again this much later. */
const OVERRUN_CHECK_MS = 10 * MINUTE_MS;
/** A walk-in or a relay forgotten open (nobody pressed /done) holds a consultation this long from its start at most. */
const OVERRUN_LIMIT_MS = 12 * 60 * MINUTE_MS;

/** Told when a consultation that goes on cannot be extended (the next booking of its host is near). */
export const OVERRUN_NOTICE = defineJob('consultation.overrun', z.object({ nextId: z.string().nullable(), nextStart: z.string() }), async (p, job, d: Deps) => {
  await deliverOverrunNotice({ db: d.store.db, ids: d.ids, clock: d.clock, platforms: d.chat, warn: (why) => d.log.warn(why) }, job.consultationId!, {
    id: p.nextId,
    start: Date.parse(p.nextStart),
  });
});

/**
 * The moments of a consultation: at its start it is in progress; at its end (and the buffer after it) completed,
 * unless it is still going on — a walk-in nobody has ended, or a relay still open — when it is extended by
 * WALK_IN_MINUTES (it has no time limit), or, when the next booking of its host stops that, looked at again a little
 * later with the people concerned told. After 12 hours from its start it is completed anyway and what was left open
 * with it is closed. A job planned for a time the consultation has since moved from does nothing.
 */
export const CONSULTATION_CLOCK = defineJob(kinds.CONSULTATION_CLOCK, async (p, job, d: Deps) => {
  const id = job.consultationId!;
  const c = await d.store.db.selectFrom('consultations').select(['schedule_version', 'start_at', 'kind', 'status']).where('id', '=', id).executeTakeFirst();
  if (!c || c.schedule_version !== p.scheduleVersion) return;
  const now = d.clock();
  if (p.moment === 'start') {
    await d.store.db
      .transaction()
      .execute((trx) =>
        applyEvent(trx, lifecycle(d), id, 'started', { actor: 'system', now, action: 'consultation.started', from: ['meeting_ready', 'invited'] }),
      );
    return;
  }
  const walkInGoingOn = c.kind === 'walk_in' && ['booked', 'meeting_ready', 'in_progress'].includes(c.status);
  if (now - Date.parse(c.start_at) < OVERRUN_LIMIT_MS && (walkInGoingOn || (await d.hooks?.busy?.(d.store.db, id)))) {
    const extended = await extendConsultation(d, id, d.config.walkIn.minutes, 'system');
    // Extended: its end moment is planned again at the new time.
    if (extended.ok) return;
    if (extended.reason.code === 'conflict') {
      const next = extended.reason.extra as { nextConsultationId: string | null; nextStart: string };
      await enqueue(d.store.db, d.ids, now, OVERRUN_NOTICE, id, { nextId: next.nextConsultationId, nextStart: next.nextStart });
    }
    await enqueue(d.store.db, d.ids, now, CONSULTATION_CLOCK, id, p, now + OVERRUN_CHECK_MS);
    return;
  }
  await d.store.db
    .transaction()
    .execute((trx) => applyEvent(trx, lifecycle(d), id, 'completed', { actor: 'system', now, action: 'consultation.completed', from: ['in_progress'] }));
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** Daily: personal data past PERSONAL_DATA_RETENTION_DAYS is erased (scheduler/personal-data.ts), then the next run is planned. */
export const PERSONAL_DATA_PURGE = defineJob('personal_data.purge', none, async (_p, job, d: Deps) => {
  const erased = await purgePersonalData({ store: d.store, ids: d.ids, outboxDir: d.config.mail.outboxDir }, d.clock(), d.config.personalDataRetentionDays);
  if (erased.consultations + erased.records + erased.files > 0) d.log.info(erased, 'personal data past retention erased');
  await ensureScheduled(d.store.db, d.ids, d.clock(), PERSONAL_DATA_PURGE, {}, d.clock() + DAY_MS, job.id);
});

export const SCHEDULER_JOBS = [
  MEETING_SYNC,
  MAIL_INVITATION,
  MAIL_REMINDER,
  MAIL_CHANGE,
  MAIL_CANCELLATION,
  MAIL_SURVEY,
  MAIL_STAFF_NOTICE,
  ATTENTION_NOTICE,
  CONSULTATION_CLOCK,
  OVERRUN_NOTICE,
  PERSONAL_DATA_PURGE,
] as const;
