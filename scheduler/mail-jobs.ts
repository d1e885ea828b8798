// Mail jobs: invitation, reminder, change, cancellation and the staff notice, rendered from the active template when sent.
// A message whose moment has passed (cancelled, moved, already started) is skipped, never sent stale.
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import type { Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import type { MailKind, OutboxJob } from '../core/outbox.ts';
import { writeAudit } from '../core/audit.ts';
import { listDepartments } from '../core/departments.ts';
import type { MailTransport } from '../templates/mail.ts';
import { fromAddress } from '../templates/mail.ts';
import { activeTemplate } from '../templates/store.ts';
import { renderMessage } from '../templates/render.ts';
import { buildVariables } from '../templates/variables.ts';
import { buildIcs } from '../templates/ics.ts';
import type { Locale, TemplateKind } from '../templates/defaults.ts';
import type { ConsultationView } from './consultations.ts';
import { viewById } from './consultations.ts';
import { citizenLink, linkKey } from '../core/links.ts';
import type { ConsultationStatus } from './status.ts';
import { transition } from './status.ts';

export interface MailJobDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'city' | 'mail' | 'publicBaseUrl' | 'secretKey'>;
  readonly mail: MailTransport;
}

/** Waiting for something that will come (the meeting being made or moved): the job is tried again later. */
export class NotYet extends Error {}

const TEMPLATE_OF: Record<MailKind, TemplateKind> = {
  'mail.invitation': 'invitation',
  'mail.reminder': 'reminder',
  'mail.change': 'change',
  'mail.cancellation': 'cancellation',
  'mail.staff_notice': 'meeting_failed',
};

interface Payload {
  readonly version?: number;
  readonly previous?: { start: string; end: string };
  readonly problem?: string;
}

/** Why this message should not go out now, or null to send it. */
function skipReason(kind: MailKind, c: ConsultationView, payload: Payload, now: number): string | null {
  const started = Date.parse(c.start) <= now;
  switch (kind) {
    case 'mail.invitation':
      return c.status === 'meeting_ready' || c.status === 'invited' ? (started ? 'already started' : null) : `status is ${c.status}`;
    case 'mail.reminder':
      if (c.status !== 'invited') return `status is ${c.status}`;
      if (payload.version !== c.version) return 'the consultation moved since this reminder was planned';
      return started ? 'already started' : null;
    case 'mail.change':
      return c.status === 'invited' || c.status === 'meeting_ready' ? (started ? 'already started' : null) : `status is ${c.status}`;
    case 'mail.cancellation':
      return c.status === 'cancelled' ? null : `status is ${c.status}`;
    case 'mail.staff_notice':
      return c.status === 'needs_attention' ? null : `status is ${c.status} (fixed already)`;
  }
}

async function meetingSynced(db: Db, c: ConsultationView): Promise<boolean> {
  const m = await db.selectFrom('meetings').select(['synced_version', 'host_id']).where('consultation_id', '=', c.id).executeTakeFirst();
  return !!m && m.synced_version === c.version && m.host_id === c.hostId;
}

export async function runMailJob(deps: MailJobDeps, job: OutboxJob & { kind: MailKind }): Promise<void> {
  const { db } = deps;
  const payload = (job.payload ?? {}) as Payload;
  const c = job.consultationId ? await viewById(db, job.consultationId) : null;
  if (!c) return;
  const now = deps.clock();
  const skip = c.personalDataErasedAt && job.kind !== 'mail.staff_notice' ? 'the personal data was erased' : skipReason(job.kind, c, payload, now);
  if (skip) {
    deps.log.info({ jobId: job.id, kind: job.kind, consultationId: c.id, skip }, 'message not sent');
    return;
  }
  if ((job.kind === 'mail.invitation' || job.kind === 'mail.change') && !(await meetingSynced(db, c))) {
    throw new NotYet('waiting for the meeting to be made or moved');
  }

  const staff = job.kind === 'mail.staff_notice';
  const department = (await listDepartments(db)).find((d) => d.id === c.department.id);
  const contact = department?.contact ?? '';
  const to = staff ? (deps.config.mail.staffNoticeEmail ?? (/^[^@\s]+@[^@\s]+$/.test(contact) ? contact : null)) : c.citizen.email;
  if (!to) {
    deps.log.warn({ consultationId: c.id }, 'staff notice not sent: set STAFF_NOTICE_EMAIL or an email as the department contact');
    return;
  }
  const locale: Locale = staff ? 'ja' : c.citizen.locale;
  const template = await activeTemplate(db, TEMPLATE_OF[job.kind], locale);
  const variables = buildVariables({
    city: deps.config.city,
    consultation: { ...c, department: { name: c.department.name, contact } },
    meeting: c.meeting,
    previous: payload.previous ?? null,
    appUrl: staff ? '' : citizenLink(deps.config.publicBaseUrl, await linkKey(db, deps.config.secretKey), c.id, Date.parse(c.end)),
    reason: c.status === 'cancelled' ? c.statusNote : '',
    problem: payload.problem ?? '',
  });
  const rendered = await renderMessage(template, variables);
  const from = fromAddress(deps.config.mail.from);
  const withIcs = job.kind === 'mail.invitation' || job.kind === 'mail.change' || job.kind === 'mail.cancellation';
  const domain = from.email.split('@')[1] ?? 'madoguchi.invalid';
  await deps.mail.send({
    messageId: `<${job.id}.${job.kind.slice(5)}@${domain}>`,
    consultationId: c.id,
    to,
    ...rendered,
    ...(withIcs
      ? {
          ics: {
            method: job.kind === 'mail.cancellation' ? 'CANCEL' : 'REQUEST',
            content: buildIcs({
              consultationId: c.id,
              sequence: c.version,
              method: job.kind === 'mail.cancellation' ? 'CANCEL' : 'REQUEST',
              start: Date.parse(c.start),
              end: Date.parse(c.end),
              summary: rendered.subject,
              description: `${deps.config.city.name} ${c.department.name}`,
              joinUrl: job.kind === 'mail.cancellation' ? '' : (c.meeting?.joinUrl ?? ''),
              organizer: from,
              attendee: { name: c.citizen.name, email: c.citizen.email },
              stamp: now,
            }),
          },
        }
      : {}),
  });
  await writeAudit(db, deps.ids, deps.clock(), {
    actor: 'system',
    action: `${job.kind}.sent`,
    entity: 'consultation',
    entityId: c.id,
    before: null,
    after: { template: `${template.kind}/${template.locale}`, version: template.version, messageId: job.id },
  });
  if (job.kind === 'mail.invitation') {
    const next = transition(c.status as ConsultationStatus, 'invitation_sent');
    if (next.ok && next.value !== c.status) {
      await db
        .updateTable('consultations')
        .set({ status: next.value, updated_at: new Date(deps.clock()).toISOString() })
        .where('id', '=', c.id)
        .where('status', '=', c.status)
        .execute();
      await writeAudit(db, deps.ids, deps.clock(), {
        actor: 'system',
        action: 'consultation.invited',
        entity: 'consultation',
        entityId: c.id,
        before: { status: c.status },
        after: { status: next.value },
      });
    }
  }
}
