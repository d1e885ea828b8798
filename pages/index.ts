// Plain pages for people: the start page, and the page a dry-run meeting link opens.
import express from 'express';
import type { Router } from 'express';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { viewById } from '../scheduler/views.ts';
import { listHosts } from '../scheduler/hosts.ts';
import { formatJa, formatEn } from '../core/time.ts';
import { html, raw } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { sendHtml } from '../core/http.ts';
import { noStore, pageCsp } from '../core/security.ts';
import { groupDigits } from '../templates/liquid.ts';

const PAGE_STYLE = `
  body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; font-size: 18px; line-height: 1.7; color: #1a1a1a; background: #fff; margin: 0; padding: 1.5rem; max-width: 44rem; }
  h1 { font-size: 1.6rem; margin: 0 0 1rem; }
  .note { border-left: 6px solid #b35c00; background: #fff4e5; padding: .75rem 1rem; margin: 1rem 0; }
  .en { color: #444; font-size: .95rem; }
  dl { margin: 0; }
  dt { font-weight: bold; margin-top: .75rem; }
  dd { margin: 0; overflow-wrap: anywhere; }
  @media (min-width: 40rem) { dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dt { margin-top: 0; } }
  body * { overflow-wrap: anywhere; }
  a { color: #0645ad; }
  code { background: #f3f3f3; padding: 0 .25rem; }
`;

/** Nothing but the page's own style: no script, no forms, never framed. */
const PAGE_CSP = pageCsp({ inlineStyles: [PAGE_STYLE] });

function page(title: string, body: SafeHtml): SafeHtml {
  // PAGE_STYLE is our own constant, and the CSP allows it by the hash of its exact text: kept as it is, not escaped.
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function pagesRouter(deps: SchedulerDeps): Router {
  const r = express.Router();
  const csp: express.RequestHandler = (_req, res, next) => {
    res.set('Content-Security-Policy', PAGE_CSP);
    next();
  };

  // Browsers ask for it on every page: no icon, and no 404 in the log each time.
  r.get('/favicon.ico', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').status(204).end();
  });
  r.get('/', csp, async (_req, res) => {
    const hosts = await listHosts(deps.store.db);
    const dryRun = hosts.every((h) => h.provider === 'dryrun');
    const hostList = hosts.map((h) => html`<li>${h.displayName}（${h.provider}）</li>`);
    sendHtml(
      res,
      page(
        '窓口 madoguchi — オンライン相談窓口',
        html`<h1>窓口 madoguchi — オンライン相談窓口</h1>
<p>市の Webex または Microsoft Teams を使って、オンラインで相談を受け付けるためのサービスです。</p>
<p class="en">An online consultation counter on the city's own Webex or Microsoft Teams.</p>
${dryRun && html`<p class="note"><strong>試験運用（ドライラン）中です。</strong>実際のビデオ会議は作成されず、メールは送信されません。<br><span class="en">Dry run: no real meetings are created and no email is sent.</span></p>`}
<h2>ホスト（相談用アカウント） / Hosts</h2>
<ul>${hostList}</ul>
<h2>職員の方へ / For staff</h2>
<p>どれもサインインが必要です。 <span class="en">Each needs a sign-in.</span></p>
<ul>
<li><a href="/admin">管理画面（メールの文面・課・受付時間・拠点と端末） / Admin page</a></li>
<li><a href="/console">職員コンソール（Webex や Teams がなくてもボットを試せます） / Staff console</a></li>
<li><a href="/counter">支所の窓口画面 / Branch counter page</a></li>
<li><a href="/board">課の呼び出しボード / Department alert board</a></li>
</ul>
<h2>開発者向け / For developers</h2>
<ul>
<li><a href="/api/v1/openapi.json">API 仕様（OpenAPI） / API description</a></li>
<li><a href="/healthz">稼働確認 / Health check</a></li>
</ul>`,
      ),
    );
  });

  // Shows a meeting number: not cached.
  r.get('/dry-run/meetings/:meetingId', csp, noStore, async (req, res) => {
    const consultationId = /^dryrun-(.+)$/.exec(String(req.params.meetingId))?.[1];
    const c = consultationId ? await viewById(deps.store.db, consultationId) : null;
    if (c?.meeting?.provider !== 'dryrun') {
      sendHtml(res, page('見つかりません / Not found', html`<h1>この会議は見つかりません</h1><p class="en">This meeting was not found.</p>`), 404);
      return;
    }
    const start = Date.parse(c.start);
    sendHtml(
      res,
      page(
        'オンライン相談（試験運用）',
        html`<h1>オンライン相談（試験運用）</h1>
<p class="note"><strong>これは試験運用（ドライラン）の会議です。</strong>実際のビデオ会議にはつながりません。<br><span class="en">This is a dry-run meeting: there is no real video call.</span></p>
<dl>
<dt>日時</dt><dd>${formatJa(start)}（${c.durationMinutes}分） <span class="en">${formatEn(start)}</span></dd>
<dt>担当</dt><dd>${c.department.name}</dd>
<dt>ミーティング番号</dt><dd><code>${groupDigits(c.meeting.meetingNumber)}</code></dd>
</dl>`,
      ),
    );
  });

  return r;
}
