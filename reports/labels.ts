// What people read for the keys of the figures (Japanese, English), shared by the page, the CSV and the weekly mail.
import { typeName } from '../scheduler/consultation-types.ts';
import { statusLabelJa } from '../scheduler/status.ts';
import type { ConsultationStatus } from '../scheduler/status.ts';
import type { Outcome } from './figures.ts';
import { eraYear } from './periods.ts';

export interface Label {
  readonly ja: string;
  readonly en: string;
}

export const OUTCOME_LABELS: Record<Outcome, Label> = {
  held: { ja: '実施済み', en: 'Held' },
  in_progress: { ja: '実施中', en: 'In progress' },
  upcoming: { ja: '予定', en: 'Upcoming' },
  cancelled: { ja: '取り消し', en: 'Cancelled' },
  needs_attention: { ja: '要対応', en: 'Needs attention' },
};

export const KIND_LABELS: Record<string, Label> = {
  booked: { ja: '予約', en: 'Booked' },
  walk_in: { ja: '来庁（支所から）', en: 'Walk-in (at a branch)' },
};

export const PLATFORM_LABELS: Record<string, Label> = {
  webex: { ja: 'Webex', en: 'Webex' },
  teams: { ja: 'Microsoft Teams', en: 'Microsoft Teams' },
  dryrun: { ja: '試行（dry run）', en: 'Dry run' },
};

export const kindLabel = (k: string): Label => KIND_LABELS[k] ?? { ja: k, en: k };
export const platformLabel = (p: string): Label => PLATFORM_LABELS[p] ?? { ja: p, en: p };
export const typeLabel = (t: string): Label => typeName(t);
export const statusLabel = (s: string): Label => ({ ja: statusLabelJa(s as ConsultationStatus) ?? s, en: s });

/** 2026-11 → 2026年11月（令和8年11月） */
export function monthLabel(month: string): Label {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return { ja: `${y}年${m}月`, en: month };
}

/** The 和暦 of a month, for the CSV's column beside the 西暦: 令和8年11月. */
export const monthEra = (month: string) => `${eraYear(Number(month.slice(0, 4)))}${Number(month.slice(5, 7))}月`;

/** 2026-11-10 → 令和8年11月10日 */
export const dateEra = (date: string) => `${eraYear(Number(date.slice(0, 4)))}${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

export const WAIT_BAND_LABELS: Record<string, Label> = {
  '<1': { ja: '1分未満', en: 'under 1 min' },
  '1-3': { ja: '1〜3分', en: '1–3 min' },
  '3-5': { ja: '3〜5分', en: '3–5 min' },
  '5-10': { ja: '5〜10分', en: '5–10 min' },
  '10-20': { ja: '10〜20分', en: '10–20 min' },
  '20+': { ja: '20分以上', en: '20 min or more' },
};

export const relaysLabel = (k: string): Label => (k === '3+' ? { ja: '3回以上', en: '3 or more' } : { ja: `${k}回`, en: `${k}` });
