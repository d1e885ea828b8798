// The app's entries inside the meeting platforms. Webex: the embedded app's start URL (/app/webex). Teams: the meeting
// side panel (/app/teams) and its configuration page (/app/teams/config). Each page asks its platform which meeting
// it is in, the server maps that meeting to the consultation through the stored meeting, and the page continues with
// the citizen's steps (the same pages as the personal link, marked via=webex|teams).
import express from 'express';
import type { Throttle } from '../core/throttle.ts';
import type { Router } from 'express';
import { z } from 'zod';
import { parseInput, sendHtml, sendProblem, tooManyProblem } from '../core/http.ts';
import { html } from '../core/html.ts';
import { problem } from '../core/errors.ts';
import type { Problem } from '../core/errors.ts';
import type { Db } from '../core/store/schema.ts';
import { checkLink, linkKey, signLink } from '../core/links.ts';
import { MINUTE_MS } from '../core/time.ts';
import { consultationOfTeamsMeeting, consultationOfWebexMeeting } from '../scheduler/meetings.ts';
import { viewById } from '../scheduler/views.ts';
import type { Config } from '../core/config.ts';
import type { Assets } from './assets.ts';
import type { Lang } from './html.ts';
import { page, t } from './html.ts';

export interface PlatformDeps {
  readonly db: Db;
  readonly clock: () => number;
  readonly assets: Assets;
  readonly config: Config;
  /** Meeting ids that match no consultation are counted per address (guessing). */
  readonly throttle: Throttle;
}

const OpenBody = z.object({
  meetingId: z.string().trim().max(2000).default(''),
  chatId: z.string().trim().max(500).default(''),
  tenantId: z.string().trim().max(100).optional(),
  lang: z.string().max(10).optional(),
  /** A Teams stage share: the meeting link staff shared (see stageUrl). */
  stage: z.string().max(200).optional(),
});

const PickBody = z.object({ consultation: z.string().trim().min(1).max(20), lang: z.string().max(10).optional() });

export function platformRouter(deps: PlatformDeps): Router {
  const r = express.Router();
  const langOf = (req: express.Request): Lang => (req.query.lang === 'en' ? 'en' : 'ja');

  /** The three states of an entry page: loading (first), standalone (no platform around), unknown (no consultation for this meeting). */
  const states = (
    lang: Lang,
    where: string,
  ) => html`<div data-state="loading" role="status"><p class="big">${t(lang, '読み込んでいます…', 'Loading…')}</p></div>
<div data-state="standalone" hidden><h1>${t(lang, 'オンライン相談', 'Online consultation')}</h1><div class="box"><p>${t(lang, `この画面は ${where} の会議の中で使います。`, `This page is used inside a ${where} meeting.`)}</p><p>${t(lang, '案内メールにある「相談の前に」のリンクからも、同じご案内をご覧いただけます。', 'You can also open the same guide from the link in your invitation email.')}</p></div></div>
<div data-state="host" hidden><h1>${t(lang, '職員の方へ', 'For staff')}</h1><div class="box"><p>${where === 'Webex' ? t(lang, 'このアプリを参加者と共有しました。相談者の画面には、相談の案内（同意・書類）が出ます。', 'The app is shared with the participants: they see the consultation guide (consent, documents).') : t(lang, 'ゲストとして参加した相談者には、会議のステージに共有した画面だけが見えます（Microsoft Edge か Google Chrome）。下のボタンで、相談の案内（同意・書類）を相談者に見せてください。', 'A citizen who joined as a guest sees only what is shared to the meeting stage (in Microsoft Edge or Google Chrome): share the consultation guide (consent, documents) with the button below.')}</p>${where === 'Teams' ? html`<button id="share-stage" type="button" hidden>${t(lang, '相談者に案内を見せる（ステージで共有）', 'Show the guide to the citizen (share to stage)')}</button><p id="share-stage-status" role="status"></p>` : ''}<p>${t(lang, '相談者の進み具合は、スタッフ画面で見られます。ボットとの 1 対 1 のチャットで /app と送ってください。', 'To follow the citizen, open the staff view: send /app to the bot in a one-to-one chat.')}</p></div></div>
<div data-state="stage-staff" hidden><h1>${t(lang, '相談者の画面に案内を表示しています', 'The guide is on the stage for the citizen')}</h1><div class="box"><p>${t(lang, 'ここは相談者が操作します。職員は操作しないでください。進み具合はスタッフ画面で見られます。', 'The citizen uses it: staff please do not press anything here. Follow their progress in the staff view.')}</p></div></div>
<div data-state="pick" hidden><h1>${t(lang, '相談番号を入れてください', 'Enter the consultation number')}</h1><div class="box"><p>${t(lang, 'この会議の相談を、番号で選んで参加者と共有します。番号は、チャットの /today や呼び出しのカードに #K7M2Q9XA のように出ています。', 'Choose this meeting’s consultation by its number, to share it with the participants. The number is shown by /today in chat and on the alert cards, like #K7M2Q9XA.')}</p>
<form id="pick"><label for="pick-number">${t(lang, '相談番号', 'Consultation number')}</label><input id="pick-number" name="consultation" autocomplete="off" autocapitalize="characters" required><button type="submit">${t(lang, '参加者と共有する', 'Share with the participants')}</button></form><p id="pick-error" role="alert"></p></div></div>
<div data-state="not-now" hidden><h1>${t(lang, 'まだ開けません', 'Not open yet')}</h1><div class="box"><p>${t(lang, 'この画面は、相談の始まる30分前から使えます。それまでは、案内メールにある「相談の前に」のリンクから、同じご案内をご覧いただけます。', 'This opens 30 minutes before the consultation. Until then, the link in your invitation email shows the same guide.')}</p></div></div>
<div data-state="unknown" hidden><h1>${t(lang, 'この会議の相談が見つかりません', 'No consultation for this meeting')}</h1><div class="box stop"><p>${t(lang, '案内メールのリンクから開いてください。わからないときは、画面の職員にお声がけください。', 'Please open the link in your invitation email, or ask the staff in the meeting.')}</p></div></div>`;

  /** An entry page: its platform's script asks which meeting this is and posts it to `open`. */
  const entry = (script: 'webex' | 'teams', where: string, data: Record<string, string>) => (req: express.Request, res: express.Response) => {
    const lang = langOf(req);
    sendHtml(res, page({ lang, assets: deps.assets, title: t(lang, 'オンライン相談', 'Online consultation'), script, data, body: states(lang, where) }));
  };
  r.get('/webex', entry('webex', 'Webex', { sdk: deps.assets.webexSdk, open: '/app/webex/open' }));
  r.get('/teams', entry('teams', 'Teams', { open: '/app/teams/open' }));

  r.get('/teams/config', async (req, res) => {
    const lang = langOf(req);
    sendHtml(
      res,
      page({
        lang,
        assets: deps.assets,
        title: t(lang, 'オンライン相談を会議に追加', 'Add the consultation app'),
        script: 'teams-config',
        body: html`<h1>${t(lang, 'オンライン相談を会議に追加', 'Add the consultation app to this meeting')}</h1><p>${t(lang, '「保存」を押すと、会議のサイドパネルに市民向けの案内（同意・書類の確認）が出ます。', 'Press Save: the citizen guide (consent, documents) appears in the meeting side panel.')}</p>`,
      }),
    );
  });

  /** The meeting link to a consultation's steps, for the meeting's own time (30 minutes before to an hour after), or the refusal. */
  const meetingLink = async (consultationId: string | null, now: number): Promise<{ link: string } | { refusal: Problem }> => {
    const c = consultationId ? await viewById(deps.db, consultationId) : null;
    if (!c || c.status === 'cancelled')
      return { refusal: problem('not_found', 'この会議の相談は見つかりません。', 'No consultation is booked for this meeting.') };
    // The platform's word for which meeting this is cannot be checked here, so what it opens is kept small: the
    // meeting's own time, and a link marked as a meeting entry (no name shown).
    const end = Date.parse(c.end);
    if (now < Date.parse(c.start) - 30 * MINUTE_MS || now > end + 60 * MINUTE_MS) {
      return {
        refusal: problem(
          'not_found',
          'この会議の相談は、始まる30分前から終わって1時間後まで開けます。',
          'The consultation for this meeting opens from 30 minutes before it starts until an hour after it ends.',
          { extra: { reason: 'not_now' } },
        ),
      };
    }
    return { link: `/app/c/${signLink(await linkKey(deps.db, deps.config.secretKey), c.id, end + 60 * MINUTE_MS, 'meeting')}` };
  };

  /** Meeting ids (or numbers) that open nothing are counted per address: past the limit, a wait. */
  const refuse = async (req: express.Request, res: express.Response, refusal: Problem) => {
    const address = `addr:${req.ip ?? ''}`;
    if (refusal.extra?.reason !== 'not_now') {
      const blocked = await deps.throttle.attempt(address);
      if (blocked > 0) return sendProblem(res, tooManyProblem(blocked), req.originalUrl);
    }
    return sendProblem(res, refusal, req.originalUrl);
  };

  const open = (kind: 'webex' | 'teams') => async (req: express.Request, res: express.Response) => {
    const parsed = parseInput(OpenBody, req.body ?? {}, '');
    if (!parsed.ok) return sendProblem(res, parsed.reason, req.originalUrl);
    const { meetingId, chatId, stage } = parsed.value;
    const now = deps.clock();
    const wait = await deps.throttle.wait(`addr:${req.ip ?? ''}`);
    if (wait > 0) return sendProblem(res, tooManyProblem(wait), req.originalUrl);
    const lang = parsed.value.lang === 'en' ? '&lang=en' : '';
    const found = kind === 'webex' ? await consultationOfWebexMeeting(deps.db, meetingId) : await consultationOfTeamsMeeting(deps.db, now, meetingId, chatId);
    // Someone signed in to the city's own tenant is staff (citizens join as guests): no citizen steps for them; their
    // side panel may share the citizen's steps to the meeting stage. (Only a hint for the page: it grants nothing.)
    if (kind === 'teams' && deps.config.teams && parsed.value.tenantId === deps.config.teams.tenantId) {
      const mapped = await meetingLink(found, now);
      return res.json({
        staff: true,
        ...('link' in mapped ? { stageUrl: `${deps.config.publicBaseUrl}/app/teams?stage=${encodeURIComponent(mapped.link.slice('/app/c/'.length))}` } : {}),
      });
    }
    // Shared to the Teams stage by staff: the link carries the consultation (a guest's meeting id is not needed).
    if (kind === 'teams' && stage) {
      const check = checkLink(await linkKey(deps.db, deps.config.secretKey), stage, now);
      if (check.ok && check.kind === 'meeting') return res.json({ url: `/app/c/${stage}?via=teams${lang}` });
      return refuse(
        req,
        res,
        problem('not_found', 'この共有は使えなくなりました。職員にもう一度共有してもらってください。', 'This share has expired: ask the staff to share again.'),
      );
    }
    const mapped = await meetingLink(found, now);
    if (!('link' in mapped)) return refuse(req, res, mapped.refusal);
    // Webex's Open Together opens the shared URL for every participant: it carries the consultation, so that their
    // own (possibly derived) meeting id does not matter.
    res.json({ url: `${mapped.link}?via=${kind}${lang}`, shareUrl: `${deps.config.publicBaseUrl}${mapped.link}?via=${kind}${lang}` });
  };

  // The Webex host whose meeting id is derived (the org does not share private data with apps) names the
  // consultation by its number, as /today and the alert cards show it; the same window and counting as a meeting id.
  r.post('/webex/pick', async (req, res) => {
    const parsed = parseInput(PickBody, req.body ?? {}, '');
    if (!parsed.ok) return sendProblem(res, parsed.reason, req.originalUrl);
    const wait = await deps.throttle.wait(`addr:${req.ip ?? ''}`);
    if (wait > 0) return sendProblem(res, tooManyProblem(wait), req.originalUrl);
    const id = parsed.value.consultation.normalize('NFKC').replace(/^#/, '').trim().toUpperCase();
    const onWebex = await deps.db
      .selectFrom('meetings')
      .select('consultation_id')
      .where('consultation_id', '=', id)
      .where('provider', 'in', ['webex', 'dryrun'])
      .executeTakeFirst();
    const mapped = await meetingLink(onWebex ? id : null, deps.clock());
    if (!('link' in mapped)) return refuse(req, res, mapped.refusal);
    const lang = parsed.value.lang === 'en' ? '&lang=en' : '';
    res.json({ shareUrl: `${deps.config.publicBaseUrl}${mapped.link}?via=webex${lang}` });
  });

  r.post('/webex/open', open('webex'));
  r.post('/teams/open', open('teams'));

  return r;
}
