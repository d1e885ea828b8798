// The meeting of a consultation, kept in line with it at the conferencing provider: made when booked, moved when the
// time or host changes, deleted when cancelled. Run as a job (safe to run again); the status moves on through lifecycle.ts.
import type { Db, MeetingTable } from '../core/store/schema.ts';
import { writeAudit } from '../core/audit.ts';
import { enqueue } from '../core/outbox.ts';
import type { ConferencingProvider, Meeting, MeetingRequest, ProviderKind } from '../core/conferencing/index.ts';
import { ProviderError } from '../core/conferencing/index.ts';
import { listDepartments } from './departments.ts';
import type { LifecycleDeps } from './lifecycle.ts';
import { applyEvent } from './lifecycle.ts';
import type { ConsultationStatus } from './status.ts';
import type { JobKind } from '../core/outbox.ts';
import type { IdSource } from '../core/ids.ts';
import { threadIdFromGraphMeetingId, threadIdFromTeamsContextMeetingId } from '../core/conferencing/teams/meeting-id.ts';

export interface MeetingDeps extends LifecycleDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  /** The providers configured; a host whose provider is missing here makes its consultations need attention. */
  readonly providers: Partial<Record<ProviderKind, ConferencingProvider>>;
  /** How long a walk-in's meeting is made (WALK_IN_MEETING_HOURS). */
  readonly walkInMeetingHours: number;
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

/**
 * booked (or needs attention, after a retry) with its meeting in place → meeting ready, and the invitation queued. A
 * walk-in has no invitation: the citizen is at the counter, so it is in progress at once.
 */
async function markReady(trx: Db, deps: MeetingDeps, consultationId: string, invitation: JobKind<Record<string, never>>, now: number): Promise<void> {
  const ready = await applyEvent(trx, deps, consultationId, 'meeting_created', {
    actor: 'system',
    now,
    action: 'consultation.meeting_ready',
    note: '',
    from: ['booked', 'needs_attention'],
  });
  if (!ready) return;
  if (ready.kind === 'walk_in') {
    await applyEvent(trx, deps, consultationId, 'started', { actor: 'system', now, action: 'consultation.started', from: ['meeting_ready'] });
  } else {
    // The invitation, in the same transaction as the meeting state it describes.
    await enqueue(trx, deps.ids, now, invitation, consultationId, {});
  }
  // Whoever is already on their way to it (a relay accepted before the meeting was made) gets the join details now.
  await deps.hooks?.meetingReady?.(trx, consultationId, now);
}

/**
 * Brings the provider's meeting in line with the consultation as it is now. Safe to run again: a meeting already in
 * line is left alone; a change made while we were at the provider queues another pass (`again`).
 */
export async function syncMeeting(
  deps: MeetingDeps,
  consultationId: string,
  next: { readonly invitation: JobKind<Record<string, never>>; readonly again: JobKind<Record<string, never>> },
): Promise<void> {
  const { db } = deps;
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
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('meetings').where('consultation_id', '=', consultationId).execute();
      await writeAudit(trx, deps.ids, deps.clock(), {
        actor: 'system',
        action: 'meeting.deleted',
        entity: 'consultation',
        entityId: consultationId,
        before: { providerMeetingId: existing.provider_meeting_id },
        after: null,
      });
    });
  }
  if (status === 'cancelled' || status === 'completed') return;

  const now = deps.clock();
  if (existing && existing.host_id === c.host_id && existing.synced_version === c.schedule_version) {
    // Nothing to change at the provider (e.g. a retry after a refused email): only the status may need to move on.
    await db.transaction().execute((trx) => markReady(trx, deps, consultationId, next.invitation, now));
    return;
  }
  const department = (await listDepartments(db)).find((d) => d.id === c.department_id);
  const start = Date.parse(c.start_at);
  const request: MeetingRequest = {
    consultationId,
    title: `${department?.name ?? ''} オンライン相談`.trim(),
    start,
    // A walk-in has no end fixed in advance: its meeting is made long enough that the platform never cuts it.
    end: c.kind === 'walk_in' ? Math.max(Date.parse(c.end_at), start + deps.walkInMeetingHours * 60 * 60 * 1000) : Date.parse(c.end_at),
    hostAccount: hostOf(c.host_id).account,
    invitee: c.citizen_email ? { name: c.citizen_name, email: c.citizen_email } : null,
  };
  const provider = providerOf(c.host_id);
  const updating = existing && existing.host_id === c.host_id ? existing : null;
  const meeting = updating ? await provider.updateMeeting(toMeeting(updating), request) : await provider.createMeeting(request);
  await db.transaction().execute(async (trx) => {
    if (updating) {
      await trx
        .updateTable('meetings')
        .set(meetingRow(consultationId, c.host_id, c.schedule_version, meeting, now, updating.created_at))
        .where('consultation_id', '=', consultationId)
        .execute();
      await writeAudit(trx, deps.ids, now, {
        actor: 'system',
        action: 'meeting.updated',
        entity: 'consultation',
        entityId: consultationId,
        before: { version: updating.synced_version },
        after: { version: c.schedule_version },
      });
    } else {
      await trx
        .insertInto('meetings')
        .values(meetingRow(consultationId, c.host_id, c.schedule_version, meeting, now))
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
    await markReady(trx, deps, consultationId, next.invitation, now);
  });
  // Changed while we were at the provider: another pass brings the meeting up to date.
  const after = await db.selectFrom('consultations').select(['schedule_version', 'status']).where('id', '=', consultationId).executeTakeFirst();
  if (after && (after.schedule_version !== c.schedule_version || after.status === 'cancelled'))
    await enqueue(db, deps.ids, deps.clock(), next.again, consultationId, {});
}

// ---------------------------------------------------------------- which consultation a platform's meeting is

/** The Webex meeting the SDK reports, matched to a stored meeting: the id itself, or an occurrence of it (`<id>_…`). */
export async function consultationOfWebexMeeting(db: Db, meetingId: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{8,200}$/.test(meetingId)) return null;
  const candidates = [...new Set([meetingId, meetingId.split('_')[0]!])];
  const row = await db
    .selectFrom('meetings as m')
    .innerJoin('consultations as c', 'c.id', 'm.consultation_id')
    .select('c.id')
    .where('m.provider', '=', 'webex')
    .where('m.provider_meeting_id', 'in', candidates)
    .where('c.status', '!=', 'cancelled')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The Teams meeting of the side panel: its chat thread, compared with the thread inside each stored Graph meeting id of the days around now. */
export async function consultationOfTeamsMeeting(db: Db, now: number, meetingId: string, chatId: string): Promise<string | null> {
  const thread = threadIdFromTeamsContextMeetingId(meetingId) ?? threadIdFromTeamsContextMeetingId(chatId);
  if (!thread) return null;
  const day = 24 * 60 * 60 * 1000;
  const rows = await db
    .selectFrom('meetings as m')
    .innerJoin('consultations as c', 'c.id', 'm.consultation_id')
    .select(['c.id', 'm.provider_meeting_id'])
    .where('m.provider', '=', 'teams')
    .where('c.status', '!=', 'cancelled')
    .where('c.start_at', '>=', new Date(now - 2 * day).toISOString())
    .where('c.start_at', '<=', new Date(now + 30 * day).toISOString())
    .execute();
  return rows.find((r) => threadIdFromGraphMeetingId(r.provider_meeting_id) === thread)?.id ?? null;
}
