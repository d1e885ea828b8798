// The periods the figures are asked for: a range of days, a 年度 (the city's fiscal year, April to March), a month, or
// a week (Monday to Sunday). Dates are the city's (JST); labels are shown in Japanese first, 西暦 with 和暦 beside it.
import { addDays, daysBetween, isLocalDate, weekdayOf } from '../core/time.ts';
import type { LocalDate } from '../core/time.ts';
import type { Result } from '../core/errors.ts';
import { fail, fieldProblem, ok } from '../core/errors.ts';

export interface Period {
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly kind: 'range' | 'fiscalYear' | 'month' | 'week';
  readonly ja: string;
  readonly en: string;
}

/** The longest range the figures are computed for at once: three 年度. */
export const MAX_PERIOD_DAYS = 3 * 366;

/** 令和 (from 2019-05-01) or 平成 year of a 西暦 year, as people write it: 令和元年, 令和8年. */
export function eraYear(year: number): string {
  if (year >= 2019) return year === 2019 ? '令和元年' : `令和${year - 2018}年`;
  return year === 1989 ? '平成元年' : `平成${year - 1988}年`;
}

/** The 年度 a date belongs to: April 2026 to March 2027 is 2026年度. */
export function fiscalYearOf(date: LocalDate): number {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 4 ? y : y - 1;
}

export function fiscalYear(year: number): Period {
  return {
    from: `${year}-04-01`,
    to: `${year + 1}-03-31`,
    kind: 'fiscalYear',
    ja: `${year}年度（${eraYear(year).replace(/年$/, '')}年度）`,
    en: `FY${year} (April ${year} to March ${year + 1})`,
  };
}

const lastDayOfMonth = (month: string) => addDays(`${nextMonth(month)}-01`, -1);

function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function monthPeriod(month: string): Period {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return { from: `${month}-01`, to: lastDayOfMonth(month), kind: 'month', ja: `${y}年${m}月（${eraYear(y)}${m}月）`, en: `${month}` };
}

const dayJa = (d: LocalDate) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

export function rangePeriod(from: LocalDate, to: LocalDate): Period {
  return { from, to, kind: 'range', ja: `${dayJa(from)}〜${dayJa(to)}`, en: `${from} to ${to}` };
}

/** The week (Monday to Sunday) before the one `today` is in. */
export function lastWeek(today: LocalDate): Period {
  const monday = addDays(today, -((weekdayOf(today) + 6) % 7) - 7);
  return { ...rangePeriod(monday, addDays(monday, 6)), kind: 'week' };
}

/** The months (YYYY-MM) a period touches, in order. */
export function monthsOf(period: Pick<Period, 'from' | 'to'>): string[] {
  const out: string[] = [];
  for (let m = period.from.slice(0, 7); m <= period.to.slice(0, 7); m = nextMonth(m)) out.push(m);
  return out;
}

export interface PeriodQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly fiscalYear?: string | number | undefined;
  readonly month?: string | undefined;
}

/**
 * What a person or a client asked for: `fiscalYear=2026`, `month=2026-11`, or `from` and `to` (both days included);
 * with nothing, the 年度 of `today`.
 */
export function parsePeriod(q: PeriodQuery, today: LocalDate): Result<Period> {
  const given = (v: unknown) => v !== undefined && v !== '';
  if (given(q.fiscalYear)) {
    const y = Number(q.fiscalYear);
    if (!Number.isInteger(y) || y < 2000 || y > 2100)
      return fail(
        fieldProblem('fiscalYear', '年度は 2026 のように西暦で入れてください（2000〜2100）。', 'Give the fiscal year as a year from 2000 to 2100, e.g. 2026.'),
      );
    return ok(fiscalYear(y));
  }
  if (given(q.month)) {
    // 2026-11, 2026/11, 2026年11月, full-width digits: all read as the month.
    const typed = /^(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?$/.exec(String(q.month).normalize('NFKC').trim());
    const m = typed ? `${typed[1]}-${typed[2]!.padStart(2, '0')}` : String(q.month);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m))
      return fail(fieldProblem('month', '月は 2026-11 のように入れてください。', 'Give the month as YYYY-MM, e.g. 2026-11.'));
    return ok(monthPeriod(m));
  }
  if (given(q.from) || given(q.to)) {
    const from = String(q.from ?? '')
      .normalize('NFKC')
      .trim();
    const to = String(q.to ?? '')
      .normalize('NFKC')
      .trim();
    if (from === '') return fail(fieldProblem('from', '開始日を入れてください。', 'Give the first day.'));
    if (to === '') return fail(fieldProblem('to', '終了日を入れてください。', 'Give the last day.'));
    if (!isLocalDate(from)) return fail(fieldProblem('from', '開始日を 2026-04-01 のように入れてください。', 'Give the first day as YYYY-MM-DD.'));
    if (!isLocalDate(to)) return fail(fieldProblem('to', '終了日を 2027-03-31 のように入れてください。', 'Give the last day as YYYY-MM-DD.'));
    if (to < from) return fail(fieldProblem('to', '終了日は開始日以降にしてください。', 'The last day must not be before the first.'));
    if (daysBetween(from, to) > MAX_PERIOD_DAYS)
      return fail(fieldProblem('to', '一度に集計できるのは 3 年度分までです。', 'At most three fiscal years can be counted at once.'));
    return ok(rangePeriod(from, to));
  }
  return ok(fiscalYear(fiscalYearOf(today)));
}
