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
import type { Db } from '../core/store/schema.ts';
import { linkKey, signLink } from '../core/links.ts';
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
});

export function platformRouter(deps: PlatformDeps): Router {
  const r = express.Router();
  const langOf = (req: express.Request): Lang => (req.query.lang === 'en' ? 'en' : 'ja');

  /** The three states of an entry page: loading (first), standalone (no platform around), unknown (no consultation for this meeting). */
  const states = (
    lang: Lang,
    where: string,
  ) => html`<div data-state="loading" role="status"><p class="big">${t(lang, '読み込んでいます…', 'Loading…')}</p></div>
<div data-state="standalone" hidden><h1>${t(lang, 'オンライン相談', 'Online consultation')}</h1><div class="box"><p>${t(lang, `この画面は ${where} の会議の中で使います。`, `This page is used inside a ${where} meeting.`)}</p><p>${t(lang, '案内メールにある「相談の前に」のリンクからも、同じご案内をご覧いただけます。', 'You can also open the same guide from the link in your invitation email.')}</p></div></div>
<div data-state="host" hidden><h1>${t(lang, '職員の方へ', 'For staff')}</h1><div class="box"><p>${where === 'Webex' ? t(lang, 'このアプリを参加者と共有しました。相談者の画面には、相談の案内（同意・書類）が出ます。', 'The app is shared with the participants: they see the consultation guide (consent, documents).') : t(lang, '相談者のサイドパネルには、相談の案内（同意・書類）が出ます。', 'The citizen’s side panel shows the consultation guide (consent, documents).')}</p><p>${t(lang, '相談者の進み具合は、スタッフ画面で見られます。ボットとの 1 対 1 のチャットで /app と送ってください。', 'To follow the citizen, open the staff view: send /app to the bot in a one-to-one chat.')}</p></div></div>
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

  const open = (kind: 'webex' | 'teams') => async (req: express.Request, res: express.Response) => {
    const parsed = parseInput(OpenBody, req.body ?? {}, '');
    if (!parsed.ok) return sendProblem(res, parsed.reason, req.originalUrl);
    const { meetingId, chatId } = parsed.value;
    // Someone signed in to the city's own tenant is staff (citizens join as guests): no citizen link for them, and
    // the page tells them where the staff view is. (Only a hint for the page: it grants nothing.)
    if (kind === 'teams' && deps.config.teams && parsed.value.tenantId === deps.config.teams.tenantId) return res.json({ staff: true });
    const now = deps.clock();
    const address = `addr:${req.ip ?? ''}`;
    const wait = await deps.throttle.wait(address);
    if (wait > 0) return sendProblem(res, tooManyProblem(wait), req.originalUrl);
    const id = kind === 'webex' ? await consultationOfWebexMeeting(deps.db, meetingId) : await consultationOfTeamsMeeting(deps.db, now, meetingId, chatId);
    const c = id ? await viewById(deps.db, id) : null;
    if (!c) {
      const blocked = await deps.throttle.attempt(address);
      if (blocked > 0) return sendProblem(res, tooManyProblem(blocked), req.originalUrl);
      return sendProblem(res, problem('not_found', 'この会議の相談は見つかりません。', 'No consultation is booked for this meeting.'), req.originalUrl);
    }
    // The platform's word for which meeting this is cannot be checked here, so what it opens is kept small: the
    // meeting's own time (30 minutes before to an hour after), and a link marked as a meeting entry (no name shown).
    const end = Date.parse(c.end);
    if (now < Date.parse(c.start) - 30 * MINUTE_MS || now > end + 60 * MINUTE_MS) {
      return sendProblem(
        res,
        problem(
          'not_found',
          'この会議の相談は、始まる30分前から終わって1時間後まで開けます。',
          'The consultation for this meeting opens from 30 minutes before it starts until an hour after it ends.',
          { extra: { reason: 'not_now' } },
        ),
        req.originalUrl,
      );
    }
    const link = `/app/c/${signLink(await linkKey(deps.db, deps.config.secretKey), c.id, end + 60 * MINUTE_MS, 'meeting')}`;
    const lang = parsed.value.lang === 'en' ? '&lang=en' : '';
    res.json({ url: `${link}?via=${kind}${lang}`, shareUrl: `${deps.config.publicBaseUrl}/app/${kind}` });
  };
  r.post('/webex/open', open('webex'));
  r.post('/teams/open', open('teams'));

  return r;
}
