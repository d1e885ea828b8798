// /admin/hosts, /admin/staff, /admin/tokens and /admin/audit: the city's conferencing accounts (add, rename, move,
// retire, and check an account as `npm run check:webex` does), the staff with their departments, sites and duty, the
// API tokens (made here, shown once; revoked here), and the audit log filtered by consultation, actor and date.
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { writeAudit } from '../core/audit.ts';
import type { Role } from '../core/auth/tokens.ts';
import { ROLES, createToken, listTokens, revokeTokenChecked } from '../core/auth/tokens.ts';
import type { ProviderKind } from '../core/conferencing/index.ts';
import { PROVIDER_KINDS, checkAccount } from '../core/conferencing/index.ts';
import type { CheckLine } from '../core/conferencing/check.ts';
import { createSecretStore } from '../core/secrets.ts';
import { DAY_MS, addDays, formatJa, isLocalDate, startOfLocalDate, toLocalDate } from '../core/time.ts';
import type { Flash } from '../core/web/layout.ts';
import { field } from '../core/web/layout.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { addHost, changeHost, listHosts, retireHostChecked, upcomingOnHost } from '../scheduler/hosts.ts';
import { listSites } from '../scheduler/sites.ts';
import { assignStaff, listStaff, setDuty } from '../relay/staff.ts';
import { actionLabel, whoDid } from '../reports/consultations.ts';
import { platformLabel } from '../reports/labels.ts';
import type { AdminPageKit } from './sites.ts';

const TABLE_LABEL = '表（はみ出すときは横に動かせます） / Table';
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const ROLE_JA: Record<Role, string> = { admin: '管理者', staff: '職員' };

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<SafeHtml>, empty: string, cards = false) =>
  html`<div class="table-wrap${cards ? ' cards' : ''}" tabindex="0" role="region" aria-label="${TABLE_LABEL}"><table><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${
    rows.length === 0 ? html`<tr><td colspan="${head.length}">${empty}</td></tr>` : rows
  }</tbody></table></div>`;

export function mountAccountPages(r: Router, k: AdminPageKit, deps: Pick<SchedulerDeps, 'config' | 'store'>): void {
  const { db } = k;

  // ------------------------------------------------------------ hosts

  const hostsPage = async (
    req: Request,
    res: Response,
    flash: Flash | null,
    checked: { hostId: string; lines: ReadonlyArray<CheckLine> } | null = null,
    status = 200,
  ) => {
    const [hosts, sites] = await Promise.all([listHosts(db), listSites(db)]);
    const now = k.clock();
    const upcoming = await Promise.all(hosts.map((h) => upcomingOnHost(db, h.id, now)));
    const configured = PROVIDER_KINDS.filter((p) => p === 'dryrun' || (p === 'webex' ? deps.config.webex : deps.config.teams));
    const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? id;
    const rows = hosts.map(
      (
        h,
        i,
      ) => html`<tr><th scope="row">${h.displayName}</th><td data-label="会議サービス">${platformLabel(h.provider).ja}</td><td data-label="アカウント"><code>${h.account}</code></td><td data-label="拠点">${siteName(h.siteId)}</td><td data-label="これからの相談">${upcoming[i]!.length}件</td>
<td><form method="post" action="/admin/hosts/${h.id}/check" class="actions">${k.csrfInput(req)}<button type="submit" class="secondary">アカウントを確かめる</button></form>
${checked?.hostId === h.id ? html`<ul class="check" aria-live="polite">${checked.lines.map((l) => html`<li class="${l.ok ? 'ok' : 'ng'}">${l.ok ? '✔' : '✖'} ${l.ja}<br><span class="en">${l.en}</span></li>`)}</ul>` : ''}
<details><summary>名前を変える・利用をやめる</summary>
<form method="post" action="/admin/hosts/${h.id}">${k.csrfInput(req)}${field({ id: `host-${h.id}-name`, name: 'displayName', label: '名前', value: h.displayName })}<div class="actions"><button type="submit">保存</button></div></form>
<form method="post" action="/admin/hosts/${h.id}/retire">${k.csrfInput(req)}<p class="hint">${upcoming[i]!.length > 0 ? `これからの相談が${upcoming[i]!.length}件あるため、先に移すか取り消してください。` : '利用をやめると、このアカウントには予約が入らなくなります（また使うときは追加し直します）。'}</p>${upcoming[i]!.length > 0 ? '' : html`<p><label class="check"><input type="checkbox" name="confirm" value="yes" required> <span>「${h.displayName}」の利用をやめます。</span></label></p>`}<div class="actions"><button type="submit" class="secondary"${upcoming[i]!.length > 0 ? html` disabled` : ''}>利用をやめる</button></div></form>
</details></td></tr>`,
    );
    k.page(
      res,
      req,
      '会議のアカウント',
      html`<h1>会議のアカウント <span class="en">Host accounts</span></h1>
<p>相談に使う Webex・Teams のアカウント（市の専用アカウント）です。予約は空いているアカウントに入ります。拠点への割り当てと端末のトークンは「<a href="/admin/sites">拠点と端末</a>」で。</p>
${table(['名前', '会議サービス', 'アカウント', '拠点', 'これからの相談', '操作'], rows, 'まだありません。', true)}
<section><h2>アカウントを追加 <span class="en">Add an account</span></h2>
<form method="post" action="/admin/hosts">${k.csrfInput(req)}
${field({ id: 'new-host-name', name: 'displayName', label: '名前', hint: '（例: 相談用専用PC 2）', value: str(req.body?.displayName) })}
<label for="new-host-provider">会議サービス</label><select id="new-host-provider" name="provider">${configured.map((p) => html`<option value="${p}"${str(req.body?.provider) === p ? html` selected` : ''}>${platformLabel(p).ja}</option>`)}</select>
${field({ id: 'new-host-account', name: 'account', label: 'アカウント', hint: '（Webex はメールアドレス、Teams はユーザー ID またはメールアドレス）', value: str(req.body?.account) })}
<label for="new-host-site">拠点</label><select id="new-host-site" name="siteId">${sites.map((s) => html`<option value="${s.id}"${str(req.body?.siteId) === s.id ? html` selected` : ''}>${s.name}</option>`)}</select>
<div class="actions"><button type="submit">追加</button></div></form>
<p class="hint">Webex・Teams は .env で設定したものだけ選べます。 / Only the platforms configured in .env are offered.</p></section>`,
      flash,
      status,
    );
  };

  r.get('/hosts', (req, res) => hostsPage(req, res, k.flashFrom(req.query)));
  r.post('/hosts', async (req, res) => {
    const displayName = str(req.body?.displayName).trim().slice(0, 100);
    const account = str(req.body?.account).trim().slice(0, 200);
    const provider = str(req.body?.provider) as ProviderKind;
    const missing = [!displayName && '名前', !PROVIDER_KINDS.includes(provider) && '会議サービス', !account && 'アカウント'].filter(Boolean);
    if (missing.length > 0)
      return hostsPage(
        req,
        res,
        { kind: 'error', ja: `追加するアカウントの${missing.join('・')}を入れてください。`, en: 'Enter the name, platform and account to add.' },
        null,
        422,
      );
    const added = await addHost(db, k.ids, k.clock(), { displayName, provider, account, siteId: str(req.body?.siteId) || undefined }, k.actor(req));
    if (!added.ok) return hostsPage(req, res, { kind: 'error', ...added.reason.message }, null, added.reason.code === 'conflict' ? 409 : 422);
    k.redirectWith(res, '/admin/hosts', `${displayName}を追加しました。「アカウントを確かめる」で設定を確認できます。`, 'Added.');
  });
  r.post('/hosts/:id', async (req, res) => {
    const displayName = str(req.body?.displayName).trim().slice(0, 100);
    if (!displayName)
      return hostsPage(
        req,
        res,
        { kind: 'error', ja: '名前を変えるときは、新しい名前を入れてください（空にはできません）。', en: 'A new name is needed to rename it.' },
        null,
        422,
      );
    const changed = await changeHost(db, k.ids, k.clock(), String(req.params.id), { displayName }, k.actor(req));
    if (!changed.ok) return hostsPage(req, res, { kind: 'error', ...changed.reason.message }, null, 404);
    k.redirectWith(res, '/admin/hosts', '名前を変えました。', 'Renamed.');
  });
  r.post('/hosts/:id/retire', async (req, res) => {
    if (req.body?.confirm !== 'yes')
      return hostsPage(req, res, { kind: 'error', ja: '確認の欄にチェックを入れてください。', en: 'Tick the confirmation.' }, null, 422);
    const host = (await listHosts(db)).find((h) => h.id === String(req.params.id));
    const done = await retireHostChecked(db, k.ids, k.clock(), String(req.params.id), k.actor(req));
    if (!done.ok) return hostsPage(req, res, { kind: 'error', ...done.reason.message }, null, done.reason.code === 'not_found' ? 404 : 409);
    k.redirectWith(res, '/admin/hosts', `「${host?.displayName ?? ''}」の利用をやめました。`, 'Retired.');
  });
  r.post('/hosts/:id/check', async (req, res) => {
    const host = (await listHosts(db)).find((h) => h.id === String(req.params.id));
    if (!host) return hostsPage(req, res, { kind: 'error', ja: 'その端末は見つかりません。', en: 'Not found.' }, null, 404);
    const secrets = deps.config.secretKey ? createSecretStore(db, deps.config.secretKey, k.clock) : null;
    const lines = await checkAccount({ config: deps.config, secrets, clock: k.clock }, host.provider, host.account).catch((error: unknown) => [
      { ok: false, ja: `確かめられませんでした: ${error instanceof Error ? error.message : String(error)}`, en: 'The check failed.' },
    ]);
    return hostsPage(req, res, null, { hostId: host.id, lines });
  });

  // ------------------------------------------------------------ staff

  const staffPage = async (req: Request, res: Response, flash: Flash | null, status = 200) => {
    const [staff, departments, sites, duty] = await Promise.all([
      listStaff(db),
      listDepartments(db),
      listSites(db),
      db.selectFrom('staff').select(['id', 'duty_until']).execute(),
    ]);
    const until = new Map(duty.map((d) => [d.id, d.duty_until]));
    const rows = staff.map((m) => {
      const ends = until.get(m.id);
      return html`<tr><th scope="row">${m.displayName}</th><td data-label="チャット">${platformLabel(m.platform).ja}</td>
<td><form method="post" action="/admin/staff/${m.id}" class="actions">${k.csrfInput(req)}
<label for="staff-${m.id}-dept" class="inline-label">課</label><select id="staff-${m.id}-dept" name="departmentId"><option value="">（なし）</option>${departments.map((d) => html`<option value="${d.id}"${m.departmentId === d.id ? html` selected` : ''}>${d.name}</option>`)}</select>
<label for="staff-${m.id}-site" class="inline-label">拠点</label><select id="staff-${m.id}-site" name="siteId">${sites.map((s) => html`<option value="${s.id}"${(m.siteId ?? 'main') === s.id ? html` selected` : ''}>${s.name}</option>`)}</select>
<button type="submit" class="secondary">保存</button></form></td>
<td data-label="当番">${m.onDuty ? html`当番中${ends ? `（${formatJa(Date.parse(ends)).slice(-5)}まで）` : ''}<form method="post" action="/admin/staff/${m.id}/duty" class="actions">${k.csrfInput(req)}<input type="hidden" name="on" value="no"><button type="submit" class="secondary">当番を終える</button></form>` : html`—<form method="post" action="/admin/staff/${m.id}/duty" class="actions">${k.csrfInput(req)}<input type="hidden" name="on" value="yes"><button type="submit" class="secondary"${m.departmentId ? '' : html` disabled aria-describedby="staff-${m.id}-why"`}>当番にする</button></form>${m.departmentId ? '' : html`<p class="hint" id="staff-${m.id}-why">先に課を選んで保存すると、当番にできます。</p>`}`}</td></tr>`;
    });
    k.page(
      res,
      req,
      '職員',
      html`<h1>職員 <span class="en">Staff</span></h1>
<p>チャット（Webex・Teams・コンソール）でボットに話しかけた職員です。課はおつなぎ（<code>/relay</code>）で呼ばれる課、拠点は <code>/call</code> で使う端末の場所です。職員は自分でも <code>/duty on 税務</code>・<code>/site 三隅</code> で変えられます。</p>
${table(['名前', 'チャット', '課・拠点', '当番'], rows, 'まだいません。職員がチャットでボットに話しかけると、ここに出ます。', true)}`,
      flash,
      status,
    );
  };

  r.get('/staff', (req, res) => staffPage(req, res, k.flashFrom(req.query)));
  r.post('/staff/:id', async (req, res) => {
    const id = String(req.params.id);
    const departmentId = str(req.body?.departmentId) || null;
    const siteId = str(req.body?.siteId) || null;
    const [departments, sites] = await Promise.all([listDepartments(db), listSites(db)]);
    if ((departmentId && !departments.some((d) => d.id === departmentId)) || (siteId && !sites.some((s) => s.id === siteId)))
      return staffPage(req, res, { kind: 'error', ja: 'その課か拠点は見つかりません。', en: 'Unknown department or site.' }, 422);
    const done = await assignStaff(db, k.ids, k.clock(), id, { departmentId, siteId }, k.actor(req));
    if (!done) return staffPage(req, res, { kind: 'error', ja: 'その職員は見つかりません。', en: 'Not found.' }, 404);
    k.redirectWith(res, '/admin/staff', done.endedDuty ? '保存しました。課がなくなったため、当番も終えました。' : '保存しました。', 'Saved.');
  });
  r.post('/staff/:id/duty', async (req, res) => {
    const id = String(req.params.id);
    const on = req.body?.on === 'yes';
    const member = (await listStaff(db)).find((m) => m.id === id);
    if (!member) return staffPage(req, res, { kind: 'error', ja: 'その職員は見つかりません。', en: 'Not found.' }, 404);
    if (on && !member.departmentId)
      return staffPage(req, res, { kind: 'error', ja: '先に課を選んで保存してください。', en: 'Choose the department first.' }, 422);
    await setDuty(db, k.ids, k.clock(), id, on, { endsAtMinute: deps.config.relay.dutyEndsAtMinute });
    await writeAudit(db, k.ids, k.clock(), {
      actor: k.actor(req),
      action: on ? 'staff.duty_on' : 'staff.duty_off',
      entity: 'staff',
      entityId: id,
      before: null,
      after: { onDuty: on },
    });
    k.redirectWith(
      res,
      '/admin/staff',
      on ? `${member.displayName}さんを当番にしました。` : `${member.displayName}さんの当番を終えました。`,
      on ? 'On duty.' : 'Off duty.',
    );
  });

  // ------------------------------------------------------------ tokens

  // Each create form carries a one-time value: sending the same form again (a reload of the page that showed the
  // token) makes no second token. Kept in this process for a day; another instance would make one, harmlessly.
  const usedForms = new Map<string, number>();
  const formOnce = (value: string, now: number): boolean => {
    for (const [v, at] of usedForms) if (at < now - DAY_MS) usedForms.delete(v);
    if (!value || usedForms.has(value)) return false;
    usedForms.set(value, now);
    return true;
  };

  const tokensPage = async (req: Request, res: Response, flash: Flash | null, issued: { name: string; token: string } | null = null, status = 200) => {
    const tokens = await listTokens(db);
    const live = tokens.filter((t) => !t.revokedAt);
    const mine = req.adminSession?.principal.startsWith('token:') ? req.adminSession.principal.slice(6) : null;
    const rows = live.map(
      (t) =>
        html`<tr><th scope="row">${t.name}${t.id === mine ? html`<br><strong>（いまサインインに使っているトークン）</strong>` : ''}</th><td>${ROLE_JA[t.role]}</td><td>${formatJa(Date.parse(t.createdAt))}</td><td><code>${t.id}</code></td><td><form method="post" action="/admin/tokens/${t.id}/revoke">${k.csrfInput(req)}<label class="check"><input type="checkbox" name="confirm" value="yes" required> <span>取り消します（元に戻せません）</span></label><button type="submit" class="secondary">取り消す</button></form></td></tr>`,
    );
    k.page(
      res,
      req,
      'API トークン',
      html`<h1>API トークン <span class="en">API tokens</span></h1>
${
  issued &&
  html`<section class="flash ok" role="status"><h2>「${issued.name}」のトークン（この一度だけ表示します）</h2><p><code>${issued.token}</code></p><p>控えは残さず、使う人に安全な方法で渡してください。このページを再読み込みしても、新しいトークンは作られません。 <span class="en">Shown once: hand it over safely, keep no copy.</span></p></section>`
}
<p>予約の仕組みや他のシステムが API（<code>/api/v1</code>）を使うためのトークンです。支所の窓口端末と課の呼び出しボードのトークンは「<a href="/admin/sites">拠点と端末</a>」で作ります。最後の管理者トークンは、管理者アカウント（<code>npm run admin -- create</code>）がないかぎり取り消せません。</p>
${table(['名前', '権限', '作った日時', '番号', '取り消し'], rows, 'まだありません。')}
<section><h2>トークンを作る <span class="en">Create a token</span></h2><form method="post" action="/admin/tokens">${k.csrfInput(req)}<input type="hidden" name="once" value="${randomBytes(12).toString('base64url')}">
${field({ id: 'token-name', name: 'name', label: '名前（だれが何に使うか）', hint: '（例: 税務課 田中、予約システム）', value: '' })}
<label for="token-role">権限</label><select id="token-role" name="role">${ROLES.map((r) => html`<option value="${r}"${r === 'staff' ? html` selected` : ''}>${ROLE_JA[r]}</option>`)}</select>
<div class="actions"><button type="submit">作る</button></div></form></section>`,
      flash,
      status,
    );
  };

  r.get('/tokens', (req, res) => tokensPage(req, res, k.flashFrom(req.query)));
  r.post('/tokens', async (req, res) => {
    const name = str(req.body?.name).trim().slice(0, 100);
    const role = str(req.body?.role) as Role;
    if (!name || !ROLES.includes(role))
      return tokensPage(req, res, { kind: 'error', ja: '名前と権限を入れてください。', en: 'Enter the name and role.' }, null, 422);
    if (!formOnce(str(req.body?.once), k.clock()))
      return tokensPage(
        req,
        res,
        {
          kind: 'warn',
          ja: 'このフォームのトークンはもう作りました（表示は一度だけです）。新しく作るときは、下のフォームからもう一度どうぞ。',
          en: 'That form already made its token (shown once).',
        },
        null,
        409,
      );
    const issued = await createToken(db, k.ids, k.clock(), { name, role }, k.actor(req));
    // Shown on this answer only (never in an address, never again).
    return tokensPage(req, res, null, { name, token: issued.token });
  });
  r.post('/tokens/:id/revoke', async (req, res) => {
    const id = String(req.params.id);
    if (req.body?.confirm !== 'yes')
      return tokensPage(req, res, { kind: 'error', ja: '確認の欄にチェックを入れてください。', en: 'Tick the confirmation.' }, null, 422);
    const target = (await listTokens(db)).find((t) => t.id === id);
    const done = await revokeTokenChecked(db, k.ids, k.clock(), id, k.actor(req));
    if (!done.ok && done.reason.code === 'invalid_state') return tokensPage(req, res, { kind: 'error', ...done.reason.message }, null, 409);
    k.redirectWith(res, '/admin/tokens', done.ok ? `「${target?.name ?? id}」を取り消しました。` : 'すでに取り消されています。', 'Revoked.');
  });

  // ------------------------------------------------------------ audit log

  r.get('/audit', async (req, res) => {
    const today = toLocalDate(k.clock());
    const from = str(req.query.from) || addDays(today, -30);
    const to = str(req.query.to) || today;
    const consultation = str(req.query.consultation).normalize('NFKC').replace(/^#/, '').trim().toUpperCase();
    const actor = str(req.query.actor).trim();
    const bad = !isLocalDate(from) || !isLocalDate(to) || to < from;
    let q = db.selectFrom('audit_log').selectAll();
    if (!bad)
      q = q.where('at', '>=', new Date(startOfLocalDate(from)).toISOString()).where('at', '<', new Date(startOfLocalDate(addDays(to, 1))).toISOString());
    if (consultation) q = q.where('entity', '=', 'consultation').where('entity_id', '=', consultation);
    const [staff, tokens] = await Promise.all([listStaff(db), listTokens(db)]);
    const staffNames = new Map(staff.map((m) => [m.id, m.displayName]));
    const tokenNames = new Map(tokens.map((t) => [t.id, t.name]));
    if (actor) {
      // By the name people see: staff are named in relay steps by their id, the system as システム.
      const staffIds = staff.filter((m) => m.displayName.includes(actor)).map((m) => m.id);
      const special = ['システム'.includes(actor) ? 'system' : null, '相談者'.includes(actor) ? 'citizen' : null].filter((x): x is string => x !== null);
      const like = `%${actor.replace(/[%_\\]/g, '\\$&')}%`;
      q = q.where((eb) => eb.or([eb('actor', 'like', like), ...(staffIds.length + special.length > 0 ? [eb('actor', 'in', [...staffIds, ...special])] : [])]));
    }
    const rows = bad ? [] : await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(501).execute();
    const target = (entity: string, id: string) =>
      entity === 'staff' ? `職員 ${staffNames.get(id) ?? id}` : entity === 'token' ? `トークン ${tokenNames.get(id) ?? id}` : `${entity} ${id}`;
    const shown = rows.slice(0, 500).map((a) => {
      const what = actionLabel(a.action);
      return html`<tr><td>${formatJa(Date.parse(a.at))}</td><td>${whoDid(a.actor, staffNames)}</td><th scope="row">${what.ja}${what.en !== what.ja ? html` <span class="en">${what.en}</span>` : ''}</th><td>${a.entity === 'consultation' ? html`<a href="/admin/consultations/${a.entity_id}">#${a.entity_id}</a>` : target(a.entity, a.entity_id)}</td>
<td>${a.before_json || a.after_json ? html`<details><summary>内容</summary>${a.before_json ? html`<p>前: <code>${a.before_json.slice(0, 2000)}</code></p>` : ''}${a.after_json ? html`<p>後: <code>${a.after_json.slice(0, 2000)}</code></p>` : ''}</details>` : ''}</td></tr>`;
    });
    k.page(
      res,
      req,
      '監査ログ',
      html`<h1>監査ログ <span class="en">Audit log</span></h1>
<p>だれが、いつ、何をしたかの記録です。保存期間が過ぎた相談の氏名などは「[erased]」に置き換わっています。</p>
<form method="get" action="/admin/audit" class="filters">
${field({ id: 'consultation', name: 'consultation', label: '相談の番号 Consultation', hint: '（例: K7M2Q9XA）', value: consultation })}
${field({ id: 'actor', name: 'actor', label: 'だれが（名前の一部） Who', value: actor })}
${field({ id: 'from', name: 'from', label: '開始日 From', kind: 'date', value: from })}
${field({ id: 'to', name: 'to', label: '終了日（この日を含む） To', kind: 'date', value: to, error: bad ? '日付を確かめてください（正しい日付で、終了日は開始日以降）。 / Check the dates (the last on or after the first).' : null })}
<div class="actions"><button type="submit">絞り込む</button></div></form>
${
  bad
    ? ''
    : html`<p>${rows.length > 500 ? '新しい 500 件を表示しています。条件をしぼってください。' : `${rows.length}件`}</p>
${table(['日時', 'だれが', 'できごと', '対象', '内容'], shown, '記録はありません。')}`
}`,
      null,
      bad ? 422 : 200,
    );
  });
}
