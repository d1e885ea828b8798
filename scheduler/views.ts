// The read side of consultations: what the API, the bot, the mails and the app show of one (views). Pure reads.
import type { ConsultationTable, Db } from '../core/store/schema.ts';
import type { Problem } from '../core/errors.ts';
import { problem } from '../core/errors.ts';
import type { LocalDate } from '../core/time.ts';
import { MINUTE_MS, addDays, startOfLocalDate, toCityIso } from '../core/time.ts';
import type { Department } from './departments.ts';
import { listDepartments } from './departments.ts';
import type { ConsultationStatus } from './status.ts';
import { typeName } from './consultation-types.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export interface MeetingView {
  readonly provider: string;
  readonly meetingNumber: string;
  readonly password: string;
  readonly joinUrl: string;
  readonly dialIn: ReadonlyArray<{ label: string; number: string }>;
  readonly sipAddress: string;
}

/** A consultation as the API shows it. */
export type ConsultationKind = 'booked' | 'walk_in';

export interface ConsultationView {
  readonly id: string;
  /** booked: planned ahead; walk_in: a citizen at a branch counter, connected now. */
  readonly kind: ConsultationKind;
  readonly hostId: string;
  readonly siteId: string | null;
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  readonly department: { readonly id: string; readonly name: string };
  readonly citizen: { readonly name: string; readonly email: string; readonly locale: 'ja' | 'en' };
  readonly topic: string;
  readonly consultationType: string;
  /** The type as people read it (一般の相談, おくやみ…). */
  readonly consultationTypeName: { readonly ja: string; readonly en: string };
  readonly bookedBy: string;
  readonly status: ConsultationStatus;
  readonly statusNote: string;
  /** Counts every change of the consultation. */
  readonly version: number;
  /** Counts the changes of time, host and cancellation (the calendar entry's SEQUENCE). */
  readonly scheduleVersion: number;
  readonly meeting: MeetingView | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the citizen's name, email and free text were erased (retention or request), or null. */
  readonly personalDataErasedAt: string | null;
  /** The time the citizen was last told by mail, or null. */
  readonly told: { readonly start: string; readonly end: string } | null;
}

// ---------------------------------------------------------------- reading

async function departmentsById(db: Db): Promise<Map<string, Department>> {
  return new Map((await listDepartments(db)).map((d) => [d.id, d]));
}

/**
 * The consultations as the API shows them. `known`: what the caller already read (the departments), or knows (a row
 * not yet committed has no meeting), so that a booking does not read them again.
 */
export async function toViews(
  db: Db,
  rows: ConsultationTable[],
  known: { readonly departments?: ReadonlyArray<Department>; readonly noMeetings?: boolean } = {},
): Promise<ConsultationView[]> {
  if (rows.length === 0) return [];
  const departments = known.departments ? new Map(known.departments.map((d) => [d.id, d])) : await departmentsById(db);
  const meetings = known.noMeetings
    ? []
    : await db
        .selectFrom('meetings')
        .selectAll()
        .where(
          'consultation_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
  const meetingOf = new Map(meetings.map((m) => [m.consultation_id, m]));
  return rows.map((r) => {
    const start = Date.parse(r.start_at);
    const end = Date.parse(r.end_at);
    const m = meetingOf.get(r.id);
    return {
      id: r.id,
      kind: r.kind === 'walk_in' ? 'walk_in' : 'booked',
      hostId: r.host_id,
      siteId: r.site_id,
      start: toCityIso(start),
      end: toCityIso(end),
      durationMinutes: (end - start) / MINUTE_MS,
      department: { id: r.department_id, name: departments.get(r.department_id)?.name ?? r.department_id },
      citizen: { name: r.citizen_name, email: r.citizen_email, locale: r.citizen_locale as 'ja' | 'en' },
      topic: r.topic,
      consultationType: r.consultation_type,
      consultationTypeName: typeName(r.consultation_type),
      bookedBy: r.booked_by,
      status: r.status as ConsultationStatus,
      statusNote: r.status_note,
      version: r.version,
      scheduleVersion: r.schedule_version,
      meeting: m
        ? {
            provider: m.provider,
            meetingNumber: m.meeting_number,
            password: m.password,
            joinUrl: m.join_url,
            dialIn: JSON.parse(m.dial_in),
            sipAddress: m.sip_address,
          }
        : null,
      createdAt: toCityIso(Date.parse(r.created_at)),
      updatedAt: toCityIso(Date.parse(r.updated_at)),
      personalDataErasedAt: r.personal_data_erased_at === null ? null : toCityIso(Date.parse(r.personal_data_erased_at)),
      told: r.told_start_at && r.told_end_at ? { start: toCityIso(Date.parse(r.told_start_at)), end: toCityIso(Date.parse(r.told_end_at)) } : null,
    };
  });
}

export async function viewById(db: Db, id: string): Promise<ConsultationView | null> {
  const row = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await toViews(db, [row]))[0]! : null;
}

/** Consultations starting on the city dates from…to (inclusive), in time order. */
export async function listConsultations(db: Db, from: LocalDate, to: LocalDate): Promise<ConsultationView[]> {
  const rows = await db
    .selectFrom('consultations')
    .selectAll()
    .where('start_at', '>=', iso(startOfLocalDate(from)))
    .where('start_at', '<', iso(startOfLocalDate(addDays(to, 1))))
    .orderBy('start_at')
    .orderBy('id')
    .execute();
  return toViews(db, rows);
}

export function notFound(id: string): Problem {
  return problem('not_found', `相談 ${id} は見つかりません。`, `Consultation ${id} was not found.`);
}
