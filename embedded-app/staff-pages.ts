// The staff view of one consultation: where the citizen is, their consents (text version, when, from where), the
// checklist answers, live. Staff can move the citizen to a step, mark documents as checked, and start a relay (the
// same core as /relay). Reached by a signed staff link the bot gives a staff member (/app, and on accepting a relay);
// every action is checked here on the server against that identity.
import express from 'express';
import type { Throttle } from '../core/throttle.ts';
import { tooManyLinksPage } from './citizen-pages.ts';
import type { Router } from 'express';
import { html, raw } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { refuseNulCharacters, sendHtml } from '../core/http.ts';
import { formatEn, formatJa, formatMinute, toLocalMinute } from '../core/time.ts';
import { checkStaffLink, linkKey } from '../core/links.ts';
import { viewById } from '../scheduler/views.ts';
import type { ConsultationView } from '../scheduler/views.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { getStaff } from '../relay/staff.ts';
import type { Staff } from '../relay/staff.ts';
import { relayDepsOf, requestRelay } from '../relay/store.ts';
import type { Config } from '../core/config.ts';
import type { Assets } from './assets.ts';
import type { Lang } from './html.ts';
import { page, sorryPage, t } from './html.ts';
import { rubyPlain } from './state/ruby.ts';
import { activeChecklist } from './state/content-store.ts';
import type { AppState, StateDeps } from './state/index.ts';
import { STEPS, checkDocument, isStep, pushStep, readState } from './state/index.ts';
import { relayMessage } from './citizen-pages.ts';
import { sendEvents } from '../core/web/sse.ts';

export interface StaffViewDeps extends StateDeps {
  readonly assets: Assets;
  readonly config: Config;
  /** Forged or malformed links are counted per address. */
  readonly throttle: Throttle;
}

const STEP_NAMES: Record<string, [string, string]> = {
  not_opened: ['まだ開いていません', 'Not opened yet'],
  welcome: ['1. ようこそ', '1. Welcome'],
  consent: ['2. お約束（同意）', '2. Consent'],
  documents: ['3. 書類の確認', '3. Documents'],
  ready: ['4. 準備完了・参加', '4. Ready to join'],
  end: ['5. 終わり・アンケート', '5. End and survey'],
};
const stepName = (lang: Lang, step: string) => {
  const n = STEP_NAMES[step] ?? [step, step];
  return lang === 'ja' ? n[0] : n[1];
};
const ENTRY_NAMES: Record<string, string> = { link: '案内メールのリンク', webex: 'Webex', teams: 'Teams' };

/** The live part of the staff view; rendered on load and sent again on every change. */
export function staffPanel(lang: Lang, action: string, c: ConsultationView, s: AppState): SafeHtml {
  const when = (iso: string) => (lang === 'ja' ? formatJa(Date.parse(iso)) : formatEn(Date.parse(iso)));
  const consents = s.consents.length
    ? html`<table><thead><tr><th>${t(lang, '回答', 'Answer')}</th><th>${t(lang, '日時', 'When')}</th><th>${t(lang, '文面の版', 'Text version')}</th><th>${t(lang, '入口', 'From')}</th></tr></thead><tbody>${s.consents.map(
        (x) =>
          html`<tr><td class="${x.agreed ? 'ok' : 'ng'}">${x.agreed ? t(lang, '同意', 'Agreed') : t(lang, '同意しない', 'Declined')}</td><td>${when(x.at)}</td><td><code>${x.textVersion}</code></td><td>${ENTRY_NAMES[x.entryPoint] ?? x.entryPoint}・${x.lang === 'en' ? 'English' : '日本語'}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">${t(lang, 'まだ回答がありません。', 'No answer yet.')}</p>`;
  const docs = s.checklist.body.items.map((i) => {
    const answer = s.answers[i.id];
    const mark = s.staffChecked[i.id];
    return html`<tr><td>${lang === 'ja' ? rubyPlain(i.ja) : i.en}</td><td class="${answer === 'have' ? 'ok' : answer === 'missing' ? 'ng' : 'muted'}">${answer === 'have' ? t(lang, 'あり', 'Has it') : answer === 'missing' ? t(lang, 'なし', 'Missing') : t(lang, '未回答', '—')}</td>
<td><form method="post" action="${action}" data-live><input type="hidden" name="action" value="check"><input type="hidden" name="item" value="${i.id}"><input type="hidden" name="checked" value="${mark ? '0' : '1'}"><button class="small${mark ? ' secondary' : ''}" id="check-${i.id}" aria-label="${`${lang === 'ja' ? rubyPlain(i.ja) : i.en}: ${mark ? t(lang, '確認済み（押すと取り消し）', 'checked (press to undo)') : t(lang, '確認したにする', 'mark as checked')}`}">${mark ? t(lang, '確認済み ✓', 'Checked ✓') : t(lang, '確認した', 'Mark checked')}</button></form></td></tr>`;
  });
  const move = STEPS.map(
    (step) =>
      html`<form method="post" action="${action}" data-live><input type="hidden" name="action" value="move"><input type="hidden" name="step" value="${step}"><button class="small${s.step === step ? '' : ' secondary'}" id="move-${step}"${s.step === step && raw(' aria-current="step"')}>${stepName(lang, step)}</button></form>`,
  );
  const relay = relayMessage(lang, s.relay);
  const survey =
    s.survey &&
    html`<p>${t(lang, '満足度', 'Satisfaction')}: ${s.survey.satisfaction ?? '—'} / 5・${t(lang, 'また利用したい', 'Would use again')}: ${s.survey.again === null ? '—' : s.survey.again ? t(lang, 'はい', 'yes') : t(lang, 'いいえ', 'no')}</p>${s.survey.comment && html`<p>${s.survey.comment}</p>`}`;
  const pushed =
    s.pushed &&
    html`<p>${t(lang, `職員が「${stepName('ja', s.pushed.step)}」へ移しました（${formatMinute(toLocalMinute(s.pushed.at))}）`, `Staff moved the citizen to “${stepName('en', s.pushed.step)}” (${formatEn(s.pushed.at)})`)}</p>`;
  return html`<div class="box"><p class="big">${t(lang, 'いまの画面', 'Now on')}: ${stepName(lang, s.step)}</p>${pushed}${relay && html`<p>${relay}</p>`}</div>
<h2>${t(lang, '市民の画面を移す', 'Move the citizen to')}</h2><div class="row">${move}</div>
<h2>${t(lang, '同意', 'Consent')}</h2>${consents}
<h2>${t(lang, '書類', 'Documents')}</h2><table><thead><tr><th>${t(lang, '書類', 'Document')}</th><th>${t(lang, '市民の回答', 'Citizen')}</th><th>${t(lang, '職員の確認', 'Staff')}</th></tr></thead><tbody>${docs}</tbody></table>
${survey && html`<h2>${t(lang, 'アンケート', 'Survey')}</h2>${survey}`}
<p class="muted">${c.id}</p>`;
}

export function staffRouter(deps: StaffViewDeps): Router {
  const r = express.Router();

  interface Opened {
    readonly c: ConsultationView;
    readonly staff: Staff;
    readonly lang: Lang;
    readonly base: string;
    readonly expiresAt: number;
  }

  const refuse = (res: express.Response, status: number, ja: string, en: string) =>
    sendHtml(res, sorryPage(deps.assets, ['このリンクは使えません', 'This link cannot be used'], ja, en), status);

  const open = async (req: express.Request, res: express.Response): Promise<Opened | null> => {
    const lang: Lang = req.query.lang === 'en' ? 'en' : 'ja';
    const address = `addr:${req.ip ?? ''}`;
    const wait = await deps.throttle.wait(address);
    if (wait > 0) {
      tooManyLinksPage(res, deps.assets, wait);
      return null;
    }
    const check = checkStaffLink(await linkKey(deps.db, deps.config.secretKey), String(req.params.token), deps.clock());
    // A forged or malformed link counts at once; past the limit the page says when to come back.
    if (!check.ok && check.reason !== 'expired') {
      const blocked = await deps.throttle.attempt(address);
      if (blocked > 0) {
        tooManyLinksPage(res, deps.assets, blocked);
        return null;
      }
    }
    if (!check.ok) {
      refuse(
        res,
        check.reason === 'expired' ? 410 : 404,
        check.reason === 'expired'
          ? '有効期限（12時間）が過ぎました。チャットでボットに /app と送ると、新しいリンクが届きます。'
          : 'リンクが正しくありません。チャットでボットに /app と送ってください。',
        check.reason === 'expired'
          ? 'This staff link has expired (12 hours). Send /app to the bot for a new one.'
          : 'This link is not valid. Send /app to the bot.',
      );
      return null;
    }
    const [c, staff] = await Promise.all([viewById(deps.db, check.consultationId), getStaff(deps.db, check.staffId)]);
    if (!c || !staff) {
      refuse(res, 404, 'この相談、または職員の登録が見つかりません。', 'The consultation or the staff member was not found.');
      return null;
    }
    return { c, staff, lang, base: `/app/s/${encodeURIComponent(String(req.params.token))}`, expiresAt: check.expiresAt };
  };

  r.get('/s/:token', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const { c, lang } = o;
    const state = await readState(deps.db, c, deps.clock());
    const q = lang === 'en' ? '?lang=en' : '';
    const departments = (await listDepartments(deps.db)).filter((d) => d.id !== c.department.id);
    sendHtml(
      res,
      page({
        lang,
        assets: deps.assets,
        title: t(lang, `スタッフ画面 ${c.id}`, `Staff view ${c.id}`),
        script: 'staff',
        data: { events: `${o.base}/events${q}` },
        body: html`<div class="staff"><a class="lang" href="${`${o.base}${lang === 'ja' ? '?lang=en' : ''}`}" lang="${lang === 'ja' ? 'en' : 'ja'}">${lang === 'ja' ? 'English' : '日本語'}</a>
<h1>${t(lang, 'スタッフ画面', 'Staff view')}: ${c.citizen.name} ${t(lang, '様', '')}</h1>
<p>${lang === 'ja' ? formatJa(Date.parse(c.start)) : formatEn(Date.parse(c.start))}・${c.department.name}・${t(lang, `${c.durationMinutes}分`, `${c.durationMinutes} min`)}</p>
<p id="live" class="live" role="status">${t(lang, '読み込み中', 'Loading')}</p>
<p id="action-status" role="alert" class="big"></p>
<div id="panel">${staffPanel(lang, `${o.base}/actions${q}`, c, state)}</div>
<h2>${t(lang, 'ほかの課へおつなぎ', 'Relay to another department')}</h2>
<form method="post" action="${`${o.base}/actions${q}`}" data-live data-reset><input type="hidden" name="action" value="relay">
<label for="department">${t(lang, 'おつなぎ先', 'Department')}</label><select id="department" name="department" required><option value="">${t(lang, '選んでください', 'Choose')}</option>${departments.map((d) => html`<option value="${d.id}">${d.name}</option>`)}</select>
<label for="note">${t(lang, 'ひとこと（任意）', 'Note (optional)')}</label><input type="text" id="note" name="note" maxlength="200">
<button>${t(lang, 'おつなぎを依頼する', 'Ask for a relay')}</button></form>
<p class="muted">${t(lang, `${o.staff.displayName} さんとして操作しています。`, `Acting as ${o.staff.displayName}.`)}</p></div>`,
      }),
    );
  });

  r.get('/s/:token/events', async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    const q = o.lang === 'en' ? '?lang=en' : '';
    sendEvents(
      req,
      res,
      deps.events,
      o.c.id,
      async () => {
        // The panel goes out as its HTML text (the script puts it in place); a SafeHtml itself would serialise as {}.
        return JSON.stringify({ html: staffPanel(o.lang, `${o.base}/actions${q}`, o.c, await readState(deps.db, o.c, deps.clock())).toString() });
      },
      { validUntil: o.expiresAt, clock: deps.clock },
    );
  });

  r.post('/s/:token/actions', express.urlencoded({ extended: false, limit: '4kb' }), refuseNulCharacters, async (req, res) => {
    const o = await open(req, res);
    if (!o) return;
    // The token in the path is the credential; a form posted from another site is refused as well.
    const origin = req.get('origin');
    if (origin && origin !== `${req.protocol}://${req.get('host')}` && origin !== new URL(deps.config.publicBaseUrl).origin) {
      return res.status(403).json({ message: '別のサイトからの操作は受け付けません。 / Refused: cross-site request.' });
    }
    const wantsJson = (req.get('accept') ?? '').includes('application/json');
    const back = `${o.base}${o.lang === 'en' ? '?lang=en' : ''}`;
    const answer = (status: number, ja: string, en: string) => {
      if (wantsJson) return res.status(status).json({ message: o.lang === 'ja' ? ja : en, message_ja: ja, message_en: en });
      if (status < 400) return res.redirect(303, back);
      // Without script the form posted normally: say what went wrong on a page, with the way back.
      return sendHtml(
        res,
        sorryPage(
          deps.assets,
          ['できませんでした', 'Not done'],
          ja,
          en,
          html`<a class="button secondary" href="${back}">スタッフ画面に戻る / Back to the staff view</a>`,
        ),
        status,
      );
    };
    const actor = `staff:${o.staff.id}`;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const stateDeps = { db: deps.db, ids: deps.ids, clock: deps.clock, events: deps.events };
    switch (body.action) {
      case 'move': {
        if (!isStep(body.step)) return answer(400, '移す先の画面を選んでください。', 'Choose a step.');
        await pushStep(stateDeps, o.c.id, body.step, actor);
        return answer(200, `市民の画面を「${stepName('ja', body.step)}」に移しました。`, `Moved the citizen to “${stepName('en', body.step)}”.`);
      }
      case 'check': {
        const items = (await activeChecklist(deps.db, o.c.consultationType)).body.items;
        const item = items.find((i) => i.id === body.item);
        if (!item) return answer(400, 'その書類はこの相談の一覧にありません。', 'That document is not on this consultation’s list.');
        await checkDocument(stateDeps, o.c.id, item.id, body.checked !== '0', actor);
        return answer(
          200,
          body.checked !== '0' ? `「${rubyPlain(item.ja)}」を確認済みにしました。` : `「${rubyPlain(item.ja)}」の確認を取り消しました。`,
          body.checked !== '0' ? `Marked “${item.en}” as checked.` : `Unmarked “${item.en}”.`,
        );
      }
      case 'relay': {
        const departments = await listDepartments(deps.db);
        const to = departments.find((d) => d.id === body.department);
        if (!to) return answer(400, 'おつなぎ先の課を選んでください。', 'Choose the department.');
        if (to.id === o.c.department.id)
          return answer(
            400,
            `この相談はもともと${to.name}の相談です。ほかの課を選んでください。`,
            `This consultation is ${to.name}'s already; choose another department.`,
          );
        const result = await requestRelay(relayDepsOf(deps), {
          consultationId: o.c.id,
          toDepartmentId: to.id,
          fromDepartmentId: o.staff.departmentId ?? o.c.department.id,
          note: String(body.note ?? '')
            .trim()
            .slice(0, 200),
          requestedBy: o.staff.id,
        });
        if (!result.ok) return answer(result.reason.code === 'conflict' ? 409 : 400, result.reason.message.ja, result.reason.message.en);
        return answer(200, `${to.name}へおつなぎを依頼しました。呼び出し中です。`, `Asked ${to.name} to take over; they are being alerted.`);
      }
      default:
        return answer(400, '操作がわかりません。', 'Unknown action.');
    }
  });

  return r;
}
