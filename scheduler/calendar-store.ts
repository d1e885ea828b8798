// The city calendar as configured plus the admins' closures and special openings kept in the store.
import type { CalendarException, CityCalendar, ExceptionKind } from './calendar/calendar.ts';
import { japaneseHolidays } from './calendar/holidays.ts';
import type { Config } from '../core/config.ts';
import type { Db } from '../core/store/schema.ts';
import { referenceData } from '../core/store/reference.ts';
import type { IdSource } from '../core/ids.ts';
import { writeAudit } from '../core/audit.ts';
import type { Result } from '../core/errors.ts';
import { fail, fieldProblem, ok } from '../core/errors.ts';
import { isLocalDate, parseMinute } from '../core/time.ts';
import { z } from 'zod';

export function listCalendarExceptions(db: Db): Promise<CalendarException[]> {
  return referenceData(db, 'calendar_exceptions', readCalendarExceptions);
}

async function readCalendarExceptions(db: Db): Promise<CalendarException[]> {
  const rows = await db.selectFrom('calendar_exceptions').selectAll().orderBy('start_date').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as ExceptionKind,
    startDate: r.start_date,
    endDate: r.end_date,
    startMinute: r.start_minute,
    endMinute: r.end_minute,
    note: r.note,
  }));
}

export async function loadCityCalendar(db: Db, config: Config['calendar']): Promise<CityCalendar> {
  return { ...config, holidays: japaneseHolidays(), exceptions: await listCalendarExceptions(db) };
}

export async function addCalendarException(
  db: Db,
  ids: IdSource,
  now: number,
  actor: string,
  e: Omit<CalendarException, 'id'>,
): Promise<CalendarException & { readonly id: string }> {
  const id = ids.shortId();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('calendar_exceptions')
      .values({
        id,
        kind: e.kind,
        start_date: e.startDate,
        end_date: e.endDate,
        start_minute: e.startMinute,
        end_minute: e.endMinute,
        note: e.note,
        created_by: actor,
        created_at: new Date(now).toISOString(),
      })
      .execute();
    const created = { id, ...e };
    await writeAudit(trx, ids, now, { actor, action: 'calendar_exception.created', entity: 'calendar_exception', entityId: id, before: null, after: created });
    return created;
  });
}

export async function removeCalendarException(db: Db, ids: IdSource, now: number, actor: string, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('calendar_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) return false;
    await trx.deleteFrom('calendar_exceptions').where('id', '=', id).execute();
    await writeAudit(trx, ids, now, { actor, action: 'calendar_exception.removed', entity: 'calendar_exception', entityId: id, before, after: null });
    return true;
  });
}

/** The admin's request for a closure or special opening (API body or admin form), checked. */
export function parseCalendarException(b: {
  kind: ExceptionKind;
  startDate: string;
  endDate?: string | undefined;
  startTime?: string | undefined;
  endTime?: string | undefined;
  note?: string | undefined;
}): Result<Omit<CalendarException, 'id'>> {
  const endDate = b.endDate || b.startDate;
  if (endDate < b.startDate) return fail(fieldProblem('endDate', '終了日は開始日以降にしてください。', 'The end date must not be before the start date.'));
  const startMinute = b.startTime ? parseMinute(b.startTime) : null;
  const endMinute = b.endTime ? parseMinute(b.endTime) : null;
  if (Boolean(b.startTime) !== Boolean(b.endTime))
    return fail(
      fieldProblem('endTime', '時刻は開始と終了の両方を入れるか、両方とも空にしてください（空なら終日）。', 'Give both times, or neither (the whole day).'),
    );
  if ((b.startTime && startMinute === null) || (b.endTime && endMinute === null) || (startMinute !== null && endMinute !== null && endMinute <= startMinute)) {
    return fail(fieldProblem('endTime', '時刻は 00:00〜24:00 で、終了を開始より後にしてください。', 'Times must be 00:00–24:00 with the end after the start.'));
  }
  return ok({ kind: b.kind, startDate: b.startDate, endDate, startMinute, endMinute, note: b.note?.trim() ?? '' });
}

/** A date in the city, as an API or a form gives it. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' })
  .refine(isLocalDate, { error: 'not a real calendar date' })
  .meta({ description: 'A date in the city (Asia/Tokyo), YYYY-MM-DD', example: '2026-12-01' });

/** A closure or special opening as the API and the admin form send it. */
export const CalendarExceptionBody = z.strictObject({
  kind: z.enum(['closed', 'open']).meta({ description: 'closed: a closure; open: a special opening day' }),
  startDate: LocalDate,
  endDate: LocalDate.optional().meta({ description: 'Defaults to startDate' }),
  startTime: z
    .string()
    .regex(/^\d{2}:\d{2}$/, { error: 'expected HH:MM' })
    .optional()
    .meta({ example: '12:00' }),
  endTime: z
    .string()
    .regex(/^\d{2}:\d{2}$/, { error: 'expected HH:MM' })
    .optional()
    .meta({ example: '13:00' }),
  note: z.string().trim().max(200).optional(),
});
