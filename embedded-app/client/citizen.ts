// The citizen's page, made live: the relay notice appears and changes without reloading, and when staff move the
// citizen to a step, the page goes there. Everything still works without this script (forms and links).
import { follow } from './live.ts';

interface CitizenState {
  readonly step: string;
  readonly relay: { readonly message: string; readonly status: string } | null;
  readonly pushed: { readonly step: string; readonly at: number; readonly url: string } | null;
}

const body = document.body;

// The 参加する button appears at its time (by the server's clock: the page says when it was made).
const join = document.getElementById('join');
if (join?.hidden && join.dataset.opens) {
  const wait = Number(join.dataset.opens) - Number(body.dataset.loaded ?? Date.now());
  setTimeout(
    () => {
      join.hidden = false;
      document.getElementById('join-later')?.setAttribute('hidden', '');
    },
    Math.max(0, Math.min(wait, 2_000_000_000)),
  );
}
const events = body.dataset.events;
const loadedAt = Number(body.dataset.loaded ?? '0');
const here = body.dataset.step ?? '';
// A push is followed once: if it is newer than this page, or if it changed since this page first heard the state.
let firstPush: string | undefined;
if (events) {
  follow<CitizenState>(events, (s) => {
    const push = s.pushed ? `${s.pushed.step}@${s.pushed.at}` : '';
    const first = firstPush === undefined;
    if (first) firstPush = push;
    const region = document.getElementById('relay');
    const box = document.getElementById('relay-box');
    const text = document.getElementById('relay-text');
    if (region && box && text) {
      // On the status page the box stays, with its idle text when there is no relay.
      const message = s.relay?.message ?? region.dataset.idle ?? '';
      box.hidden = !message;
      if (text.textContent !== message) text.textContent = message;
    }
    if (s.pushed && s.pushed.step !== here && (s.pushed.at > loadedAt || (!first && push !== firstPush))) location.assign(s.pushed.url);
  });
}
