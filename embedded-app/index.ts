// embedded-app/ owns the in-meeting app: the citizen's steps and the staff view, for the Webex embedded app, the
// Teams side panel and the citizen's personal link. Built so far: the personal link's welcome step, and the readable
// refusal of an expired or altered link.
import express from 'express';
import type { Router } from 'express';
import type { Store } from '../core/store/db.ts';
import { checkLink, linkKey } from '../core/links.ts';
import { formatEn, formatJa } from '../core/time.ts';
import { viewById } from '../scheduler/consultations.ts';

export interface AppDeps {
  readonly store: Store;
  readonly clock: () => number;
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
  body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; font-size: 20px; line-height: 1.8; color: #111; background: #fff; }
  main { max-width: 36rem; margin: 0 auto; padding: 20px; }
  h1 { font-size: 1.6rem; line-height: 1.4; margin: 0 0 1rem; }
  .box { border: 3px solid #0b3d6e; border-radius: 10px; padding: 16px; margin: 16px 0; }
  .big { font-size: 1.4rem; font-weight: bold; }
  .en { color: #333; font-size: 18px; }
  a.lang { display: inline-block; min-height: 44px; padding: 8px 0; color: #0645ad; }
  .stop { border-color: #b00020; }
`;

function page(lang: 'ja' | 'en', title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function appRouter(deps: AppDeps): Router {
  const r = express.Router();
  r.use((_req, res, next) => {
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" });
    next();
  });

  r.get('/c/:token', async (req, res) => {
    const lang = req.query.lang === 'en' ? 'en' : 'ja';
    const check = checkLink(await linkKey(deps.store.db), String(req.params.token), deps.clock());
    const c = check.ok ? await viewById(deps.store.db, check.consultationId) : null;
    if (!check.ok || !c || c.status === 'cancelled') {
      const expired = check.ok ? false : check.reason === 'expired';
      res
        .status(expired ? 410 : 404)
        .type('html')
        .send(
          page(
            lang,
            'このリンクは使えません',
            `<h1>このリンクは使えません</h1>
<div class="box stop"><p>${expired ? '有効期限が過ぎています。' : c?.status === 'cancelled' ? 'この相談は取り消されました。' : 'リンクが正しくないか、この相談のものではありません。'}</p>
<p>お手数ですが、案内メールに書かれた市役所の担当課にお問い合わせください。</p></div>
<p class="en">This link cannot be used${expired ? ' (it has expired)' : ''}. Please contact the department named in your invitation email.</p>`,
          ),
        );
      return;
    }
    const start = Date.parse(c.start);
    const other = lang === 'ja' ? `<a class="lang" href="?lang=en" lang="en">English</a>` : `<a class="lang" href="?lang=ja" lang="ja">日本語</a>`;
    const body =
      lang === 'ja'
        ? `${other}
<h1>オンライン相談へようこそ</h1>
<div class="box"><p class="big">${esc(formatJa(start))}から<br>${c.durationMinutes}分</p><p>担当: ${esc(c.department.name)}</p><p>${esc(c.citizen.name)} 様</p></div>
<p>時間になったら、案内メールのリンクから会議に入ってください。会議の中で、このページと同じ案内（ご注意への同意、用意する書類）が表示されます。</p>`
        : `${other}
<h1>Welcome to your online consultation</h1>
<div class="box"><p class="big">${esc(formatEn(start))}<br>${c.durationMinutes} minutes</p><p>With: ${esc(c.department.name)}</p><p>${esc(c.citizen.name)}</p></div>
<p>At the time, join the meeting from the link in your invitation email. Inside the meeting you will see the same guide (the rules to agree to and the documents to have at hand).</p>`;
    res.type('html').send(page(lang, lang === 'ja' ? 'オンライン相談' : 'Online consultation', body));
  });
  return r;
}
