// Entry inside a Webex meeting (the embedded app's start URL). Outside Webex nothing heavy loads: the page shows
// how to reach the app through the invitation link. Inside, the Webex SDK is loaded, its onReady() is raced with a
// 2-second timeout (it never settles outside a Webex client), and the meeting it reports is mapped to the consultation.
import { insideWebexHost } from './webex-detect.ts';
import { openMeeting, post, show, within } from './entry.ts';

interface WebexMeeting {
  readonly id?: string;
  readonly conferenceId?: string;
  readonly title?: string;
  readonly userRoles?: string[];
  readonly isPresenterOrCoHost?: boolean;
}
interface WebexApplication {
  onReady(): Promise<unknown>;
  context: { getMeeting(): Promise<WebexMeeting> };
  setShareUrl(internalUrl: string, externalUrl: string, title: string, optional?: unknown): Promise<unknown>;
}
declare global {
  interface Window {
    webex?: { Application: new (options?: { logs?: { logLevel?: number } }) => WebexApplication };
  }
}

const READY_TIMEOUT_MS = 2000;
const SDK_LOAD_TIMEOUT_MS = 20_000;

const loadScript = (src: string) =>
  new Promise<void>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('sdk'));
    document.head.append(s);
  });

async function main(): Promise<void> {
  if (!insideWebexHost(window)) return show('standalone');
  // Inside Webex: the SDK may take a while on a slow line (the loading message shows meanwhile); then onReady gets 2 s.
  const app = await within(loadScript(document.body.dataset.sdk!), SDK_LOAD_TIMEOUT_MS)
    .then(() => new window.webex!.Application({ logs: { logLevel: 3 } }))
    .catch(() => null);
  if (!app) return show('standalone');
  const ready = await within(app.onReady(), READY_TIMEOUT_MS).then(
    () => true,
    () => false,
  );
  if (!ready) return show('standalone');
  const meeting = await app.context.getMeeting().catch(() => null);
  const host = !!meeting && (meeting.isPresenterOrCoHost === true || (meeting.userRoles ?? []).some((r) => /HOST/i.test(r)));
  const opened = meeting?.id ? await openMeeting({ meetingId: meeting.id }) : ({ ok: false, reason: 'unknown', message: '' } as const);
  // The host shares the app with the participants (Open Together): the shared URL carries the consultation, so each
  // participant opens its steps whatever meeting id their client is given. Staff do not go through the citizen's steps
  // (that would answer for the citizen): they get the staff view from the bot.
  const share = async (shareUrl: string) => {
    await app.setShareUrl(shareUrl, shareUrl, document.title).catch(() => undefined);
    show('host');
  };
  if (opened.ok && opened.value.shareUrl && opened.value.url) return host ? share(opened.value.shareUrl) : location.replace(opened.value.url);
  // A host whose meeting id says nothing (derived, when the org shares no private data with apps) names the consultation.
  if (!host || (!opened.ok && opened.reason === 'not-now')) return show(opened.ok ? 'unknown' : opened.reason);
  show('pick');
  const form = document.getElementById('pick') as HTMLFormElement;
  const error = document.getElementById('pick-error')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const consultation = String(new FormData(form).get('consultation') ?? '');
    void post<{ shareUrl: string }>('/app/webex/pick', { consultation }).then(async (picked) => {
      if (picked.ok) await share(picked.value.shareUrl);
      else error.textContent = picked.message;
    });
  });
}

void main().catch(() => show('standalone'));
