// /admin/stats: the figures a city reports, for a 年度, a month or a range of days — consultations by month,
// department, site, type, platform and booked or walk-in; waiting times from a relay's request to its accept; relays
// per consultation; consultation length; the survey. Each chart has its numbers in a table beside it; the figures and
// the survey comments download as CSV for Excel. Nothing here names a citizen.
import type { Request, Response, Router } from 'express';
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { toLocalDate } from '../core/time.ts';
import type { Figures, Outcome } from '../reports/figures.ts';
import { commentsCsv, figuresCsv } from '../reports/csv.ts';
import { OUTCOME_LABELS, WAIT_BAND_LABELS, kindLabel, monthLabel, platformLabel, relaysLabel, typeLabel } from '../reports/labels.ts';
import type { Label } from '../reports/labels.ts';
import { fiscalYear, fiscalYearOf, parsePeriod } from '../reports/periods.ts';
import type { PeriodQuery } from '../reports/periods.ts';
import { figuresFor } from '../reports/store.ts';
import { PALETTE, barChart } from './charts.ts';
import type { StyledPageKit } from './sites.ts';

const n = (v: number | null, unit = '') => (v === null ? '—' : `${v.toLocaleString('ja-JP', { maximumFractionDigits: 2 })}${unit}`);

const tableWrap = (caption: SafeHtml | string, head: ReadonlyArray<SafeHtml | string>, rows: ReadonlyArray<ReadonlyArray<SafeHtml | string | number>>) =>
  html`<div class="table-wrap" tabindex="0" role="region" aria-label="${typeof caption === 'string' ? caption : '表'}"><table><caption>${caption}</caption><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${
    rows.length === 0
      ? html`<tr><td colspan="${head.length}">まだありません <span class="en">None yet</span></td></tr>`
      : rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}</tr>`)
  }</tbody></table></div>`;

const both = (l: Label) => html`${l.ja}${l.en !== l.ja ? html` <span class="en">${l.en}</span>` : ''}`;

/** The query string of a period, for the CSV links and the form. */
function periodQuery(q: PeriodQuery): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

function picked(req: Request): PeriodQuery {
  const s = (k: string) => (typeof req.query[k] === 'string' ? (req.query[k] as string) : undefined);
  return { from: s('from'), to: s('to'), fiscalYear: s('fiscalYear'), month: s('month') };
}

/** Three small forms, each with its own button: by 年度, by month, or by a range of days. */
function periodForm(today: string, q: PeriodQuery, error: { field: string; ja: string; en: string } | null): SafeHtml {
  const current = fiscalYearOf(today);
  const years = [0, 1, 2, 3, 4].map((i) => fiscalYear(current - i));
  const err = (f: string) =>
    error && error.field === f ? html`<p class="field-error" id="${f}-error">${error.ja}<br><span class="en">${error.en}</span></p>` : '';
  const invalid = (f: string) => (error && error.field === f ? html` aria-invalid="true" aria-describedby="${f}-error"` : '');
  return html`<div class="periods">
<form method="get" action="/admin/stats"><label for="fiscalYear">年度（4月〜翌年3月） <span class="en">Fiscal year</span></label><select id="fiscalYear" name="fiscalYear"${invalid('fiscalYear')}>${years.map(
    (y) => html`<option value="${y.from.slice(0, 4)}"${String(q.fiscalYear ?? current) === y.from.slice(0, 4) ? html` selected` : ''}>${y.ja}</option>`,
  )}</select>${err('fiscalYear')}<div class="actions"><button type="submit">年度で集計</button></div></form>
<form method="get" action="/admin/stats"><label for="month">月 <span class="hint">（例: ${today.slice(0, 7)}）</span></label><input type="text" id="month" name="month" inputmode="numeric" value="${q.month ?? ''}" placeholder="${today.slice(0, 7)}"${invalid('month')}>${err('month')}<div class="actions"><button type="submit">月で集計</button></div></form>
<form method="get" action="/admin/stats"><label for="from">開始日 <span class="en">From</span></label><input type="date" id="from" name="from" value="${q.from ?? ''}"${invalid('from')}>${err('from')}
<label for="to">終了日（この日を含む） <span class="en">To (included)</span></label><input type="date" id="to" name="to" value="${q.to ?? ''}"${invalid('to')}>${err('to')}<div class="actions"><button type="submit">期間で集計</button></div></form>
</div>`;
}

function figuresHtml(f: Figures, query: string): SafeHtml {
  const c = f.consultations;
  const outcome = (k: string) => OUTCOME_LABELS[k as Outcome] ?? { ja: k, en: k };
  const byMonthChart = barChart({
    id: 'chart-months',
    title: `月別の相談の件数（予約と来庁）${f.period.ja}`,
    unit: '件',
    series: [
      { name: '予約', color: PALETTE[0] },
      { name: '来庁（支所から）', color: PALETTE[1] },
    ],
    bars: c.byMonth.map((m) => ({ label: monthLabel(m.month).ja, values: [m.booked, m.walkIn] })),
  });
  const deptChart = barChart({
    id: 'chart-departments',
    title: `課別の相談の件数 ${f.period.ja}`,
    unit: '件',
    series: [{ name: '件数', color: PALETTE[0] }],
    bars: c.byDepartment.map((d) => ({ label: d.key, values: [d.count] })),
  });
  const waitChart = barChart({
    id: 'chart-waits',
    title: 'おつなぎの待ち時間の分布（依頼から応答まで）',
    unit: '件',
    series: [{ name: '件数', color: PALETTE[2] }],
    bars: f.waits.distribution.map((d) => ({ label: WAIT_BAND_LABELS[d.key]?.ja ?? d.key, values: [d.count] })),
  });
  const surveyChart = barChart({
    id: 'chart-survey',
    title: 'アンケートの満足度（5 がもっとも満足）',
    unit: '件',
    series: [{ name: '件数', color: PALETTE[3] }],
    bars: [...f.survey.satisfaction].reverse().map((s) => ({ label: `${s.score}`, values: [s.count] })),
  });
  const months = c.byMonth.map((m) => m.month);
  const countRows = (rows: ReadonlyArray<{ key: string; count: number }>, label: (k: string) => Label | string) =>
    rows.map((r) => {
      const l = label(r.key);
      return [typeof l === 'string' ? l : both(l), n(r.count, '件')];
    });
  const spreadRows = (rows: ReadonlyArray<{ count: number; median: number | null; p90: number | null }>, label: (i: number) => string) =>
    rows.map((r, i) => [label(i), n(r.count, '件'), n(r.median, '分'), n(r.p90, '分')]);
  const spreadHead = (first: string) => [first, '件数', '中央値', '90パーセンタイル'];
  return html`<p class="actions"><a class="button" href="/admin/stats.csv${query}" download>集計を CSV で保存</a> <a class="button secondary" href="/admin/stats/comments.csv${query}" download>ご意見を CSV で保存</a></p>
<p class="hint">CSV は Excel でそのまま開けます（UTF-8、BOM 付き、日付は日本時間）。<span class="en">The CSV opens in Excel as is (UTF-8 with BOM, dates in JST).</span></p>

<section aria-labelledby="h-consultations"><h2 id="h-consultations">相談の件数 <span class="en">Consultations</span></h2>
<p class="big">合計 <strong>${n(c.total, '件')}</strong>（取り消し ${n(c.byOutcome.find((o) => o.key === 'cancelled')?.count ?? 0, '件')}を含む。実施済み ${n(c.byOutcome.find((o) => o.key === 'held')?.count ?? 0, '件')}）</p>
${tableWrap(
  '結果別 / By outcome',
  ['結果', '件数'],
  countRows(c.byOutcome, (k) => outcome(k)),
)}
<figure><div class="chart-wrap" tabindex="0" role="region" aria-label="グラフ（はみ出すときは横に動かせます） / Chart">${byMonthChart}</div><figcaption>月別（予約と来庁）。数は下の表にあります。</figcaption></figure>
${tableWrap(
  '月別 / By month',
  ['月', '予約', '来庁', '合計'],
  c.byMonth.map((m) => [monthLabel(m.month).ja, n(m.booked, '件'), n(m.walkIn, '件'), n(m.total, '件')]),
)}
<figure><div class="chart-wrap" tabindex="0" role="region" aria-label="グラフ（はみ出すときは横に動かせます） / Chart">${deptChart}</div><figcaption>課別。数は下の表にあります。</figcaption></figure>
${tableWrap(
  '課別 / By department',
  ['課', '件数'],
  countRows(c.byDepartment, (k) => k),
)}
${tableWrap(
  '課別・月別 / By department and month',
  ['課', ...months.map((m) => monthLabel(m).ja)],
  c.byDepartmentMonth.map((d) => [d.department, ...d.months.map((v) => n(v))]),
)}
<div class="cols">
${tableWrap(
  '拠点別 / By site',
  ['拠点', '件数'],
  countRows(c.bySite, (k) => k),
)}
${tableWrap('予約・来庁 / Booked or walk-in', ['受付', '件数'], countRows(c.byKind, kindLabel))}
${tableWrap('相談の種類別 / By type', ['種類', '件数'], countRows(c.byType, typeLabel))}
${tableWrap('会議サービス別 / By platform', ['会議サービス', '件数'], countRows(c.byPlatform, platformLabel))}
</div>
<p class="hint">課別・拠点別などの件数は、取り消された相談も含みます（結果別の表で分けています）。欠席（相談者が来なかった）は、会議サービスが出席を知らせないため数えていません。<span class="en">No-shows are not counted: the platforms do not report attendance to us.</span></p>
</section>

<section aria-labelledby="h-waits"><h2 id="h-waits">待ち時間 <span class="en">Waiting time</span></h2>
<p>おつなぎ（<code>/relay</code>・<code>/call</code>）を頼んでから、課の職員が応答するまでの時間です。<span class="en">From a relay's request to its accept.</span></p>
<p class="big">中央値 <strong>${n(f.waits.median, '分')}</strong>　90パーセンタイル <strong>${n(f.waits.p90, '分')}</strong>（応答 ${n(f.waits.count, '件')}、応答なし ${n(f.waits.notAccepted, '件')}）</p>
<figure><div class="chart-wrap" tabindex="0" role="region" aria-label="グラフ（はみ出すときは横に動かせます） / Chart">${waitChart}</div><figcaption>待ち時間の分布。数は下の表にあります。</figcaption></figure>
${tableWrap(
  '待ち時間の分布 / Distribution',
  ['待ち時間', '件数'],
  f.waits.distribution.map((d) => [WAIT_BAND_LABELS[d.key]?.ja ?? d.key, n(d.count, '件')]),
)}
${tableWrap(
  '課別 / By department',
  spreadHead('課'),
  spreadRows(f.waits.byDepartment, (i) => f.waits.byDepartment[i]!.key),
)}
${tableWrap(
  '依頼の時間帯別 / By hour of the request',
  spreadHead('時間帯'),
  spreadRows(f.waits.byHour, (i) => `${f.waits.byHour[i]!.hour}時台`),
)}
</section>

<section aria-labelledby="h-relays"><h2 id="h-relays">おつなぎ <span class="en">Relays</span></h2>
<p class="big">合計 <strong>${n(f.relays.total, '件')}</strong>　1件の相談あたり <strong>${n(f.relays.average, '回')}</strong>（実施済み・実施中の相談）</p>
${tableWrap(
  'おつなぎの回数ごとの相談（取り消しを除く） / Consultations by number of relays',
  ['回数', '相談の件数'],
  countRows(f.relays.perConsultation, relaysLabel),
)}
</section>

<section aria-labelledby="h-length"><h2 id="h-length">相談の長さ <span class="en">Length</span></h2>
<p class="big">中央値 <strong>${n(f.length.median, '分')}</strong>　90パーセンタイル <strong>${n(f.length.p90, '分')}</strong>（実施済み ${n(f.length.count, '件')}）</p>
</section>

<section aria-labelledby="h-survey"><h2 id="h-survey">アンケート <span class="en">Survey</span></h2>
<p class="big">回答 <strong>${n(f.survey.answered, '件')}</strong>　満足度の平均 <strong>${n(f.survey.averageSatisfaction)}</strong> / 5　「また利用したい」 <strong>${f.survey.againShare === null ? '—' : `${Math.round(f.survey.againShare * 1000) / 10}%`}</strong>（はい ${n(f.survey.again.yes, '件')}・いいえ ${n(f.survey.again.no, '件')}）</p>
<figure><div class="chart-wrap" tabindex="0" role="region" aria-label="グラフ（はみ出すときは横に動かせます） / Chart">${surveyChart}</div><figcaption>満足度の分布。数は下の表にあります。</figcaption></figure>
${tableWrap(
  '満足度 / Satisfaction',
  ['満足度', '件数'],
  [...f.survey.satisfaction].reverse().map((s) => [`${s.score}`, n(s.count, '件')]),
)}
<h3>ご意見 <span class="en">Comments</span>（${n(f.survey.comments.length, '件')}）</h3>
${
  f.survey.comments.length === 0
    ? html`<p class="hint">まだありません。</p>`
    : html`<ul class="comments">${f.survey.comments.map((m) => html`<li><span class="hint">${m.date}・${m.department}</span><br>${m.text}</li>`)}</ul>`
}
<p class="hint">お名前は表示しません。ご意見の文は、相談の終了から保存期間が過ぎると消去されます（点数は残ります）。</p>
</section>`;
}

const STATS_STYLE = `
  .chart-wrap { overflow-x: auto; } .chart { max-width: 48rem; min-width: 36rem; display: block; margin: 1rem 0 .25rem; }
  figure { margin: 0; } figcaption { font-size: 16px; color: #444; }
  caption { text-align: left; font-weight: bold; padding: 8px 0; }
  .big { font-size: 1.2rem; } .big strong { font-size: 1.5rem; }
  .periods { display: grid; gap: 0 24px; } @media (min-width: 60rem) { .periods { grid-template-columns: 1fr 1fr 1fr; } }
  .periods form { border: 2px solid #ccc; border-radius: 6px; padding: 0 12px; }
  .comments li { margin: 0 0 .75rem; }
`;

export function mountStatsPages(r: Router, k: StyledPageKit): void {
  r.get('/stats', async (req, res) => {
    const today = toLocalDate(k.clock());
    const q = picked(req);
    const parsed = parsePeriod(q, today);
    if (!parsed.ok) {
      const field = parsed.reason.errors?.[0]?.field ?? 'from';
      k.pageWithStyle(
        res,
        req,
        '集計',
        html`<h1>集計 <span class="en">Figures</span></h1>${periodForm(today, q, { field, ...parsed.reason.message })}`,
        STATS_STYLE,
        null,
        422,
      );
      return;
    }
    const figures = await figuresFor(k.db, parsed.value);
    const query = periodQuery(q);
    k.pageWithStyle(
      res,
      req,
      `集計 ${parsed.value.ja}`,
      html`<h1>集計 <span class="en">Figures</span></h1>
<p>${parsed.value.ja}（${parsed.value.from}〜${parsed.value.to}） <span class="en">${parsed.value.en}</span></p>
${periodForm(today, q, null)}
${figuresHtml(figures, query)}`,
      STATS_STYLE,
    );
  });

  const csvAnswer = async (req: Request, res: Response, name: string, make: (f: Figures) => string) => {
    const parsed = parsePeriod(picked(req), toLocalDate(k.clock()));
    if (!parsed.ok) {
      res.status(422).type('text/plain; charset=utf-8').send(`${parsed.reason.message.ja}\n${parsed.reason.message.en}\n`);
      return;
    }
    const figures = await figuresFor(k.db, parsed.value);
    const file = `${name}_${parsed.value.from}_${parsed.value.to}.csv`;
    res
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${file}"; filename*=UTF-8''${encodeURIComponent(file)}`,
      })
      .send(make(figures));
  };
  r.get('/stats.csv', (req, res) => csvAnswer(req, res, 'madoguchi-figures', figuresCsv));
  r.get('/stats/comments.csv', (req, res) => csvAnswer(req, res, 'madoguchi-comments', commentsCsv));
}
