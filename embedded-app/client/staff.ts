// The staff view, made live: the server renders the panel (one renderer for the first load and every update) and
// sends it on each change; buttons post their form with fetch (without this script they post and come back).
import { follow } from './live.ts';

interface StaffState {
  readonly html: string;
}

const panel = document.getElementById('panel');
const live = document.getElementById('live');
const events = document.body.dataset.events;

if (panel && events) {
  follow<StaffState>(
    events,
    (s) => {
      const focused = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
      panel.innerHTML = s.html;
      if (focused) document.getElementById(focused)?.focus();
    },
    (connected) => {
      if (live) live.textContent = connected ? (document.documentElement.lang === 'ja' ? '自動で更新しています' : 'Updating live') : document.documentElement.lang === 'ja' ? '再接続しています…' : 'Reconnecting…';
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
  // getAttribute: a control named "action" shadows form.action.
  void fetch(form.getAttribute('action') ?? location.href, { method: 'POST', body: data, headers: { accept: 'application/json' } }).then(async (res) => {
    const answer = (await res.json().catch(() => ({}))) as { message?: string };
    if (status) status.textContent = answer.message ?? (res.ok ? '' : `エラー ${res.status}`);
    if (res.ok && form.dataset.reset !== undefined) form.reset();
  });
});
