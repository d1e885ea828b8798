// The city's opening calendar: weekly hours, national holidays, 年末年始 and admin closures / special openings. Pure, no I/O.
import type { LocalDate } from '../../core/time.ts';
import { formatMinute, weekdayOf } from '../../core/time.ts';
import type { TimeRange } from '../../core/hours.ts';
import { subtractRange, unionRanges } from '../../core/hours.ts';
import type { Bilingual } from '../../core/errors.ts';

export type ExceptionKind = 'closed' | 'open';

/**
 * An admin's change to the usual calendar: a closure (whole days, or part of each day in the range)
 * or a special opening day. Without times, a closure covers the whole day and an opening uses the usual weekday hours.
 */
export interface CalendarException {
  readonly id?: string;
  readonly kind: ExceptionKind;
  readonly startDate: LocalDate;
  readonly endDate: LocalDate;
  readonly startMinute: number | null;
  readonly endMinute: number | null;
  readonly note: string;
}

export interface CityCalendar {
  /** Index 0 = Sunday … 6 = Saturday. */
  readonly weeklyHours: ReadonlyArray<ReadonlyArray<TimeRange>>;
  readonly closeOnHolidays: boolean;
  /** Holiday names by date (national, substitute and 国民の休日). */
  readonly holidays: ReadonlyMap<LocalDate, Bilingual>;
  /** e.g. { from: '12-29', to: '01-03' }; may wrap the year. */
  readonly yearEndClosure: { readonly from: string; readonly to: string } | null;
  readonly exceptions: ReadonlyArray<CalendarException>;
}

export interface DayPlan {
  readonly date: LocalDate;
  /** Opening ranges, sorted, not overlapping; empty when closed. */
  readonly open: ReadonlyArray<TimeRange>;
  /** Why the whole day is closed, when it is. */
  readonly closedBecause: Bilingual | null;
}

const WEEKDAY_JA = ['日曜日', '月曜日', '火曜日', '水曜日', '木曜日', '金曜日', '土曜日'];
const WEEKDAY_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function covers(e: CalendarException, date: LocalDate): boolean {
  return e.startDate <= date && date <= e.endDate;
}

function inYearEnd(closure: CityCalendar['yearEndClosure'], date: LocalDate): boolean {
  if (!closure) return false;
  const md = date.slice(5);
  return closure.from <= closure.to ? md >= closure.from && md <= closure.to : md >= closure.from || md <= closure.to;
}

/** The usual hours of an ordinary weekday, used by special openings without times. */
function usualHours(cal: CityCalendar): ReadonlyArray<TimeRange> {
  return cal.weeklyHours.find((h) => h.length > 0) ?? [];
}

function baseDay(cal: CityCalendar, date: LocalDate): { open: TimeRange[]; closedBecause: Bilingual | null } {
  const openings = cal.exceptions.filter((e) => e.kind === 'open' && covers(e, date));
  if (openings.length > 0) {
    const ranges = openings.flatMap((e) => (e.startMinute !== null && e.endMinute !== null ? [{ start: e.startMinute, end: e.endMinute }] : usualHours(cal)));
    return { open: unionRanges(ranges), closedBecause: null };
  }
  const holiday = cal.holidays.get(date);
  if (cal.closeOnHolidays && holiday) {
    return {
      open: [],
      closedBecause: { ja: `祝日（${holiday.ja}）のため閉庁日です`, en: `closed for a national holiday (${holiday.en})` },
    };
  }
  if (inYearEnd(cal.yearEndClosure, date)) {
    return { open: [], closedBecause: { ja: '年末年始のため閉庁日です', en: 'closed for the year-end holidays' } };
  }
  const weekday = weekdayOf(date);
  const hours = cal.weeklyHours[weekday] ?? [];
  if (hours.length === 0) {
    return {
      open: [],
      closedBecause: { ja: `${WEEKDAY_JA[weekday]}のため閉庁日です`, en: `closed on ${WEEKDAY_EN[weekday]}s` },
    };
  }
  return { open: unionRanges(hours), closedBecause: null };
}

/** When the counter is open on one date, and if it is closed all day, why. */
export function planDay(cal: CityCalendar, date: LocalDate): DayPlan {
  const base = baseDay(cal, date);
  let open = base.open;
  let closedBecause = base.closedBecause;
  for (const e of cal.exceptions) {
    if (e.kind !== 'closed' || !covers(e, date)) continue;
    const whole = e.startMinute === null || e.endMinute === null;
    open = whole ? [] : subtractRange(open, { start: e.startMinute!, end: e.endMinute! });
    if (open.length === 0 && closedBecause === null) {
      const note = e.note.trim();
      closedBecause = note ? { ja: `臨時閉庁日です（${note}）`, en: `closed by the city (${note})` } : { ja: '臨時閉庁日です', en: 'closed by the city' };
    }
  }
  return { date, open, closedBecause };
}

/** 'HH:MM–HH:MM, HH:MM–HH:MM' for messages. */
export function describeRanges(ranges: ReadonlyArray<TimeRange>): string {
  return ranges.map((r) => `${formatMinute(r.start)}–${formatMinute(r.end)}`).join(', ');
}
