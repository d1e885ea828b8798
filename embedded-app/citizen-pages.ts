// The citizen's steps: welcome → consent (recorded with its text version) → documents → thanks and survey, plus the
// relay status. Server-rendered, one thing per screen; a small script (client/citizen.ts) makes each page live.
// Reached by the personal link, or from inside Webex / Teams (platforms.ts), which sends here with via=webex|teams.
import express from 'express';
import type { Router } from 'express';
import { html, raw } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { refuseNulCharacters, sendHtml } from '../core/http.ts';
import { formatEn, formatJa, formatMinute, toLocalMinute } from '../core/time.ts';
import { groupDigits } from '../templates/liquid.ts';
import type { ConsultationView } from '../scheduler/views.ts';
import { viewById } from '../scheduler/views.ts';
import { checkLink, linkExpiry, linkKey } from '../core/links.ts';
import { contactFor, listDepartments } from '../scheduler/departments.ts';
import type { Assets } from './assets.ts';
import type { Lang } from './html.ts';
import { keep, page, sorryPage, t } from './html.ts';
import { rubyHtml } from './state/ruby.ts';
import { activeChecklist, activeConsent } from './state/content-store.ts';
import type { AppState, EntryPoint, RelayStatusView, StateDeps, Step } from './state/index.ts';
import { citizenAt, hasConsented, latestRelay, readState, recordConsent } from './state/index.ts';
import { sendEvents } from '../core/web/sse.ts';
import type { AppEvents } from '../core/events.ts';
import type { Throttle } from '../core/throttle.ts';

export interface CitizenDeps extends StateDeps {
  readonly assets: Assets;
  /** Forged or malformed links are counted per address. */
  readonly throttle: Throttle;
  /** Opens the link-signing key (sealed under SECRET_KEY when one is set). */
  readonly secretKey: Buffer | null;
  readonly events?: AppEvents | undefined;
  /** The city's contact, for a department that has none of its own. */
  readonly city: { readonly contact: string };
}

const STEP_PATH: Record<Step, string> = { welcome: '', consent: '/consent', documents: '/documents', ready: '/ready', end: '/end' };
const stepLine = (lang: Lang, n: number) => html`<p class="steps">${t(lang, `${n} / 5`, `Step ${n} of 5`)}</p>`;

/** The personal page offers the meeting's 参加する button from this long before the start. */
export const JOIN_OPENS_MINUTES = 30;

/** What the citizen is told about a relay, in their language. */
export function relayMessage(lang: Lang, relay: RelayStatusView | null): string | null {
  if (!relay) return null;
  switch (relay.status) {
    case 'requested':
      return t(
        lang,
        `${relay.department}の担当者におつなぎしています。このままお待ちください。（${relay.minutes}分）`,
        `We are connecting you to ${relay.department}. Please wait. (${relay.minutes} min)`,
      );
    case 'accepted':
      return t(lang, `${relay.department}の${relay.accepter ?? '担当者'}がまいります。`, `${relay.accepter ?? 'Someone'} from ${relay.department} is joining.`);
    case 'done':
      return t(lang, `${relay.department}のお話は終わりました。`, `${relay.department} has finished.`);
    default:
      return null;
  }
}

/** The relay notice shown on every step (hidden while there is none; the script fills it in live). */
const relayBox = (lang: Lang, relay: RelayStatusView | null): SafeHtml => {
  const message = relayMessage(lang, relay);
  // The live region is always there (screen readers miss changes in one that appears); only the box inside shows or hides.
  return html`<div id="relay" role="status" aria-live="polite"><div id="relay-box" class="box relay"${message ? '' : raw(' hidden')}><p id="relay-text" class="big">${message ?? ''}</p></div></div>`;
};

/** The contact, with its first phone number made tap-to-call (a phone is what most citizens have in hand). */
function contactHtml(contact: string): SafeHtml {
  const m = /0\d{1,4}-?\d{1,4}-?\d{3,4}/.exec(contact.normalize('NFKC'));
  if (!m) return html`${contact}`;
  return html`<a href="${`tel:${m[0].replace(/-/g, '')}`}">${contact}</a>`;
}

const VIA = new Set<EntryPoint>(['link', 'webex', 'teams']);

/** Too many forged or malformed links from this address: a readable page that says when to come back. */
export function tooManyLinksPage(res: express.Response, assets: Assets, waitMs: number): void {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
  sendHtml(
    res,
    sorryPage(
      assets,
      ['しばらくお待ちください', 'Please wait'],
      `正しくないリンクが続いたため、しばらく受け付けを止めています。${minutes}分ほど待ってから、案内メールのリンクをもう一度押してください。`,
      `Too many invalid links from here: please wait about ${minutes} minute(s), then open the link in your email again.`,
    ),
    429,
  );
}

export function citizenRouter(deps: CitizenDeps): Router {
  const r = express.Router();
  // The survey comment may be 1000 Japanese characters: about 9 KB once URL-encoded.
  const form = express.urlencoded({ extended: false, limit: '32kb' });

  interface Opened {
    readonly c: ConsultationView;
    readonly lang: Lang;
    readonly via: EntryPoint;
    readonly base: string;
    readonly q: string;
    /** Opened from inside Webex / Teams: the citizen's name is not shown (the platform's meeting id is not a proof of who this is). */
    readonly inMeeting: boolean;
    readonly expiresAt: number;
  }

  /** Whom the citizen should call, in a sentence: the department's contact, or the city's, or the invitation. */
  const contactOf = async (c: ConsultationView | null): Promise<{ ja: string; en: string; number: string }> => {
    const department = c ? (await listDepartments(deps.db)).find((d) => d.id === c.department.id) : undefined;
    const number = contactFor(department, deps.city);
    const who = c ? c.department.name : '市役所の担当課';
    if (number)
      return { ja: `${who}（${number}）にお問い合わせください。`, en: `Please contact ${c ? c.department.name : 'the city office'}: ${number}.`, number };
    return { ja: `案内メールに書かれた${who}にお問い合わせください。`, en: 'Please contact the department named in your invitation email.', number };
  };

  /** The consultation a link opens, or the refusal page already sent. */
  const open = async (req: express.Request, res: express.Response): Promise<Opened | null> => {
    const lang: Lang = req.query.lang === 'en' || req.body?.lang === 'en' ? 'en' : 'ja';
    const address = `addr:${req.ip ?? ''}`;
    const wait = await deps.throttle.wait(address);
    if (wait > 0) {
      tooManyLinksPage(res, deps.assets, wait);
      return null;
    }
    const now = deps.clock();
    const check = checkLink(await linkKey(deps.db, deps.secretKey), String(req.params.token), now);
    // A forged or malformed link counts at once; past the limit the page says when to come back.
    const signed = check.ok || check.reason === 'expired' ? check : null;
    if (!signed) {
      const blocked = await deps.throttle.attempt(address);
      if (blocked > 0) {
        tooManyLinksPage(res, deps.assets, blocked);
        return null;
      }
    }
    // Only a link handed out inside a meeting counts as Webex / Teams; the personal link is always 'link'.
    const rawVia = String(req.query.via ?? req.body?.via ?? 'link');
    const via: EntryPoint = check.ok && check.kind === 'meeting' && VIA.has(rawVia as EntryPoint) && rawVia !== 'link' ? (rawVia as EntryPoint) : 'link';
    const c = signed ? await viewById(deps.db, signed.consultationId) : null;
    // The personal link follows the consultation's current time (a day after its end), whenever it was sent; a link
    // handed out inside a meeting keeps its own short expiry.
    const expiresAt = !signed || !c ? 0 : signed.kind === 'link' ? linkExpiry(Date.parse(c.end)) : check.ok ? check.expiresAt : 0;
    if (!c || expiresAt < now || c.status === 'cancelled') {
      const expired = !!c && expiresAt < now;
      const cancelled = c?.status === 'cancelled';
      const contact = await contactOf(c);
      sendHtml(
        res,
        sorryPage(
          deps.assets,
          ['このリンクは使えません', 'This link cannot be used'],
          `${expired ? '有効期限が過ぎています。' : cancelled ? 'この相談は取り消されました。' : 'リンクが正しくないか、この相談のものではありません。'}お手数ですが、${contact.ja}`,
          `This link cannot be used${expired ? ' (it has expired)' : cancelled ? ' (the consultation was cancelled)' : ''}. ${contact.en}`,
        ),
        expired ? 410 : 404,
      );
      return null;
    }
    const base = `/app/c/${encodeURIComponent(String(req.params.token))}`;
    return { c, lang, via, base, q: keep(lang, via), inMeeting: signed?.kind === 'meeting', expiresAt };
  };

  const hidden = (o: Opened) => html`<input type="hidden" name="lang" value="${o.lang}"><input type="hidden" name="via" value="${o.via}">`;
  const switchLang = (o: Opened, step: Step) => {
    const other: Lang = o.lang === 'ja' ? 'en' : 'ja';
    return html`<a class="lang" href="${`${o.base}${STEP_PATH[step]}${keep(other, o.via)}`}" lang="${other}">${other === 'en' ? 'English' : '日本語'}</a>`;
  };

  /** A live step page: the relay notice, the language switch, and the script that follows staff and relay changes. */
  const send = async (res: express.Response, o: Opened, step: Step, title: string, body: SafeHtml) => {
    const relay = await latestRelay(deps.db, o.c.id, deps.clock());
    sendHtml(
      res,
      page({
        lang: o.lang,
        assets: deps.assets,
        title,
        body: html`${switchLang(o, step)}${relayBox(o.lang, relay)}${body}`,
        script: 'citizen',
        data: { events: `${o.base}/events${o.q}`, step, loaded: String(deps.clock()) },
      }),
    );
  };

  r.get('/c/:token', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang } = o;
    const start = Date.parse(c.start);
    const card =
      lang === 'ja'
        ? html`<h1>オンライン相談へようこそ</h1>
<div class="box"><p class="big">${formatJa(start)}から<br>${c.durationMinutes}分</p><p>担当: ${c.department.name}</p>${!o.inMeeting && html`<p>${c.citizen.name} 様</p>`}</div>
<p>このあと、相談のときのお約束をご確認いただき、用意していただく書類をお知らせします。時間になったら、このページの「参加する」ボタンか、案内メールのリンクから会議に入ってください。</p>`
        : html`<h1>Welcome to your online consultation</h1>
<div class="box"><p class="big">${formatEn(start)}<br>${c.durationMinutes} minutes</p><p>With: ${c.department.name}</p>${!o.inMeeting && html`<p>${c.citizen.name}</p>`}</div>
<p>Next, please read the rules for the consultation and see which documents to have at hand. At the time, join with the “Join” button on this page or the link in your invitation email.</p>`;
    await send(
      res,
      o,
      'welcome',
      t(lang, 'オンライン相談', 'Online consultation'),
      html`${stepLine(lang, 1)}${card}<a class="button" href="${`${o.base}/consent${o.q}`}">${t(lang, '次へ', 'Next')}</a>`,
    );
  });

  r.get('/c/:token/consent', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { lang } = o;
    const consent = await activeConsent(deps.db);
    await citizenAt(deps, o.c.id, 'consent');
    const items = consent.body.items.map((i) => html`<li>${lang === 'ja' ? rubyHtml(i.ja) : i.en}</li>`);
    await send(
      res,
      o,
      'consent',
      t(lang, '相談のときのお約束', 'Before we start'),
      html`${stepLine(lang, 2)}<h1>${t(lang, '相談のときのお約束', 'Before we start')}</h1>
<ol class="rules">${items}</ol>
<form method="post" action="${`${o.base}/consent`}">${hidden(o)}<input type="hidden" name="version" value="${consent.hash}">
<button name="choice" value="agree">${t(lang, '同意します', 'I agree')}</button><button class="secondary" name="choice" value="decline">${t(lang, '同意しない', 'I do not agree')}</button></form>`,
    );
  });

  r.post('/c/:token/consent', form, refuseNulCharacters, async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang } = o;
    if (req.body?.choice !== 'agree' && req.body?.choice !== 'decline') return res.redirect(303, `${o.base}/consent${o.q}`);
    const agreed = req.body.choice === 'agree';
    const shown = await activeConsent(deps.db);
    // Only an answer to the words on screen counts: if the text changed while the citizen was reading (or the form
    // came without its version), the current text is shown again.
    if (req.body.version !== shown.hash) return res.redirect(303, `${o.base}/consent${o.q}`);
    await recordConsent(deps, c.id, shown, agreed, o.via, lang);
    if (agreed) return res.redirect(303, `${o.base}/documents${o.q}`);
    const contact = await contactOf(c);
    await send(
      res,
      o,
      'consent',
      t(lang, 'ご連絡ください', 'Please contact us'),
      html`<h1>${t(lang, 'ありがとうございました', 'Thank you')}</h1><div class="box"><p>${t(lang, 'お約束に同意いただけない場合は、オンラインでの相談はできません。お電話か、市役所の窓口でご相談ください。', 'Without agreeing, the consultation cannot be held online. Please call, or come to the city office.')}</p><p class="big">${contact.number ? html`${c.department.name}<br>${contactHtml(contact.number)}` : t(lang, contact.ja, contact.en)}</p><p>${t(lang, '職員にもお知らせしました。', 'The staff have been told.')}</p></div>
<a class="button secondary" href="${`${o.base}/consent${o.q}`}">${t(lang, 'お約束をもう一度読む', 'Read the rules again')}</a>`,
    );
  });

  /** The survey is asked after the consultation: once it has ended (or was completed), or when staff moved the citizen to it. */
  const surveyTime = async (o: Opened) => {
    if (o.c.status === 'completed' || Date.parse(o.c.end) <= deps.clock()) return true;
    return (await readState(deps.db, o.c, deps.clock())).pushed?.step === 'end';
  };

  /** The documents and the survey come after the consent: without a yes, the citizen is taken back to it. */
  const consented = async (o: Opened, res: express.Response) => {
    if (await hasConsented(deps.db, o.c.id)) return true;
    res.redirect(303, `${o.base}/consent${o.q}`);
    return false;
  };

  r.get('/c/:token/documents', async (req, res) => {
    const o = await open(req, res);
    if (!o || !(await consented(o, res))) return;
    const { c, lang } = o;
    const { checklist: list, answers: before } = await readState(deps.db, c, deps.clock());
    await citizenAt(deps, c.id, 'documents');
    const radio = (id: string, value: 'have' | 'missing', label: string, first: boolean) =>
      html`<label class="choice"><input type="radio" name="${id}" value="${value}"${first && raw(' required')}${before[id] === value && raw(' checked')}> ${label}</label>`;
    const fields = list.body.items.map(
      (
        i,
      ) => html`<fieldset><legend>${lang === 'ja' ? rubyHtml(i.ja) : i.en}</legend>${(lang === 'ja' ? i.whyJa : i.whyEn) ? html`<p class="why">${lang === 'ja' ? rubyHtml(i.whyJa) : i.whyEn}</p>` : ''}
${radio(i.id, 'have', t(lang, '手元にあります', 'I have it'), true)}${radio(i.id, 'missing', t(lang, 'ありません', "I don't have it"), false)}</fieldset>`,
    );
    await send(
      res,
      o,
      'documents',
      t(lang, '用意する書類', 'Documents'),
      html`${stepLine(lang, 3)}<h1>${t(lang, '用意していただく書類', 'Documents to have at hand')}</h1><p>${t(lang, 'それぞれ「手元にあります」か「ありません」を選んでください。ない書類があっても、相談はできます。', 'For each, choose “I have it” or “I don’t have it”. You can still consult without some of them.')}</p><form method="post" action="${`${o.base}/documents`}">${hidden(o)}${fields}<button>${t(lang, '次へ', 'Next')}</button></form>`,
    );
  });

  r.post('/c/:token/documents', form, refuseNulCharacters, async (req, res) => {
    const o = await open(req, res);
    if (!o || !(await consented(o, res))) return;
    const list = await activeChecklist(deps.db, o.c.consultationType);
    const answers = Object.fromEntries(list.body.items.map((i) => [i.id, req.body?.[i.id] === 'have' ? ('have' as const) : ('missing' as const)]));
    await citizenAt(deps, o.c.id, 'ready', { checklist: answers });
    res.redirect(303, `${o.base}/ready${o.q}`);
  });

  // Ready: the time, and from 30 minutes before it a large 参加する button to the meeting (the number and password
  // beside it); inside the meeting, nothing to join: staff will talk. After the consultation, the survey.
  r.get('/c/:token/ready', async (req, res) => {
    const o = await open(req, res);
    if (!o || !(await consented(o, res))) return;
    const { c, lang } = o;
    if (await surveyTime(o)) return res.redirect(303, `${o.base}/end${o.q}`);
    await citizenAt(deps, c.id, 'ready');
    const start = Date.parse(c.start);
    const opensAt = start - JOIN_OPENS_MINUTES * 60_000;
    const now = deps.clock();
    const m = c.meeting;
    const when = lang === 'ja' ? formatJa(start) : formatEn(start);
    const contact = await contactOf(c);
    const joinPart = o.inMeeting
      ? html`<p class="big">${t(lang, 'このまま会議でお待ちください。担当の職員がお話しします。', 'Please stay in the meeting: the staff member will talk with you.')}</p>`
      : m?.joinUrl
        ? html`<p id="join-later"${now >= opensAt && raw(' hidden')}>${t(lang, `開始の${JOIN_OPENS_MINUTES}分前（${formatMinute(toLocalMinute(opensAt))}）から、ここに「参加する」ボタンが出ます。このページを開いたままにするか、その時間に案内メールのリンクからもう一度開いてください。`, `A “Join” button appears here ${JOIN_OPENS_MINUTES} minutes before the start (${formatMinute(toLocalMinute(opensAt))}). Keep this page open, or open it again from your invitation email then.`)}</p>
<a id="join" class="button" href="${m.joinUrl}" data-opens="${String(opensAt)}"${now < opensAt && raw(' hidden')}>${t(lang, '参加する', 'Join')}</a>
<div class="box"><p>${t(lang, 'アプリで参加するときは、次の番号とパスワードを入れてください。', 'To join from the app, enter this number and password.')}</p>
<p class="big">${t(lang, 'ミーティング番号', 'Meeting number')}: <span class="nowrap">${groupDigits(m.meetingNumber)}</span><br>${t(lang, 'パスワード', 'Password')}: <span class="nowrap">${m.password}</span></p></div>`
        : html`<p>${t(lang, '会議の準備ができたら、案内メールでお知らせします。', 'We will email you when the meeting is ready.')}</p>`;
    await send(
      res,
      o,
      'ready',
      t(lang, '準備ができました', 'You are ready'),
      html`${stepLine(lang, 4)}<h1>${t(lang, '準備ができました', 'You are ready')}</h1>
<div class="box"><p class="big">${t(lang, `${when}から`, when)}</p><p>${t(lang, '担当', 'With')}: ${c.department.name}</p></div>
${joinPart}
<p>${t(lang, 'つながらないときは、', 'If you cannot get in: ')}${contact.number ? html`${c.department.name}（${contactHtml(contact.number)}）${t(lang, 'へお電話ください。', '.')}` : t(lang, contact.ja, contact.en)}</p>
<p><a href="${`${o.base}/documents${o.q}`}">${t(lang, '用意する書類をもう一度見る', 'See the documents again')}</a></p>`,
    );
  });

  r.get('/c/:token/end', async (req, res) => {
    const o = await open(req, res);
    if (!o || !(await consented(o, res))) return;
    const { lang } = o;
    if (!(await surveyTime(o))) {
      // Too early for the survey: say so, with the way back, rather than a silent redirect.
      return send(
        res,
        o,
        'ready',
        t(lang, 'アンケートは相談のあとに', 'The survey comes after the consultation'),
        html`<h1>${t(lang, 'アンケートは相談のあとにお願いします', 'The survey comes after the consultation')}</h1><div class="box"><p>${t(lang, '相談が終わったら、このページでアンケートにお答えいただけます。', 'Once the consultation is over, you can answer the survey on this page.')}</p></div><a class="button" href="${`${o.base}/ready${o.q}`}">${t(lang, '相談の準備のページへ', 'Back to getting ready')}</a>`,
      );
    }
    await citizenAt(deps, o.c.id, 'end');
    const radios = (name: string, options: Array<[string, string]>) =>
      options.map(([v, label]) => html`<label class="choice"><input type="radio" name="${name}" value="${v}"> ${label}</label>`);
    await send(
      res,
      o,
      'end',
      t(lang, 'ありがとうございました', 'Thank you'),
      html`${stepLine(lang, 5)}<h1>${t(lang, 'ありがとうございました', 'Thank you')}</h1>
<p>${t(lang, 'よろしければ、アンケートにお答えください（任意）。', 'If you like, please answer a short survey (optional).')}</p>
<form method="post" action="${`${o.base}/end`}">${hidden(o)}
<fieldset><legend>${t(lang, '満足度', 'How satisfied were you?')}</legend>${radios('satisfaction', [
        ['5', t(lang, 'とても満足', 'Very')],
        ['4', t(lang, '満足', 'Satisfied')],
        ['3', t(lang, 'ふつう', 'Neutral')],
        ['2', t(lang, '不満', 'Not really')],
        ['1', t(lang, 'とても不満', 'Not at all')],
      ])}</fieldset>
<fieldset><legend>${t(lang, 'また利用したいですか', 'Would you use it again?')}</legend>${radios('again', [
        ['yes', t(lang, 'はい', 'Yes')],
        ['no', t(lang, 'いいえ', 'No')],
      ])}</fieldset>
<label for="comment">${t(lang, 'ご意見（自由にお書きください）', 'Comments')}</label><textarea id="comment" name="comment" maxlength="1000"></textarea>
<button>${t(lang, '送る', 'Send')}</button></form>`,
    );
  });

  r.post('/c/:token/end', form, refuseNulCharacters, async (req, res) => {
    const o = await open(req, res);
    if (!o || !(await consented(o, res))) return;
    const { c, lang } = o;
    if (!(await surveyTime(o))) return res.redirect(303, `${o.base}/ready${o.q}`);
    const satisfaction = Number(req.body?.satisfaction);
    const survey = {
      satisfaction: Number.isInteger(satisfaction) && satisfaction >= 1 && satisfaction <= 5 ? satisfaction : null,
      again: req.body?.again === 'yes' ? true : req.body?.again === 'no' ? false : null,
      comment: String(req.body?.comment ?? '').slice(0, 1000),
    };
    await citizenAt(deps, c.id, 'end', { survey });
    await send(
      res,
      o,
      'end',
      t(lang, 'ありがとうございました', 'Thank you'),
      html`<h1>${t(lang, 'ご協力ありがとうございました', 'Thank you for your answers')}</h1><p>${t(lang, 'このページは閉じてかまいません。', 'You may close this page.')}</p>`,
    );
  });

  // Relay status on a page of its own: live like the steps (no timed refresh, which screen readers and slow readers dislike).
  r.get('/c/:token/status', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { lang } = o;
    const relay = await latestRelay(deps.db, o.c.id, deps.clock());
    const idle = t(lang, '担当の職員がお話しします。', 'The staff member in charge will talk with you.');
    const message = relayMessage(lang, relay) ?? idle;
    sendHtml(
      res,
      page({
        lang,
        assets: deps.assets,
        title: t(lang, 'ただいまの状況', 'Status'),
        script: 'citizen',
        data: { events: `${o.base}/events${o.q}`, step: 'status', loaded: String(deps.clock()) },
        body: html`<h1>${t(lang, 'ただいまの状況', 'Now')}</h1><div id="relay" role="status" aria-live="polite" data-idle="${idle}"><div id="relay-box" class="box"><p id="relay-text" class="big">${message}</p></div></div>`,
      }),
    );
  });

  // Live state for the citizen's page: the relay notice and the step staff moved them to.
  r.get('/c/:token/events', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    // Opened by a person (a page running its script), not by a mail link checker fetching the invitation's link:
    // only then does the staff view show the citizen on the welcome step.
    if ((await readState(deps.db, o.c, deps.clock())).step === 'not_opened') await citizenAt(deps, o.c.id, 'welcome');
    const stateOf = async () => {
      const s: AppState = await readState(deps.db, o.c, deps.clock());
      const message = relayMessage(o.lang, s.relay);
      return {
        step: s.step,
        relay: message && s.relay ? { message, status: s.relay.status } : null,
        pushed: s.pushed ? { step: s.pushed.step, at: s.pushed.at, url: `${o.base}${STEP_PATH[s.pushed.step]}${o.q}` } : null,
      };
    };
    sendEvents(req, res, deps.events, o.c.id, async () => JSON.stringify(await stateOf()), { validUntil: o.expiresAt, clock: deps.clock });
  });

  return r;
}
