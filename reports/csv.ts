// CSV for Excel on a city PC: UTF-8 with a byte-order mark (without it, Excel reads the file as Shift_JIS and the
// Japanese is garbled), CRLF line ends, every field quoted where needed by csv-stringify; dates in JST, 西暦 with a
// 和暦 column beside it. A cell that starts with = + - @ (or a tab or CR) is prefixed with ' so that Excel never runs it
// as a formula (CSV injection): a survey comment or a topic is the citizen's own text.
import { stringify } from 'csv-stringify/sync';
import type { Figures, Outcome } from './figures.ts';
import type { Label } from './labels.ts';
import { OUTCOME_LABELS, WAIT_BAND_LABELS, dateEra, kindLabel, monthEra, monthLabel, platformLabel, relaysLabel, statusLabel, typeLabel } from './labels.ts';

const BOM = '\uFEFF';

/** A cell Excel would take for a formula, made plain text. */
export function safeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function toCsv(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  return BOM + stringify([header.map(safeCell), ...rows.map((r) => r.map(safeCell))], { record_delimiter: 'windows', quoted_match: /[",\r\n]/ });
}

const same = (l: Label) => l.ja;

/**
 * The figures as one table: what is counted (集計), the item, its count, and the median and 90th percentile in minutes
 * where they apply. Months carry their 和暦 in its own column.
 */
export function figuresCsv(f: Figures): string {
  const rows: unknown[][] = [];
  const add = (what: string, item: string, count: number | null, median: number | null = null, p90: number | null = null, era = '') =>
    rows.push([what, item, era, count, median, p90]);
  add('期間', `${f.period.from}〜${f.period.to}`, null, null, null, `${dateEra(f.period.from)}〜${dateEra(f.period.to)}`);
  add('相談の件数', '合計', f.consultations.total);
  for (const c of f.consultations.byOutcome) add('相談の件数（結果別）', OUTCOME_LABELS[c.key as Outcome]?.ja ?? c.key, c.count);
  for (const c of f.consultations.byStatus) add('相談の件数（状態別）', same(statusLabel(c.key)), c.count);
  for (const c of f.consultations.byKind) add('相談の件数（予約・来庁）', same(kindLabel(c.key)), c.count);
  for (const c of f.consultations.byDepartment) add('相談の件数（課別）', c.key, c.count);
  for (const c of f.consultations.bySite) add('相談の件数（拠点別）', c.key, c.count);
  for (const c of f.consultations.byType) add('相談の件数（種類別）', same(typeLabel(c.key)), c.count);
  for (const c of f.consultations.byPlatform) add('相談の件数（会議サービス別）', same(platformLabel(c.key)), c.count);
  for (const m of f.consultations.byMonth) {
    add('相談の件数（月別）', `${monthLabel(m.month).ja} 合計`, m.total, null, null, monthEra(m.month));
    add('相談の件数（月別）', `${monthLabel(m.month).ja} 予約`, m.booked, null, null, monthEra(m.month));
    add('相談の件数（月別）', `${monthLabel(m.month).ja} 来庁`, m.walkIn, null, null, monthEra(m.month));
  }
  const months = f.consultations.byMonth.map((m) => m.month);
  for (const d of f.consultations.byDepartmentMonth) {
    for (const [i, count] of d.months.entries())
      add('相談の件数（課別・月別）', `${d.department} ${monthLabel(months[i]!).ja}`, count, null, null, monthEra(months[i]!));
  }
  add('待ち時間（おつなぎの依頼から応答まで、分）', '全体', f.waits.count, f.waits.median, f.waits.p90);
  add('待ち時間（おつなぎの依頼から応答まで、分）', '応答のなかったおつなぎ', f.waits.notAccepted);
  for (const w of f.waits.byDepartment) add('待ち時間（課別、分）', w.key, w.count, w.median, w.p90);
  for (const w of f.waits.byHour) add('待ち時間（依頼の時間帯別、分）', `${w.hour}時台`, w.count, w.median, w.p90);
  for (const w of f.waits.distribution) add('待ち時間の分布', WAIT_BAND_LABELS[w.key]?.ja ?? w.key, w.count);
  add('おつなぎ', '合計', f.relays.total);
  add('おつなぎ', '1件あたり（実施済み・実施中）', f.relays.average);
  for (const p of f.relays.perConsultation) add('おつなぎの回数ごとの相談の件数', relaysLabel(p.key).ja, p.count);
  add('相談の長さ（実施済み、分）', '全体', f.length.count, f.length.median, f.length.p90);
  add('アンケート', '回答数', f.survey.answered);
  for (const s of f.survey.satisfaction) add('アンケート（満足度）', `${s.score}`, s.count);
  add('アンケート', '満足度の平均（5段階）', f.survey.averageSatisfaction);
  add('アンケート', 'また利用したい: はい', f.survey.again.yes);
  add('アンケート', 'また利用したい: いいえ', f.survey.again.no);
  add('アンケート', 'また利用したいの割合（%）', f.survey.againShare === null ? null : Math.round(f.survey.againShare * 1000) / 10);
  return toCsv(['集計', '項目', '和暦', '件数・値', '中央値（分）', '90パーセンタイル（分）'], rows);
}

/** The survey's free comments: the date (西暦 and 和暦), the department and the text, never a name. */
export function commentsCsv(f: Figures): string {
  return toCsv(
    ['日付', '和暦', '課', 'ご意見'],
    f.survey.comments.map((c) => [c.date, dateEra(c.date), c.department, c.text]),
  );
}
