// HTML for the admin page: one layout (Japanese first, large readable text, keyboard and screen-reader friendly, 320 px wide).

import { html, raw } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { pageCsp } from '../security.ts';
import type { ProblemRenderer } from '../http.ts';
import { sendHtml, setRetryAfter, statusOf } from '../http.ts';
import { staffScript } from './assets.ts';
import { actorName } from '../audit.ts';

export interface Flash {
  readonly kind: 'ok' | 'warn' | 'error';
  readonly ja: string;
  readonly en: string;
}

export const ADMIN_STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; font-size: 18px; line-height: 1.6; color: #1a1a1a; background: #fff; overflow-wrap: break-word; }
  a { color: #0645ad; }
  :focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
  .skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 2; }
  header { background: #0b3d6e; color: #fff; padding: 12px 16px; display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; }
  header a { color: #fff; } header .who { margin-left: auto; font-size: 16px; }
  nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
  main { padding: 16px; max-width: 72rem; margin: 0 auto; }
  h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; } h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
  label { display: block; font-weight: bold; margin: 1rem 0 .25rem; }
  .hint { font-weight: normal; font-size: 16px; color: #444; }
  input[type=text], input[type=email], input[type=password], input[type=date], input[type=time], select, textarea { width: 100%; font: inherit; font-size: 18px; padding: 8px; border: 2px solid #555; border-radius: 4px; background: #fff; color: #1a1a1a; }
  textarea { font-family: ui-monospace, "Noto Sans Mono CJK JP", monospace; font-size: 16px; min-height: 14rem; }
  textarea.short { font-family: inherit; font-size: 18px; min-height: 0; }
  [aria-invalid=true] { border-color: #b00020; }
  .field-error { color: #b00020; font-weight: bold; margin: .25rem 0 0; }
  button, .button { font: inherit; font-size: 18px; min-height: 44px; padding: 8px 18px; border: 2px solid #0b3d6e; border-radius: 6px; background: #0b3d6e; color: #fff; cursor: pointer; }
  button.secondary, a.button.secondary { background: #fff; color: #0b3d6e; }
  a.button { display: inline-block; text-decoration: none; }
  button:disabled { background: #ddd; border-color: #999; color: #555; cursor: not-allowed; }
  .actions { display: flex; flex-wrap: wrap; gap: 12px; margin: 1.25rem 0; align-items: center; }
  .flash { padding: 12px 16px; border-left: 6px solid; margin: 0 0 1rem; } .flash.ok { border-color: #1b7a3a; background: #e9f6ee; } .flash.error { border-color: #b00020; background: #fdecee; } .flash.warn { border-color: #8a5a00; background: #fff6e0; } .flash p { margin: 0 0 .25rem; }
  table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 8px; border-bottom: 1px solid #ccc; vertical-align: top; }
  .cols { display: grid; gap: 24px; } .cols > * { min-width: 0; } @media (min-width: 60rem) { .cols { grid-template-columns: 1fr 1fr; } }
  .preview { border: 2px solid #ccc; border-radius: 6px; padding: 12px; background: #fafafa; overflow-wrap: anywhere; }
  .preview pre { white-space: pre-wrap; font-family: inherit; font-size: 16px; margin: 0; }
  .preview iframe { width: 100%; min-height: 24rem; border: 1px solid #ccc; background: #fff; }
  .en { color: #444; font-size: 16px; }
  code { background: #f0f0f0; padding: 0 4px; overflow-wrap: anywhere; }
  .table-wrap { overflow-x: auto; } .table-wrap th, .table-wrap td { white-space: nowrap; }
  @media (max-width: 48rem) { .table-wrap.cards { overflow-x: visible; } .cards table, .cards tbody, .cards tr, .cards th, .cards td { display: block; white-space: normal; } .cards thead { position: absolute; left: -9999px; } .cards tr { border: 2px solid #ccc; border-radius: 6px; margin: 0 0 12px; padding: 4px 8px; } .cards td, .cards th { border: 0; padding: 4px 0; } .cards td[data-label]::before { content: attr(data-label) "："; font-weight: bold; } }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; } .facts dt { font-weight: bold; } .facts dd { margin: 0; }
  label.check { font-weight: normal; display: flex; gap: 12px; align-items: flex-start; } label.check input { width: 28px; height: 28px; flex: none; margin-top: 2px; }
`;

/**
 * The admin pages' CSP: our own script only (admin/client), the layout's style by its hash (and any inline style on
 * the template editor, whose preview shows the email's own styles), forms and fetches to ourselves, never framed.
 */
export const adminCsp = (o: { extraStyles?: ReadonlyArray<string>; anyInlineStyle?: boolean } = {}) =>
  pageCsp({
    scripts: true,
    inlineStyles: [ADMIN_STYLE, ...(o.extraStyles ?? [])],
    anyInlineStyle: o.anyInlineStyle ?? false,
    connect: true,
    forms: true,
    frames: ["'self'", 'data:'],
  });

export function layout(o: { title: string; body: SafeHtml; who?: { name: string; csrf: string } | null; flash?: Flash | null; style?: string }): SafeHtml {
  const nav =
    o.who &&
    html`<nav aria-label="管理メニュー"><ul>
<li><a href="/admin/consultations">相談</a></li>
<li><a href="/admin/templates">メールの文面</a></li>
<li><a href="/admin/departments">課</a></li>
<li><a href="/admin/sites">拠点と端末</a></li>
<li><a href="/admin/hosts">会議のアカウント</a></li>
<li><a href="/admin/staff">職員</a></li>
<li><a href="/admin/tokens">API トークン</a></li>
<li><a href="/admin/calendar">受付時間・閉庁日</a></li>
<li><a href="/admin/app">会議内アプリの文面</a></li>
<li><a href="/admin/stats">集計</a></li>
<li><a href="/admin/privacy">個人情報</a></li>
<li><a href="/admin/audit">監査ログ</a></li>
<li><a href="/console">職員コンソール</a></li>
</ul></nav>
<form method="post" action="/admin/logout" class="who"><span>${actorName(o.who.name)} さん</span> <input type="hidden" name="csrf" value="${o.who.csrf}"><button class="secondary" type="submit">サインアウト</button></form>`;
  const flash =
    o.flash &&
    html`<div class="flash ${o.flash.kind}" role="${o.flash.kind === 'error' ? 'alert' : 'status'}">${o.flash.ja}<br><span class="en">${o.flash.en}</span></div>`;
  // The stylesheets are our own constants (their hashes are in the CSP), not text: kept as they are.
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} — 窓口 madoguchi 管理</title>
<style>${raw(ADMIN_STYLE)}</style>${o.style && html`<style>${raw(o.style)}</style>`}
<script src="${staffScript.path}" defer></script>
</head>
<body>
<a class="skip" href="#main">本文へ移動</a>
<header><strong>窓口 madoguchi 管理</strong>${nav}</header>
<main id="main">
${flash}
${o.body}
</main>
</body>
</html>`;
}

/** A labelled field with its error next to it (aria-describedby), for inputs and textareas. */
export function field(o: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  value: string;
  error?: string | null;
  kind?: 'text' | 'email' | 'password' | 'date' | 'time' | 'textarea';
  required?: boolean;
  rows?: number;
}): SafeHtml {
  const errId = `${o.id}-error`;
  const hintId = `${o.id}-hint`;
  const described = [o.hint ? hintId : '', o.error ? errId : ''].filter(Boolean).join(' ');
  const attrs = html`id="${o.id}" name="${o.name}"${o.required && raw(' required')}${o.error && raw(' aria-invalid="true"')}${described && html` aria-describedby="${described}"`}`;
  const control =
    o.kind === 'textarea'
      ? html`<textarea ${attrs} rows="${o.rows ?? 14}" spellcheck="false">${o.value}</textarea>`
      : html`<input type="${o.kind ?? 'text'}" ${attrs} value="${o.value}">`;
  return html`<label for="${o.id}">${o.label}${o.hint && html` <span class="hint" id="${hintId}">${o.hint}</span>`}</label>
${control}
${o.error && html`<p class="field-error" id="${errId}" role="alert">${o.error}</p>`}`;
}

/** The admin page's and the console's way of showing a problem or an error: a page, with what to do. */
export const problemPage: ProblemRenderer = (req, res, p) => {
  setRetryAfter(res, p);
  // Its own policy: the problem may be found before the router that took the request set one.
  res.set('Content-Security-Policy', adminCsp());
  // Back to the page the form was on (its path only: this site's page, whatever the Referer names).
  let back: string | null = null;
  try {
    const from = new URL(req.get('referer') ?? '');
    back = `${from.pathname}${from.search}`;
  } catch {}
  sendHtml(
    res,
    layout({
      title: 'うまくいきませんでした',
      flash: { kind: 'error', ja: p.message.ja, en: p.message.en },
      body: html`<h1>うまくいきませんでした <span class="en">That did not work</span></h1>
<p>${back ? html`<a href="${back}">前のページに戻る</a>` : html`<a href="/admin">管理画面のはじめへ</a>`} <span class="en">Go back and try again.</span></p>`,
      who: req.adminSession ? { name: req.adminSession.name, csrf: req.adminSession.csrf } : null,
    }),
    statusOf(p),
  );
};
