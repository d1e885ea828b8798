// Mail jobs: invitation, reminder, change, cancellation and the staff notice, rendered from the active template when sent.
// A message whose moment has passed (cancelled, moved, already started) is skipped, never sent stale.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import type { ClaimedJob } from '../core/jobs.ts';
import { JobNotReady } from '../core/jobs.ts';
import { writeAudit } from '../core/audit.ts';
import { contactFor, listDepartments } from './departments.ts';
import type { MailTransport } from '../templates/mail.ts';
import { fromAddress } from '../templates/mail.ts';
import { activeTemplate } from '../templates/store.ts';
import { renderMessage } from '../templates/render.ts';
import { buildVariables } from '../templates/variables.ts';
import { groupDigits } from '../templates/liquid.ts';
import { buildIcs } from '../templates/ics.ts';
import type { Locale, TemplateKind } from '../templates/defaults.ts';
import type { ConsultationView } from './views.ts';
import { viewById } from './views.ts';
import { citizenLink, linkKey } from '../core/links.ts';
import type { LifecycleDeps } from './lifecycle.ts';
import { applyEvent, recordTold } from './lifecycle.ts';

export type MailKind = 'mail.invitation' | 'mail.reminder' | 'mail.change' | 'mail.cancellation' | 'mail.survey' | 'mail.staff_notice';

export interface MailJobDeps extends LifecycleDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'city' | 'mail' | 'publicBaseUrl' | 'secretKey'>;
  readonly mail: MailTransport;
}

const TEMPLATE_OF: Record<MailKind, TemplateKind> = {
  'mail.invitation': 'invitation',
  'mail.reminder': 'reminder',
  'mail.change': 'change',
  'mail.cancellation': 'cancellation',
  'mail.survey': 'survey',
  'mail.staff_notice': 'meeting_failed',
};

export interface MailPayload {
  /** A reminder: the schedule version it was planned for. */
  readonly version?: number;
  readonly previous?: { start: string; end: string };
  readonly problem?: string;
}

/** Why this message should not go out now, or null to send it. */
function skipReason(kind: MailKind, c: ConsultationView, payload: MailPayload, now: number): string | null {
  const started = Date.parse(c.start) <= now;
  switch (kind) {
    case 'mail.invitation':
      return c.status === 'meeting_ready' || c.status === 'invited' ? (started ? 'already started' : null) : `status is ${c.status}`;
    case 'mail.reminder':
      if (c.status !== 'invited') return `status is ${c.status}`;
      if (payload.version !== c.scheduleVersion) return 'the consultation moved since this reminder was planned';
      return started ? 'already started' : null;
    case 'mail.change':
      return c.status === 'invited' || c.status === 'meeting_ready' ? (started ? 'already started' : null) : `status is ${c.status}`;
    case 'mail.cancellation':
      return c.status === 'cancelled' ? null : `status is ${c.status}`;
    case 'mail.survey':
      return c.status === 'completed' ? null : `status is ${c.status}`;
    case 'mail.staff_notice':
      return c.status === 'needs_attention' ? null : `status is ${c.status} (fixed already)`;
  }
}

async function meetingSynced(db: Db, c: ConsultationView): Promise<boolean> {
  const m = await db.selectFrom('meetings').select(['synced_version', 'host_id']).where('consultation_id', '=', c.id).executeTakeFirst();
  return !!m && m.synced_version === c.scheduleVersion && m.host_id === c.hostId;
}

export async function runMailJob(deps: MailJobDeps, kind: MailKind, job: ClaimedJob, payload: MailPayload): Promise<void> {
  const { db } = deps;
  const c = job.consultationId ? await viewById(db, job.consultationId) : null;
  if (!c) return;
  const now = deps.clock();
  const skip = c.personalDataErasedAt && kind !== 'mail.staff_notice' ? 'the personal data was erased' : skipReason(kind, c, payload, now);
  if (skip) {
    deps.log.info({ jobId: job.id, kind: kind, consultationId: c.id, skip }, 'message not sent');
    return;
  }
  if (kind === 'mail.survey' && (!deps.config.mail.surveyMail || (await deps.hooks?.surveyAnswered?.(db, c.id)))) {
    deps.log.info(
      { jobId: job.id, kind, consultationId: c.id },
      deps.config.mail.surveyMail ? 'message not sent: the survey was answered in the app' : 'message not sent: SURVEY_MAIL is off',
    );
    return;
  }
  if ((kind === 'mail.invitation' || kind === 'mail.change') && !(await meetingSynced(db, c))) {
    throw new JobNotReady('waiting for the meeting to be made or moved');
  }

  // What the citizen was last told: a change names it as the old time (or, if it is the time again, nothing is sent),
  // and a cancellation names it, even when a change made a moment before never reached them.
  const told = c.told ?? null;
  if (kind === 'mail.change' && told && told.start === c.start && told.end === c.end) {
    deps.log.info({ jobId: job.id, kind, consultationId: c.id }, 'message not sent: the citizen already has this time');
    return;
  }
  const shown =
    kind === 'mail.cancellation' && told
      ? { ...c, start: told.start, end: told.end, durationMinutes: (Date.parse(told.end) - Date.parse(told.start)) / 60_000 }
      : c;
  const previous = kind === 'mail.change' ? (told ?? payload.previous ?? null) : null;
  const staff = kind === 'mail.staff_notice';
  const department = (await listDepartments(db)).find((d) => d.id === c.department.id);
  const contact = department?.contact ?? '';
  const to = staff ? (deps.config.mail.staffNoticeEmail ?? (/^[^@\s]+@[^@\s]+$/.test(contact) ? contact : null)) : c.citizen.email;
  if (!to) {
    deps.log.warn({ consultationId: c.id }, 'staff notice not sent: set STAFF_NOTICE_EMAIL or an email as the department contact');
    return;
  }
  const locale: Locale = staff ? 'ja' : c.citizen.locale;
  const template = await activeTemplate(db, TEMPLATE_OF[kind], locale);
  const variables = buildVariables({
    city: deps.config.city,
    // The citizen is told whom to call: the department's contact, or else the city's.
    consultation: { ...shown, department: { name: c.department.name, contact: contactFor(department, deps.config.city) } },
    meeting: c.meeting,
    previous,
    appUrl: staff ? '' : citizenLink(deps.config.publicBaseUrl, await linkKey(db, deps.config.secretKey), c.id, Date.parse(c.end)),
    reason: c.status === 'cancelled' ? c.statusNote : '',
    problem: payload.problem ?? '',
  });
  const rendered = await renderMessage(template, variables);
  const from = fromAddress(deps.config.mail.from);
  const withIcs = kind === 'mail.invitation' || kind === 'mail.change' || kind === 'mail.cancellation';
  const domain = from.email.split('@')[1] ?? 'madoguchi.invalid';
  await deps.mail.send({
    messageId: `<${job.id}.${kind.slice(5)}@${domain}>`,
    consultationId: c.id,
    to,
    ...rendered,
    ...(withIcs
      ? {
          ics: {
            method: kind === 'mail.cancellation' ? 'CANCEL' : 'REQUEST',
            content: buildIcs({
              consultationId: c.id,
              sequence: c.scheduleVersion,
              method: kind === 'mail.cancellation' ? 'CANCEL' : 'REQUEST',
              start: Date.parse(shown.start),
              end: Date.parse(shown.end),
              // The event is the consultation (not the mail's subject, which says what changed).
              summary:
                locale === 'en'
                  ? `Online consultation: ${deps.config.city.name} ${c.department.name}`
                  : `${deps.config.city.name} ${c.department.name} オンライン相談`,
              description: [
                `${deps.config.city.name} ${c.department.name}`,
                ...(c.meeting && kind !== 'mail.cancellation'
                  ? [
                      locale === 'en'
                        ? `Meeting number: ${groupDigits(c.meeting.meetingNumber)}  Password: ${c.meeting.password}`
                        : `ミーティング番号: ${groupDigits(c.meeting.meetingNumber)}  パスワード: ${c.meeting.password}`,
                    ]
                  : []),
              ].join('\n'),
              joinUrl: kind === 'mail.cancellation' ? '' : (c.meeting?.joinUrl ?? ''),
              // Replies and calendar answers go to the city, not to a no-reply address.
              organizer: deps.config.city.email ? { name: deps.config.city.name, email: deps.config.city.email } : from,
              attendee: { name: c.citizen.name, email: c.citizen.email },
              stamp: now,
            }),
          },
        }
      : {}),
  });
  // What was sent, and (for the invitation) the status it moves to, are written together.
  await db.transaction().execute(async (trx) => {
    await writeAudit(trx, deps.ids, deps.clock(), {
      actor: 'system',
      action: `${kind}.sent`,
      entity: 'consultation',
      entityId: c.id,
      before: null,
      after: { template: `${template.kind}/${template.locale}`, version: template.version, messageId: job.id },
    });
    if (kind === 'mail.invitation' || kind === 'mail.change') await recordTold(trx, c.id, Date.parse(c.start), Date.parse(c.end));
    if (kind === 'mail.invitation')
      await applyEvent(trx, deps, c.id, 'invitation_sent', { actor: 'system', now: deps.clock(), action: 'consultation.invited' });
  });
}
