// Consultations: book, reschedule, cancel and retry on a host, never twice; every change goes through lifecycle.ts
// (version, audit) with its jobs (the meeting, the mails, the start and end) in the same transaction.
import type { AppEvents } from '../core/events.ts';
import type { Config } from '../core/config.ts';
import type { Store } from '../core/store/db.ts';
import { flushErased, isOverlapViolation, isUniqueViolation, lockUntilCommit, retryTransient } from '../core/store/db.ts';
import type { ConsultationTable, Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import { sha256 } from '../core/ids.ts';
import type { Problem, Result } from '../core/errors.ts';
import { fail, fieldProblem, ok, problem } from '../core/errors.ts';
import { enqueue, enqueueAll, planned } from '../core/outbox.ts';
import { writeAudit } from '../core/audit.ts';
import type { Host } from './hosts.ts';
import { listHosts } from './hosts.ts';
import type { Department } from './departments.ts';
import { contactFor, listDepartments, matchDepartment } from './departments.ts';
import type { CityCalendar } from './calendar/calendar.ts';
import type { Busy } from './calendar/slots.ts';
import { explainOutsideHours, findFreeSlots } from './calendar/slots.ts';
import type { LocalDate } from '../core/time.ts';
import { DAY_MS, MINUTE_MS, addDays, formatJa, formatMinute, startOfLocalDate, toCityIso, toLocalDate, toLocalMinute } from '../core/time.ts';
import { loadCityCalendar } from './calendar-store.ts';
import { planDay } from './calendar/calendar.ts';
import { resolveConsultationType } from './consultation-types.ts';
import { enqueueReminders, reminderJobs } from './reminders.ts';
import type { ConsultationStatus } from './status.ts';
import { canReschedule, isOpen, statusLabelJa } from './status.ts';
import { erasePersonalData } from './personal-data.ts';
import type { ConsultationHooks, Change } from './lifecycle.ts';
import { LONGEST_BLOCK_MS, STALE, applyChange, createConsultation, newConsultationRow } from './lifecycle.ts';
import type { ConsultationView } from './views.ts';
import { notFound, toViews, viewById } from './views.ts';
import { MAIL_CANCELLATION, MAIL_CHANGE, MEETING_SYNC, momentJobs, planMoments } from './job-kinds.ts';

export interface SchedulerDeps {
  readonly store: Store;
  readonly config: Config;
  readonly ids: IdSource;
  readonly clock: () => number;
  /** In-meeting app events (live pages); absent in tests that do not need them. */
  readonly events?: AppEvents | undefined;
  /** What the domains above must do with a change (end an open relay when the consultation closes). */
  readonly hooks?: ConsultationHooks | undefined;
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

// ---------------------------------------------------------------- slots

/**
 * The hosts' bookings that reach into [from, to): only those starting up to LONGEST_BLOCK_MS before `from` are read,
 * so the index on start reads the range asked for, not the years of history before it.
 */
async function busyByHost(db: Db, hostIds: ReadonlyArray<string>, from: number, to: number, exceptId?: string): Promise<Map<string, Busy[]>> {
  let q = db
    .selectFrom('consultations')
    .select(['host_id', 'start_at', 'block_end_at'])
    .where('host_id', 'in', hostIds as string[])
    .where('status', '<>', 'cancelled')
    .where('start_at', '>', iso(from - LONGEST_BLOCK_MS))
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
  // Hosts in a fixed order (by id): slots at the same time come in that order.
  const hostIds = [...s.hostIds].sort();
  const perHost = hostIds.map((hostId) =>
    findFreeSlots({
      calendar,
      ...deps.config.slots,
      from: s.from,
      to: s.to,
      durationMinutes: s.durationMinutes,
      now,
      busy: busy.get(hostId) ?? [],
      ...(s.limit ? { limit: s.limit } : {}),
    }),
  );
  // Each host's slots are in time order already: merged, not sorted, and made into the answer's objects in the same
  // pass (a year of four hosts is some 30,000 slots; every object less is garbage the collector need not chase).
  const out: SlotView[] = [];
  const at = perHost.map(() => 0);
  const limit = s.limit ?? Number.POSITIVE_INFINITY;
  while (out.length < limit) {
    let pick = -1;
    for (let h = 0; h < perHost.length; h++) {
      const slot = perHost[h]![at[h]!];
      if (slot && (pick < 0 || slot.start < perHost[pick]![at[pick]!]!.start)) pick = h;
    }
    if (pick < 0) break;
    const slot = perHost[pick]![at[pick]!++]!;
    out.push({ hostId: hostIds[pick]!, start: toCityIso(slot.start), end: toCityIso(slot.end) });
  }
  return out;
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
  if (q.to < q.from) return fail(fieldProblem('to', '終了日は開始日以降にしてください。', 'The end date (to) must not be before the start date (from).'));
  // Side by side: on PostgreSQL each is a round trip.
  const [hosts, calendar] = await Promise.all([resolveHosts(deps.store.db, q.hostId), loadCityCalendar(deps.store.db, deps.config.calendar)]);
  if (!hosts.ok) return hosts;
  return ok(await searchSlots(deps, calendar, { from: q.from, to: q.to, durationMinutes: q.durationMinutes, hostIds: hosts.value.map((h) => h.id) }));
}

/**
 * The first free time of the same length from a consultation's own time on (any host; its own host first at the same
 * time), within the booking horizon: where a consultation goes when its day is closed.
 */
export async function nextFreeTime(deps: SchedulerDeps, c: ConsultationView): Promise<SlotView | null> {
  const hosts = await listHosts(deps.store.db);
  if (hosts.length === 0) return null;
  const calendar = await loadCityCalendar(deps.store.db, deps.config.calendar);
  const from = toLocalDate(Math.max(Date.parse(c.start), deps.clock()));
  const to = toLocalDate(deps.clock() + deps.config.slots.horizonDays * DAY_MS);
  if (to < from) return null;
  const slots = await searchSlots(deps, calendar, { from, to, durationMinutes: c.durationMinutes, hostIds: hosts.map((h) => h.id), exceptId: c.id });
  const later = slots.filter((slot) => Date.parse(slot.start) >= Date.parse(c.start));
  const first = later[0];
  if (!first) return null;
  return later.find((slot) => slot.start === first.start && slot.hostId === c.hostId) ?? first;
}

/** The days between two dates (inclusive) when the counter is closed, and why (a holiday's name, 年末年始, a closure's note). */
export async function closedDaysBetween(
  deps: Pick<SchedulerDeps, 'store' | 'config'>,
  from: LocalDate,
  to: LocalDate,
): Promise<Array<{ date: LocalDate; reason: { ja: string; en: string } }>> {
  const calendar = await loadCityCalendar(deps.store.db, deps.config.calendar);
  const out: Array<{ date: LocalDate; reason: { ja: string; en: string } }> = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const why = planDay(calendar, date).closedBecause;
    if (why) out.push({ date, reason: { ja: why.ja, en: why.en } });
  }
  return out;
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
  // Times on the grid the slots are offered on (SLOT_GRID_MINUTES from midnight, city time): 10:00 or 10:30, not 10:07.
  const { gridMinutes } = deps.config.slots;
  const minute = toLocalMinute(start);
  if (minute % gridMinutes !== 0 || start % MINUTE_MS !== 0) {
    const before = minute - (minute % gridMinutes);
    const after = before + gridMinutes;
    return fieldProblem(
      'start',
      `予約は${gridMinutes}分ごとの時刻でお願いします（${formatMinute(minute)} ではなく、${formatMinute(before)} か ${formatMinute(after)}）。`,
      `Start on the ${gridMinutes}-minute grid: ${formatMinute(before)} or ${formatMinute(after)}, not ${formatMinute(minute)}.`,
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

/** A department by what was typed (name or alias), or the refusal naming the closest ones. */
export async function resolveDepartment(db: Db, typed: string): Promise<Result<Department>> {
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

/**
 * With real mail, an invitation must say whom to call (phone and hours): without a contact for the department or the
 * city, nothing is booked. A dry run writes the mail to a file and warns at start-up instead.
 */
export function contactProblem(config: Pick<Config, 'mail' | 'city'>, department: Department): Problem | null {
  if (!config.mail.smtpUrl || contactFor(department, config.city)) return null;
  return problem(
    'invalid_state',
    `${department.name}の連絡先（電話番号と受付時間）が設定されていないため、案内メールを送れません。管理画面の「課」で${department.name}の連絡先を入れるか、CITY_CONTACT を設定してください。`,
    `${department.name} has no contact (phone number and hours), so no invitation can be sent. Enter it under Departments in the admin page, or set CITY_CONTACT.`,
    { extra: { department: department.name } },
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
    .where('start_at', '>', iso(start - LONGEST_BLOCK_MS))
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
  const end = input.start + input.durationMinutes * MINUTE_MS;
  const blockEnd = end + deps.config.slots.bufferMinutes * MINUTE_MS;
  // What the booking needs to know, read side by side (on PostgreSQL each read is a round trip of its own): the hosts,
  // the department, the type, the calendar, and which hosts are taken at that time (so that the free ones are tried
  // first, not found by trying each in turn; the database still decides).
  const [hosts, department, consultationType, calendar, takenRows] = await Promise.all([
    resolveHosts(db, input.hostId),
    resolveDepartment(db, input.department),
    resolveConsultationType(db, input.consultationType),
    loadCityCalendar(db, deps.config.calendar),
    db
      .selectFrom('consultations')
      .select('host_id')
      .where('status', '<>', 'cancelled')
      .where('start_at', '>', iso(input.start - LONGEST_BLOCK_MS))
      .where('start_at', '<', iso(blockEnd))
      .where('block_end_at', '>', iso(input.start))
      .execute(),
  ]);
  if (!hosts.ok) return hosts;
  if (!department.ok) return department;
  const noContact = contactProblem(deps.config, department.value);
  if (noContact) return fail(noContact);
  if (!consultationType.ok) return consultationType;
  const timeProblem = checkTimes(deps, calendar, input.start, input.durationMinutes);
  if (timeProblem) return fail(timeProblem);
  const taken = new Set(takenRows.map((r) => r.host_id));
  const tryHosts = hosts.value.filter((h) => !taken.has(h.id));
  for (const host of tryHosts) {
    const now = deps.clock();
    const row = newConsultationRow(
      {
        id: deps.ids.shortId(),
        host_id: host.id,
        start_at: iso(input.start),
        end_at: iso(end),
        block_end_at: iso(blockEnd),
        department_id: department.value.id,
        citizen_name: input.citizen.name,
        citizen_email: input.citizen.email,
        topic: input.topic ?? '',
        consultation_type: consultationType.value,
        citizen_locale: input.citizen.locale ?? 'ja',
        booked_by: actor,
        kind: 'booked',
        site_id: host.siteId,
      },
      now,
    );
    try {
      const view = await retryTransient(() =>
        db.transaction().execute(async (trx) => {
          // Bookings of one host take turns: concurrent inserts of overlapping times would otherwise deadlock on the
          // exclusion constraint and retry, and under a burst some would run out of time.
          await lockUntilCommit(trx, `host:${host.id}`);
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
          const [created] = await toViews(trx, [row], { departments: [department.value], noMeetings: true });
          try {
            await createConsultation(trx, deps, row, actor, now, created);
          } catch (error) {
            if (isOverlapViolation(error)) throw new Overlap();
            throw error;
          }
          // The meeting, the reminders and the consultation's moments: one statement (it is new: nothing to coalesce with).
          await enqueueAll(
            trx,
            deps.ids,
            now,
            [
              planned(MEETING_SYNC, row.id, {}),
              ...reminderJobs(deps.config, row.id, row.schedule_version, input.start, now),
              ...momentJobs(now, { id: row.id, start: input.start, blockEnd, scheduleVersion: row.schedule_version }),
            ],
            { fresh: true },
          );
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
  // A repeat of a request that booked a moment ago finds the host taken (by itself): it answers as the first did.
  if (idempotencyKey) {
    const previous = await replay(db, actor, idempotencyKey, requestHash);
    if (previous) return previous;
  }
  return fail(await conflictProblem(deps, calendar, hosts.value, input.start, end));
}

// ---------------------------------------------------------------- reschedule, cancel

/**
 * A change of one consultation, through lifecycle.ts (only if nobody changed it since it was read), with the audit
 * entry showing the consultation before and after, and the meeting job, in one transaction. An overlap error is left
 * to the caller.
 */
/** What a change of one consultation needs (the clock job extends with it too). */
export type ChangeDeps = Pick<SchedulerDeps, 'store' | 'ids' | 'clock' | 'hooks'>;

async function change(
  deps: ChangeDeps,
  current: ConsultationTable,
  what: Omit<Change, 'now' | 'describe'>,
  /** More work in the same transaction (messages to the citizen, the moments at the new time). */
  followUp?: (trx: Db, updated: ConsultationTable, now: number) => Promise<void>,
  o: { readonly syncMeeting: boolean } = { syncMeeting: true },
): Promise<Result<ConsultationView>> {
  const now = deps.clock();
  const r = await retryTransient(() =>
    deps.store.db.transaction().execute(async (trx) => {
      // A change that moves the consultation takes its turn with the bookings of the host it moves to.
      if (what.schedule) await lockUntilCommit(trx, `host:${what.schedule.host_id}`);
      const describe = async (row: ConsultationTable) => (await toViews(trx, [row]))[0];
      const changed = await applyChange(trx, deps, current, { ...what, now, describe });
      if (!changed.ok) return changed;
      if (o.syncMeeting) await enqueue(trx, deps.ids, now, MEETING_SYNC, current.id, {});
      await followUp?.(trx, changed.value, now);
      return ok((await toViews(trx, [changed.value]))[0]!);
    }),
  );
  return r;
}

/**
 * Read again and try again when the consultation changed between reading and writing it (the meeting job or the
 * clock moved it on, a second before): a person's request is about the consultation as it is now. Only a row that
 * keeps changing is answered as changed by someone else.
 */
async function onFreshRow<T>(attempt: () => Promise<Result<T>>): Promise<Result<T>> {
  for (let i = 0; ; i++) {
    const r = await attempt();
    if (r.ok || r.reason !== STALE || i >= 3) return r;
  }
}

export function rescheduleConsultation(deps: SchedulerDeps, id: string, patch: RescheduleInput, actor: string): Promise<Result<ConsultationView>> {
  return onFreshRow(() => rescheduleOnce(deps, id, patch, actor));
}

async function rescheduleOnce(deps: SchedulerDeps, id: string, patch: RescheduleInput, actor: string): Promise<Result<ConsultationView>> {
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
  // The same time, length and host: nothing changes, nobody is told (no "日時が変わりました" with the same time twice).
  if (start === oldStart && start + durationMinutes * MINUTE_MS === Date.parse(current.end_at) && (patch.hostId ?? current.host_id) === current.host_id) {
    return ok((await toViews(db, [current]))[0]!);
  }
  const hosts = await resolveHosts(db, patch.hostId ?? current.host_id);
  if (!hosts.ok) return hosts;
  const calendar = await loadCityCalendar(db, deps.config.calendar);
  const timeProblem = checkTimes(deps, calendar, start, durationMinutes);
  if (timeProblem) return fail(timeProblem);
  const end = start + durationMinutes * MINUTE_MS;
  const blockEnd = end + deps.config.slots.bufferMinutes * MINUTE_MS;
  try {
    return await change(
      deps,
      current,
      {
        schedule: { host_id: hosts.value[0]!.id, start_at: iso(start), end_at: iso(end), block_end_at: iso(blockEnd) },
        action: 'consultation.rescheduled',
        actor,
      },
      async (trx, updated, now) => {
        await enqueueReminders(trx, deps.ids, now, deps.config, id, updated.schedule_version, start);
        await planMoments(trx, deps.ids, now, { id, start, blockEnd, scheduleVersion: updated.schedule_version });
        // The citizen has the old time: tell them (sent once the meeting has moved; it names what they were last told).
        if (current.status === 'invited') {
          await enqueue(trx, deps.ids, now, MAIL_CHANGE, id, { previous: { start: toCityIso(oldStart), end: toCityIso(Date.parse(current.end_at)) } });
        }
      },
    );
  } catch (error) {
    if (!isOverlapViolation(error)) throw error;
    return fail(await conflictProblem(deps, calendar, hosts.value, start, end, id));
  }
}

export function cancelConsultation(deps: SchedulerDeps, id: string, reason: string, actor: string): Promise<Result<ConsultationView>> {
  return onFreshRow(() => cancelOnce(deps, id, reason, actor));
}

async function cancelOnce(deps: SchedulerDeps, id: string, reason: string, actor: string): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  // A relay still open for it ends with it (lifecycle's `closed` hook), so nobody is sent to a cancelled meeting.
  return change(deps, current, { event: 'cancelled', note: reason, action: 'consultation.cancelled', actor }, async (trx, _updated, now) => {
    // Only a citizen who was sent the meeting details needs to hear it is off.
    if (current.status === 'invited' || current.status === 'in_progress') await enqueue(trx, deps.ids, now, MAIL_CANCELLATION, id, {});
  });
}

/**
 * After a person fixed what the provider refused: a consultation that needs attention goes back to "booked" and its
 * meeting is tried again; a cancelled one whose meeting could not be deleted has the delete tried again.
 */
export function retryConsultation(deps: SchedulerDeps, id: string, actor: string): Promise<Result<ConsultationView>> {
  return onFreshRow(() => retryOnce(deps, id, actor));
}

async function retryOnce(deps: SchedulerDeps, id: string, actor: string): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  if (current.status === 'cancelled') {
    const meeting = await db.selectFrom('meetings').select('consultation_id').where('consultation_id', '=', id).executeTakeFirst();
    if (!meeting) {
      return fail(
        problem(
          'invalid_state',
          'この相談は取り消し済みで、会議も削除済みです。やり直すことはありません。',
          'This consultation is cancelled and its meeting is already deleted; there is nothing to retry.',
        ),
      );
    }
    const now = deps.clock();
    await db.transaction().execute(async (trx) => {
      await enqueue(trx, deps.ids, now, MEETING_SYNC, id, {});
      await writeAudit(trx, deps.ids, now, {
        actor,
        action: 'consultation.retried',
        entity: 'consultation',
        entityId: id,
        before: null,
        after: { retry: 'delete meeting' },
      });
    });
    return ok((await viewById(db, id))!);
  }
  return change(deps, current, { event: 'retried', note: '', action: 'consultation.retried', actor });
}

/**
 * An admin erases one consultation's personal data because the citizen asked (個人情報の削除の求め). An upcoming
 * consultation is cancelled first (so that the citizen is told), then erased; the erasure itself is audited.
 */
export async function eraseOnRequest(deps: SchedulerDeps, id: string, actor: string): Promise<Result<ConsultationView>> {
  const c = await viewById(deps.store.db, id);
  if (!c) return fail(notFound(id));
  const ended = Date.parse(c.end) <= deps.clock();
  if (!ended && isOpen(c.status)) {
    return fail(
      problem(
        'invalid_state',
        `相談 #${id} はまだこれからです。先に取り消して（相談者にお知らせが届きます）、それから消去してください。`,
        `Consultation ${id} is still ahead: cancel it first (the citizen is told), then erase it.`,
        {
          extra: { consultationStatus: c.status },
        },
      ),
    );
  }
  // The citizen is told of a cancellation first: erasing now would stop that mail.
  const telling = await deps.store.db
    .selectFrom('outbox')
    .select('id')
    .where('consultation_id', '=', id)
    .where('kind', '=', MAIL_CANCELLATION.kind)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (telling) {
    return fail(
      problem(
        'invalid_state',
        `相談 #${id} の取り消しのお知らせを、まだ相談者に送っています。送り終わってから（数分後に）消去してください。`,
        `The cancellation of consultation ${id} is still being mailed to the citizen; erase it once that is sent (in a few minutes).`,
        { extra: { retryAfterSeconds: 120 } },
      ),
    );
  }
  await erasePersonalData({ store: deps.store, ids: deps.ids, outboxDir: deps.config.mail.outboxDir }, id, deps.clock(), actor, 'request');
  await flushErased(deps.store);
  return ok((await viewById(deps.store.db, id))!);
}

/**
 * The consultation runs on (no time limit): its end moves `minutes` past its end (or past now, when it has run over),
 * holding its host that much longer. Past the closing time too; only a consultation booked next on the same host stops
 * it, and then the answer says until when it can go. The meeting is not touched: the platforms do not cut a meeting at
 * its planned end, and a walk-in's meeting is made long. For one that has not started, /move changes its time.
 */
export async function extendConsultation(
  deps: ChangeDeps & { readonly config: Pick<Config, 'slots'> },
  id: string,
  minutes: number,
  actor: string,
): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  const status = current.status as ConsultationStatus;
  if (!isOpen(status)) {
    return fail(
      problem('invalid_state', `相談 #${id} は「${statusLabelJa(status)}」のため延長できません。`, `Consultation #${id} is ${status}; it cannot be extended.`),
    );
  }
  const now = deps.clock();
  const start = Date.parse(current.start_at);
  if (start > now) {
    return fail(
      problem(
        'invalid_state',
        `相談 #${id} はまだ始まっていません（${formatJa(start)}）。時間を変えるときは /move を使ってください。`,
        `Consultation #${id} has not started yet; use /move to change its time.`,
      ),
    );
  }
  const end = Math.max(Date.parse(current.end_at), now) + minutes * MINUTE_MS;
  const blockEnd = end + deps.config.slots.bufferMinutes * MINUTE_MS;
  try {
    return await change(
      deps,
      current,
      {
        schedule: { host_id: current.host_id, start_at: current.start_at, end_at: iso(end), block_end_at: iso(blockEnd) },
        action: 'consultation.extended',
        actor,
      },
      (trx, updated, at) => planMoments(trx, deps.ids, at, { id, start, blockEnd, scheduleVersion: updated.schedule_version }),
      { syncMeeting: false },
    );
  } catch (error) {
    if (!isOverlapViolation(error)) throw error;
    const next = await db
      .selectFrom('consultations')
      .select(['id', 'start_at'])
      .where('host_id', '=', current.host_id)
      .where('id', '<>', id)
      .where('status', '<>', 'cancelled')
      .where('start_at', '>=', current.start_at)
      .orderBy('start_at')
      .executeTakeFirst();
    const nextStart = next ? Date.parse(next.start_at) : end;
    const room = Math.max(0, Math.floor((nextStart - deps.config.slots.bufferMinutes * MINUTE_MS - Math.max(Date.parse(current.end_at), now)) / MINUTE_MS));
    return fail(
      problem(
        'conflict',
        `このアカウントでは ${formatJa(nextStart)} から次の相談${next ? ` #${next.id}` : ''}があるため、${minutes}分は延長できません${room > 0 ? `（あと${room}分までなら延長できます）` : ''}。次の相談をほかのアカウントへ移すか、時間を変えてください。`,
        `The host has consultation ${next ? `#${next.id} ` : ''}at ${toCityIso(nextStart)}; it can be extended by ${room} minutes at most. Move that one to another host or time.`,
        { extra: { nextConsultationId: next?.id ?? null, nextStart: toCityIso(nextStart), maxMinutes: room } },
      ),
    );
  }
}

/**
 * Staff say the consultation is over (/done #id): completed, unless it has not started yet or a relay is still open
 * for it (that one is finished first).
 */
export async function completeConsultation(
  deps: SchedulerDeps,
  id: string,
  actor: string,
  /** The branch ends a walk-in: what is still open for it ends with it (the accepter's relay is done). */
  o: { readonly endingWhatIsOpen?: boolean } = {},
): Promise<Result<ConsultationView>> {
  const { db } = deps.store;
  const current = await db.selectFrom('consultations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) return fail(notFound(id));
  if (Date.parse(current.start_at) > deps.clock()) {
    return fail(
      problem('invalid_state', `相談 #${id} はまだ始まっていません（${formatJa(Date.parse(current.start_at))}）。`, `Consultation #${id} has not started yet.`),
    );
  }
  const open = o.endingWhatIsOpen ? null : await deps.hooks?.busy?.(db, id);
  if (open) return fail(problem('invalid_state', `相談 #${id} には${open}のおつなぎがあります。先にそれを終えてください。`, 'Finish its open relay first.'));
  // A walk-in ended before its meeting was made (the citizen left at once): it is called off, its meeting not made.
  if (current.kind === 'walk_in' && (current.status === 'booked' || current.status === 'needs_attention')) {
    return change(deps, current, {
      event: 'cancelled',
      note: '会議の準備中に終えました / ended before its meeting was ready',
      action: 'consultation.cancelled',
      actor,
    });
  }
  if (current.kind === 'walk_in') {
    // The visit is over: its device is free from now (a walk-in holds it only while it goes on).
    const end = iso(Math.max(deps.clock(), Date.parse(current.start_at) + 1));
    const schedule = end < current.end_at ? { host_id: current.host_id, start_at: current.start_at, end_at: end, block_end_at: end } : undefined;
    return change(deps, current, { event: 'completed', action: 'consultation.completed', actor, ...(schedule ? { schedule } : {}) }, undefined, {
      syncMeeting: false,
    });
  }
  return change(deps, current, { event: 'completed', action: 'consultation.completed', actor });
}
