// Hours of the day as ranges of minutes, and the parsers of the calendar settings written in configuration
// (OPENING_HOURS, YEAR_END_CLOSURE). Pure. The calendar itself is the consultation domain's (scheduler/calendar/).
import { parseMinute } from './time.ts';

/** Minutes after midnight, half-open [start, end). */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

export function subtractRange(ranges: ReadonlyArray<TimeRange>, cut: TimeRange): TimeRange[] {
  const out: TimeRange[] = [];
  for (const r of ranges) {
    if (cut.end <= r.start || cut.start >= r.end) {
      out.push(r);
      continue;
    }
    if (cut.start > r.start) out.push({ start: r.start, end: cut.start });
    if (cut.end < r.end) out.push({ start: cut.end, end: r.end });
  }
  return out;
}

export function unionRanges(ranges: ReadonlyArray<TimeRange>): TimeRange[] {
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push({ ...r });
  }
  return out;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseDays(text: string): number[] | null {
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const [a, b, ...rest] = part.trim().toLowerCase().split('-');
    if (rest.length > 0 || a === undefined) return null;
    const from = DAY_NAMES.indexOf(a);
    const to = b === undefined ? from : DAY_NAMES.indexOf(b);
    if (from < 0 || to < 0) return null;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return [...days];
}

function parseRanges(text: string): TimeRange[] | null {
  const ranges: TimeRange[] = [];
  for (const part of text.split(',')) {
    const [a, b, ...rest] = part.split('-');
    if (rest.length > 0 || a === undefined || b === undefined) return null;
    const start = parseMinute(a);
    const end = parseMinute(b);
    if (start === null || end === null || end <= start) return null;
    ranges.push({ start, end });
  }
  return ranges;
}

/**
 * 'mon-fri 08:30-17:15; sat 09:00-12:00' → hours per weekday (index 0 = Sunday).
 * Days: sun mon tue wed thu fri sat, as lists (mon,wed) or ranges (mon-fri); times HH:MM-HH:MM, comma-separated.
 */
export function parseOpeningHours(text: string): Parsed<TimeRange[][]> {
  const week: TimeRange[][] = [[], [], [], [], [], [], []];
  const entries = text
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return { ok: false, reason: 'no opening hours given' };
  for (const entry of entries) {
    const [daysText, rangesText, ...rest] = entry.split(/\s+/);
    if (rest.length > 0 || !daysText || !rangesText) return { ok: false, reason: `cannot read "${entry}"` };
    const days = parseDays(daysText);
    if (!days) return { ok: false, reason: `unknown day in "${daysText}"` };
    const ranges = parseRanges(rangesText);
    if (!ranges) return { ok: false, reason: `bad time range in "${rangesText}"` };
    for (const d of days) week[d] = unionRanges([...week[d]!, ...ranges]);
  }
  return { ok: true, value: week };
}

const MONTH_DAY_RE = /^(\d{2})-(\d{2})$/;

function isMonthDay(text: string): boolean {
  const m = MONTH_DAY_RE.exec(text);
  if (!m) return false;
  const month = Number(m[1]);
  const day = Number(m[2]);
  const lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return month >= 1 && month <= 12 && day >= 1 && day <= lengths[month - 1]!;
}

/** '12-29..01-03' → { from, to }; 'none' or '' → null. */
export function parseYearEndClosure(text: string): Parsed<{ from: string; to: string } | null> {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'none') return { ok: true, value: null };
  const [from, to, ...rest] = t.split('..');
  if (rest.length > 0 || !from || !to || !isMonthDay(from) || !isMonthDay(to)) {
    return { ok: false, reason: `expected MM-DD..MM-DD, got "${t}"` };
  }
  return { ok: true, value: { from, to } };
}
