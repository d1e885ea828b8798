// The staff view, made live: the server renders the panel (one renderer for the first load and every update) and
// sends it on each change; buttons post their form with fetch (without this script they post and come back).
import { follow } from './live.ts';

interface StaffState {
  readonly html: string;
}

const panel = document.getElementById('panel');
const ja = document.documentElement.lang === 'ja';
let lastHtml = '';
const live = document.getElementById('live');
const events = document.body.dataset.events;

if (panel && events) {
  follow<StaffState>(
    events,
    (s) => {
      // Only a real change replaces the panel (a screen reader keeps its place otherwise).
      if (s.html === lastHtml) return;
      lastHtml = s.html;
      const focused = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
      panel.innerHTML = s.html;
      if (focused) document.getElementById(focused)?.focus();
    },
    (connected) => {
      if (!live) return;
      live.textContent =
        connected === 'gone'
          ? ja
            ? 'このリンクの有効期限が過ぎました。ボットに /app と送ると、新しいリンクが届きます。'
            : 'This link has expired. Send /app to the bot for a new one.'
          : connected
            ? ja
              ? '自動で更新しています'
              : 'Updating live'
            : ja
              ? '再接続しています…'
              : 'Reconnecting…';
    },
  );
}

document.addEventListener('submit', (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || !form.matches('form[data-live]')) return;
  e.preventDefault();
  const data = new URLSearchParams();
  for (const [k, v] of new FormData(form, (e as SubmitEvent).submitter)) data.append(k, String(v));
  const status = document.getElementById('action-status');
  const buttons = [...form.querySelectorAll('button')];
  // One request at a time per form (a double click does not send twice).
  if (form.dataset.busy) return;
  form.dataset.busy = '1';
  for (const b of buttons) b.disabled = true;
  const say = (text: string) => {
    if (status) status.textContent = text;
  };
  // getAttribute: a control named "action" shadows form.action.
  fetch(form.getAttribute('action') ?? location.href, { method: 'POST', body: data, headers: { accept: 'application/json' } })
    .then(async (res) => {
      const answer = (await res.json().catch(() => ({}))) as { message?: string };
      if (answer.message) say(answer.message);
      else if (res.status === 410)
        say(ja ? 'このリンクの有効期限が過ぎました。ボットに /app と送ってください。' : 'This link has expired. Send /app to the bot.');
      else if (!res.ok) say(ja ? `うまくいきませんでした（${res.status}）。もう一度お試しください。` : `That did not work (${res.status}). Please try again.`);
      if (res.ok && form.dataset.reset !== undefined) form.reset();
    })
    .catch(() => say(ja ? '通信できませんでした。もう一度お試しください。' : 'Could not reach the server. Please try again.'))
    .finally(() => {
      delete form.dataset.busy;
      for (const b of buttons) b.disabled = false;
    });
});
