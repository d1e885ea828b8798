// admin/ owns the admins' web page: sign-in, the email templates (edit, live preview, history, rollback, test send),
// departments, and closures / special openings. Server-rendered, CSRF-protected, Japanese first.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { CookieOptions, Request, Response, Router } from 'express';
import type { Throttles } from '../core/throttle.ts';
import { mountSitesPages } from './sites.ts';
import { mountStatsPages } from './stats.ts';
import { mountConsultationPages } from './consultations.ts';
import { mountAccountPages } from './accounts.ts';
import { isCrossSite, noStore } from '../core/security.ts';
import { LOGIN_COOKIE, SESSION_COOKIE, cookie, crossSitePage, requireAdminSession, sameSecret } from '../core/web/session.ts';
import type { Logger } from '../core/log.ts';
import { SESSION_HOURS, checkAdminSignIn, endSession, startSession } from '../core/auth/admins.ts';
import { departmentsWithoutContact, listDepartments, normalizeName, saveDepartment } from '../scheduler/departments.ts';
import { actorName, writeAudit } from '../core/audit.ts';
import { describeRanges } from '../scheduler/calendar/calendar.ts';
import { WEEKDAYS_JA, formatJa, formatMinute, toLocalMinute } from '../core/time.ts';
import { viewById } from '../scheduler/views.ts';
import type { ConsultationView } from '../scheduler/views.ts';
import { isOpen, statusLabelJa } from '../scheduler/status.ts';
import { eraseOnRequest } from '../scheduler/consultations.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { listCalendarExceptions, parseCalendarException, removeCalendarException } from '../scheduler/calendar-store.ts';
import { ClosureBody, addClosure, consultationsOnClosure, describeOutcomes } from '../scheduler/closures.ts';
import type { MailTransport } from '../templates/mail.ts';
import { fromAddress } from '../templates/mail.ts';
import { KIND_LABELS, LOCALES, TEMPLATE_KINDS } from '../templates/defaults.ts';
import type { Locale, TemplateKind } from '../templates/defaults.ts';
import { activeTemplate, rollbackTemplate, saveTemplate, templateHistory } from '../templates/store.ts';
import type { TemplateProblem, TemplatePart } from '../templates/liquid.ts';
import { checkTemplate } from '../templates/liquid.ts';
import { renderMessage } from '../templates/render.ts';
import { VARIABLES, buildVariables, sampleInput } from '../templates/variables.ts';
import type { Flash } from '../core/web/layout.ts';
import { adminCsp, field, layout } from '../core/web/layout.ts';
import { html, raw } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { parseInput, refuseNulCharacters, sendHtml } from '../core/http.ts';
import { activeChecklist, activeConsent, checklistKeys, contentHistory, saveContent } from '../embedded-app/state/content-store.ts';
import type { RowError } from './app-content.ts';
import { editorHtml, isChecklistKey, parseRows, valuesOf } from './app-content.ts';
import { typeName } from '../scheduler/consultation-types.ts';

export interface AdminDeps extends SchedulerDeps {
  readonly log: Logger;
  /** For "send a test to me". */
  readonly mail: MailTransport;
  readonly throttles: Throttles;
}

const monthDay = (md: string) => `${Number(md.slice(0, 2))}月${Number(md.slice(3))}日`;

// The "saved" message after a redirect is signed by this process: a crafted link cannot put its own words in the
// admin's green box ("sign in again at …"). Another instance does not know the key and shows no message, harmlessly.
const FLASH_KEY = randomBytes(32);
const flashSig = (text: string) => createHmac('sha256', FLASH_KEY).update(text).digest('base64url');

const flashFrom = (q: Request['query']): Flash | null => {
  const ok = typeof q.saved === 'string' ? q.saved : null;
  const sig = typeof q.sig === 'string' ? Buffer.from(q.sig) : null;
  if (!ok || !sig) return null;
  const expected = Buffer.from(flashSig(ok));
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
  return { kind: 'ok', ja: ok.split('|')[0] ?? ok, en: ok.split('|')[1] ?? '' };
};

const redirectWith = (res: Response, to: string, ja: string, en: string) => {
  const text = `${ja}|${en}`;
  res.redirect(303, `${to}?saved=${encodeURIComponent(text)}&sig=${flashSig(text)}`);
};

function isKind(k: string): k is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(k);
}
function isLocale(l: string): l is Locale {
  return (LOCALES as readonly string[]).includes(l);
}

const NOT_FOUND = html`<h1>見つかりません <span class="en">Not found</span></h1>`;

export function adminRouter(deps: AdminDeps): Router {
  const { db } = deps.store;
  const r = express.Router();
  const secure = deps.config.publicBaseUrl.startsWith('https://');
  // The session cookie is for the whole site (the admin page and the staff console); the sign-in one for /admin only.
  const cookieOptions = (maxAgeSeconds: number, path = '/admin'): CookieOptions => ({
    path,
    httpOnly: true,
    sameSite: 'strict',
    maxAge: maxAgeSeconds * 1000,
    secure,
  });
  r.use(noStore);
  r.use(express.urlencoded({ extended: false, limit: '300kb' }));
  r.use(express.json({ limit: '300kb' }));
  // A NUL character in a form is refused (shown as a page: server.ts registers problemPage for /admin).
  r.use(refuseNulCharacters);
  r.use((req, res, next) => {
    res.set('Content-Security-Policy', adminCsp());
    // A form posted from another site is refused, whatever it carries.
    if (req.method === 'POST' && isCrossSite(req, deps.config.publicBaseUrl)) {
      sendHtml(res, crossSitePage(), 403);
      return;
    }
    next();
  });

  const page = (res: Response, req: Request, title: string, body: SafeHtml, flash: Flash | null = null, status = 200) =>
    sendHtml(res, layout({ title, body, who: req.adminSession ? { name: req.adminSession.name, csrf: req.adminSession.csrf } : null, flash }), status);

  // ------------------------------------------------------------ sign-in

  const loginPage = (
    res: Response,
    error: string | null,
    email = '',
    next = '',
    status = error ? 401 : 200,
    en = 'Sign-in failed: check the email and password, or the admin token.',
  ) => {
    const token = randomBytes(18).toString('base64url');
    res.cookie(LOGIN_COOKIE, token, cookieOptions(1800));
    sendHtml(
      res,
      layout({
        title: 'サインイン',
        flash: error ? { kind: 'error', ja: error, en } : null,
        body: html`<h1>管理者のサインイン <span class="en">Admin sign-in</span></h1>
<form method="post" action="/admin/login${next && `?next=${encodeURIComponent(next)}`}">
<input type="hidden" name="login_csrf" value="${token}">
${field({ id: 'email', name: 'email', label: 'メールアドレス', kind: 'email', value: email })}
${field({ id: 'password', name: 'password', label: 'パスワード', kind: 'password', value: '' })}
<p>または / or</p>
${field({ id: 'token', name: 'token', label: '管理者 API トークン', hint: '（初回起動時に表示されたもの）', kind: 'password', value: '' })}
<div class="actions"><button type="submit">サインイン</button></div>
</form>`,
      }),
      status,
    );
  };

  r.get('/login', (req, res) => loginPage(res, null, '', String(req.query.next ?? '')));

  r.post('/login', async (req, res) => {
    const expected = cookie(req, LOGIN_COOKIE);
    const sent = String(req.body?.login_csrf ?? '');
    const email = String(req.body?.email ?? '')
      .trim()
      .toLowerCase();
    const next = String(req.query.next ?? '');
    if (!expected || !sameSecret(expected, sent))
      return loginPage(res, 'ページの有効期限が切れました。もう一度サインインしてください。', email, next, 401, 'The page had expired; please sign in again.');
    // Guessing is slowed, per account and per address. Each try is counted before the password is checked, so that
    // tries sent all at once cannot slip past; a right one is given back. While blocked not even the right one passes.
    const { signInAccount, signInAddress } = deps.throttles;
    const account = email ? `acct:${email}` : null;
    const address = `addr:${req.ip ?? ''}`;
    const wait = Math.max(account ? await signInAccount.attempt(account) : 0, await signInAddress.attempt(address));
    if (wait > 0) return tooMany(res, wait, email, next);
    const who = await checkAdminSignIn(db, { email, password: String(req.body?.password ?? ''), token: String(req.body?.token ?? '').trim() });
    if (!who) {
      deps.log.warn({ path: '/admin/login' }, 'admin sign-in refused');
      return loginPage(res, 'メールアドレスとパスワード、または管理者トークンが正しくありません。', email, next);
    }
    if (account) await signInAccount.succeeded(account, true);
    await signInAddress.succeeded(address);
    const value = await startSession(db, deps.clock(), who);
    res.cookie(SESSION_COOKIE, value, cookieOptions(SESSION_HOURS * 3600, '/'));
    res.clearCookie(LOGIN_COOKIE, { path: '/admin' });
    res.redirect(303, next === '/console' ? '/console' : '/admin/templates');
  });

  const tooMany = (res: Response, waitMs: number, email: string, next: string) => {
    const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
    res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
    return loginPage(
      res,
      `サインインの失敗が続いたため、しばらく受け付けを止めています。${minutes}分ほど待ってから、もう一度お試しください。`,
      email,
      next,
      429,
      `Too many failed sign-ins: try again in about ${minutes} minute(s).`,
    );
  };

  // Everything below needs a session; every POST below needs its CSRF token.
  r.use(requireAdminSession({ store: deps.store, clock: deps.clock, publicBaseUrl: deps.config.publicBaseUrl }));

  const actor = (req: Request) => `admin:${req.adminSession!.principal}:${req.adminSession!.name}`;
  const csrfInput = (req: Request) => html`<input type="hidden" name="csrf" value="${req.adminSession!.csrf}">`;

  r.get('/', (_req, res) => res.redirect(303, '/admin/templates'));

  r.post('/logout', async (req, res) => {
    const value = cookie(req, SESSION_COOKIE);
    if (value) await endSession(db, value);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/admin/login');
  });

  // ------------------------------------------------------------ templates

  r.get('/templates', async (req, res) => {
    const rows: SafeHtml[] = [];
    for (const kind of TEMPLATE_KINDS) {
      const cells: SafeHtml[] = [];
      for (const locale of LOCALES) {
        const t = await activeTemplate(db, kind, locale);
        const made = t.version === 0 ? '初期設定' : `第${t.version}版 ${actorName(t.createdBy)} ${formatJa(Date.parse(t.createdAt))}`;
        cells.push(
          html`<td><a href="/admin/templates/${kind}/${locale}">${locale === 'ja' ? '日本語' : 'English'}を編集</a><br><span class="hint">${made}</span></td>`,
        );
      }
      rows.push(html`<tr><th scope="row">${KIND_LABELS[kind].ja}<br><span class="en">${KIND_LABELS[kind].en}</span></th>${cells}</tr>`);
    }
    page(
      res,
      req,
      'メールの文面',
      html`<h1>メールの文面 <span class="en">Email templates</span></h1>
<p>相談者や職員に送るメールの文面です。編集すると、次に送るメールから新しい文面が使われます。<br><span class="en">The emails sent to citizens and staff. A saved change is used from the next email.</span></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th scope="col">種類</th><th scope="col">日本語</th><th scope="col">English</th></tr></thead><tbody>${rows}</tbody></table></div>`,
      flashFrom(req.query),
    );
  });

  const editPage = async (
    req: Request,
    res: Response,
    kind: TemplateKind,
    locale: Locale,
    form: Record<TemplatePart, string> | null,
    problems: ReadonlyArray<TemplateProblem>,
    flash: Flash | null,
    status = 200,
  ) => {
    const active = await activeTemplate(db, kind, locale);
    const content = form ?? { subject: active.subject, text: active.text, html: active.html };
    const problemOf = (part: TemplatePart) =>
      problems
        .filter((p) => p.part === part)
        .map((p) => `${p.ja}（${p.en}）`)
        .join(' ') || null;
    const history = await templateHistory(db, kind, locale);
    const base = `/admin/templates/${kind}/${locale}`;
    const historyRows = history.map(
      (
        v,
      ) => html`<tr><td>第${v.version}版${v.version === active.version && '（使用中）'}</td><td>${actorName(v.createdBy)}</td><td>${formatJa(Date.parse(v.createdAt))}</td><td>${v.note}</td>
<td>${v.version !== active.version && html`<form method="post" action="${base}/rollback">${csrfInput(req)}<input type="hidden" name="version" value="${v.id}"><button class="secondary" type="submit">第${v.version}版に戻す</button></form>`}</td></tr>`,
    );
    const variables = VARIABLES.map((v) => html`<tr><td><code>{{ ${v.path} }}</code></td><td>${v.ja}</td><td><span class="hint">${v.example}</span></td></tr>`);
    const preview = await previewOf(content);
    // The preview frame shows the email as it will look, with the template's own inline styles.
    res.set('Content-Security-Policy', adminCsp({ anyInlineStyle: true }));
    page(
      res,
      req,
      `${KIND_LABELS[kind].ja}（${locale}）`,
      html`<p><a href="/admin/templates">← メールの文面の一覧</a></p>
<h1>${KIND_LABELS[kind].ja}（${locale === 'ja' ? '日本語' : 'English'}） <span class="en">${KIND_LABELS[kind].en}</span></h1>
<p>使用中: ${active.version === 0 ? '初期設定' : `第${active.version}版`}</p>
<div class="cols">
<form method="post" action="${base}" id="template-form" novalidate data-preview-url="${`${base}/preview`}" data-csrf="${req.adminSession!.csrf}">
${csrfInput(req)}
${field({ id: 'subject', name: 'subject', label: '件名', value: content.subject, error: problemOf('subject') })}
${field({ id: 'text', name: 'text', label: '本文（テキスト）', hint: '古いメールソフトや読み上げで使われます', kind: 'textarea', value: content.text, error: problemOf('text'), rows: 18 })}
${field({ id: 'html', name: 'html', label: '本文（HTML）', hint: '変数は自動で安全に表示されます', kind: 'textarea', value: content.html, error: problemOf('html'), rows: 14 })}
${field({ id: 'note', name: 'note', label: '変更のメモ', hint: '（任意。履歴に残ります）', value: '' })}
<div class="actions"><button type="submit">保存して使う</button></div>
</form>
<section aria-labelledby="preview-heading">
<h2 id="preview-heading">プレビュー（見本の相談） <span class="en">Preview</span></h2>
<div id="preview-problems" role="status" aria-live="polite" class="field-error">${preview.problems}</div>
<div class="preview">
<p><strong>件名:</strong> <span id="preview-subject">${preview.subject}</span></p>
<h3>テキスト</h3>
<pre id="preview-text">${preview.text}</pre>
<h3>HTML</h3>
<iframe id="preview-html" title="HTML のプレビュー" sandbox="" srcdoc="${preview.html}"></iframe>
</div>
</section>
</div>
<h2>テストメール <span class="en">Send a test</span></h2>
<form method="post" action="${base}/test">
${csrfInput(req)}
${field({ id: 'test-to', name: 'to', label: '送り先', kind: 'email', value: req.adminSession!.email })}
<div class="actions"><button class="secondary" type="submit">使用中の文面で、見本のテストメールを送る</button></div>
</form>
<h2>履歴 <span class="en">History</span></h2>
${
  history.length === 0
    ? html`<p>まだ保存されていません（初期設定を使用中）。</p>`
    : html`<div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>版</th><th>保存した人</th><th>日時</th><th>メモ</th><th>操作</th></tr></thead><tbody>${historyRows}</tbody></table></div>
<form method="post" action="${base}/rollback">${csrfInput(req)}<input type="hidden" name="version" value="default"><div class="actions"><button class="secondary" type="submit">初期設定に戻す</button></div></form>`
}
<h2>使える変数 <span class="en">Variables</span></h2>
<p>日時は <code>{{ consultation.start | era_date }}</code>（令和8年12月1日（火））、<code>| jst_date</code>（2026年12月1日（火））、<code>| jst_time</code>（10:00）、<code>| jst_datetime</code>、<code>| en_datetime</code> で表示します。ミーティング番号は <code>{{ meeting.number | group_digits }}</code> で 3 桁ずつ区切ります。</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>変数</th><th>内容</th><th>例</th></tr></thead><tbody>${variables}</tbody></table></div>`,
      flash,
      status,
    );
  };

  const previewOf = async (content: Record<TemplatePart, string>) => {
    const problems = checkTemplate(content);
    if (problems.length > 0)
      return {
        subject: '',
        text: '',
        html: '',
        problems: problems.map((p) => `${p.part === 'subject' ? '件名' : p.part === 'text' ? 'テキスト' : 'HTML'}: ${p.ja}`).join(' '),
      };
    try {
      const r = await renderMessage(content, buildVariables(sampleInput(deps.config.city)));
      return { ...r, problems: '' };
    } catch (error) {
      return { subject: '', text: '', html: '', problems: `表示できません: ${(error as Error).message}` };
    }
  };

  const templateParams = (req: Request): { kind: TemplateKind; locale: Locale } | null => {
    const kind = String(req.params.kind);
    const locale = String(req.params.locale);
    return isKind(kind) && isLocale(locale) ? { kind, locale } : null;
  };

  const notFoundPage = (req: Request, res: Response) =>
    page(
      res,
      req,
      '見つかりません',
      html`<h1>このページはありません <span class="en">Not found</span></h1><p><a href="/admin/templates">メールの文面へ</a></p>`,
      null,
      404,
    );

  r.get('/templates/:kind/:locale', async (req, res) => {
    const t = templateParams(req);
    if (!t) return notFoundPage(req, res);
    await editPage(req, res, t.kind, t.locale, null, [], flashFrom(req.query));
  });

  const contentOf = (body: Record<string, unknown>): Record<TemplatePart, string> => ({
    subject: String(body.subject ?? ''),
    text: String(body.text ?? '').replace(/\r\n/g, '\n'),
    html: String(body.html ?? '').replace(/\r\n/g, '\n'),
  });

  r.post('/templates/:kind/:locale', async (req, res) => {
    const t = templateParams(req);
    if (!t) return notFoundPage(req, res);
    const content = contentOf(req.body ?? {});
    const saved = await saveTemplate(db, deps.ids, deps.clock(), actor(req), t.kind, t.locale, content, String(req.body?.note ?? '').trim());
    if (!saved.ok) {
      return editPage(
        req,
        res,
        t.kind,
        t.locale,
        content,
        saved.reason.problems,
        {
          kind: 'error',
          ja: '保存できませんでした。赤字の箇所を直してください。使用中の文面は変わっていません。',
          en: 'Not saved: fix the fields marked in red. The active template is unchanged.',
        },
        422,
      );
    }
    redirectWith(
      res,
      `/admin/templates/${t.kind}/${t.locale}`,
      `保存しました（第${saved.value.version}版）。次に送るメールから使われます。`,
      `Saved as version ${saved.value.version}; used from the next email.`,
    );
  });

  r.post('/templates/:kind/:locale/preview', async (req, res) => {
    const t = templateParams(req);
    if (!t) return res.status(404).json({});
    res.json(await previewOf(contentOf(req.body ?? {})));
  });

  r.post('/templates/:kind/:locale/rollback', async (req, res) => {
    const t = templateParams(req);
    if (!t) return notFoundPage(req, res);
    const r2 = await rollbackTemplate(db, deps.ids, deps.clock(), actor(req), t.kind, t.locale, String(req.body?.version ?? ''));
    if (!r2.ok) return editPage(req, res, t.kind, t.locale, null, [], { kind: 'error', ja: '戻せませんでした。', en: 'Could not roll back.' }, 404);
    redirectWith(
      res,
      `/admin/templates/${t.kind}/${t.locale}`,
      `戻しました（第${r2.value.version}版として保存）。`,
      `Rolled back (saved as version ${r2.value.version}).`,
    );
  });

  r.post('/templates/:kind/:locale/test', async (req, res) => {
    const t = templateParams(req);
    if (!t) return notFoundPage(req, res);
    const to = String(req.body?.to ?? '').trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to)) {
      return editPage(
        req,
        res,
        t.kind,
        t.locale,
        null,
        [],
        { kind: 'error', ja: 'テストメールの送り先に、正しいメールアドレスを入れてください。', en: 'Enter a valid email address to send the test to.' },
        422,
      );
    }
    const template = await activeTemplate(db, t.kind, t.locale);
    const rendered = await renderMessage(template, buildVariables(sampleInput(deps.config.city)));
    const domain = fromAddress(deps.config.mail.from).email.split('@')[1] ?? 'madoguchi.invalid';
    await deps.mail.send({ messageId: `<test-${randomBytes(8).toString('hex')}@${domain}>`, to, ...rendered, subject: `【テスト】${rendered.subject}` });
    await writeAudit(db, deps.ids, deps.clock(), {
      actor: actor(req),
      action: 'template.test_sent',
      entity: 'template',
      entityId: `${t.kind}/${t.locale}`,
      before: null,
      after: { version: template.version },
    });
    const where = deps.mail.kind === 'file' ? `（試験運用のため ${deps.config.mail.outboxDir} に保存しました）` : '';
    redirectWith(res, `/admin/templates/${t.kind}/${t.locale}`, `テストメールを ${to} に送りました${where}。`, `Test email sent to ${to}.`);
  });

  // ------------------------------------------------------------ departments

  const departmentsPage = async (
    req: Request,
    res: Response,
    flash: Flash | null,
    errors: { id: string; field: string; message: string; values: Record<string, string> } | null,
    status = 200,
  ) => {
    const departments = await listDepartments(db);
    const missing = departmentsWithoutContact(departments, deps.config.city);
    const form = (id: string | null, d: { name: string; aliases: string; contact: string; webexRoomId: string; teamsChannel: string; lampUrl: string }) => {
      const key = id ?? 'new';
      const err = errors && errors.id === key ? errors : null;
      const v = err ? err.values : d;
      return html`<form method="post" action="/admin/departments${id && `/${id}`}">
${csrfInput(req)}
${field({ id: `${key}-name`, name: 'name', label: '課の名前', value: v.name ?? '', error: err?.field === 'name' ? err.message : null })}
${field({ id: `${key}-aliases`, name: 'aliases', label: '別名', hint: '（「、」かカンマで区切る。/relay 税 のように呼べます）', value: v.aliases ?? '', error: err?.field === 'aliases' ? err.message : null })}
${field({ id: `${key}-contact`, name: 'contact', label: '連絡先', hint: `（電話番号と受付時間。例: 0879-26-0000（平日 8:30〜17:15）。案内メールと市民のページに載ります${deps.config.city.contact ? `。空なら市の連絡先「${deps.config.city.contact}」` : ''}）`, value: v.contact ?? '', error: err?.field === 'contact' ? err.message : null })}
${field({ id: `${key}-webex`, name: 'webexRoomId', label: 'Webex のスペース ID', hint: '（おつなぎの呼び出しを受けるスペース。ボットをそのスペースに追加してください）', value: v.webexRoomId ?? '' })}
${field({ id: `${key}-teams`, name: 'teamsChannel', label: 'Teams のチャネル ID', hint: '（ボットをチームのチャネルに追加すると、そのチャネルに課を選ぶカードが出て、選ぶとここに入ります。直接入れることもできます）', value: v.teamsChannel ?? '' })}
${field({ id: `${key}-lamp`, name: 'lampUrl', label: '表示灯の URL', hint: '（この課の積層信号灯。空なら LAMP_WEBHOOK_URL。GET なら {code} などが置き換わります）', value: v.lampUrl ?? '', error: err?.field === 'lampUrl' ? err.message : null })}
<div class="actions"><button type="submit">${id ? '保存' : '追加'}</button></div>
</form>`;
    };
    const list = departments.map(
      (d) =>
        html`<section><h2>${d.name}</h2>${form(d.id, { name: d.name, aliases: d.aliases.join('、'), contact: d.contact, webexRoomId: d.webexRoomId ?? '', teamsChannel: d.teamsChannel ?? '', lampUrl: d.lampUrl ?? '' })}</section>`,
    );
    page(
      res,
      req,
      '課',
      html`<h1>課 <span class="en">Departments</span></h1>${missing.length > 0 && html`<div class="flash warn" role="note"><p>連絡先（電話番号と受付時間）のない課があります: ${missing.map((d) => d.name).join('、')}。市民へのメールとページに問い合わせ先を載せるため、${deps.config.mail.smtpUrl ? 'この課の相談は予約できません' : 'メールを実際に送る前に'}入れてください（CITY_CONTACT を設定すれば市全体の連絡先になります）。</p><p class="en" lang="en">Some departments have no contact (phone and hours): ${missing.map((d) => d.name).join(', ')}. ${deps.config.mail.smtpUrl ? 'They cannot be booked until one is entered' : 'Enter one before real mail is sent'} (or set CITY_CONTACT).</p></div>`}${list}<section><h2>課を追加 <span class="en">Add a department</span></h2>${form(null, { name: '', aliases: '', contact: '', webexRoomId: '', teamsChannel: '', lampUrl: '' })}</section>`,
      flash,
      status,
    );
  };

  r.get('/departments', (req, res) => departmentsPage(req, res, flashFrom(req.query), null));
  const kit = { db, ids: deps.ids, clock: deps.clock, page, csrfInput, actor, flashFrom, redirectWith };
  mountSitesPages(r, kit);
  // A page with a stylesheet of its own: the CSP allows that one too, by its hash.
  const pageWithStyle = (res: Response, req: Request, title: string, body: SafeHtml, style: string, flash: Flash | null = null, status = 200) => {
    res.set('Content-Security-Policy', adminCsp({ extraStyles: [style] }));
    sendHtml(res, layout({ title, body, style, flash, who: req.adminSession ? { name: req.adminSession.name, csrf: req.adminSession.csrf } : null }), status);
  };
  mountStatsPages(r, { ...kit, pageWithStyle });
  mountConsultationPages(r, { ...kit, pageWithStyle }, deps);
  mountAccountPages(r, kit, deps);

  const saveDepartmentFrom = async (req: Request, res: Response, id: string | null) => {
    const values = {
      name: String(req.body?.name ?? '').trim(),
      aliases: String(req.body?.aliases ?? ''),
      contact: String(req.body?.contact ?? '').trim(),
      webexRoomId: String(req.body?.webexRoomId ?? '').trim(),
      teamsChannel: String(req.body?.teamsChannel ?? '').trim(),
      lampUrl: String(req.body?.lampUrl ?? '').trim(),
    };
    const key = id ?? 'new';
    if (!values.name)
      return departmentsPage(
        req,
        res,
        { kind: 'error', ja: '課の名前を入れてください。', en: 'Enter the department name.' },
        { id: key, field: 'name', message: '課の名前を入れてください。', values },
        422,
      );
    if (values.lampUrl && !/^https?:\/\/\S+$/.test(values.lampUrl)) {
      const message = '表示灯の URL は http:// か https:// で始めてください（空なら共通の設定を使います）。';
      return departmentsPage(
        req,
        res,
        { kind: 'error', ja: message, en: 'The lamp URL must start with http:// or https:// (empty: the common setting).' },
        { id: key, field: 'lampUrl', message, values },
        422,
      );
    }
    if (deps.config.mail.smtpUrl && !values.contact && !deps.config.city.contact.trim()) {
      const message =
        '連絡先（電話番号と受付時間）を入れてください。メールで市民に問い合わせ先を伝えるために必要です（CITY_CONTACT を設定すれば、課ごとの連絡先は空でもかまいません）。';
      return departmentsPage(
        req,
        res,
        {
          kind: 'error',
          ja: message,
          en: 'Enter a contact (phone number and hours): mails must tell citizens whom to call (or set CITY_CONTACT for the whole city).',
        },
        { id: key, field: 'contact', message, values },
        422,
      );
    }
    const aliases = [
      ...new Set(
        values.aliases
          .split(/[、,，]/)
          .map((a) => a.trim())
          .filter(Boolean),
      ),
    ].filter((a) => normalizeName(a) !== normalizeName(values.name));
    const saved = await saveDepartment(db, deps.ids, deps.clock(), id, {
      name: values.name,
      aliases,
      contact: values.contact,
      webexRoomId: values.webexRoomId,
      teamsChannel: values.teamsChannel,
      lampUrl: values.lampUrl,
    });
    if (!saved.ok)
      return departmentsPage(
        req,
        res,
        { kind: 'error', ja: saved.reason.ja, en: saved.reason.en },
        { id: key, field: saved.reason.field, message: saved.reason.ja, values },
        422,
      );
    await writeAudit(db, deps.ids, deps.clock(), {
      actor: actor(req),
      action: id ? 'department.updated' : 'department.added',
      entity: 'department',
      entityId: saved.value.id,
      before: null,
      after: saved.value,
    });
    redirectWith(res, '/admin/departments', `「${saved.value.name}」を保存しました。`, `Saved ${saved.value.name}.`);
  };

  r.post('/departments', (req, res) => saveDepartmentFrom(req, res, null));
  r.post('/departments/:id', (req, res) => saveDepartmentFrom(req, res, String(req.params.id)));

  // ------------------------------------------------------------ calendar

  /** A closure over booked consultations: which, and the three choices (each sends the closure again with one). */
  const confirmClosure = (req: Request, c: { values: Record<string, string>; affected: ConsultationView[] }) => {
    const hiddenValues = Object.entries(c.values)
      .filter(([k, v]) => k !== 'consultations' && v !== '')
      .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
    const rows = c.affected.map(
      (a) =>
        html`<tr><td>#${a.id}</td><td>${formatJa(Date.parse(a.start))}〜${formatMinute(toLocalMinute(Date.parse(a.end)))}</td><td>${a.department.name}</td><td>${statusLabelJa(a.status)}</td></tr>`,
    );
    const v = c.values;
    const when = `${v.startDate ?? ''}${v.endDate && v.endDate !== v.startDate ? `〜${v.endDate}` : ''} ${v.startTime ? `${v.startTime}–${v.endTime ?? ''}` : '終日'}${v.note ? `（${v.note}）` : ''}`;
    return html`<section class="confirm" aria-labelledby="confirm-title"><h2 id="confirm-title">閉庁「${when}」の日時に、予約済みの相談が${c.affected.length}件あります <span class="en">Booked consultations on this closure</span></h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="閉庁と重なる相談 / Consultations on the closure"><table><thead><tr><th>番号</th><th>日時</th><th>課</th><th>状態</th></tr></thead><tbody>${rows}</tbody></table></div>
<p>閉庁日を追加して、この相談をどうするか選んでください。「移す」は、それぞれを元の日時のあとで最初に空いている時間（同じ長さ）へ移します。移す・取り消すときは、市民にメールでお知らせします（取り消しの理由は「臨時閉庁（メモ）のため」）。</p>
<form method="post" action="/admin/calendar/exceptions">${csrfInput(req)}${hiddenValues}
<div class="actions"><button type="submit" name="consultations" value="move">次の空いている時間へ移す</button>
<button type="submit" name="consultations" value="cancel" class="secondary">取り消す</button>
<button type="submit" name="consultations" value="keep" class="secondary">そのまま行う</button>
<a href="/admin/calendar">閉庁日を追加しない</a></div></form></section>`;
  };

  const calendarPage = async (
    req: Request,
    res: Response,
    flash: Flash | null,
    error: { field: string; message: string; values: Record<string, string> } | null,
    status = 200,
    confirm: { values: Record<string, string>; affected: ConsultationView[] } | null = null,
  ) => {
    const exceptions = await listCalendarExceptions(db);
    const hours = deps.config.calendar.weeklyHours.map((h, i) => html`<li>${WEEKDAYS_JA[i]}曜日: ${h.length ? describeRanges(h) : '閉庁'}</li>`);
    const ye = deps.config.calendar.yearEndClosure;
    const rows = exceptions.map(
      (
        e,
      ) => html`<tr><td>${e.kind === 'closed' ? '閉庁' : '特別開庁'}</td><td>${e.startDate}${e.endDate !== e.startDate && `〜${e.endDate}`}</td><td>${e.startMinute === null ? '終日' : `${formatMinute(e.startMinute)}–${formatMinute(e.endMinute!)}`}</td><td>${e.note}</td>
<td><a href="/admin/calendar/exceptions/${e.id ?? ''}/delete">削除…</a></td></tr>`,
    );
    const v = error?.values ?? {};
    const err = (f: string) => (error?.field === f ? error.message : null);
    page(
      res,
      req,
      '受付時間・閉庁日',
      html`<h1>受付時間・閉庁日 <span class="en">Opening hours and closures</span></h1>
<h2>いつもの受付時間</h2>
<ul>${hours}</ul>
<p>祝日・振替休日・国民の休日は${deps.config.calendar.closeOnHolidays ? '閉庁' : '開庁'}。年末年始: ${ye ? `${monthDay(ye.from)}〜${monthDay(ye.to)}は閉庁` : 'なし'}。</p>
<p class="hint">いつもの受付時間は設定（OPENING_HOURS など）で決まります。臨時の閉庁日や特別な開庁日は下で追加します。</p>
<h2>臨時の閉庁日・特別開庁日</h2>
${exceptions.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="表（はみ出すときは横に動かせます） / Table"><table><thead><tr><th>種類</th><th>日付</th><th>時間</th><th>メモ</th><th>操作</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p>ありません。</p>`}
${confirm && confirmClosure(req, confirm)}<h2>追加する</h2>
<form method="post" action="/admin/calendar/exceptions">
${csrfInput(req)}
<label for="kind">種類</label>
<select id="kind" name="kind"><option value="closed"${v.kind !== 'open' && raw(' selected')}>閉庁（予約を受け付けない）</option><option value="open"${v.kind === 'open' && raw(' selected')}>特別開庁（土日祝などに受け付ける）</option></select>
${field({ id: 'startDate', name: 'startDate', label: '開始日', kind: 'date', value: v.startDate ?? '', error: err('startDate') })}
${field({ id: 'endDate', name: 'endDate', label: '終了日', hint: '（1 日だけなら空のまま）', kind: 'date', value: v.endDate ?? '', error: err('endDate') })}
${field({ id: 'startTime', name: 'startTime', label: '開始時刻', hint: '（終日なら空のまま）', kind: 'time', value: v.startTime ?? '', error: err('startTime') })}
${field({ id: 'endTime', name: 'endTime', label: '終了時刻', kind: 'time', value: v.endTime ?? '', error: err('endTime') })}
${field({ id: 'note', name: 'note', label: 'メモ', hint: '（例: 庁舎点検。予約できない理由として職員に表示され、相談を取り消すときは市民へのお知らせにも理由として載ります）', value: v.note ?? '' })}
<div class="actions"><button type="submit">追加</button></div>
</form>`,
      flash,
      status,
    );
  };

  r.get('/calendar', (req, res) => calendarPage(req, res, flashFrom(req.query), null));

  // ------------------------------------------------------------ in-meeting app: consent text and checklists

  r.get('/app', async (req, res) => {
    const consent = await activeConsent(db);
    const keys = await checklistKeys(db);
    const lists = await Promise.all(keys.map(async (k) => ({ key: k, v: await activeChecklist(db, k) })));
    page(
      res,
      req,
      '会議内アプリの文面',
      html`<h1>会議内アプリの文面 <span class="en">In-meeting app texts</span></h1>
<h2>同意の文面</h2><p><a href="/admin/app/consent">お約束（同意）の文面を編集</a>（第${consent.version}版、${consent.body.items.length}項目）</p>
<h2>用意していただく書類（相談の種類ごと）</h2>
<ul>${lists.map((l) => html`<li><a href="/admin/app/checklist/${l.key}">${typeName(l.key).ja}</a>（<code>${l.key}</code>、第${l.v.version}版、${l.v.body.items.length}項目）</li>`)}</ul>
<p class="hint">予約のときに相談の種類を選びます（API では consultationType に括弧の中の名前）。種類を追加すると、その種類で予約できるようになります。</p>
<form method="post" action="/admin/app/checklist">${csrfInput(req)}${field({ id: 'key', name: 'key', label: '相談の種類を追加', hint: '（半角英小文字・数字・ハイフン。例: moving-in）', value: String(req.query.key ?? ''), error: req.query.bad ? '半角英小文字・数字・ハイフンで入れてください（例: moving-in）。 / Use lowercase letters, digits and hyphens (e.g. moving-in).' : null })}<div class="actions"><button type="submit">追加して編集</button></div></form>`,
      flashFrom(req.query),
    );
  });

  r.post('/app/checklist', (req, res) => {
    const key = String(req.body?.key ?? '').trim();
    if (!isChecklistKey(key)) return res.redirect(303, `/admin/app?bad=1&key=${encodeURIComponent(key)}`);
    res.redirect(303, `/admin/app/checklist/${key}`);
  });

  const contentTarget = (req: Request): { kind: 'consent' | 'checklist'; key: string; action: string; title: string } | null => {
    if (req.params.key === undefined) return { kind: 'consent', key: 'default', action: '/admin/app/consent', title: 'お約束（同意）の文面' };
    const key = String(req.params.key);
    return isChecklistKey(key) ? { kind: 'checklist', key, action: `/admin/app/checklist/${key}`, title: `用意していただく書類: ${key}` } : null;
  };
  const activeOf = (kind: 'consent' | 'checklist', key: string) => (kind === 'consent' ? activeConsent(db) : activeChecklist(db, key));

  const editorPage = async (req: Request, res: Response, values: Record<string, string> | null, errors: RowError[], flash: Flash | null, status = 200) => {
    const target = contentTarget(req);
    if (!target) return page(res, req, '見つかりません', NOT_FOUND, null, 404);
    const active = await activeOf(target.kind, target.key);
    const history = await contentHistory(db, target.kind, target.key);
    page(
      res,
      req,
      target.title,
      html`<p><a href="/admin/app">← 会議内アプリの文面</a></p><h1>${target.title}</h1>${editorHtml({ kind: target.kind, key: target.key, action: target.action, csrf: req.adminSession!.csrf, values: values ?? valuesOf(active.body), errors, history: history.length ? history : [active], active })}`,
      flash,
      status,
    );
  };

  const saveContentFrom = async (req: Request, res: Response) => {
    const target = contentTarget(req);
    if (!target) return page(res, req, '見つかりません', NOT_FOUND, null, 404);
    const values = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const parsed = parseRows(target.kind, values);
    if (!parsed.ok)
      return editorPage(
        req,
        res,
        values,
        parsed.errors,
        { kind: 'error', ja: '保存できませんでした。赤い字の項目を直してください。', en: 'Not saved: fix the fields marked in red.' },
        422,
      );
    const version = await saveContent(
      db,
      deps.ids,
      deps.clock(),
      actor(req),
      target.kind,
      target.key,
      parsed.content,
      String(req.body?.note ?? '')
        .trim()
        .slice(0, 200),
    );
    redirectWith(res, target.action, `第${version}版を保存しました。これからはこの文面が表示されます。`, `Saved version ${version}; it is shown from now on.`);
  };

  const rollbackContent = async (req: Request, res: Response) => {
    const target = contentTarget(req);
    if (!target) return page(res, req, '見つかりません', NOT_FOUND, null, 404);
    const wanted = Number(req.body?.version);
    const old = (await contentHistory(db, target.kind, target.key)).find((v) => v.version === wanted);
    if (!old) return editorPage(req, res, null, [], { kind: 'error', ja: 'その版は見つかりません。', en: 'That version was not found.' }, 404);
    const version = await saveContent(
      db,
      deps.ids,
      deps.clock(),
      actor(req),
      target.kind,
      target.key,
      old.body,
      old.version === 0 ? '初期設定に戻す' : `第${old.version}版に戻す`,
    );
    redirectWith(
      res,
      target.action,
      `${old.version === 0 ? '初期設定' : `第${old.version}版`}の文面に戻しました（第${version}版）。`,
      `Rolled back (now version ${version}).`,
    );
  };

  r.get('/app/consent', (req, res) => editorPage(req, res, null, [], flashFrom(req.query)));
  r.post('/app/consent', saveContentFrom);
  r.post('/app/consent/rollback', rollbackContent);
  r.get('/app/checklist/:key', (req, res) => editorPage(req, res, null, [], flashFrom(req.query)));
  r.post('/app/checklist/:key', saveContentFrom);
  r.post('/app/checklist/:key/rollback', rollbackContent);

  // ------------------------------------------------------------ personal data: retention, and erasure on request

  const privacyPage = async (req: Request, res: Response, typed: string, error: string | null, flash: Flash | null, status = 200) => {
    const id = typed.replace(/^#/, '').trim().toUpperCase();
    const c = id && !error ? await viewById(db, id) : null;
    const notFound = id && !error && !c ? `相談 #${id} は見つかりません。番号を確かめてください。 / Consultation #${id} was not found.` : null;
    const fieldError = error ?? notFound;
    const found =
      c &&
      html`<section aria-labelledby="found-heading"><h2 id="found-heading">相談 #${c.id} <span class="en">Consultation #${c.id}</span></h2>
<dl class="facts"><dt>日時 <span class="en">When</span></dt><dd>${formatJa(Date.parse(c.start))}</dd><dt>課 <span class="en">Department</span></dt><dd>${c.department.name}</dd><dt>状態 <span class="en">Status</span></dt><dd>${statusLabelJa(c.status)} <span class="en">${c.status}</span></dd>
<dt>個人情報 <span class="en">Personal data</span></dt><dd>${c.personalDataErasedAt ? html`消去済み（${formatJa(Date.parse(c.personalDataErasedAt))}） <span class="en">erased</span>` : html`保存中 <span class="en">kept</span>`}</dd></dl>
${
  c.personalDataErasedAt
    ? ''
    : isOpen(c.status) && Date.parse(c.end) > deps.clock()
      ? html`<p class="flash error" role="status">この相談はこれからです。先に取り消して（相談者にお知らせが届きます）から消去してください。職員のチャットで <code>/cancel #${c.id} 本人から削除の求め</code> と送るか、API で取り消せます。<br><span class="en">This consultation is still ahead: cancel it first (the citizen is told), then erase it.</span></p>`
      : html`<form method="post" action="/admin/privacy/erase">${csrfInput(req)}<input type="hidden" name="id" value="${c.id}">
<p><label class="check"><input type="checkbox" name="confirm" value="yes" required> <span>相談者から削除の求めがあったため、この相談の氏名・メールアドレス・相談内容などの自由記述を消去します（元に戻せません）。<br><span class="en">The citizen asked for erasure: erase this consultation's name, email address, topic and other free text (this cannot be undone).</span></span></label></p>
<div class="actions"><button type="submit">個人情報を消去する / Erase</button></div></form>`
}</section>`;
    page(
      res,
      req,
      '個人情報',
      html`<h1>個人情報 <span class="en">Personal data</span></h1>
<h2>保存期間 <span class="en">Retention</span></h2>
<ul>
<li>相談者の氏名・メールアドレス・相談内容・メモ・取消の理由・アンケートの自由記述は、相談の終了から <strong>${deps.config.personalDataRetentionDays}日</strong> で消去します（PERSONAL_DATA_RETENTION_DAYS）。日時・課・状態・待ち時間・アンケートの点数は統計のために残ります。<br><span class="en">Citizens' names, email addresses, topics, notes, cancellation reasons and survey comments are erased ${deps.config.personalDataRetentionDays} days after the consultation ends; times, departments, status, waiting times and survey scores stay for the figures.</span></li>
<li>同意の記録は、相談の終了から <strong>${deps.config.app.consentRetentionDays}日</strong> で消去します（CONSENT_RETENTION_DAYS）。<br><span class="en">Consent records are erased ${deps.config.app.consentRetentionDays} days after the consultation ends.</span></li>
<li>消去は毎日自動で行い、監査ログに記録します。詳しくは README の「個人情報の保存期間」をご覧ください。<br><span class="en">This runs every day and is audited; see “Personal data retention” in the README.</span></li>
</ul>
<h2>削除の求めに応じる <span class="en">Erase on request</span></h2>
<form method="get" action="/admin/privacy">
${field({ id: 'id', name: 'id', label: '相談番号', hint: '（例: K7M2Q9XA。案内メールや職員のチャットに出ている番号）', value: typed, error: fieldError })}
<div class="actions"><button type="submit" class="secondary">さがす / Find</button></div>
</form>
${found}`,
      flash,
      status,
    );
  };

  r.get('/privacy', (req, res) => privacyPage(req, res, String(req.query.id ?? ''), null, flashFrom(req.query)));

  r.post('/privacy/erase', async (req, res) => {
    const id = String(req.body?.id ?? '')
      .trim()
      .toUpperCase();
    if (req.body?.confirm !== 'yes') {
      return privacyPage(
        req,
        res,
        id,
        null,
        { kind: 'error', ja: '消去してよいことを確かめるため、チェックを入れてください。', en: 'Tick the box to confirm the erasure.' },
        422,
      );
    }
    const r2 = await eraseOnRequest(deps, id, actor(req));
    if (!r2.ok)
      return privacyPage(
        req,
        res,
        id,
        `${r2.reason.message.ja} / ${r2.reason.message.en}`,
        { kind: 'error', ja: '消去できませんでした。', en: 'Not erased.' },
        r2.reason.code === 'not_found' ? 404 : 409,
      );
    redirectWith(res, `/admin/privacy`, `相談 #${id} の個人情報を消去しました。`, `Erased the personal data of consultation #${id}.`);
  });

  r.post('/calendar/exceptions', async (req, res) => {
    const values = Object.fromEntries(
      ['kind', 'startDate', 'endDate', 'startTime', 'endTime', 'note', 'consultations'].map((k) => [k, String(req.body?.[k] ?? '').trim()]),
    );
    const input = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    const parsed = parseInput(ClosureBody, input, '');
    const checked = parsed.ok ? parseCalendarException(parsed.value) : parsed;
    if (!checked.ok) {
      const e = checked.reason.errors?.[0];
      return calendarPage(
        req,
        res,
        { kind: 'error', ja: `追加できませんでした: ${checked.reason.message.ja}`, en: checked.reason.message.en },
        { field: e?.field ?? 'startDate', message: e?.ja ?? checked.reason.message.ja, values },
        422,
      );
    }
    const added = await addClosure(deps, actor(req), checked.value, parsed.ok ? parsed.value.consultations : undefined);
    if (!added.ok) {
      // It falls on booked consultations: they are shown, and the admin chooses what happens to them.
      const affected = await consultationsOnClosure(deps, checked.value);
      return calendarPage(
        req,
        res,
        {
          kind: 'warn',
          ja: 'まだ追加していません。予約済みの相談と重なるため、下でどうするか選んでください。',
          en: 'Not added yet: it falls on booked consultations; choose below.',
        },
        null,
        409,
        {
          values,
          affected,
        },
      );
    }
    const said = describeOutcomes(added.value.outcomes);
    redirectWith(res, '/admin/calendar', `追加しました。${said.ja}`, `Added. ${said.en}`.trim());
  });

  // Removing a closure opens those days for booking again: the admin confirms it on a page of its own.
  r.get('/calendar/exceptions/:id/delete', async (req, res) => {
    const e = (await listCalendarExceptions(db)).find((x) => x.id === String(req.params.id));
    if (!e) return page(res, req, '見つかりません', NOT_FOUND, null, 404);
    const what = `${e.kind === 'closed' ? '閉庁' : '特別開庁'} ${e.startDate}${e.endDate !== e.startDate ? `〜${e.endDate}` : ''} ${e.startMinute === null ? '終日' : `${formatMinute(e.startMinute)}–${formatMinute(e.endMinute!)}`}${e.note ? `（${e.note}）` : ''}`;
    page(
      res,
      req,
      '削除の確認',
      html`<p><a href="/admin/calendar">← 受付時間・閉庁日</a></p><h1>削除しますか？ <span class="en">Remove it?</span></h1>
<div class="flash warn" role="note"><p>${what}</p><p>${e.kind === 'closed' ? '削除すると、この日時にまた予約できるようになります。' : '削除すると、この日時は予約できなくなります（予約済みの相談はそのままです）。'}</p></div>
<form method="post" action="/admin/calendar/exceptions/${e.id ?? ''}/delete">${csrfInput(req)}<div class="actions"><button type="submit">削除する</button><a href="/admin/calendar">削除しない</a></div></form>`,
    );
  });

  r.post('/calendar/exceptions/:id/delete', async (req, res) => {
    await removeCalendarException(db, deps.ids, deps.clock(), actor(req), String(req.params.id));
    redirectWith(res, '/admin/calendar', '削除しました。', 'Removed.');
  });

  return r;
}

/** A signed-in admin (session cookie) for the admin page and the staff console; POSTs need the session's CSRF token. */
