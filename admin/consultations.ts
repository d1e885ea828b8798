// /admin/consultations: the list by dates, department, site, device, status and booked or walk-in (those that need
// attention first, with the provider's message), the CSV of it (without personal data unless the admin asks, and
// never what the purge erased), and one consultation with its timeline and what an admin can do: try again, move,
// cancel (the citizen is told), erase personal data.
import type { Request, Response, Router } from 'express';
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { writeAudit } from '../core/audit.ts';
import { addDays, formatJa, isLocalDate, localInstant, parseMinute, toLocalDate } from '../core/time.ts';
import type { Flash } from '../core/web/layout.ts';
import { field } from '../core/web/layout.ts';
import { CONSULTATION_STATUSES, canReschedule, isOpen, statusLabelJa } from '../scheduler/status.ts';
import type { ConsultationStatus } from '../scheduler/status.ts';
import { cancelConsultation, rescheduleConsultation, retryConsultation } from '../scheduler/consultations.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { viewById } from '../scheduler/views.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { listSites } from '../scheduler/sites.ts';
import { listHosts } from '../scheduler/hosts.ts';
import { LIST_LIMIT, consultationTimeline, findConsultations } from '../reports/consultations.ts';
import type { ConsultationFilter, ListedConsultation } from '../reports/consultations.ts';
import { toCsv } from '../reports/csv.ts';
import { dateEra, kindLabel, platformLabel, typeLabel } from '../reports/labels.ts';
import type { StyledPageKit } from './sites.ts';

export const CONSULTATIONS_STYLE = `
  .filters { display: grid; gap: 0 16px; } @media (min-width: 60rem) { .filters { grid-template-columns: repeat(4, 1fr); } .filters .actions { align-self: end; } }
  .table-wrap.wrap td, .table-wrap.wrap th { white-space: normal; min-width: 6rem; }
  tr.attention { background: #fff6e0; } .note { color: #8a1c00; } .attention-count { color: #8a1c00; }
`;

const TABLE_LABEL = '表（はみ出すときは横に動かせます） / Table';
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const hhmm = (ms: number) => formatJa(ms).slice(-5);

function filterFrom(req: Request, today: string): { filter: ConsultationFilter; error: { field: string; ja: string; en: string } | null } {
  const q = req.query;
  const from = str(q.from) || addDays(today, -7);
  const to = str(q.to) || addDays(today, 30);
  const status = CONSULTATION_STATUSES.includes(str(q.status) as ConsultationStatus) ? str(q.status) : undefined;
  const kind = str(q.kind) === 'walk_in' || str(q.kind) === 'booked' ? str(q.kind) : undefined;
  const filter = {
    from,
    to,
    departmentId: str(q.department) || undefined,
    siteId: str(q.site) || undefined,
    hostId: str(q.host) || undefined,
    status,
    kind,
  };
  // On an error the page shows what was typed, beside the message (not a corrected value that looks accepted).
  if (!isLocalDate(from)) return { filter, error: { field: 'from', ja: '開始日を正しい日付で入れてください。', en: 'Give the first day as a real date.' } };
  if (!isLocalDate(to) || to < from)
    return {
      filter,
      error: { field: 'to', ja: '終了日は開始日以降の正しい日付にしてください。', en: 'The last day must be a real date on or after the first.' },
    };
  return { filter, error: null };
}

const queryOf = (f: ConsultationFilter) => {
  const p = new URLSearchParams({ from: f.from, to: f.to });
  if (f.departmentId) p.set('department', f.departmentId);
  if (f.siteId) p.set('site', f.siteId);
  if (f.hostId) p.set('host', f.hostId);
  if (f.status) p.set('status', f.status);
  if (f.kind) p.set('kind', f.kind);
  return p.toString();
};

export function mountConsultationPages(r: Router, k: StyledPageKit, deps: SchedulerDeps): void {
  const { db } = k;

  const listPage = async (req: Request, res: Response, flash: Flash | null) => {
    const today = toLocalDate(k.clock());
    const { filter, error } = filterFrom(req, today);
    const [departments, sites, hosts, found] = await Promise.all([
      listDepartments(db),
      listSites(db),
      listHosts(db),
      error ? null : findConsultations(db, filter),
    ]);
    const option = (value: string, label: string, selected: string | undefined) =>
      html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;
    const select = (id: string, label: string, options: SafeHtml[], selected: string | undefined) =>
      html`<div><label for="${id}">${label}</label><select id="${id}" name="${id}">${option('', 'すべて / all', selected)}${options}</select></div>`;
    const err = (f: string) => (error?.field === f ? html`<p class="field-error" id="${f}-error">${error.ja}<br><span class="en">${error.en}</span></p>` : '');
    const dateField = (id: string, label: string, value: string) =>
      html`<div><label for="${id}">${label}</label><input type="date" id="${id}" name="${id}" value="${value}"${error?.field === id ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>${err(id)}</div>`;
    const form = html`<form method="get" action="/admin/consultations" class="filters">
${dateField('from', '開始日 From', filter.from)}${dateField('to', '終了日（この日を含む） To', filter.to)}
${select(
  'department',
  '課 Department',
  departments.map((d) => option(d.id, d.name, filter.departmentId)),
  filter.departmentId,
)}
${select(
  'site',
  '拠点 Site',
  sites.map((s) => option(s.id, s.name, filter.siteId)),
  filter.siteId,
)}
${select(
  'host',
  '会議のアカウント Account',
  hosts.map((h) => option(h.id, h.displayName, filter.hostId)),
  filter.hostId,
)}
${select(
  'status',
  '状態 Status',
  CONSULTATION_STATUSES.map((s) => option(s, statusLabelJa(s), filter.status)),
  filter.status,
)}
${select('kind', '受付 Booked / walk-in', [option('booked', '予約', filter.kind), option('walk_in', '来庁（支所から）', filter.kind)], filter.kind)}
<div class="actions"><button type="submit">絞り込む</button></div></form>`;
    const rows = (found?.rows ?? []).map(
      (c) =>
        html`<tr${c.status === 'needs_attention' ? html` class="attention"` : ''}><th scope="row"><a href="/admin/consultations/${c.id}">#${c.id}</a></th><td data-label="日時">${formatJa(c.startAt)}〜${hhmm(c.endAt)}</td><td data-label="課">${c.department}</td><td data-label="拠点・アカウント">${c.site}・${c.host}</td><td data-label="受付">${kindLabel(c.kind).ja}</td><td data-label="状態">${statusLabelJa(c.status as ConsultationStatus)}${c.status === 'needs_attention' && c.statusNote ? html`<br><span class="note">${c.statusNote}</span>` : ''}</td><td data-label="相談者">${c.citizen ? c.citizen.name || '来庁者' : html`<span class="hint">消去済み</span>`}</td></tr>`,
    );
    const attention = found?.rows.filter((c) => c.status === 'needs_attention').length ?? 0;
    k.pageWithStyle(
      res,
      req,
      '相談の一覧',
      html`<h1>相談の一覧 <span class="en">Consultations</span></h1>
${form}
${
  found &&
  html`<p>${found.rows.length}件${found.more ? html`（多いため最初の ${LIST_LIMIT} 件だけ表示しています。期間を短くしてください）` : ''}${attention > 0 ? html`　<strong class="attention-count">要対応 ${attention}件</strong>（上にまとめています）` : ''}</p>
<p class="actions"><a class="button secondary" href="/admin/consultations.csv?${queryOf(filter)}" download>CSV で保存（個人情報なし）</a></p>
<details><summary>氏名・メール・相談内容を含む CSV</summary>
<form method="get" action="/admin/consultations.csv">${[...new URLSearchParams(queryOf(filter))].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<input type="hidden" name="personal" value="yes">
<p class="hint">保存期間による消去の前の相談だけに氏名などが入ります。保存したことは監査ログに残ります。</p>
<p><label class="check"><input type="checkbox" name="confirm" value="yes" required> <span>個人情報を含むことを確かめ、取り扱いに注意します。</span></label></p>
<div class="actions"><button type="submit" class="secondary">個人情報を含む CSV を保存</button></div></form></details>
<div class="table-wrap wrap cards" tabindex="0" role="region" aria-label="${TABLE_LABEL}"><table><thead><tr><th scope="col">番号</th><th scope="col">日時</th><th scope="col">課</th><th scope="col">拠点・アカウント</th><th scope="col">受付</th><th scope="col">状態</th><th scope="col">相談者</th></tr></thead><tbody>${
    rows.length === 0 ? html`<tr><td colspan="7">この条件の相談はありません。 <span class="en">None.</span></td></tr>` : rows
  }</tbody></table></div>`
}`,
      CONSULTATIONS_STYLE,
      flash,
      error ? 422 : 200,
    );
  };

  r.get('/consultations', (req, res) => listPage(req, res, k.flashFrom(req.query)));

  r.get('/consultations.csv', async (req, res) => {
    const { filter, error } = filterFrom(req, toLocalDate(k.clock()));
    if (error) {
      res.status(422).type('text/plain; charset=utf-8').send(`${error.ja}\n${error.en}\n`);
      return;
    }
    const personal = req.query.personal === 'yes' && req.query.confirm === 'yes';
    const found = await findConsultations(db, filter);
    if (personal) {
      await writeAudit(db, k.ids, k.clock(), {
        actor: k.actor(req),
        action: 'consultations.exported_with_personal_data',
        entity: 'export',
        entityId: `${filter.from}_${filter.to}`,
        before: null,
        after: { ...filter, rows: found.rows.filter((c) => c.citizen).length },
      });
    }
    const header = [
      '番号',
      '開始（日本時間）',
      '和暦',
      '終了（日本時間）',
      '課',
      '拠点',
      '会議のアカウント',
      '会議サービス',
      '受付',
      '種類',
      '状態',
      'おつなぎの回数',
    ];
    const row = (c: ListedConsultation) => {
      const start = formatJa(c.startAt);
      const base = [
        c.id,
        `${toLocalDate(c.startAt)} ${hhmm(c.startAt)}`,
        `${dateEra(toLocalDate(c.startAt))} ${start.slice(-5)}`,
        `${toLocalDate(c.endAt)} ${hhmm(c.endAt)}`,
        c.department,
        c.site,
        c.host,
        platformLabel(c.platform).ja,
        kindLabel(c.kind).ja,
        typeLabel(c.type).ja,
        statusLabelJa(c.status as ConsultationStatus),
        c.relays,
      ];
      return personal ? [...base, c.citizen?.name ?? '（消去済み）', c.citizen?.email ?? '', c.citizen?.topic ?? ''] : base;
    };
    const file = `madoguchi-consultations_${filter.from}_${filter.to}${personal ? '_personal' : ''}.csv`;
    res
      .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${file}"` })
      .send(toCsv(personal ? [...header, '氏名', 'メールアドレス', '相談内容'] : header, found.rows.map(row)));
  });

  const detailPage = async (req: Request, res: Response, flash: Flash | null, status = 200, errors: Record<string, string> = {}) => {
    const id = String(req.params.id ?? '')
      .replace(/^#/, '')
      .toUpperCase();
    const c = await viewById(db, id);
    if (!c) {
      k.page(
        res,
        req,
        '見つかりません',
        html`<h1>相談 #${id} は見つかりません <span class="en">Not found</span></h1><p><a href="/admin/consultations">一覧へ戻る</a></p>`,
        null,
        404,
      );
      return;
    }
    const [timeline, hosts] = await Promise.all([consultationTimeline(db, c.id, c.kind), listHosts(db)]);
    const host = hosts.find((h) => h.id === c.hostId);
    const start = Date.parse(c.start);
    const open = isOpen(c.status);
    const fieldErr = (f: string) => errors[f] ?? null;
    // After a refused form, what was sent (even empty) stays in its fields.
    const posted = (name: string): string | undefined => (req.method === 'POST' && typeof req.body?.[name] === 'string' ? req.body[name] : undefined);
    const actions: SafeHtml[] = [];
    if (c.status === 'needs_attention')
      actions.push(html`<section><h3>もう一度試す <span class="en">Try again</span></h3><p>${c.statusNote || '会議の作成かメールの送信に失敗しました。'}</p>
<form method="post" action="/admin/consultations/${c.id}/retry">${k.csrfInput(req)}<div class="actions"><button type="submit">もう一度試す</button></div></form></section>`);
    if (canReschedule(c.status))
      actions.push(html`<section><h3>日時を変える <span class="en">Move</span></h3><p class="hint">相談者には変更のお知らせメールが届きます。</p>
<form method="post" action="/admin/consultations/${c.id}/move">${k.csrfInput(req)}
${field({ id: 'move-date', name: 'date', label: '日付', kind: 'date', value: posted('date') ?? toLocalDate(start), error: fieldErr('date') })}
${field({ id: 'move-time', name: 'time', label: '開始時刻', kind: 'time', value: posted('time') ?? hhmm(start), error: fieldErr('time') })}
${field({ id: 'move-duration', name: 'durationMinutes', label: '長さ（分）', value: posted('durationMinutes') ?? String(c.durationMinutes), error: fieldErr('durationMinutes') })}
<div class="actions"><button type="submit">この日時に変える</button></div></form></section>`);
    if (open)
      actions.push(html`<section><h3>取り消す <span class="en">Cancel</span></h3><p class="hint">${c.citizen.email ? '相談者に取り消しのメールが届きます（理由も書かれます）。' : 'この相談者にはメールがありません（窓口で受付）。理由は記録に残ります。'}</p>
<form method="post" action="/admin/consultations/${c.id}/cancel">${k.csrfInput(req)}
${field({ id: 'cancel-reason', name: 'reason', required: true, label: c.citizen.email ? '理由（必須。相談者に伝わります）' : '理由（必須）', value: posted('reason') ?? '', error: fieldErr('reason') })}
<p><label class="check"><input type="checkbox" name="confirm" value="yes" required${posted('confirm') === 'yes' ? html` checked` : ''}> <span>この相談を取り消します。<span class="en">Cancel this consultation.</span></span></label></p>
<div class="actions"><button type="submit">取り消す</button></div></form></section>`);
    if (!c.personalDataErasedAt)
      actions.push(
        html`<section><h3>個人情報の消去 <span class="en">Erase personal data</span></h3><p><a href="/admin/privacy?id=${c.id}">個人情報の画面で消去する</a>（削除の求めがあったとき）</p></section>`,
      );
    k.pageWithStyle(
      res,
      req,
      `相談 #${c.id}`,
      html`<p><a href="/admin/consultations">← 相談の一覧</a></p>
<h1>相談 #${c.id} <span class="en">Consultation</span></h1>
<dl class="facts">
<dt>日時</dt><dd>${formatJa(start)}〜${hhmm(Date.parse(c.end))}（${c.durationMinutes}分）</dd>
<dt>課</dt><dd>${c.department.name}</dd>
<dt>受付</dt><dd>${kindLabel(c.kind).ja}・${c.consultationTypeName.ja}</dd>
<dt>会議のアカウント</dt><dd>${host?.displayName ?? c.hostId}（${platformLabel(host?.provider ?? '').ja}）</dd>
<dt>状態</dt><dd>${statusLabelJa(c.status)}${c.statusNote ? html`<br><span class="note">${c.statusNote}</span>` : ''}</dd>
<dt>相談者</dt><dd>${
        c.personalDataErasedAt
          ? html`消去済み（${formatJa(Date.parse(c.personalDataErasedAt))}）`
          : c.citizen.email
            ? html`${c.citizen.name}（${c.citizen.email}）`
            : html`${c.citizen.name || '来庁者'}（窓口で受付。メールはありません）`
      }</dd>
${!c.personalDataErasedAt && c.topic ? html`<dt>相談内容</dt><dd>${c.topic}</dd>` : ''}
</dl>
${actions.length > 0 ? html`<h2>操作 <span class="en">Actions</span></h2>${actions}` : ''}
<h2>経過 <span class="en">Timeline</span></h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="${TABLE_LABEL}"><table><thead><tr><th scope="col">日時</th><th scope="col">できごと</th><th scope="col">だれが</th><th scope="col">くわしく</th></tr></thead><tbody>${timeline.map(
        (t) =>
          html`<tr><td>${formatJa(t.at)}</td><th scope="row">${t.what.ja} <span class="en">${t.what.en}</span></th><td>${t.who || '—'}</td><td>${t.detail}</td></tr>`,
      )}</tbody></table></div>`,
      CONSULTATIONS_STYLE,
      flash,
      status,
    );
  };

  r.get('/consultations/:id', (req, res) => detailPage(req, res, k.flashFrom(req.query)));

  const back = (req: Request) => `/admin/consultations/${String(req.params.id)}`;
  const refused = (req: Request, res: Response, reason: { ja: string; en: string }, status: number, errors: Record<string, string> = {}) =>
    detailPage(req, res, { kind: 'error', ...reason }, status, errors);

  r.post('/consultations/:id/retry', async (req, res) => {
    const done = await retryConsultation(deps, String(req.params.id), k.actor(req));
    if (!done.ok) return refused(req, res, done.reason.message, done.reason.code === 'not_found' ? 404 : 409);
    k.redirectWith(res, back(req), 'もう一度試しています。少し待ってから状態を確かめてください。', 'Trying again.');
  });

  r.post('/consultations/:id/cancel', async (req, res) => {
    const reason = str(req.body?.reason).trim();
    if (!reason)
      return refused(req, res, { ja: '理由を入れてください。', en: 'Enter the reason.' }, 422, {
        reason: '理由を入れてください（相談者に伝わります）。 / Enter the reason.',
      });
    if (req.body?.confirm !== 'yes') return refused(req, res, { ja: '確認の欄にチェックを入れてください。', en: 'Tick the confirmation.' }, 422);
    const done = await cancelConsultation(deps, String(req.params.id), reason.slice(0, 500), k.actor(req));
    if (!done.ok) return refused(req, res, done.reason.message, done.reason.code === 'not_found' ? 404 : 409);
    k.redirectWith(res, back(req), '取り消しました。相談者にお知らせします。', 'Cancelled; the citizen is told.');
  });

  r.post('/consultations/:id/move', async (req, res) => {
    // Full-width digits (１５) read as typed.
    const date = str(req.body?.date).normalize('NFKC').trim();
    const minute = parseMinute(str(req.body?.time).normalize('NFKC').trim());
    const duration = Number(str(req.body?.durationMinutes).normalize('NFKC').trim());
    const errors: Record<string, string> = {};
    if (!isLocalDate(date)) errors.date = '日付を選んでください。 / Choose the date.';
    if (minute === null) errors.time = '時刻を 10:30 のように入れてください。 / Give the time as HH:MM.';
    if (!Number.isInteger(duration) || duration < 5 || duration > 720) errors.durationMinutes = '長さは 5〜720 分の整数で入れてください。 / 5 to 720 minutes.';
    if (Object.keys(errors).length > 0) return refused(req, res, { ja: '入力を確かめてください。', en: 'Check the fields.' }, 422, errors);
    const current = await viewById(db, String(req.params.id));
    if (current && Date.parse(current.start) === localInstant(date, minute!) && current.durationMinutes === duration)
      return refused(
        req,
        res,
        { ja: '日時も長さも今と同じです。変えるときは、新しい日時か長さを入れてください。', en: 'That is the time and length it has already.' },
        422,
      );
    const done = await rescheduleConsultation(deps, String(req.params.id), { start: localInstant(date, minute!), durationMinutes: duration }, k.actor(req));
    if (!done.ok) {
      const code = done.reason.code;
      return refused(req, res, done.reason.message, code === 'not_found' ? 404 : code === 'validation' ? 422 : 409);
    }
    k.redirectWith(res, back(req), '日時を変えました。相談者にお知らせします。', 'Moved; the citizen is told.');
  });
}
