// The city's clock: Asia/Tokyo (UTC+9, no daylight saving since 1951), independent of the machine's TZ.
// Instants are epoch milliseconds (UTC); local dates are 'YYYY-MM-DD' strings; local times are minutes after midnight.

export const CITY_TIME_ZONE = 'Asia/Tokyo';
const OFFSET_MS = 9 * 60 * 60 * 1000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** A calendar date in the city, 'YYYY-MM-DD'. */
export type LocalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

/** The city date of an instant. */
export function toLocalDate(ms: number): LocalDate {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** Minutes after the city's midnight of an instant. */
export function toLocalMinute(ms: number): number {
  return Math.floor(((((ms + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** The instant of the city's midnight at the start of a date. */
export function startOfLocalDate(date: LocalDate): number {
  return Date.parse(`${date}T00:00:00Z`) - OFFSET_MS;
}

export function localInstant(date: LocalDate, minute: number): number {
  return startOfLocalDate(date) + minute * MINUTE_MS;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export function daysBetween(from: LocalDate, to: LocalDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let cachedDay = Number.NaN;
let cachedDate = '';

/**
 * ISO 8601 in the city's zone, e.g. 2026-12-01T10:00:00+09:00 — the API's format. The zone's offset is fixed, so the
 * time of day is arithmetic, and the date is made once per day (a year of slots asks for the same days over and over).
 */
export function toCityIso(ms: number): string {
  const local = ms + OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  const second = Math.floor((local - day * DAY_MS) / 1000);
  return `${cachedDate}T${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}+09:00`;
}

/** 'HH:MM' for minutes after midnight. */
export function formatMinute(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const TIME_RE = /^([01]?\d|2[0-4]):([0-5]\d)$/;

/** 'HH:MM' → minutes after midnight (24:00 allowed as the end of a day), or null. */
export function parseMinute(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const minute = Number(m[1]) * 60 + Number(m[2]);
  return minute <= 24 * 60 ? minute : null;
}

/** Index 0 = Sunday. */
export const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'] as const;
export const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** '2026年12月1日（火）' */
export function formatDateJa(ms: number): string {
  const date = toLocalDate(ms);
  const [y, mo, d] = date.split('-').map(Number);
  return `${y}年${mo}月${d}日（${WEEKDAYS_JA[weekdayOf(date)]}）`;
}

/** '2026年12月1日（火）10:00' — how staff and citizens read a time. */
export function formatJa(ms: number): string {
  return `${formatDateJa(ms)}${formatMinute(toLocalMinute(ms))}`;
}

/** 'Tue 2026-12-01 10:00 JST'. */
export function formatEn(ms: number): string {
  const date = toLocalDate(ms);
  return `${WEEKDAYS_EN[weekdayOf(date)]} ${date} ${formatMinute(toLocalMinute(ms))} JST`;
}
