// The HTML of the branch counter page (a large touch page at the branch terminal, for the citizen sitting there and
// the staff beside them) and of the department's alert board (the buzzer and the flashing lamp). Japanese first, large.
import { html, raw } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';
import { formatMinute, toLocalMinute } from '../core/time.ts';
import { groupDigits } from '../templates/liquid.ts';
import type { BoardState, CounterState, Hop } from './state.ts';
import { personName } from './state.ts';

export const PAGE_STYLE = `
  *, *::before, *::after { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; font-size: 22px; line-height: 1.6; color: #111; background: #f6f7f9; }
  :focus-visible { outline: 4px solid #b35c00; outline-offset: 3px; }
  header { background: #0b3d6e; color: #fff; padding: 10px 20px; display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; }
  header h1 { font-size: 1.3rem; margin: 0; } header .where { font-size: 1rem; } header form { margin-left: auto; }
  main { padding: 16px 20px; max-width: 84rem; margin: 0 auto; }
  body.board main { max-width: none; padding: 0 0 16px; } body.board main > :not(.band) { margin-left: 20px; margin-right: 20px; }
  h2 { font-size: 1.3rem; margin: 1.25rem 0 .5rem; }
  .en { color: #444; font-size: 17px; }
  button, .button { font: inherit; min-height: 56px; padding: 10px 22px; border: 3px solid #0b3d6e; border-radius: 10px; background: #0b3d6e; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
  button.secondary, .button.secondary { background: #fff; color: #0b3d6e; }
  button.danger { background: #fff; color: #a00018; border-color: #a00018; }
  label { display: block; font-weight: bold; margin: .75rem 0 .25rem; }
  input[type=text], input[type=password], select { width: 100%; font: inherit; padding: 10px; border: 2px solid #555; border-radius: 6px; background: #fff; color: #111; }
  .status { background: #fff; border: 4px solid #0b3d6e; border-radius: 14px; padding: 18px 24px; margin: 0 0 16px; }
  .status .big { font-size: 2.3rem; font-weight: bold; line-height: 1.35; margin: 0; }
  .status.waiting { border-color: #b35c00; } .status.coming { border-color: #1b7a3a; }
  .departments { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 14px; list-style: none; padding: 0; margin: 18px 0 0; }
  .departments button { width: 100%; min-height: 6.5rem; font-size: 1.5rem; font-weight: bold; text-align: left; }
  .departments .duty { display: block; font-size: 1rem; font-weight: normal; }
  .row { display: grid; gap: 14px; } @media (min-width: 50rem) { .row { grid-template-columns: 1fr 1fr; } }
  .chain { list-style: none; padding: 0; margin: 0; } .chain li { background: #fff; border-left: 8px solid #0b3d6e; padding: 8px 14px; margin: 0 0 8px; }
  .chain li.open { border-color: #b35c00; }
  .actions { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0; align-items: center; }
  .flash { padding: 12px 16px; border-left: 8px solid; margin: 0 0 14px; background: #fff; } .flash.error { border-color: #a00018; background: #fdecee; } .flash.ok { border-color: #1b7a3a; }
  .meeting { font-size: 1.1rem; }
  .band { padding: 22px 24px; font-size: 2.4rem; font-weight: bold; color: #fff; background: #35506b; text-align: center; }
  .band .en { color: inherit; display: block; }
  .band.calling { background: #c8001e; animation: lamp 1s steps(1, end) infinite; }
  @keyframes lamp { 50% { background: #ffd400; color: #111; } }
  @media (prefers-reduced-motion: reduce) { .band.calling { animation: none; } }
  .calls { list-style: none; padding: 0; margin: 0; display: grid; gap: 14px; }
  .call { background: #fff; border: 4px solid #c8001e; border-radius: 14px; padding: 14px 20px; }
  .call .head { font-size: 1.7rem; font-weight: bold; margin: 0; } .call .wait { font-size: 1.4rem; }
  .call form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; } .call form label { margin: 0; } .call select { width: auto; min-width: 12rem; }
  .taken { list-style: none; padding: 0; } .taken li { background: #fff; border-left: 8px solid #1b7a3a; padding: 8px 14px; margin: 0 0 8px; }
  .sound { position: fixed; inset: 0; background: rgba(11, 61, 110, .92); display: flex; align-items: center; justify-content: center; }
  .sound[hidden] { display: none; } .sound button { font-size: 2rem; padding: 28px 40px; background: #fff; color: #0b3d6e; }
  .hint { font-size: 1rem; color: #444; }
`;

export interface Shell {
  readonly title: string;
  readonly heading: string;
  readonly where: string;
  readonly script: string;
  readonly csrf: string;
  readonly logoutAction: string | null;
  readonly body: SafeHtml;
  readonly data?: Record<string, string>;
}

export function shell(s: Shell): SafeHtml {
  const data = Object.entries(s.data ?? {}).map(([k, v]) => html` data-${raw(k)}="${v}"`);
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${s.title} — 窓口 madoguchi</title>
<style>${raw(PAGE_STYLE)}</style>
<script src="${s.script}" defer></script>
</head>
<body${data}>
<header><h1>${s.heading}</h1><span class="where">${s.where}</span>${
    s.logoutAction &&
    html`<form method="post" action="${s.logoutAction}"><input type="hidden" name="csrf" value="${s.csrf}"><button class="secondary" type="submit">この端末のサインアウト</button></form>`
  }</header>
<main id="main">
${s.body}
</main>
</body>
</html>`;
}

export interface Flash {
  readonly kind: 'ok' | 'error';
  readonly ja: string;
  readonly en: string;
}

export const flashHtml = (f: Flash | null) =>
  f && html`<div class="flash ${f.kind}" role="${f.kind === 'error' ? 'alert' : 'status'}">${f.ja}<br><span class="en">${f.en}</span></div>`;

const hm = (ms: number) => formatMinute(toLocalMinute(ms));

function hopLine(h: Hop): SafeHtml {
  const name = h.department?.name ?? '';
  const r = h.relay;
  const times = [
    `${hm(r.requestedAt)} 呼び出し`,
    r.acceptedAt ? `${hm(r.acceptedAt)} ${personName(h.accepter, h.department)}が対応（${h.waitedMinutes}分待ち）` : '',
    r.finishedAt ? `${hm(r.finishedAt)} ${r.status === 'done' ? '終了' : r.status === 'cancelled' ? '取り消し' : 'お断り'}` : '',
  ].filter(Boolean);
  return html`<li class="${r.status === 'requested' || r.status === 'accepted' ? 'open' : ''}"><strong>${name}</strong> ${times.join('・')}</li>`;
}

/** The big sentence for the citizen at the counter. */
function statusFor(s: CounterState): { kind: 'idle' | 'waiting' | 'coming' | 'between'; ja: string; en: string } {
  if (!s.walkIn) return { kind: 'idle', ja: 'ご用件の課を職員がお呼びします。', en: 'Staff will call the department you need.' };
  const open = [...s.chain].reverse().find((h) => h.relay.status === 'requested' || h.relay.status === 'accepted');
  if (open?.relay.status === 'requested') {
    const minutes = Math.max(0, Math.floor((s.now - open.relay.requestedAt) / 60_000));
    return {
      kind: 'waiting',
      ja: `${open.department?.name ?? ''}につないでいます（${minutes}分）。このままお待ちください。`,
      en: `Connecting you to ${open.department?.name ?? ''} (${minutes} min). Please wait.`,
    };
  }
  if (open?.relay.status === 'accepted') {
    return {
      kind: 'coming',
      ja: `${open.department?.name ?? ''}の${personName(open.accepter, open.department)}がまいります。`,
      en: `${personName(open.accepter, open.department)} from ${open.department?.name ?? ''} is coming.`,
    };
  }
  const last = s.chain.at(-1);
  return last
    ? {
        kind: 'between',
        ja: `${last.department?.name ?? ''}とのお話が終わりました。ほかの課にご用があれば、職員がおつなぎします。`,
        en: 'That department has finished. Staff can connect you to another one.',
      }
    : { kind: 'between', ja: '会議を準備しています。', en: 'Preparing the meeting.' };
}

/** The part of the counter page that follows the call as it goes (sent again over SSE after each change). */
export function counterLive(s: CounterState, csrf: string, hostParam: string): SafeHtml {
  const st = statusFor(s);
  const open = s.chain.find((h) => h.relay.status === 'requested');
  const m = s.walkIn?.meeting;
  const departmentButtons = s.departments.map(
    (d) =>
      html`<li><button type="submit" name="department" value="${d.department.id}" class="${st.kind === 'idle' ? '' : 'secondary'}">${d.department.name}<span class="duty">${
        d.onDuty.length > 0 ? `当番: ${d.onDuty.map((x) => personName(x, d.department)).join('、')}` : '当番なし（課の全員を呼び出します）'
      }</span></button></li>`,
  );
  return html`<section class="status ${st.kind}" aria-live="polite" aria-atomic="true" id="call-status">
<p class="big">${st.ja}</p><p class="en">${st.en}</p>
</section>
${
  s.walkIn &&
  html`<div class="row">
<section aria-labelledby="chain-h"><h2 id="chain-h">これまでのおつなぎ <span class="en">This visit</span></h2>
<p class="hint">来庁者 #${s.walkIn.id}${s.walkIn.citizen.name && `（${s.walkIn.citizen.name}）`}・${hm(Date.parse(s.walkIn.start))}から${s.walkIn.topic && `・${s.walkIn.topic}`}</p>
<ol class="chain">${s.chain.map(hopLine)}</ol></section>
<section aria-labelledby="meeting-h"><h2 id="meeting-h">会議 <span class="en">Meeting</span></h2>${
    m
      ? html`<p class="meeting">この端末で会議に入ってください（相談者の方はそのままで大丈夫です）。</p>
<p class="actions"><a class="button" href="${m.joinUrl}" target="_blank" rel="noopener">会議に入る / Join</a></p>
<p class="meeting">ミーティング番号 ${groupDigits(m.meetingNumber)}　パスワード ${m.password}</p>`
      : html`<p class="meeting">会議を準備しています… / Preparing the meeting…</p>`
  }
<form method="post" action="/counter/done${hostParam}" class="actions"><input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="danger">相談を終える / End</button></form>
${
  open &&
  html`<form method="post" action="/counter/cancel${hostParam}" class="actions"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="relay" value="${open.relay.id}"><button type="submit" class="secondary">呼び出しをやめる / Stop calling</button></form>`
}
</section></div>`
}
<section aria-labelledby="dept-h">
<h2 id="dept-h">${s.walkIn ? '次の課へおつなぎする' : 'つなぐ課を選んでください'} <span class="en">${s.walkIn ? 'Hand on to another department' : 'Choose the department'}</span></h2>
<form method="post" action="${s.walkIn ? '/counter/relay' : '/counter/call'}${hostParam}">
<input type="hidden" name="csrf" value="${csrf}">
${
  !s.walkIn &&
  html`<div class="row"><div><label for="topic">ご用件（任意） <span class="en">Topic (optional)</span></label><input id="topic" name="topic" type="text" maxlength="200" autocomplete="off" placeholder="例: 相続の手続き"></div>
<div><label for="reception">受付番号・お名前（任意） <span class="en">Reception no. or name (optional)</span></label><input id="reception" name="reception" type="text" maxlength="50" autocomplete="off" placeholder="例: 12番"></div></div>`
}
<ul class="departments">${departmentButtons}</ul>
</form>
</section>`;
}

/** The confirmation a call outside opening hours needs. */
export function confirmOutsideHours(p: { ja: string; en: string }, csrf: string, hostParam: string, fields: Record<string, string>): SafeHtml {
  return html`<section class="status waiting" role="alert"><p class="big">受付時間外です</p><p>${p.ja}</p><p class="en">${p.en}</p>
<form method="post" action="/counter/call${hostParam}" class="actions"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="confirm" value="yes">${Object.entries(
    fields,
  ).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}<button type="submit">時間外でもつなぐ / Call anyway</button><a class="button secondary" href="/counter${hostParam}">やめる / Back</a></form></section>`;
}

/** The part of the board that follows the calls (sent again over SSE after each change). */
export function boardLive(b: BoardState, csrf: string, departmentParam: string, me?: string): SafeHtml {
  const n = b.waiting.length;
  const options = (selected: string | null) =>
    b.members.map(
      (s) => html`<option value="${s.id}"${s.id === selected && raw(' selected')}>${personName(s, b.department)}${s.onDuty ? '（当番）' : ''}</option>`,
    );
  const calls = b.waiting.map((c, i) => {
    const id = `who-${c.relay.id}`;
    const topic = c.relay.note || c.consultation?.topic || '';
    const from =
      c.consultation?.kind === 'walk_in' ? `${c.site?.name ?? ''}の窓口から` : `${c.from?.name ?? '職員'}から（予約の相談 #${c.relay.consultationId}）`;
    return html`<li class="call" data-requested-at="${String(c.relay.requestedAt)}">
<p class="head">${i + 1}. ${from}${topic && `「${topic}」`}</p>
<p class="wait"><span class="minutes">${String(c.waitingMinutes)}</span>分お待ちです${c.relay.escalatedAt ? '（再呼び出し）' : ''} <span class="en">waiting ${String(c.waitingMinutes)} min</span></p>
${
  b.members.length > 0
    ? html`<form method="post" action="/board/accept${departmentParam}"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="relay" value="${c.relay.id}">
<div><label for="${id}">対応する人 <span class="en">Who</span></label><select id="${id}" name="staff">${options(b.members.find((m) => m.id === me)?.id ?? b.members.find((m) => m.onDuty)?.id ?? null)}</select></div>
<button type="submit">対応する / Accept</button></form>`
    : html`<p class="hint">この課の職員が登録されていません。チャットで /duty on ${b.department.name} と送ると登録されます。</p>`
}
</li>`;
  });
  return html`<div class="band${n > 0 ? ' calling' : ''}" id="band" role="status" aria-live="assertive" data-calling="${String(n)}">${
    n > 0 ? `呼び出し ${n}件` : '呼び出しはありません'
  }<span class="en"> ${n > 0 ? `${n} call(s) waiting` : 'No calls'}</span></div>
${n > 0 ? html`<ul class="calls">${calls}</ul>` : html`<p class="hint">呼び出しがあると、音が鳴り、上の帯が点滅します。 <span class="en">A call sounds and flashes the band.</span></p>`}
<h2>対応中 <span class="en">Being handled</span></h2>
${
  b.taken.length > 0
    ? html`<ul class="taken">${b.taken.map((t) => html`<li>${personName(t.by, b.department)}さん ${t.site ? `${t.site.name}の窓口` : ''}（${hm(t.relay.acceptedAt ?? b.now)}から）</li>`)}</ul>`
    : html`<p class="hint">いまはありません。</p>`
}
<p class="hint">当番: ${
    b.members
      .filter((m) => m.onDuty)
      .map((m) => personName(m, b.department))
      .join('、') || 'いません'
  }</p>`;
}
