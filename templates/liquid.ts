// Liquid for admin-edited templates: strict variables and filters, no files from disk, HTML-escaped output in HTML parts,
// and the filters a city message needs (Japan time, Japanese era dates, grouped meeting numbers).
import { Liquid } from 'liquidjs';
import { WEEKDAYS_EN, WEEKDAYS_JA, formatDateJa, formatMinute, toLocalDate, toLocalMinute, weekdayOf } from '../core/time.ts';
import { unknownVariables } from './variables.ts';

const MONTH_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const instant = (value: unknown): number | null => {
  const ms = Date.parse(String(value ?? ''));
  return Number.isNaN(ms) ? null : ms;
};

const eraFormat = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { timeZone: 'Asia/Tokyo', era: 'long', year: 'numeric', month: 'numeric', day: 'numeric' });

/** 令和8年12月1日（火） — 令和元年 for its first year. */
export function eraDate(ms: number): string {
  const parts = Object.fromEntries(eraFormat.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const year = parts.year === '1' ? '元' : parts.year;
  return `${parts.era}${year}年${parts.month}月${parts.day}日（${WEEKDAYS_JA[weekdayOf(toLocalDate(ms))]}）`;
}

/** Tue 1 Dec 2026 */
export function enDate(ms: number): string {
  const d = toLocalDate(ms);
  const [y, m, day] = d.split('-').map(Number);
  return `${WEEKDAYS_EN[weekdayOf(d)]} ${day} ${MONTH_EN[m! - 1]} ${y}`;
}

/** 123456789 → 123 456 789 (as Webex prints it and as people read it out). */
export function groupDigits(value: string): string {
  const digits = value.replace(/\D/g, '');
  return digits.replace(/(\d{3})(?=\d)/g, '$1 ');
}

function withFilters(engine: Liquid): Liquid {
  const time = (fn: (ms: number) => string) => (v: unknown) => {
    const ms = instant(v);
    return ms === null ? '' : fn(ms);
  };
  engine.registerFilter('jst_date', time(formatDateJa));
  engine.registerFilter(
    'jst_time',
    time((ms) => formatMinute(toLocalMinute(ms))),
  );
  engine.registerFilter(
    'jst_datetime',
    time((ms) => `${formatDateJa(ms)} ${formatMinute(toLocalMinute(ms))}`),
  );
  engine.registerFilter('era_date', time(eraDate));
  engine.registerFilter('en_date', time(enDate));
  engine.registerFilter(
    'en_datetime',
    time((ms) => `${enDate(ms)}, ${formatMinute(toLocalMinute(ms))} (Japan time)`),
  );
  engine.registerFilter('group_digits', (v: unknown) => groupDigits(String(v ?? '')));
  return engine;
}

const options = { strictVariables: true, strictFilters: true, ownPropertyOnly: true, templates: {} as Record<string, string> };

/** For subjects and plain-text parts. */
export const textEngine = withFilters(new Liquid(options));
/** For HTML parts: every {{ output }} is HTML-escaped. */
export const htmlEngine = withFilters(new Liquid({ ...options, outputEscape: 'escape' }));

export type TemplatePart = 'subject' | 'text' | 'html';

export interface TemplateProblem {
  readonly part: TemplatePart;
  readonly ja: string;
  readonly en: string;
}

/** Syntax errors, unknown filters, includes and unknown variables, per part — what an admin must fix before saving. */
export function checkTemplate(parts: Record<TemplatePart, string>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const part of ['subject', 'text', 'html'] as const) {
    const engine = part === 'html' ? htmlEngine : textEngine;
    let paths: string[];
    try {
      paths = engine.globalFullVariablesSync(parts[part]);
    } catch (error) {
      const message = (error as Error).message;
      const include = /ENOENT|lookup/.test(message);
      problems.push({
        part,
        ja: include ? 'ほかのファイルの読み込み（include / render）は使えません。' : `書き方に誤りがあります: ${message}`,
        en: include ? 'Including other files (include / render) is not allowed.' : `Syntax error: ${message}`,
      });
      continue;
    }
    const unknown = unknownVariables(paths);
    if (unknown.length > 0) {
      problems.push({
        part,
        ja: `使えない変数があります: ${unknown.join('、')}（使える変数は一覧を見てください）`,
        en: `Unknown variable${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (see the list of variables)`,
      });
    }
  }
  return problems;
}
