// /admin/sites: the main office and the branches (支所), which counter devices (hosts) are where, the device tokens of
// the branch terminals and the department boards (made here, shown once), and links to open each page.
import type { Request, Response, Router } from 'express';
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import type { Flash } from '../core/web/layout.ts';
import { field } from '../core/web/layout.ts';
import { writeAudit } from '../core/audit.ts';
import type { IdSource } from '../core/ids.ts';
import type { Db } from '../core/store/schema.ts';
import type { DeviceRole } from '../core/auth/tokens.ts';
import { issueDeviceToken, listDevices, revokeToken } from '../core/auth/tokens.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { listHosts } from '../scheduler/hosts.ts';
import { listStaff } from '../relay/staff.ts';
import { SITE_KIND_JA, addSite, checkDeviceScope, listSites, setHostSite, updateSite } from '../scheduler/sites.ts';

export interface AdminPageKit {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly page: (res: Response, req: Request, title: string, body: SafeHtml, flash?: Flash | null, status?: number) => void;
  readonly csrfInput: (req: Request) => SafeHtml;
  readonly actor: (req: Request) => string;
  readonly flashFrom: (q: Request['query']) => Flash | null;
  readonly redirectWith: (res: Response, to: string, ja: string, en: string) => void;
}

/** The kit, for a page with a stylesheet of its own (the CSP allows it by its hash). */
export interface StyledPageKit extends AdminPageKit {
  readonly pageWithStyle: (res: Response, req: Request, title: string, body: SafeHtml, style: string, flash?: Flash | null, status?: number) => void;
}

const ROLE_JA: Record<DeviceRole, string> = { counter: '窓口端末', board: '呼び出しボード' };

export function mountSitesPages(r: Router, k: AdminPageKit): void {
  const { db } = k;

  const sitesPage = async (
    req: Request,
    res: Response,
    flash: Flash | null,
    issued: { name: string; role: DeviceRole; token: string } | null,
    status = 200,
  ) => {
    const [sites, hosts, departments, devices, staff] = await Promise.all([listSites(db), listHosts(db), listDepartments(db), listDevices(db), listStaff(db)]);
    const scopeName = (role: DeviceRole, scope: string) =>
      role === 'counter' ? (hosts.find((h) => h.id === scope)?.displayName ?? scope) : (departments.find((d) => d.id === scope)?.name ?? scope);
    const siteOptions = (selected: string) => sites.map((s) => html`<option value="${s.id}"${s.id === selected ? html` selected` : ''}>${s.name}</option>`);
    const shown =
      issued &&
      html`<section class="flash ok" role="status"><h2>${ROLE_JA[issued.role]}「${issued.name}」のトークン（この一度だけ表示します）</h2>
<p><code>${issued.token}</code></p>
<p>この端末で <code>/${issued.role}/login</code> を開き、このトークンを入れてください。控えは残さないでください。</p>
<p class="en">Shown once: enter it on the device at /${issued.role}/login.</p></section>`;
    const siteSections = sites.map((s) => {
      const here = hosts.filter((h) => h.siteId === s.id);
      return html`<section><h2>${s.name}${s.name !== SITE_KIND_JA[s.kind] && html` <span class="en">${SITE_KIND_JA[s.kind]}</span>`}</h2>
<form method="post" action="/admin/sites/${s.id}">${k.csrfInput(req)}
${field({ id: `site-${s.id}-name`, name: 'name', label: '名前', value: s.name })}
${field({ id: `site-${s.id}-phone`, name: 'phone', label: '電話番号', hint: '（来庁者の案内や、課からの折り返しに使います）', value: s.phone })}
<div class="actions"><button type="submit">保存</button></div></form>
<h3>相談用の端末 <span class="en">Devices</span></h3>
${
  here.length === 0
    ? html`<p class="hint">まだありません。下の一覧から端末をこの拠点へ移してください。</p>`
    : html`<ul>${here.map(
        (h) => html`<li>${h.displayName}（${h.provider}）　<a href="/counter?host=${h.id}">窓口画面を開く</a>
<form method="post" action="/admin/devices" class="actions">${k.csrfInput(req)}<input type="hidden" name="role" value="counter"><input type="hidden" name="scope" value="${h.id}"><input type="hidden" name="name" value="${`${s.name} ${h.displayName}`}"><button type="submit" class="secondary">この端末のトークンを作る</button></form></li>`,
      )}</ul>`
}
<h3>ここで働く職員 <span class="en">Staff here</span></h3>
${(() => {
  const mine = staff.filter((m) => (m.siteId ?? (s.kind === 'main' ? s.id : null)) === s.id);
  return mine.length === 0
    ? html`<p class="hint">まだいません。職員がチャットで <code>/site ${s.name}</code> と送ると、ここに入ります。</p>`
    : html`<p>${mine.map((m) => m.displayName).join('、')}</p>`;
})()}</section>`;
    });
    const hostRows = hosts.map(
      (
        h,
      ) => html`<tr><td>${h.displayName}</td><td>${h.provider}</td><td><form method="post" action="/admin/hosts/${h.id}/site" class="actions">${k.csrfInput(req)}
<label for="host-${h.id}-site" class="inline-label">拠点</label><select id="host-${h.id}-site" name="siteId">${siteOptions(h.siteId)}</select><button type="submit" class="secondary">移す</button></form></td></tr>`,
    );
    const boardRows = departments.map(
      (d) =>
        html`<tr><td>${d.name}</td><td><a href="/board?department=${d.id}">ボードを開く</a></td><td><form method="post" action="/admin/devices">${k.csrfInput(req)}<input type="hidden" name="role" value="board"><input type="hidden" name="scope" value="${d.id}"><input type="hidden" name="name" value="${`${d.name} 呼び出しボード`}"><button type="submit" class="secondary">ボードのトークンを作る</button></form></td></tr>`,
    );
    const deviceRows = devices.map(
      (d) =>
        html`<tr><td>${d.name}</td><td>${ROLE_JA[d.role]}</td><td>${scopeName(d.role, d.scope)}</td><td><form method="post" action="/admin/devices/${d.tokenId}/revoke">${k.csrfInput(req)}<button type="submit" class="secondary">取り消す</button></form></td></tr>`,
    );
    k.page(
      res,
      req,
      '拠点と端末',
      html`<h1>拠点と端末 <span class="en">Sites and devices</span></h1>
${shown}
<p>本庁と各支所、それぞれの相談用の端末（ホスト）です。支所の職員はチャットで <code>/site 支所名</code> と送ると、その支所から <code>/call 税務</code> で来庁者を本庁の課へつなげます。支所の端末には「窓口画面」、課の机や壁の画面には「呼び出しボード」を開いてください（各端末で一度だけトークンを入れます）。</p>
${siteSections}
<section><h2>支所を追加 <span class="en">Add a branch</span></h2><form method="post" action="/admin/sites">${k.csrfInput(req)}
${field({ id: 'new-site-name', name: 'name', label: '支所の名前', value: '', hint: '（例: 三隅支所）' })}
${field({ id: 'new-site-phone', name: 'phone', label: '電話番号', value: '' })}
<div class="actions"><button type="submit">追加</button></div></form></section>
<section><h2>端末の拠点 <span class="en">Where each device is</span></h2><div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>端末</th><th>種類</th><th>拠点</th></tr></thead><tbody>${hostRows}</tbody></table></div></section>
<section><h2>課の呼び出しボード <span class="en">Department boards</span></h2><div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>課</th><th>画面</th><th>トークン</th></tr></thead><tbody>${boardRows}</tbody></table></div></section>
<section><h2>使える端末トークン <span class="en">Live device tokens</span></h2>${
        devices.length === 0
          ? html`<p class="hint">まだありません。</p>`
          : html`<div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>名前</th><th>種類</th><th>対象</th><th>取り消し</th></tr></thead><tbody>${deviceRows}</tbody></table></div>`
      }</section>`,
      flash,
      status,
    );
  };

  r.get('/sites', (req, res) => sitesPage(req, res, k.flashFrom(req.query), null));

  r.post('/sites', async (req, res) => {
    const name = String(req.body?.name ?? '').trim();
    if (!name) return sitesPage(req, res, { kind: 'error', ja: '支所の名前を入れてください。', en: 'Enter the branch name.' }, null, 422);
    const added = await addSite(db, k.ids, k.clock(), { name, phone: String(req.body?.phone ?? '') });
    if (!added.ok) return sitesPage(req, res, { kind: 'error', ...added.reason.message }, null, 422);
    await writeAudit(db, k.ids, k.clock(), {
      actor: k.actor(req),
      action: 'site.added',
      entity: 'site',
      entityId: added.value.id,
      before: null,
      after: added.value,
    });
    k.redirectWith(res, '/admin/sites', `${name}を追加しました。`, `Added ${name}.`);
  });

  r.post('/sites/:id', async (req, res) => {
    const name = String(req.body?.name ?? '').trim();
    if (!name) return sitesPage(req, res, { kind: 'error', ja: '名前を入れてください。', en: 'Enter the name.' }, null, 422);
    const changed = await updateSite(db, String(req.params.id), { name, phone: String(req.body?.phone ?? '') });
    if (!changed.ok) return sitesPage(req, res, { kind: 'error', ...changed.reason.message }, null, changed.reason.code === 'not_found' ? 404 : 422);
    await writeAudit(db, k.ids, k.clock(), {
      actor: k.actor(req),
      action: 'site.changed',
      entity: 'site',
      entityId: changed.value.id,
      before: null,
      after: changed.value,
    });
    k.redirectWith(res, '/admin/sites', `${name}を保存しました。`, 'Saved.');
  });

  r.post('/hosts/:id/site', async (req, res) => {
    const moved = await setHostSite(db, String(req.params.id), String(req.body?.siteId ?? ''));
    if (!moved.ok) return sitesPage(req, res, { kind: 'error', ...moved.reason.message }, null, 422);
    await writeAudit(db, k.ids, k.clock(), {
      actor: k.actor(req),
      action: 'host.changed',
      entity: 'host',
      entityId: String(req.params.id),
      before: null,
      after: { siteId: req.body?.siteId },
    });
    k.redirectWith(res, '/admin/sites', '端末の拠点を変えました。', 'Device moved.');
  });

  r.post('/devices', async (req, res) => {
    const role = req.body?.role === 'board' ? 'board' : req.body?.role === 'counter' ? 'counter' : null;
    const scope = String(req.body?.scope ?? '');
    const name = String(req.body?.name ?? '')
      .trim()
      .slice(0, 100);
    if (!role || !name) return sitesPage(req, res, { kind: 'error', ja: '端末の種類と名前が必要です。', en: 'Role and name are needed.' }, null, 422);
    const checked = await checkDeviceScope(db, role, scope);
    if (!checked.ok) return sitesPage(req, res, { kind: 'error', ...checked.reason.message }, null, 422);
    const d = await issueDeviceToken(db, k.ids, k.clock(), { name, role, scope, createdBy: k.actor(req) });
    await writeAudit(db, k.ids, k.clock(), {
      actor: k.actor(req),
      action: 'device.created',
      entity: 'token',
      entityId: d.tokenId,
      before: null,
      after: { name, role, scope },
    });
    // Shown on this answer only (never in an address, never again).
    return sitesPage(req, res, null, { name, role, token: d.token });
  });

  r.post('/devices/:id/revoke', async (req, res) => {
    const done = await revokeToken(db, String(req.params.id), k.clock());
    if (done)
      await writeAudit(db, k.ids, k.clock(), {
        actor: k.actor(req),
        action: 'device.revoked',
        entity: 'token',
        entityId: String(req.params.id),
        before: null,
        after: null,
      });
    k.redirectWith(res, '/admin/sites', done ? 'トークンを取り消しました。その端末はサインアウトされます。' : 'すでに取り消されています。', 'Revoked.');
  });
}
