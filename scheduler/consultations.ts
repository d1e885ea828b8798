// Consultations: book, reschedule and cancel on a host, never twice; every change audited and followed by a meeting job.
import type { AppEvents } from '../core/events.ts';
import type { Config } from '../core/config.ts';
import type { Store } from '../core/store/db.ts';
import { isOverlapViolation, isUniqueViolation, retryTransient } from '../core/store/db.ts';
import type { ConsultationTable, Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { sha256 } from '../core/ids.ts';
import type { Problem, Result } from '../core/errors.ts';
import { fail, fieldProblem, ok, problem } from '../core/errors.ts';
import { writeAudit } from '../core/audit.ts';
import { enqueue } from '../core/outbox.ts';
import type { Host } from '../core/hosts.ts';
import { listHosts } from '../core/hosts.ts';
import type { Department } from '../core/departments.ts';
import { listDepartments, matchDepartment } from '../core/departments.ts';
import type { CityCalendar } from '../core/calendar/calendar.ts';
import type { Busy } from '../core/calendar/slots.ts';
import { explainOutsideHours, findFreeSlots } from '../core/calendar/slots.ts';
import type { LocalDate } from '../core/time.ts';
import { DAY_MS, MINUTE_MS, addDays, formatJa, startOfLocalDate, toCityIso, toLocalDate } from '../core/time.ts';
import { loadCityCalendar } from './calendar-store.ts';
import { enqueueReminders } from './reminders.ts';
import type { ConsultationStatus } from './status.ts';
import { canReschedule, statusLabelJa, transition } from './status.ts';

export interface SchedulerDeps {
  readonly store: Store;
  readonly config: Config;
  readonly ids: IdSource;
  readonly clock: () => number;
  /** Called after a commit that queued outbox work (wakes the worker). */
  readonly onQueued?: () => void;
  /** In-meeting app events (live pages); absent in tests that do not need them. */
  readonly events?: AppEvents;
}

export interface MeetingView {
  readonly provider: string;
  readonly meetingNumber: string;
  readonly password: string;
  readonly joinUrl: string;
  readonly dialIn: ReadonlyArray<{ label: string; number: string }>;
  readonly sipAddress: string;
}

/** A consultation as the API shows it. */
export interface ConsultationView {
  readonly id: string;
  readonly hostId: string;
  readonly start: string;
  readonly end: string;
  readonly durationMinutes: number;
  readonly department: { readonly id: string; readonly name: string };
  readonly citizen: { readonly name: string; readonly email: string; readonly locale: 'ja' | 'en' };
  readonly topic: string;
  readonly consultationType: string;
  readonly bookedBy: string;
  readonly status: ConsultationStatus;
  readonly statusNote: string;
  readonly version: number;
  readonly meeting: MeetingView | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the citizen's name, email and free text were erased (retention or request), or null. */
  readonly personalDataErasedAt: string | null;
}

export interface SlotView {
  readonly hostId: string;
  readonly start: string;
  readonly end: string;
}

export interface BookingInput {
  readonly start: number;
  readonly durationMinutes: number;
  readonly hostId?: string | undefined;
  readonly department: string;
  readonly citizen: { readonly name: string; readonly email: string; readonly locale?: 'ja' | 'en' | undefined };
  readonly topic?: string | undefined;
  readonly consultationType?: string | undefined;
}

export interface RescheduleInput {
  readonly start?: number | undefined;
  readonly durationMinutes?: number | undefined;
  readonly hostId?: string | undefined;
}

/** The HTTP status and body a create produced (replayed for a repeated Idempotency-Key). */
export interface Created {
  readonly status: 200 | 201;
  readonly consultation: ConsultationView;
}

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- reading

async function departmentsById(db: Db): Promise<Map<string, Department>> {
  return new Map((await listDepartments(db)).map((d) => [d.id, d]));
}

async function toViews(db: Db, rows: ConsultationTable[]): Promise<ConsultationView[]> {
  if (rows.length === 0) return [];
  const departments = await departmentsById(db);
  const meetings = await db
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
      hostId: r.host_id,
      start: toCityIso(start),
      end: toCityIso(end),
      durationMinutes: (end - start) / MINUTE_MS,
      department: { id: r.department_id, name: departments.get(r.department_id)?.name ?? r.department_id },
      citizen: { name: r.citizen_name, email: r.citizen_email, locale: r.citizen_locale as 'ja' | 'en' },
      topic: r.topic,
      consultationType: r.consultation_type,
      bookedBy: r.booked_by,
      status: r.status as ConsultationStatus,
      statusNote: r.status_note,
      version: r.version,
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
    };
  });
}

export async function viewById(db: Db, id: string): Promise<ConsultationView | null> {
  const row = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await toViews(db, [row]))[0]! : null;
}

export function getConsultation(deps: SchedulerDeps, id: string): Promise<ConsultationView | null> {
  return viewById(deps.store.db, id);
}

/** Consultations starting on the city dates from…to (inclusive), in time order. */
export async function listConsultations(deps: SchedulerDeps, from: LocalDate, to: LocalDate): Promise<ConsultationView[]> {
  const rows = await deps.store.db
    .selectFrom('consultations')
    .selectAll()
    .where('start_at', '>=', iso(startOfLocalDate(from)))
    .where('start_at', '<', iso(startOfLocalDate(addDays(to, 1))))
    .orderBy('start_at')
    .orderBy('id')
    .execute();
  return toViews(deps.store.db, rows);
}

export function notFound(id: string): Problem {
  return problem('not_found', `相談 ${id} は見つかりません。`, `Consultation ${id} was not found.`);
}

// ---------------------------------------------------------------- slots

async function busyByHost(db: Db, hostIds: ReadonlyArray<string>, from: number, to: number, exceptId?: string): Promise<Map<string, Busy[]>> {
  let q = db
    .selectFrom('consultations')
    .select(['host_id', 'start_at', 'block_end_at'])
    .where('host_id', 'in', hostIds as string[])
    .where('status', '<>', 'cancelled')
    .where('start_at', '<', iso(to))
    .where('block_end_at', '>', iso(from));
  if (exceptId) q = q.where('id', '<>', exceptId);
  const busy = new Map<string, Busy[]>(hostIds.map((h) => [h, []]));
  for (const r of await q.execute()) busy.get(r.host_id)?.push({ start: Date.parse(r.start_at), blockEnd: Date.parse(r.block_end_at) });
  return busy;
}

interface SlotSearch {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly durationMinutes: number;
  readonly hostIds: ReadonlyArray<string>;
  readonly limit?: number;
  readonly exceptId?: string;
}

async function searchSlots(deps: SchedulerDeps, calendar: CityCalendar, s: SlotSearch): Promise<SlotView[]> {
  const now = deps.clock();
  const busy = await busyByHost(deps.store.db, s.hostIds, startOfLocalDate(s.from) - DAY_MS, startOfLocalDate(addDays(s.to, 2)), s.exceptId);
  const all = s.hostIds.flatMap((hostId) =>
    findFreeSlots({
      calendar,
      ...deps.config.slots,
      from: s.from,
      to: s.to,
      durationMinutes: s.durationMinutes,
      now,
      busy: busy.get(hostId) ?? [],
      ...(s.limit ? { limit: s.limit } : {}),
    }).map((slot) => ({ hostId, ...slot })),
  );
  all.sort((a, b) => a.start - b.start || a.hostId.localeCompare(b.hostId));
  const limited = s.limit ? all.slice(0, s.limit) : all;
  return limited.map((x) => ({ hostId: x.hostId, start: toCityIso(x.start), end: toCityIso(x.end) }));
}

async function resolveHosts(db: Db, hostId: string | undefined, field = 'hostId'): Promise<Result<Host[]>> {
  const hosts = await listHosts(db);
  if (hostId === undefined) {
    return hosts.length > 0 ? ok(hosts) : fail(problem('validation', 'ホストが登録されていません。', 'No host is registered.'));
  }
  const host = hosts.find((h) => h.id === hostId);
  if (host) return ok([host]);
  const known = hosts.map((h) => `${h.id}（${h.displayName}）`).join('、');
  return fail(
    fieldProblem(
      field,
      `ホスト「${hostId}」は登録されていません。登録済み: ${known || 'なし'}`,
      `Unknown host "${hostId}". Known hosts: ${hosts.map((h) => h.id).join(', ') || 'none'}.`,
    ),
  );
}

export async function freeSlots(
  deps: SchedulerDeps,
  q: { from: LocalDate; to: LocalDate; durationMinutes: number; hostId?: string | undefined },
): Promise<Result<SlotView[]>> {
  if (q.to < q.from) return fail(fieldProblem('to', '終了日は開始日以降にしてください。', '"to" must not be before "from".'));
  const hosts = await resolveHosts(deps.store.db, q.hostId);
  if (!hosts.ok) return hosts;
  const calendar = await loadCityCalendar(deps.store.db, deps.config.calendar);
  return ok(await searchSlots(deps, calendar, { from: q.from, to: q.to, durationMinutes: q.durationMinutes, hostIds: hosts.value.map((h) => h.id) }));
}

// ---------------------------------------------------------------- checks

function checkTimes(deps: SchedulerDeps, calendar: CityCalendar, start: number, durationMinutes: number): Problem | null {
  const now = deps.clock();
  const { minNoticeMinutes, horizonDays } = deps.config.slots;
  const end = start + durationMinutes * MINUTE_MS;
  if (start < now) {
    return fieldProblem(
      'start',
      `開始日時（${formatJa(start)}）は過ぎています。これから先の日時を指定してください。`,
      `The start (${toCityIso(start)}) is in the past; choose a future time.`,
    );
  }
  if (start < now + minNoticeMinutes * MINUTE_MS) {
    return fieldProblem(
      'start',
      `予約は開始の${minNoticeMinutes}分前までにお願いします（${formatJa(now + minNoticeMinutes * MINUTE_MS)}以降を指定してください）。`,
      `Bookings need ${minNoticeMinutes} minutes' notice; choose ${toCityIso(now + minNoticeMinutes * MINUTE_MS)} or later.`,
    );
  }
  if (start > now + horizonDays * DAY_MS) {
    return fieldProblem('start', `予約できるのは${horizonDays}日先までです。`, `Bookings can be made at most ${horizonDays} days ahead.`);
  }
  const outside = explainOutsideHours(calendar, start, end);
  if (outside) {
    const field = outside.en.includes('minutes or less') ? 'durationMinutes' : 'start';
    return fieldProblem(field, outside.ja, outside.en);
  }
  return null;
}

async function resolveDepartment(db: Db, typed: string): Promise<Result<Department>> {
  const departments = await listDepartments(db);
  const m = matchDepartment(departments, typed);
  if (m.ok) return m;
  const names = (m.reason.suggestions.length > 0 ? m.reason.suggestions : departments).map((d) => d.name);
  return fail(
    fieldProblem(
      'department',
      `「${typed}」という課は見つかりません。候補: ${names.join('、')}`,
      `Unknown department "${typed}". Did you mean: ${names.join(', ')}?`,
      {
        suggestions: names,
      },
    ),
  );
}

/** 409: what the requested time collides with, and the next free times for the same length. */
async function conflictProblem(deps: SchedulerDeps, calendar: CityCalendar, hosts: Host[], start: number, end: number, exceptId?: string): Promise<Problem> {
  const blockEnd = end + deps.config.slots.bufferMinutes * MINUTE_MS;
  let q = deps.store.db
    .selectFrom('consultations')
    .select(['id', 'host_id', 'start_at', 'end_at'])
    .where(
      'host_id',
      'in',
      hosts.map((h) => h.id),
    )
    .where('status', '<>', 'cancelled')
    .where('start_at', '<', iso(blockEnd))
    .where('block_end_at', '>', iso(start))
    .orderBy('start_at');
  if (exceptId) q = q.where('id', '<>', exceptId);
  const conflicts = await q.execute();
  const durationMinutes = (end - start) / MINUTE_MS;
  const from = toLocalDate(start);
  // Look a week ahead first (cheap, and usually enough), then as far as bookings go.
  let nextSlots: SlotView[] = [];
  for (const days of [7, deps.config.slots.horizonDays]) {
    nextSlots = await searchSlots(deps, calendar, {
      from,
      to: addDays(from, days),
      durationMinutes,
      hostIds: hosts.map((h) => h.id),
      limit: 3,
      ...(exceptId ? { exceptId } : {}),
    });
    if (nextSlots.length === 3) break;
  }
  const first = conflicts[0];
  const when = first ? `${formatJa(Date.parse(first.start_at))}〜 の相談 ${first.id}` : '別の相談';
  const nextJa = nextSlots.length > 0 ? `空いている時間: ${nextSlots.map((s) => formatJa(Date.parse(s.start))).join('、')}` : '近い日程に空きがありません。';
  return problem(
    'conflict',
    `この時間はすでに予約があります（${when}、前後${deps.config.slots.bufferMinutes}分の準備時間を含む）。${nextJa}`,
    `That time is taken${first ? ` by consultation ${first.id} at ${toCityIso(Date.parse(first.start_at))}` : ''} (with a ${deps.config.slots.bufferMinutes}-minute buffer). ${nextSlots.length > 0 ? `Next free: ${nextSlots.map((s) => s.start).join(', ')}` : 'No free time soon.'}`,
    {
      extra: {
        conflicts: conflicts.map((c) => ({
          consultationId: c.id,
          hostId: c.host_id,
          start: toCityIso(Date.parse(c.start_at)),
          end: toCityIso(Date.parse(c.end_at)),
        })),
        nextSlots,
      },
    },
  );
}

// ---------------------------------------------------------------- book

function idempotencyMismatch(): Problem {
  return fieldProblem(
    'Idempotency-Key',
    'この Idempotency-Key は別の内容の予約ですでに使われています。新しいキーを使ってください。',
    'This Idempotency-Key was already used for a different request; use a new key.',
  );
}

async function replay(db: Db, actor: string, key: string, requestHash: string): Promise<Result<Created> | null> {
  const row = await db.selectFrom('idempotency_keys').selectAll().where('actor', '=', actor).where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  if (row.request_hash !== requestHash) return fail(idempotencyMismatch());
  return ok({ status: 201, consultation: JSON.parse(row.response_body) as ConsultationView });
}

class Overlap extends Error {}
class KeyTaken extends Error {}

/**
 * Books a consultation. Without hostId the first host that is free at that time is used.
 * With an idempotency key, a repeat returns the first result and creates nothing.
 */
export async function bookConsultation(deps: SchedulerDeps, input: BookingInput, actor: string, idempotencyKey?: string): Promise<Result<Created>> {
  const { db } = deps.store;
  const requestHash = sha256(JSON.stringify(input));
  if (idempotencyKey) {
    const previous = await replay(db, actor, idempotencyKey, requestHash);
    if (previous) return previous;
  }
  const hosts = await resolveHosts(db, input.hostId);
  if (!hosts.ok) return hosts;
  const department = await resolveDepartment(db, input.department);
  if (!department.ok) return department;
  const calendar = await loadCityCalendar(db, deps.config.calendar);
  const timeProblem = checkTimes(deps, calendar, input.start, input.durationMinutes);
  if (timeProblem) return fail(timeProblem);

  const end = input.start + input.durationMinutes * MINUTE_MS;
  const blockEnd = end + deps.config.slots.bufferMinutes * MINUTE_MS;
  for (const host of hosts.value) {
    const now = deps.clock();
    const row: ConsultationTable = {
      id: deps.ids.shortId(),
      host_id: host.id,
      start_at: iso(input.start),
      end_at: iso(end),
      block_end_at: iso(blockEnd),
      department_id: department.value.id,
      citizen_name: input.citizen.name,
      citizen_email: input.citizen.email,
      topic: input.topic ?? '',
      consultation_type: input.consultationType ?? 'general',
      citizen_locale: input.citizen.locale ?? 'ja',
      job_lease_until: null,
      booked_by: actor,
      status: 'booked',
      status_note: '',
      version: 1,
      created_at: iso(now),
      updated_at: iso(now),
      personal_data_erased_at: null,
    };
    try {
      const view = await retryTransient(() =>
        db.transaction().execute(async (trx) => {
          if (idempotencyKey) {
            // First, so that a concurrent repeat of the same key waits here and then replays, never books.
            try {
              await trx
                .insertInto('idempotency_keys')
                .values({
                  actor,
                  key: idempotencyKey,
                  request_hash: requestHash,
                  response_status: 201,
                  response_body: '{}',
                  consultation_id: row.id,
                  created_at: iso(now),
                })
                .execute();
            } catch (error) {
              if (isUniqueViolation(error)) throw new KeyTaken();
              throw error;
            }
          }
          try {
            await trx.insertInto('consultations').values(row).execute();
          } catch (error) {
            if (isOverlapViolation(error)) throw new Overlap();
            throw error;
          }
          const [created] = await toViews(trx, [row]);
          await writeAudit(trx, deps.ids, now, {
            actor,
            action: 'consultation.booked',
            entity: 'consultation',
            entityId: row.id,
            before: null,
            after: created,
          });
          await enqueue(trx, deps.ids, now, 'meeting.sync', row.id);
          await enqueueReminders(trx, deps.ids, now, deps.config, row.id, row.version, input.start);
          if (idempotencyKey) {
            await trx
              .updateTable('idempotency_keys')
              .set({ response_body: JSON.stringify(created) })
              .where('actor', '=', actor)
              .where('key', '=', idempotencyKey)
              .execute();
          }
          return created!;
        }),
      );
      deps.onQueued?.();
      return ok({ status: 201, consultation: view });
    } catch (error) {
      if (error instanceof KeyTaken) {
        const previous = await replay(db, actor, idempotencyKey!, requestHash);
        if (previous) return previous;
        throw error;
      }
      if (!(error instanceof Overlap)) throw error;
    }
  }
  return fail(await conflictProblem(deps, calendar, hosts.value, input.start, end));
}

// ---------------------------------------------------------------- reschedule, cancel

/**
 * Writes a change to a consultation only if nobody changed it since it was read (version check),
 * with its audit entry and a meeting job in the same transaction. An overlap error is left to the caller.
 */
async function applyChange(
  deps: SchedulerDeps,
  current: ConsultationTable,
  changes: Partial<Pick<ConsultationTable, 'host_id' | 'start_at' | 'end_at' | 'block_end_at' | 'status' | 'status_note'>>,
  action: string,
  actor: string,
  /** More work in the same transaction (messages to the citizen). */
  followUp?: (trx: Db, updated: ConsultationTable, now: number) => Promise<void>,
): Promise<Result<ConsultationView>> {
  const now = deps.clock();
  const [before] = await toViews(deps.store.db, [current]);
  const view = await retryTransient(() =>
    deps.store.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('consultations')
        .set({ ...changes, version: current.version + 1, updated_at: iso(now) })
        .where('id', '=', current.id)
        .where('version', '=', current.version)
        .returningAll()
        .executeTakeFirst();
      if (!r) return null;
      const [after] = await toViews(trx, [r]);
      await writeAudit(trx, deps.ids, now, { actor, action, entity: 'consultation', entityId: current.id, before, after });
      await enqueue(trx, deps.ids, now, 'meeting.sync', current.id);
      await followUp?.(trx, r, now);
      return after!;
    }),
  );
  if (!view) {
    return fail(
      problem(
        'conflict',
        'この相談は同時に別の人が変更しました。内容を確認してからもう一度お試しください。',
        'The consultation was changed by someone else at the same time; reload and try again.',
      ),
    );
  }
  deps.onQueued?.();
  return ok(view);
}

export async function rescheduleConsultation(deps: SchedulerDeps, id: string, patch: RescheduleInput, actor: string): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  const status = current.status as ConsultationStatus;
  if (!canReschedule(status)) {
    return fail(
      problem('invalid_state', `この相談は「${statusLabelJa(status)}」のため日時を変更できません。`, `A consultation that is ${status} cannot be moved.`, {
        extra: { consultationStatus: status },
      }),
    );
  }
  const oldStart = Date.parse(current.start_at);
  const start = patch.start ?? oldStart;
  const durationMinutes = patch.durationMinutes ?? (Date.parse(current.end_at) - oldStart) / MINUTE_MS;
  const hosts = await resolveHosts(db, patch.hostId ?? current.host_id);
  if (!hosts.ok) return hosts;
  const calendar = await loadCityCalendar(db, deps.config.calendar);
  const timeProblem = checkTimes(deps, calendar, start, durationMinutes);
  if (timeProblem) return fail(timeProblem);
  const end = start + durationMinutes * MINUTE_MS;
  try {
    return await applyChange(
      deps,
      current,
      {
        host_id: hosts.value[0]!.id,
        start_at: iso(start),
        end_at: iso(end),
        block_end_at: iso(end + deps.config.slots.bufferMinutes * MINUTE_MS),
      },
      'consultation.rescheduled',
      actor,
      async (trx, updated, now) => {
        await enqueueReminders(trx, deps.ids, now, deps.config, id, updated.version, start);
        // The citizen has the old time: tell them (sent once the meeting has moved).
        if (current.status === 'invited') {
          await enqueue(trx, deps.ids, now, 'mail.change', id, { previous: { start: toCityIso(oldStart), end: toCityIso(Date.parse(current.end_at)) } });
        }
      },
    );
  } catch (error) {
    if (!isOverlapViolation(error)) throw error;
    return fail(await conflictProblem(deps, calendar, hosts.value, start, end, id));
  }
}

export async function cancelConsultation(deps: SchedulerDeps, id: string, reason: string, actor: string): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  const next = transition(current.status as ConsultationStatus, 'cancelled');
  if (!next.ok) return next;
  return applyChange(deps, current, { status: next.value, status_note: reason }, 'consultation.cancelled', actor, async (trx, _updated, now) => {
    // Only a citizen who was sent the meeting details needs to hear it is off.
    if (current.status === 'invited' || current.status === 'in_progress') await enqueue(trx, deps.ids, now, 'mail.cancellation', id);
    // A relay still open for it ends too (and its alert is taken back), so nobody is sent to a cancelled meeting.
    const open = await trx
      .updateTable('relays')
      .set({ status: 'cancelled', finished_at: iso(now) })
      .where('consultation_id', '=', id)
      .where('status', 'in', ['requested', 'accepted'])
      .returning(['id'])
      .execute();
    for (const r of open) await enqueue(trx, deps.ids, now, 'relay.notify', id, { relayId: r.id, event: 'cancelled' });
  });
}

/**
 * After a person fixed what the provider refused: a consultation that needs attention goes back to "booked" and its
 * meeting is tried again; a cancelled one whose meeting could not be deleted has the delete tried again.
 */
export async function retryConsultation(deps: SchedulerDeps, id: string, actor: string): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  if (current.status === 'cancelled') {
    const meeting = await db.selectFrom('meetings').select('consultation_id').where('consultation_id', '=', id).executeTakeFirst();
    if (!meeting)
      return fail(
        problem(
          'invalid_state',
          'この相談は取り消し済みで、会議も削除済みです。やり直すことはありません。',
          'This consultation is cancelled and its meeting is already deleted; there is nothing to retry.',
        ),
      );
    const now = deps.clock();
    await db.transaction().execute(async (trx) => {
      await enqueue(trx, deps.ids, now, 'meeting.sync', id);
      await writeAudit(trx, deps.ids, now, {
        actor,
        action: 'consultation.retried',
        entity: 'consultation',
        entityId: id,
        before: null,
        after: { retry: 'delete meeting' },
      });
    });
    deps.onQueued?.();
    return ok((await viewById(db, id))!);
  }
  const next = transition(current.status as ConsultationStatus, 'retried');
  if (!next.ok) return next;
  return applyChange(deps, current, { status: next.value, status_note: '' }, 'consultation.retried', actor);
}
