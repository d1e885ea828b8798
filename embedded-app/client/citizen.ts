// The citizen's page, made live: the relay notice appears and changes without reloading, and when staff move the
// citizen to a step, the page goes there. Everything still works without this script (forms and links).
import { follow } from './live.ts';

interface CitizenState {
  readonly step: string;
  readonly relay: { readonly message: string; readonly status: string } | null;
  readonly pushed: { readonly step: string; readonly at: number; readonly url: string } | null;
}

const body = document.body;
const events = body.dataset.events;
const loadedAt = Number(body.dataset.loaded ?? '0');
const here = body.dataset.step ?? '';
if (events) {
  follow<CitizenState>(events, (s) => {
    const box = document.getElementById('relay');
    const text = document.getElementById('relay-text');
    if (box && text) {
      box.hidden = !s.relay;
      if (s.relay && text.textContent !== s.relay.message) text.textContent = s.relay.message;
    }
    if (s.pushed && s.pushed.at > loadedAt && s.pushed.step !== here) location.assign(s.pushed.url);
  });
}
