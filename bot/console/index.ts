// The console chat (/console): try the bot without Webex or Teams. Pick or add a staff member, type commands, press
// the card buttons, and watch each department's alert feed — through the same handler as Webex and Teams. As a chat
// platform, "posting" keeps the message for this page. For training, and the dry run.
import express from 'express';
import type { Request, Response, Router } from 'express';
import { randomBytes } from 'node:crypto';
import { listDepartments } from '../../scheduler/departments.ts';
import { adminCsp, layout, problemPage } from '../../core/web/layout.ts';
import { noStore } from '../../core/security.ts';
import { html, joinHtml, raw } from '../../core/html.ts';
import type { SafeHtml } from '../../core/html.ts';
import { refuseNulCharacters, sendHtml } from '../../core/http.ts';
import { requireAdminSession } from '../../core/web/session.ts';
import type { Card } from '../../core/cards.ts';
import type { ChatPlatform, FeedItem } from '../../core/chat.ts';
import { departmentSpace, feed, recordPost, staffSpace } from '../../core/chat.ts';
import type { Reply, Sender } from '../context.ts';
import { COMMAND_HELP } from '../commands.ts';
import { handleInbound } from '../handler.ts';
import type { ChatAdapterDeps, ChatAdapterFactory } from '../adapter.ts';
import { getStaff, listStaff, staffFor } from '../../relay/staff.ts';
import type { Staff } from '../../relay/staff.ts';

const CONSOLE_STYLE = `
  .console { display: grid; gap: 24px; } @media (min-width: 62rem) { .console { grid-template-columns: 1.1fr 1fr; } }
  .console > section { min-width: 0; } .console * { overflow-wrap: anywhere; }
  .chat { border: 2px solid #ccc; border-radius: 6px; padding: 12px; max-height: 34rem; overflow-y: auto; background: #fafafa; }
  .msg { margin: 0 0 12px; padding: 8px 12px; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .msg.said { background: #e3eefa; margin-left: 2rem; } .msg.bot { background: #fff; border: 1px solid #ccc; }
  .msg.removed { opacity: .55; text-decoration: line-through; }
  .card { border: 2px solid #0b3d6e; border-radius: 6px; padding: 10px; margin-top: 8px; background: #fff; white-space: normal; }
  .card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; } .card dt { font-weight: bold; } .card dd { margin: 0; }
  .card .buttons { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
  .feed h3 { margin: 16px 0 6px; font-size: 1.1rem; }
  .bold { font-weight: bold; } .inline-label { margin: 0; } .narrow { max-width: 20rem; } .grow { flex: 1 1 12rem; min-width: 0; }
`;

/** A card's field as text (cards are parsed JSON: a value may be missing, or not a string). */
const text = (v: unknown) => String(v ?? '');

/** Adaptive Card → HTML (the parts our cards use), with each Action.Submit as a button of one form. */
function renderCard(card: Card, staffId: string, csrf: string): SafeHtml {
  const body = (card.body as Array<Record<string, unknown>>) ?? [];
  const parts = body.map((el) => {
    switch (el.type) {
      case 'TextBlock':
        return html`<p${el.weight === 'Bolder' && raw(' class="bold"')}>${text(el.text)}</p>`;
      case 'FactSet':
        return html`<dl>${(el.facts as Array<{ title: string; value: string }>).map((f) => html`<dt>${f.title}</dt><dd>${f.value}</dd>`)}</dl>`;
      case 'Input.ChoiceSet': {
        const id = `in-${randomBytes(4).toString('hex')}`;
        return html`<label for="${id}">${text(el.label)}</label><select id="${id}" name="${text(el.id)}">${(el.choices as Array<{ title: string; value: string }>).map((c) => html`<option value="${c.value}"${c.value === el.value && raw(' selected')}>${c.title}</option>`)}</select>`;
      }
      case 'Input.Text':
      case 'Input.Date': {
        const id = `in-${randomBytes(4).toString('hex')}`;
        return html`<label for="${id}">${text(el.label)}</label><input id="${id}" type="${el.type === 'Input.Date' ? 'date' : el.style === 'Email' ? 'email' : 'text'}" name="${text(el.id)}" value="${text(el.value)}">`;
      }
      default:
        return null;
    }
  });
  const actions = ((card.actions as Array<{ title: string; data: unknown }>) ?? []).map(
    (a) => html`<button type="submit" name="action" value="${JSON.stringify(a.data)}">${a.title}</button>`,
  );
  return html`<form class="card" method="post" action="/console/action"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="staff" value="${staffId}">${parts}<div class="buttons">${actions}</div></form>`;
}

function renderItem(item: FeedItem, staffId: string, csrf: string): SafeHtml {
  const who = item.purpose === 'said' ? 'said' : 'bot';
  // The text is the fallback for clients without cards; where the card is shown, it says everything.
  const content =
    item.card && !item.removed && item.purpose !== 'reply'
      ? renderCard(item.card, staffId, csrf)
      : html`${item.text}${item.card && !item.removed && renderCard(item.card, staffId, csrf)}`;
  return html`<div class="msg ${who}${item.removed && ' removed'}">${content}</div>`;
}

/** The console as a chat platform: posts are only recorded; this page shows them. */
export function consolePlatform(): ChatPlatform {
  return {
    kind: 'console',
    postToDepartment: async (department) => `console:${departmentSpace(department.id)}`,
    sendToStaff: async (staff) => `console:${staffSpace(staff.id)}`,
    remove: async () => {
      // The record is marked removed by the caller; there is nothing else to take back.
    },
  };
}

/** Always there: the training page, and where relay alerts can be seen in a dry run. */
export const createConsoleChat: ChatAdapterFactory = async (deps) => ({
  platform: consolePlatform(),
  mount: { path: '/console', router: consoleRouter(deps), problems: problemPage },
});

function consoleRouter(deps: ChatAdapterDeps): Router {
  const { db } = deps.store;
  const r = express.Router();
  r.use(noStore);
  r.use((_req, res, next) => {
    res.set('Content-Security-Policy', adminCsp({ extraStyles: [CONSOLE_STYLE] }));
    next();
  });
  r.use(express.urlencoded({ extended: false, limit: '100kb' }));
  r.use(refuseNulCharacters);
  r.use(requireAdminSession({ store: deps.store, clock: deps.clock, publicBaseUrl: deps.config.publicBaseUrl }, '/admin/login?next=/console'));

  const senderOf = (s: Staff): Sender => ({ platform: 'console', userId: s.platformUserId, displayName: s.displayName });
  /** Through the same handler as every platform (the page itself is for signed-in admins). */
  const answer = async (sender: Sender, said: { text: string } | { action: Record<string, unknown> }): Promise<Reply> => {
    const outcome = await handleInbound(deps, deps.policy, { platform: 'console', deliveryId: null, read: async () => ({ sender, ...said }) });
    return outcome.kind === 'reply' || outcome.kind === 'not_staff' ? outcome.reply : { text: '' };
  };

  const record = async (staff: Staff, said: string | null, reply: Reply) => {
    const now = deps.clock();
    if (said !== null)
      await recordPost(db, deps.ids, now, {
        platform: 'console',
        space: staffSpace(staff.id),
        platformMessageId: '',
        relayId: null,
        purpose: 'said',
        message: { text: said },
      });
    await recordPost(db, deps.ids, now, {
      platform: 'console',
      space: staffSpace(staff.id),
      platformMessageId: '',
      relayId: null,
      purpose: 'reply',
      message: reply,
    });
  };

  const feeds = async (staffId: string, csrf: string) => {
    const departments = await listDepartments(db);
    const mine = staffId ? await feed(db, 'console', [staffSpace(staffId)], 40) : [];
    const dept = await Promise.all(
      departments.map(async (d) => {
        const items = await feed(db, 'console', [departmentSpace(d.id)], 10);
        return items.length > 0 && html`<h3>${d.name}</h3>${items.map((i) => renderItem(i, staffId, csrf))}`;
      }),
    );
    return {
      chat:
        mine.length === 0
          ? html`<p class="hint">まだやりとりはありません。下にコマンドを入れてください（例: /help）。</p>`
          : html`${mine.map((i) => renderItem(i, staffId, csrf))}`,
      departments: dept.some(Boolean) ? html`${dept}` : html`<p class="hint">まだ呼び出しはありません。</p>`,
    };
  };

  r.get('/', async (req: Request, res: Response) => {
    const csrf = req.adminSession!.csrf;
    const staff = (await listStaff(db)).filter((s) => s.platform === 'console');
    const selected = staff.find((s) => s.id === req.query.staff) ?? null;
    const f = await feeds(selected?.id ?? '', csrf);
    const options = staff.map((s) => html`<option value="${s.id}"${s.id === selected?.id && raw(' selected')}>${s.displayName}</option>`);
    const body = html`<h1>職員コンソール（練習用） <span class="en">Staff console (training)</span></h1>
<p>Webex や Teams がなくても、職員のチャットと同じコマンドを試せます。職員を選んでコマンドを入れ、ボタンを押してください。「各課への呼び出し」の欄に、呼ばれた課のスペースに出る呼び出しが表示されます。</p>
<p>支所の窓口の練習: 職員に <code>/site 支所名</code> と送らせると、その支所から <code>/call 税務 相続の手続き</code> で来庁者を課へつなげます。<a href="/counter">支所の窓口画面</a>と<a href="/board">課の呼び出しボード</a>も、このまま別のタブで開けます。</p>
<form method="get" action="/console" class="actions">
<label for="staff" class="inline-label">職員</label>
<select id="staff" name="staff" class="narrow">${options}</select>
<button type="submit" class="secondary">この職員で操作</button>
</form>
<form method="post" action="/console/staff" class="actions">
<input type="hidden" name="csrf" value="${csrf}">
<label for="new-staff" class="inline-label">職員を追加</label>
<input id="new-staff" name="name" type="text" class="narrow" placeholder="例: 税務課 田中">
<button type="submit" class="secondary">追加</button>
</form>
<div class="console">
<section aria-labelledby="chat-heading">
<h2 id="chat-heading">${selected ? html`${selected.displayName} さんとボットのやりとり` : '職員を選んでください'}</h2>
<div class="chat" id="chat" role="log" tabindex="0" aria-label="ボットとのやりとり / Conversation" aria-live="polite" data-feed-url="${`/console/feed?staff=${encodeURIComponent(selected?.id ?? '')}`}">${f.chat}</div>
${
  selected &&
  html`<form method="post" action="/console/say" class="actions">
<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="staff" value="${selected.id}">
<label for="say" class="inline-label">コマンド</label>
<input id="say" name="text" type="text" autocomplete="off" placeholder="/relay 税務 相続の件" class="grow">
<button type="submit">送る</button>
</form>
<p class="hint">${joinHtml(
    COMMAND_HELP.map((c) => c.example),
    html`　`,
  )}</p>`
}
</section>
<section aria-labelledby="feed-heading" class="feed">
<h2 id="feed-heading">各課への呼び出し <span class="en">Department alerts</span></h2>
<div id="departments" aria-live="polite">${f.departments}</div>
</section>
</div>`;
    // CONSOLE_STYLE is our own constant (its hash is in the CSP); layout puts it in a <style> as it is.
    sendHtml(res, layout({ title: '職員コンソール', body, style: CONSOLE_STYLE, who: { name: req.adminSession!.name, csrf } }));
  });

  r.get('/feed', async (req, res) => {
    // The page's script puts these into the page as they are: send them as HTML strings (a SafeHtml would be serialised as {}).
    const f = await feeds(String(req.query.staff ?? ''), req.adminSession!.csrf);
    res.set('Cache-Control', 'no-store').json({ chat: f.chat.toString(), departments: f.departments.toString() });
  });

  r.post('/staff', async (req, res) => {
    const name = String(req.body?.name ?? '')
      .trim()
      .slice(0, 50);
    if (!name) return res.redirect(303, '/console');
    const s = await staffFor(db, deps.ids, deps.clock(), { platform: 'console', userId: `console-${randomBytes(6).toString('hex')}`, displayName: name });
    res.redirect(303, `/console?staff=${encodeURIComponent(s.id)}`);
  });

  const staffFrom = async (req: Request) => {
    const s = await getStaff(db, String(req.body?.staff ?? ''));
    return s && s.platform === 'console' ? s : null;
  };

  r.post('/say', async (req, res) => {
    const staff = await staffFrom(req);
    if (!staff) return res.redirect(303, '/console');
    const text = String(req.body?.text ?? '');
    await record(staff, text, await answer(senderOf(staff), { text }));
    res.redirect(303, `/console?staff=${encodeURIComponent(staff.id)}`);
  });

  r.post('/action', async (req, res) => {
    const staff = await staffFrom(req);
    if (!staff) return res.redirect(303, '/console');
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(String(req.body?.action ?? '{}')) as Record<string, unknown>;
    } catch {
      // an unreadable button: the core answers it as unknown
    }
    const inputs = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k]) => !['csrf', 'staff', 'action'].includes(k)));
    await record(staff, null, await answer(senderOf(staff), { action: { ...inputs, ...data } }));
    res.redirect(303, `/console?staff=${encodeURIComponent(staff.id)}`);
  });

  return r;
}
