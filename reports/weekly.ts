// The weekly summary: every Monday at WEEKLY_SUMMARY_AT, last week's figures (Monday to Sunday) to the counter's
// managers (WEEKLY_SUMMARY_TO), from the same computation as /admin/stats, with no personal data (the survey's
// comments are counted, not quoted). An outbox job that plans its next run; off when no recipient is set.
import { z } from 'zod';
import type { Config } from '../core/config.ts';
import type { IdSource } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import type { Store } from '../core/store/db.ts';
import type { Db } from '../core/store/schema.ts';
import { html } from '../core/html.ts';
import { defineJob } from '../core/jobs.ts';
import { ensureScheduled, jobKind } from '../core/outbox.ts';
import { DAY_MS, addDays, localInstant, toLocalDate, weekdayOf } from '../core/time.ts';
import type { MailTransport } from '../templates/mail.ts';
import { fromAddress } from '../templates/mail.ts';
import type { Figures } from './figures.ts';
import { OUTCOME_LABELS, kindLabel } from './labels.ts';
import type { Outcome } from './figures.ts';
import { lastWeek } from './periods.ts';
import { figuresFor } from './store.ts';

export const WEEKLY_SUMMARY = jobKind('report.weekly', z.object({}));

/** The next Monday at `minute` (city time) after `now`. */
export function nextWeeklyRun(now: number, minute: number): number {
  const today = toLocalDate(now);
  const toMonday = (8 - weekdayOf(today)) % 7;
  const candidate = localInstant(addDays(today, toMonday), minute);
  return candidate > now ? candidate : candidate + 7 * DAY_MS;
}

const n = (v: number | null, unit = '') => (v === null ? '—' : `${v.toLocaleString('ja-JP', { maximumFractionDigits: 2 })}${unit}`);

/** The mail's subject, text and HTML (Japanese first, English after). */
export function weeklyMessage(city: string, f: Figures, adminUrl: string): { subject: string; text: string; html: string } {
  const c = f.consultations;
  const count = (k: string) => c.byOutcome.find((o) => o.key === k)?.count ?? 0;
  const outcomes = c.byOutcome.filter((o) => o.count > 0).map((o) => `${OUTCOME_LABELS[o.key as Outcome]?.ja ?? o.key} ${o.count}件`);
  const kinds = c.byKind.map((k) => `${kindLabel(k.key).ja} ${k.count}件`);
  const departments = c.byDepartment.map((d) => `  ${d.key}: ${d.count}件`);
  const waits = f.waits.byDepartment.map((w) => `  ${w.key}: 中央値 ${n(w.median, '分')}・90パーセンタイル ${n(w.p90, '分')}（${w.count}件）`);
  const again = f.survey.againShare === null ? '—' : `${Math.round(f.survey.againShare * 1000) / 10}%`;
  const link = `${adminUrl}/admin/stats?from=${f.period.from}&to=${f.period.to}`;
  const lines = [
    `${city} オンライン相談窓口の先週の集計です（${f.period.ja}）。`,
    '',
    `■ 相談 ${c.total}件（${outcomes.join('、') || 'なし'}）`,
    `  ${kinds.join('、')}`,
    ...departments,
    '',
    `■ 待ち時間（おつなぎの依頼から応答まで）: 中央値 ${n(f.waits.median, '分')}・90パーセンタイル ${n(f.waits.p90, '分')}（応答 ${f.waits.count}件、応答なし ${f.waits.notAccepted}件）`,
    ...waits,
    '',
    `■ おつなぎ ${f.relays.total}件（1件の相談あたり ${n(f.relays.average, '回')}）`,
    `■ 相談の長さ: 中央値 ${n(f.length.median, '分')}（実施済み ${count('held')}件）`,
    `■ アンケート ${f.survey.answered}件: 満足度の平均 ${n(f.survey.averageSatisfaction)} / 5、「また利用したい」 ${again}、ご意見 ${f.survey.comments.length}件`,
    '',
    `くわしくは管理画面で: ${link}`,
    '',
    '---',
    `Last week at the ${city} online counter (${f.period.en}): ${c.total} consultations (${count('held')} held), median wait ${n(f.waits.median, ' min')}, p90 ${n(f.waits.p90, ' min')}; ${f.relays.total} relays; ${f.survey.answered} survey answers, "would use again" ${again}. Details: ${link}`,
    '',
    'このメールは自動で送っています。宛先は WEEKLY_SUMMARY_TO で変えられます。 / Sent automatically; recipients are set by WEEKLY_SUMMARY_TO.',
  ];
  const text = lines.join('\n');
  const body = html`<div style="font-family: sans-serif; font-size: 16px; line-height: 1.6">${lines.map((l) => (l === '' ? html`<br>` : html`<div>${l}</div>`))}</div>`;
  return { subject: `【${city}】オンライン相談 先週の集計（${f.period.from}〜${f.period.to}）`, text, html: body.toString() };
}

export interface WeeklyDeps {
  readonly store: Store;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly log: Logger;
  readonly config: Pick<Config, 'city' | 'mail' | 'publicBaseUrl'>;
  readonly mail: MailTransport;
}

/** At start: the next summary planned, when someone is to receive it. */
export async function planWeeklySummary(db: Db, ids: IdSource, now: number, config: Pick<Config, 'mail'>): Promise<void> {
  const w = config.mail.weeklySummary;
  if (w.to.length === 0) return;
  await ensureScheduled(db, ids, now, WEEKLY_SUMMARY, {}, nextWeeklyRun(now, w.minute));
}

const weekly = defineJob(WEEKLY_SUMMARY, async (_p, job, d: WeeklyDeps) => {
  const w = d.config.mail.weeklySummary;
  // Switched off since it was planned: nothing is sent, and nothing planned again.
  if (w.to.length === 0) return;
  const now = d.clock();
  const figures = await figuresFor(d.store.db, lastWeek(toLocalDate(now)));
  const message = weeklyMessage(d.config.city.name, figures, d.config.publicBaseUrl);
  const domain = fromAddress(d.config.mail.from).email.split('@')[1] ?? 'madoguchi.invalid';
  for (const [i, to] of w.to.entries()) {
    // The same Message-ID for a resend after a crash: a mail client shows it once.
    await d.mail.send({ messageId: `<${job.id}.weekly.${i}@${domain}>`, to, ...message });
  }
  d.log.info({ week: figures.period.from, recipients: w.to.length }, 'weekly summary sent');
  await ensureScheduled(d.store.db, d.ids, now, WEEKLY_SUMMARY, {}, nextWeeklyRun(now, w.minute), job.id);
});

export const REPORT_JOBS = [weekly] as const;
