// embedded-app/ owns the in-meeting app: the citizen's steps and the staff view, for the Webex embedded app, the
// Teams side panel and the citizen's personal link. Built so far, through the personal link: welcome → consent
// (recorded with its text version) → documents → thanks and survey, and the readable refusal of a bad link.
import express from 'express';
import type { Router } from 'express';
import type { Store } from '../core/store/db.ts';
import { checkLink, linkKey } from '../core/links.ts';
import { esc } from '../core/html.ts';
import { formatEn, formatJa } from '../core/time.ts';
import { viewById } from '../scheduler/consultations.ts';
import type { ConsultationView } from '../scheduler/consultations.ts';
import { writeAudit } from '../core/audit.ts';
import type { IdSource } from '../core/ids.ts';
import { CONSENT_ITEMS, CONSENT_VERSION, checklistFor } from './content.ts';

export interface AppDeps {
  readonly store: Store;
  readonly clock: () => number;
  readonly ids: IdSource;
}

type Lang = 'ja' | 'en';
const t = (lang: Lang, ja: string, en: string) => (lang === 'ja' ? ja : en);
const STEPS = ['welcome', 'consent', 'documents', 'end'] as const;
const stepLine = (lang: Lang, n: number) => `<p class="steps">${t(lang, `${n} / 4`, `Step ${n} of 4`)}</p>`;


const STYLE = `
  body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; font-size: 20px; line-height: 1.8; color: #111; background: #fff; }
  main { max-width: 36rem; margin: 0 auto; padding: 20px; }
  h1 { font-size: 1.6rem; line-height: 1.4; margin: 0 0 1rem; }
  .box { border: 3px solid #0b3d6e; border-radius: 10px; padding: 16px; margin: 16px 0; }
  .big { font-size: 1.4rem; font-weight: bold; }
  .en { color: #333; font-size: 18px; }
  a.lang { display: inline-block; min-height: 44px; padding: 8px 0; color: #0645ad; }
  .stop { border-color: #b00020; }
  button { font: inherit; font-size: 1.2rem; min-height: 56px; width: 100%; margin: 8px 0; border-radius: 10px; border: 3px solid #0b3d6e; background: #0b3d6e; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #0b3d6e; }
  :focus-visible { outline: 4px solid #b35c00; outline-offset: 2px; }
  ol.rules li { margin: 0 0 12px; }
  fieldset { border: 2px solid #ccc; border-radius: 10px; margin: 12px 0; padding: 8px 16px; }
  legend { font-weight: bold; padding: 0 6px; }
  label.choice { display: flex; gap: 10px; align-items: center; min-height: 44px; }
  input[type=radio] { width: 28px; height: 28px; }
  textarea { width: 100%; font: inherit; min-height: 6rem; border: 2px solid #555; border-radius: 6px; }
  .why { color: #333; font-size: 18px; margin: 0 0 4px; }
  .steps { color: #333; font-size: 18px; }
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

  /** The consultation a link opens, or the refusal page already sent. */
  const open = async (req: express.Request, res: express.Response): Promise<{ c: ConsultationView; lang: Lang; base: string } | null> => {
    const lang: Lang = req.query.lang === 'en' || req.body?.lang === 'en' ? 'en' : 'ja';
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
      return null;
    }
    return { c, lang, base: `/app/c/${encodeURIComponent(String(req.params.token))}` };
  };

  const setStep = async (consultationId: string, step: (typeof STEPS)[number], patch: { checklist?: string; survey?: string } = {}) => {
    const now = new Date(deps.clock()).toISOString();
    await deps.store.db
      .insertInto('app_progress')
      .values({ consultation_id: consultationId, step, checklist: patch.checklist ?? '{}', survey: patch.survey ?? null, updated_at: now })
      .onConflict((oc) => oc.column('consultation_id').doUpdateSet({ step, updated_at: now, ...patch }))
      .execute();
  };

  const form = (action: string, lang: Lang, inner: string) => `<form method="post" action="${esc(action)}"><input type="hidden" name="lang" value="${lang}">${inner}</form>`;
  const switchLang = (lang: Lang, path: string) => (lang === 'ja' ? `<a class="lang" href="${esc(path)}?lang=en" lang="en">English</a>` : `<a class="lang" href="${esc(path)}?lang=ja" lang="ja">日本語</a>`);

  r.get('/c/:token', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang, base } = o;
    const start = Date.parse(c.start);
    const body =
      lang === 'ja'
        ? `${switchLang(lang, base)}${stepLine(lang, 1)}
<h1>オンライン相談へようこそ</h1>
<div class="box"><p class="big">${esc(formatJa(start))}から<br>${c.durationMinutes}分</p><p>担当: ${esc(c.department.name)}</p><p>${esc(c.citizen.name)} 様</p></div>
<p>このあと、相談のときのお約束をご確認いただき、用意していただく書類をお知らせします。時間になったら、案内メールのリンクから会議に入ってください。</p>`
        : `${switchLang(lang, base)}${stepLine(lang, 1)}
<h1>Welcome to your online consultation</h1>
<div class="box"><p class="big">${esc(formatEn(start))}<br>${c.durationMinutes} minutes</p><p>With: ${esc(c.department.name)}</p><p>${esc(c.citizen.name)}</p></div>
<p>Next, please read the rules for the consultation and see which documents to have at hand. At the time, join from the link in your invitation email.</p>`;
    res.type('html').send(page(lang, t(lang, 'オンライン相談', 'Online consultation'), `${body}<a href="${esc(`${base}/consent${lang === 'en' ? '?lang=en' : ''}`)}"><button type="button">${t(lang, '次へ', 'Next')}</button></a>`));
  });

  r.get('/c/:token/consent', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { lang, base } = o;
    await setStep(o.c.id, 'consent');
    const items = CONSENT_ITEMS.map((i) => `<li>${esc(lang === 'ja' ? i.ja : i.en)}</li>`).join('');
    res.type('html').send(
      page(
        lang,
        t(lang, '相談のときのお約束', 'Before we start'),
        `${switchLang(lang, `${base}/consent`)}${stepLine(lang, 2)}<h1>${t(lang, '相談のときのお約束', 'Before we start')}</h1>
<ol class="rules">${items}</ol>
${form(`${base}/consent`, lang, `<button name="choice" value="agree">${t(lang, '同意します', 'I agree')}</button><button class="secondary" name="choice" value="decline">${t(lang, '同意しない', 'I do not agree')}</button>`)}`,
      ),
    );
  });

  r.post('/c/:token/consent', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang, base } = o;
    const agreed = req.body?.choice === 'agree';
    if (req.body?.choice !== 'agree' && req.body?.choice !== 'decline') return res.redirect(303, `${base}/consent${lang === 'en' ? '?lang=en' : ''}`);
    const now = deps.clock();
    await deps.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('consents').values({ id: deps.ids.sortableId(now), consultation_id: c.id, text_version: CONSENT_VERSION, items: JSON.stringify(CONSENT_ITEMS.map((i) => i.id)), agreed: agreed ? 1 : 0, entry_point: 'link', created_at: new Date(now).toISOString() }).execute();
      await writeAudit(trx, deps.ids, now, { actor: 'citizen', action: agreed ? 'consent.given' : 'consent.refused', entity: 'consultation', entityId: c.id, before: null, after: { textVersion: CONSENT_VERSION, entryPoint: 'link' } });
    });
    if (agreed) return res.redirect(303, `${base}/documents${lang === 'en' ? '?lang=en' : ''}`);
    res.type('html').send(
      page(
        lang,
        t(lang, 'ご連絡ください', 'Please contact us'),
        `<h1>${t(lang, 'ありがとうございました', 'Thank you')}</h1><div class="box"><p>${t(lang, `お約束に同意いただけない場合は、オンラインでの相談はできません。お電話か、窓口（${c.department.name}）へお越しください。`, `Without agreeing, the consultation cannot be held online. Please call, or visit ${c.department.name}.`)}</p></div>
<a href="${esc(`${base}/consent${lang === 'en' ? '?lang=en' : ''}`)}"><button type="button" class="secondary">${t(lang, 'お約束をもう一度読む', 'Read the rules again')}</button></a>`,
      ),
    );
  });

  r.get('/c/:token/documents', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang, base } = o;
    await setStep(c.id, 'documents');
    const fields = checklistFor(c.consultationType)
      .map(
        (i) => `<fieldset><legend>${esc(lang === 'ja' ? i.ja : i.en)}</legend><p class="why">${esc(lang === 'ja' ? i.whyJa : i.whyEn)}</p>
<label class="choice"><input type="radio" name="${esc(i.id)}" value="have" required> ${t(lang, '手元にあります', 'I have it')}</label>
<label class="choice"><input type="radio" name="${esc(i.id)}" value="missing"> ${t(lang, 'ありません', "I don't have it")}</label></fieldset>`,
      )
      .join('');
    res.type('html').send(page(lang, t(lang, '用意する書類', 'Documents'), `${switchLang(lang, `${base}/documents`)}${stepLine(lang, 3)}<h1>${t(lang, '用意していただく書類', 'Documents to have at hand')}</h1>${form(`${base}/documents`, lang, `${fields}<button>${t(lang, '次へ', 'Next')}</button>`)}`));
  });

  r.post('/c/:token/documents', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang, base } = o;
    const answers = Object.fromEntries(checklistFor(c.consultationType).map((i) => [i.id, req.body?.[i.id] === 'have' ? 'have' : 'missing']));
    await setStep(c.id, 'end', { checklist: JSON.stringify(answers) });
    res.redirect(303, `${base}/end${lang === 'en' ? '?lang=en' : ''}`);
  });

  r.get('/c/:token/end', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { lang, base } = o;
    const radios = (name: string, options: Array<[string, string]>) => options.map(([v, label]) => `<label class="choice"><input type="radio" name="${name}" value="${v}"> ${esc(label)}</label>`).join('');
    res.type('html').send(
      page(
        lang,
        t(lang, 'ありがとうございました', 'Thank you'),
        `${switchLang(lang, `${base}/end`)}${stepLine(lang, 4)}<h1>${t(lang, 'ありがとうございました', 'Thank you')}</h1>
<p>${t(lang, 'よろしければ、アンケートにお答えください（任意）。', 'If you like, please answer a short survey (optional).')}</p>
${form(
  `${base}/end`,
  lang,
  `<fieldset><legend>${t(lang, '満足度', 'How satisfied were you?')}</legend>${radios('satisfaction', [['5', t(lang, 'とても満足', 'Very')], ['4', t(lang, '満足', 'Satisfied')], ['3', t(lang, 'ふつう', 'Neutral')], ['2', t(lang, '不満', 'Not really')], ['1', t(lang, 'とても不満', 'Not at all')]])}</fieldset>
<fieldset><legend>${t(lang, 'また利用したいですか', 'Would you use it again?')}</legend>${radios('again', [['yes', t(lang, 'はい', 'Yes')], ['no', t(lang, 'いいえ', 'No')]])}</fieldset>
<label for="comment">${t(lang, 'ご意見（自由にお書きください）', 'Comments')}</label><textarea id="comment" name="comment" maxlength="1000"></textarea>
<button>${t(lang, '送る', 'Send')}</button>`,
)}`,
      ),
    );
  });

  // Relay status for the citizen: who they are being handed to, how long it has been, and who is coming.
  // Refreshes itself every 10 seconds (no script needed); live updates inside the meeting come with the in-meeting entry points.
  r.get('/c/:token/status', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang, base } = o;
    const relay = await deps.store.db
      .selectFrom('relays as r')
      .innerJoin('departments as d', 'd.id', 'r.to_department_id')
      .leftJoin('staff as s', 's.id', 'r.accepted_by')
      .select(['r.status', 'r.requested_at', 'd.name as department', 's.display_name as accepter'])
      .where('r.consultation_id', '=', c.id)
      .orderBy('r.requested_at', 'desc')
      .executeTakeFirst();
    const minutes = relay ? Math.max(0, Math.floor((deps.clock() - Date.parse(relay.requested_at)) / 60_000)) : 0;
    const message = !relay
      ? t(lang, '担当の職員がお話しします。', 'The staff member in charge will talk with you.')
      : relay.status === 'requested'
        ? t(lang, `${relay.department}の担当者におつなぎしています。このままお待ちください。（${minutes}分）`, `We are connecting you to ${relay.department}. Please wait. (${minutes} min)`)
        : relay.status === 'accepted'
          ? t(lang, `${relay.department}の${relay.accepter ?? '担当者'}がまいります。`, `${relay.accepter ?? 'Someone'} from ${relay.department} is joining.`)
          : relay.status === 'done'
            ? t(lang, `${relay.department}のお話は終わりました。`, `${relay.department} has finished.`)
            : t(lang, '担当の職員がご案内します。', 'The staff member will guide you.');
    res
      .type('html')
      .send(
        page(lang, t(lang, 'ただいまの状況', 'Status'), `<meta http-equiv="refresh" content="10">${switchLang(lang, `${base}/status`)}<h1>${t(lang, 'ただいまの状況', 'Now')}</h1><div class="box" role="status"><p class="big">${esc(message)}</p></div>`),
      );
  });

  r.post('/c/:token/end', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang } = o;
    const satisfaction = Number(req.body?.satisfaction);
    const survey = {
      satisfaction: Number.isInteger(satisfaction) && satisfaction >= 1 && satisfaction <= 5 ? satisfaction : null,
      again: req.body?.again === 'yes' ? true : req.body?.again === 'no' ? false : null,
      comment: String(req.body?.comment ?? '').slice(0, 1000),
    };
    await setStep(c.id, 'end', { survey: JSON.stringify(survey) });
    res.type('html').send(page(lang, t(lang, 'ありがとうございました', 'Thank you'), `<h1>${t(lang, 'ご協力ありがとうございました', 'Thank you for your answers')}</h1><p>${t(lang, 'このページは閉じてかまいません。', 'You may close this page.')}</p>`));
  });

  return r;
}
