// The remote counter's two device pages: /counter, the branch terminal (a citizen at the branch is connected to a
// main-office department, handed on, and the visit ended), and /board, a department's alert board (the buzzer and the
// flashing lamp: a call sounds and flashes until someone accepts). Each device signs in once with its device token
// (an admin makes one per device); a signed-in admin may open either for any device or department (training, the
// console). Both follow every change live (SSE, across instances on PostgreSQL).
import express from 'express';
import type { CookieOptions, Request, Response, Router } from 'express';
import type { Throttles } from '../core/throttle.ts';
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { refuseNulCharacters, sendHtml } from '../core/http.ts';
import { isCrossSite, noStore, pageCsp } from '../core/security.ts';
import { cookie, sameSecret, SESSION_COOKIE } from '../core/web/session.ts';
import { endSession, findSession, startSession } from '../core/auth/admins.ts';
import type { Device, DeviceRole } from '../core/auth/tokens.ts';
import { findDevice } from '../core/auth/tokens.ts';
import { checkBoardLink, linkKey } from '../core/links.ts';
import { clientScript } from '../core/web/assets.ts';
import { sendEvents } from '../core/web/sse.ts';
import { CONSULTATIONS_EVENT } from '../core/events.ts';
import type { Problem } from '../core/errors.ts';
import type { SchedulerDeps } from '../scheduler/consultations.ts';
import { completeConsultation } from '../scheduler/consultations.ts';
import { listDepartments } from '../scheduler/departments.ts';
import { listHosts } from '../scheduler/hosts.ts';
import { listSites } from '../scheduler/sites.ts';
import { RELAYS_EVENT, acceptRelay, cancelRelay, relayDepsOf, requestRelay } from '../relay/store.ts';
import { startWalkIn } from '../relay/walk-in.ts';
import { getStaff } from '../relay/staff.ts';
import { boardState, counterState } from './state.ts';
import type { Flash } from './views.ts';
import { PAGE_STYLE, boardLive, confirmOutsideHours, counterLive, flashHtml, shell } from './views.ts';

export const COUNTER_SCRIPT = clientScript(new URL('./client/counter.ts', import.meta.url), 'counter');
export const BOARD_SCRIPT = clientScript(new URL('./client/board.ts', import.meta.url), 'board');
export const COUNTER_SCRIPTS = [COUNTER_SCRIPT, BOARD_SCRIPT];

export const DEVICE_COOKIE = 'madoguchi_device';
/** A wall display or counter terminal stays signed in for 30 days (revoking its token ends it at once). */
const DEVICE_SESSION_HOURS = 30 * 24;

export interface CounterDeps extends SchedulerDeps {
  readonly throttles: Throttles;
}

/** Who is at the page: a device (its scope fixed by its token), or a signed-in admin (any scope, chosen in the address). */
interface Who {
  readonly csrf: string;
  readonly actor: string;
  /** The host (counter) or department (board) the page is for; null: the admin has not chosen. */
  readonly scope: string | null;
  readonly device: Device | null;
  /** A staff member who opened their department's board from the bot (`/board`). */
  readonly staffId?: string;
}

const csp = pageCsp({ scripts: true, inlineStyles: [PAGE_STYLE], connect: true, forms: true });

export function counterRouter(deps: CounterDeps): Router {
  const db = deps.store.db;
  const r = express.Router();
  const secure = deps.config.publicBaseUrl.startsWith('https://');
  const cookieOptions: CookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', maxAge: DEVICE_SESSION_HOURS * 3_600_000, secure };
  r.use(['/counter', '/board'], noStore, (_req, res, next) => {
    res.set('Content-Security-Policy', csp);
    next();
  });
  r.use(['/counter', '/board'], express.urlencoded({ extended: false, limit: '20kb' }), refuseNulCharacters);

  const whoIs = async (req: Request, role: DeviceRole): Promise<Who | null> => {
    const now = deps.clock();
    const deviceValue = cookie(req, DEVICE_COOKIE);
    const session = deviceValue ? await findSession(db, deviceValue, now) : null;
    if (session?.principal.startsWith('device:')) {
      const device = await findDevice(db, { tokenId: session.principal.slice(7) });
      if (device && device.role === role) return { csrf: session.csrf, actor: `device:${device.tokenId}:${device.name}`, scope: device.scope, device };
    }
    if (session?.principal.startsWith('staff-board:') && role === 'board') {
      const [, staffId, departmentId] = session.principal.split(':');
      return { csrf: session.csrf, actor: `staff:${staffId}:${session.name}`, scope: departmentId!, device: null, staffId: staffId! };
    }
    const adminValue = cookie(req, SESSION_COOKIE);
    const admin = adminValue ? await findSession(db, adminValue, now) : null;
    if (admin && !admin.principal.startsWith('device:')) {
      const asked = String((req.method === 'GET' ? req.query : { ...req.query, ...req.body })[role === 'counter' ? 'host' : 'department'] ?? '');
      return { csrf: admin.csrf, actor: `admin:${admin.principal}:${admin.name}`, scope: asked || null, device: null };
    }
    return null;
  };

  /** A post must carry the page's CSRF token and come from our own pages. */
  const postAllowed = (req: Request, who: Who) => !isCrossSite(req, deps.config.publicBaseUrl) && sameSecret(who.csrf, String(req.body?.csrf ?? ''));

  const page = (res: Response, title: string, body: SafeHtml, status = 200) =>
    sendHtml(res, shell({ title, heading: title, where: '', script: COUNTER_SCRIPT.path, csrf: '', logoutAction: null, body }), status);

  const loginPage = (res: Response, role: DeviceRole, error: Flash | null, status = 200) =>
    page(
      res,
      role === 'counter' ? '支所の窓口端末' : '課の呼び出しボード',
      html`${flashHtml(error)}<p>この端末を使えるようにします。管理者から受け取った端末用のトークンを入れてください（最初に一度だけ）。</p>
<p class="en">Sign this device in once with the device token your admin made for it.</p>
<form method="post" action="/${role}/login"><label for="token">端末用トークン <span class="en">Device token</span></label>
<input id="token" name="token" type="password" autocomplete="off" required>
<p class="actions"><button type="submit">この端末で使う / Sign in</button></p></form>
<p class="hint">管理者は「管理画面 → 拠点と端末」で端末用トークンを作れます。職員コンソールからは、サインインしたまま練習できます。</p>`,
      status,
    );

  for (const role of ['counter', 'board'] as const) {
    r.get(`/${role}/login`, (_req, res) => loginPage(res, role, null));
    r.post(`/${role}/login`, async (req, res) => {
      const { signInAddress } = deps.throttles;
      const key = req.ip ?? 'unknown';
      const wait = await signInAddress.attempt(key);
      if (wait > 0) {
        res.set('Retry-After', String(Math.ceil(wait / 1000)));
        return loginPage(
          res,
          role,
          {
            kind: 'error',
            ja: `失敗が続いたため、${Math.ceil(wait / 60000)}分ほど待ってからお試しください。`,
            en: 'Too many failed tries; wait a few minutes.',
          },
          429,
        );
      }
      const device = await findDevice(db, { token: String(req.body?.token ?? '').trim() });
      if (!device || device.role !== role) {
        return loginPage(
          res,
          role,
          {
            kind: 'error',
            ja: `このトークンは使えません。${role === 'counter' ? '窓口端末' : '呼び出しボード'}用のトークンか、取り消されていないかを管理者に確かめてください。`,
            en: `That token is not a live ${role} device token.`,
          },
          401,
        );
      }
      await signInAddress.succeeded(key);
      const value = await startSession(db, deps.clock(), { principal: `device:${device.tokenId}`, name: device.name, email: '' }, DEVICE_SESSION_HOURS);
      res.cookie(DEVICE_COOKIE, value, cookieOptions);
      res.redirect(303, `/${role}`);
    });
    r.post(`/${role}/logout`, async (req, res) => {
      const who = await whoIs(req, role);
      if (who && postAllowed(req, who)) {
        const value = cookie(req, DEVICE_COOKIE);
        if (value) await endSession(db, value);
        res.clearCookie(DEVICE_COOKIE, { path: '/' });
      }
      res.redirect(303, `/${role}/login`);
    });
  }

  /** The page's address keeps an admin's choice (a device's scope comes from its token, a staff member's from their link). */
  const param = (who: Who, name: string) => (who.device || who.staffId || !who.scope ? '' : `?${name}=${encodeURIComponent(who.scope)}`);

  /** A staff member's board from the bot's link (a working day), in a session of its own like a device's. */
  r.get('/board/s/:token', async (req, res) => {
    const now = deps.clock();
    const link = checkBoardLink(await linkKey(db, deps.config.secretKey), String(req.params.token), now);
    const staff = link.ok ? await getStaff(db, link.staffId) : null;
    if (!link.ok || !staff) {
      return page(
        res,
        '呼び出しボード',
        html`<p>${link.ok || link.reason !== 'expired' ? 'このリンクは使えません。' : 'このリンクは期限が切れました。'}チャットでボットに /board と送ると、新しいリンクが届きます。</p><p class="en">This board link is not valid (or has expired); send /board to the bot for a new one.</p>`,
        link.ok || link.reason !== 'expired' ? 404 : 410,
      );
    }
    const hours = Math.max(1, Math.floor((link.expiresAt - now) / 3_600_000));
    const value = await startSession(db, now, { principal: `staff-board:${staff.id}:${link.departmentId}`, name: staff.displayName, email: '' }, hours);
    res.cookie(DEVICE_COOKIE, value, { ...cookieOptions, maxAge: hours * 3_600_000 });
    res.redirect(303, '/board');
  });

  const chooser = async (res: Response, role: DeviceRole) => {
    if (role === 'counter') {
      const [hosts, sites] = await Promise.all([listHosts(db), listSites(db)]);
      return page(
        res,
        '窓口端末を選ぶ',
        html`<p>練習・確認のために、どの端末の画面を開きますか？ <span class="en">Which device?</span></p><ul>${hosts.map(
          (h) => html`<li><a href="/counter?host=${encodeURIComponent(h.id)}">${sites.find((s) => s.id === h.siteId)?.name ?? ''} ${h.displayName}</a></li>`,
        )}</ul>`,
      );
    }
    const departments = await listDepartments(db);
    return page(
      res,
      '呼び出しボードを選ぶ',
      html`<p>どの課のボードを開きますか？ <span class="en">Which department?</span></p><ul>${departments.map(
        (d) => html`<li><a href="/board?department=${encodeURIComponent(d.id)}">${d.name}</a></li>`,
      )}</ul>`,
    );
  };

  /**
   * Who is at the page, or the answer already sent: the sign-in page for a device not signed in, the chooser for an
   * admin who has not picked a device or department, the page again (403) for a stale or forged post.
   */
  const signedIn = async (req: Request, res: Response, role: DeviceRole, stale: (who: Who) => Promise<unknown>): Promise<Who | null> => {
    const who = await whoIs(req, role);
    if (!who) {
      if (req.method === 'GET') res.redirect(303, `/${role}/login`);
      else loginPage(res, role, { kind: 'error', ja: 'この端末はサインインしていません。', en: 'This device is not signed in.' }, 401);
      return null;
    }
    if (!who.scope) {
      await chooser(res, role);
      return null;
    }
    if (req.method === 'POST' && !postAllowed(req, who)) {
      await stale(who);
      return null;
    }
    return who;
  };

  // ------------------------------------------------------------ the branch counter

  const counterPage = async (_req: Request, res: Response, who: Who, flash: Flash | null, extra: SafeHtml | null = null, status = 200) => {
    const s = await counterState(db, who.scope!, deps.clock());
    if (!s)
      return page(
        res,
        '窓口端末',
        html`<p>この端末（${who.scope}）は登録されていません。管理者に確かめてください。</p><p class="en">This device (${who.scope}) is not registered; ask your admin.</p>`,
        404,
      );
    const hostParam = param(who, 'host');
    sendHtml(
      res,
      shell({
        title: `${s.site?.name ?? ''} 窓口`,
        heading: `${s.site?.name ?? ''} オンライン窓口`,
        where: s.host.displayName,
        script: COUNTER_SCRIPT.path,
        csrf: who.csrf,
        logoutAction: who.device ? '/counter/logout' : null,
        data: { events: `/counter/events${hostParam}` },
        body: html`${flashHtml(flash)}${extra}<div id="live">${counterLive(s, who.csrf, hostParam)}</div>`,
      }),
      status,
    );
  };

  const STALE: Flash = { kind: 'error', ja: '画面が古くなっていました。もう一度押してください。', en: 'The page was stale; press again.' };
  const counterWho = (req: Request, res: Response) => signedIn(req, res, 'counter', (who) => counterPage(req, res, who, STALE, null, 403));

  const problemFlash = (p: Problem): Flash => ({ kind: 'error', ja: p.message.ja, en: p.message.en });
  const back = (res: Response, who: Who) => res.redirect(303, `/counter${param(who, 'host')}`);

  r.get('/counter', async (req, res) => {
    const who = await counterWho(req, res);
    if (who) await counterPage(req, res, who, null);
  });

  r.get('/counter/events', async (req, res) => {
    const who = await whoIs(req, 'counter');
    if (!who?.scope) return res.status(401).end();
    const hostParam = param(who, 'host');
    sendEvents(
      req,
      res,
      deps.events,
      [RELAYS_EVENT, CONSULTATIONS_EVENT],
      async () => {
        const s = await counterState(db, who.scope!, deps.clock());
        return JSON.stringify({ html: s ? counterLive(s, who.csrf, hostParam).toString() : '' });
      },
      { validUntil: Number.POSITIVE_INFINITY, clock: deps.clock },
    );
  });

  r.post('/counter/call', async (req, res) => {
    const who = await counterWho(req, res);
    if (!who) return;
    const host = (await listHosts(db)).find((h) => h.id === who.scope);
    if (!host) return counterPage(req, res, who, null);
    const fields = {
      department: String(req.body?.department ?? ''),
      topic: String(req.body?.topic ?? '')
        .trim()
        .slice(0, 200),
      reception: String(req.body?.reception ?? '')
        .trim()
        .slice(0, 50),
    };
    const started = await startWalkIn(deps, {
      siteId: host.siteId,
      hostId: host.id,
      department: fields.department,
      topic: fields.topic,
      reception: fields.reception,
      requestedBy: who.actor,
      actor: who.actor,
      fromDepartmentId: null,
      outsideHoursConfirmed: req.body?.confirm === 'yes',
    });
    if (started.ok) return back(res, who);
    const why = started.reason;
    if (why.kind === 'outside_hours')
      return counterPage(req, res, who, null, confirmOutsideHours(why.problem.message, who.csrf, param(who, 'host'), fields), 409);
    return counterPage(req, res, who, problemFlash(why.problem), null, why.kind === 'problem' && why.problem.code === 'validation' ? 400 : 409);
  });

  /** The open walk-in of this device, or the page saying there is none. */
  const openWalkIn = async (req: Request, res: Response, who: Who) => {
    const s = await counterState(db, who.scope!, deps.clock());
    if (!s?.walkIn) {
      await counterPage(
        req,
        res,
        who,
        { kind: 'error', ja: 'この端末でいま続いている相談はありません。', en: 'No visit is going on at this device.' },
        null,
        409,
      );
      return null;
    }
    return s.walkIn;
  };

  r.post('/counter/relay', async (req, res) => {
    const who = await counterWho(req, res);
    if (!who) return;
    const c = await openWalkIn(req, res, who);
    if (!c) return;
    const department = (await listDepartments(db)).find((d) => d.id === String(req.body?.department ?? ''));
    if (!department) return counterPage(req, res, who, { kind: 'error', ja: '課を選んでください。', en: 'Choose a department.' }, null, 400);
    const relayed = await requestRelay(relayDepsOf({ ...deps, db }), {
      consultationId: c.id,
      toDepartmentId: department.id,
      fromDepartmentId: null,
      note: c.topic,
      requestedBy: who.actor,
    });
    if (!relayed.ok) return counterPage(req, res, who, problemFlash(relayed.reason), null, 409);
    back(res, who);
  });

  r.post('/counter/cancel', async (req, res) => {
    const who = await counterWho(req, res);
    if (!who) return;
    const c = await openWalkIn(req, res, who);
    if (!c) return;
    const relay = String(req.body?.relay ?? '');
    const own = await db.selectFrom('relays').select('id').where('id', '=', relay).where('consultation_id', '=', c.id).executeTakeFirst();
    if (!own) return back(res, who);
    const r2 = await cancelRelay(relayDepsOf({ ...deps, db }), relay, who.actor);
    if (!r2.ok) return counterPage(req, res, who, problemFlash(r2.reason), null, 409);
    back(res, who);
  });

  r.post('/counter/done', async (req, res) => {
    const who = await counterWho(req, res);
    if (!who) return;
    const c = await openWalkIn(req, res, who);
    if (!c) return;
    const done = await completeConsultation(deps, c.id, who.actor, { endingWhatIsOpen: true });
    if (!done.ok) return counterPage(req, res, who, problemFlash(done.reason), null, 409);
    await deps.events?.changed(CONSULTATIONS_EVENT);
    back(res, who);
  });

  // ------------------------------------------------------------ the department board

  const boardPage = async (_req: Request, res: Response, who: Who, flash: Flash | null, status = 200) => {
    const b = await boardState(db, who.scope!, deps.clock());
    if (!b)
      return page(
        res,
        '呼び出しボード',
        html`<p>この課（${who.scope}）は登録されていません。管理者に確かめてください。</p><p class="en">This department (${who.scope}) is not registered; ask your admin.</p>`,
        404,
      );
    const departmentParam = param(who, 'department');
    sendHtml(
      res,
      shell({
        title: `${b.department.name} 呼び出しボード`,
        heading: `${b.department.name} 呼び出しボード`,
        where: '',
        script: BOARD_SCRIPT.path,
        csrf: who.csrf,
        logoutAction: who.device || who.staffId ? '/board/logout' : null,
        data: { events: `/board/events${departmentParam}`, board: '' },
        body: html`${flashHtml(flash)}<p class="actions"><button type="button" id="mute" aria-pressed="false" class="secondary" hidden>音を消す / Mute</button></p>
<div id="live">${boardLive(b, who.csrf, departmentParam, who.staffId)}</div>
<div class="sound" id="sound-start" hidden><button type="button" id="sound-button">画面をタップして呼び出し音を有効にする<br><span class="en">Tap to turn the call sound on</span></button></div>`,
      }),
      status,
    );
  };

  const boardWho = (req: Request, res: Response) => signedIn(req, res, 'board', (who) => boardPage(req, res, who, STALE, 403));

  r.get('/board', async (req, res) => {
    const who = await boardWho(req, res);
    if (who) await boardPage(req, res, who, null);
  });

  r.get('/board/events', async (req, res) => {
    const who = await whoIs(req, 'board');
    if (!who?.scope) return res.status(401).end();
    const departmentParam = param(who, 'department');
    sendEvents(
      req,
      res,
      deps.events,
      RELAYS_EVENT,
      async () => {
        const b = await boardState(db, who.scope!, deps.clock());
        return JSON.stringify({
          html: b ? boardLive(b, who.csrf, departmentParam, who.staffId).toString() : '',
          calling: b?.waiting.length ?? 0,
          now: deps.clock(),
        });
      },
      { validUntil: Number.POSITIVE_INFINITY, clock: deps.clock },
    );
  });

  /** The same accept as the chat's button: the first wins, the accepter gets the join details privately in chat. */
  r.post('/board/accept', async (req, res) => {
    const who = await boardWho(req, res);
    if (!who) return;
    const staff = await getStaff(db, String(req.body?.staff ?? ''));
    if (!staff || staff.departmentId !== who.scope) {
      return boardPage(req, res, who, { kind: 'error', ja: '対応する人を選んでください。', en: 'Choose who takes it.' }, 400);
    }
    const relay = await db
      .selectFrom('relays')
      .select(['id', 'to_department_id'])
      .where('id', '=', String(req.body?.relay ?? ''))
      .executeTakeFirst();
    if (!relay || relay.to_department_id !== who.scope)
      return boardPage(req, res, who, { kind: 'error', ja: 'この呼び出しは見つかりません。', en: 'Call not found.' }, 404);
    const r2 = await acceptRelay(relayDepsOf({ ...deps, db }), relay.id, staff.id);
    if (!r2.ok) return boardPage(req, res, who, problemFlash(r2.reason), 409);
    if (!r2.value.won) {
      const by = r2.value.relay.acceptedBy ? await getStaff(db, r2.value.relay.acceptedBy) : null;
      return boardPage(req, res, who, { kind: 'error', ja: `すでに${by?.displayName ?? 'ほかの方'}さんが対応しています。`, en: 'Someone else took it.' }, 409);
    }
    return boardPage(req, res, who, {
      kind: 'ok',
      ja: `${staff.displayName}さんが対応します。参加の情報はチャットに個別に届きます。`,
      en: `${staff.displayName} takes it; the join details arrive privately in chat.`,
    });
  });

  return r;
}
