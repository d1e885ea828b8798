// Slot search: free start times on one host's calendar. Pure: `now`, the calendar and the host's bookings are arguments.
import type { CityCalendar } from './calendar.ts';
import type { Bilingual } from '../../core/errors.ts';
import { describeRanges, planDay } from './calendar.ts';
import type { LocalDate } from '../../core/time.ts';
import { MINUTE_MS, DAY_MS, addDays, startOfLocalDate, toLocalDate, toLocalMinute, formatMinute } from '../../core/time.ts';

/** A booking that occupies a host: [start, blockEnd), blockEnd = end + the buffer in force when it was booked. */
export interface Busy {
  readonly start: number;
  readonly blockEnd: number;
}

export interface Slot {
  readonly start: number;
  readonly end: number;
}

export interface SlotRules {
  readonly gridMinutes: number;
  readonly bufferMinutes: number;
  readonly minNoticeMinutes: number;
  readonly horizonDays: number;
}

export interface SlotQuery extends SlotRules {
  readonly calendar: CityCalendar;
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly durationMinutes: number;
  readonly now: number;
  /** The host's bookings, any order. */
  readonly busy: ReadonlyArray<Busy>;
  /** Stop after this many slots. */
  readonly limit?: number;
}

function ceilToGrid(ms: number, dayStart: number, gridMs: number): number {
  return dayStart + Math.ceil((ms - dayStart) / gridMs) * gridMs;
}

/** Free start times between two dates (inclusive), in time order. */
export function findFreeSlots(q: SlotQuery): Slot[] {
  const durationMs = q.durationMinutes * MINUTE_MS;
  const bufferMs = q.bufferMinutes * MINUTE_MS;
  const gridMs = q.gridMinutes * MINUTE_MS;
  const earliest = q.now + q.minNoticeMinutes * MINUTE_MS;
  const latest = q.now + q.horizonDays * DAY_MS;
  const limit = q.limit ?? Infinity;
  // Bookings never overlap (the store forbids it), so sorted by start they are sorted by blockEnd too.
  const busy = [...q.busy].sort((a, b) => a.start - b.start);
  const slots: Slot[] = [];
  let next = 0;
  // biome-ignore lint/complexity/useMathMinMax: dates as YYYY-MM-DD strings, compared as text
  const lastDate = q.to < toLocalDate(latest) ? q.to : toLocalDate(latest);
  for (let date = q.from; date <= lastDate; date = addDays(date, 1)) {
    const dayStart = startOfLocalDate(date);
    if (dayStart + DAY_MS <= earliest) continue;
    for (const range of planDay(q.calendar, date).open) {
      const rangeEnd = dayStart + range.end * MINUTE_MS;
      let start = ceilToGrid(Math.max(dayStart + range.start * MINUTE_MS, earliest), dayStart, gridMs);
      while (start + durationMs <= rangeEnd && start <= latest) {
        while (next < busy.length && busy[next]!.blockEnd <= start) next++;
        const blocker = busy[next];
        if (blocker && blocker.start < start + durationMs + bufferMs) {
          start = ceilToGrid(blocker.blockEnd, dayStart, gridMs);
          continue;
        }
        slots.push({ start, end: start + durationMs });
        if (slots.length >= limit) return slots;
        start += gridMs;
      }
    }
  }
  return slots;
}

/**
 * Why a consultation [start, end) does not fit the opening hours, or null when it does.
 * Messages name the day's hours so that staff can pick another time at once.
 */
export function explainOutsideHours(cal: CityCalendar, start: number, end: number): Bilingual | null {
  const date = toLocalDate(start);
  const plan = planDay(cal, date);
  if (plan.closedBecause) {
    return { ja: `${date} は${plan.closedBecause.ja}。`, en: `${date} is ${plan.closedBecause.en}.` };
  }
  const dayStart = startOfLocalDate(date);
  const fits = plan.open.some((r) => start >= dayStart + r.start * MINUTE_MS && end <= dayStart + r.end * MINUTE_MS);
  if (fits) return null;
  const hours = describeRanges(plan.open);
  const longest = Math.max(...plan.open.map((r) => r.end - r.start));
  const minutes = (end - start) / MINUTE_MS;
  if (minutes > longest) {
    return {
      ja: `${minutes}分の相談は ${date} の受付時間（${hours}）に収まりません。${longest}分以内にしてください。`,
      en: `A ${minutes}-minute consultation does not fit ${date}'s opening hours (${hours}); keep it to ${longest} minutes or less.`,
    };
  }
  const endText = toLocalDate(end) === date ? formatMinute(toLocalMinute(end)) : '翌日';
  return {
    ja: `${formatMinute(toLocalMinute(start))}–${endText} は受付時間外です。${date} の受付時間は ${hours} です。`,
    en: `${formatMinute(toLocalMinute(start))}–${endText === '翌日' ? 'next day' : endText} is outside opening hours; on ${date} the counter is open ${hours}.`,
  };
}
