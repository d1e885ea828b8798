// Entry inside a Webex meeting (the embedded app's start URL). Outside Webex nothing heavy loads: the page shows
// how to reach the app through the invitation link. Inside, the Webex SDK is loaded, its onReady() is raced with a
// 2-second timeout (it never settles outside a Webex client), and the meeting it reports is mapped to the consultation.
import { insideWebexHost } from './webex-detect.ts';

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
const body = document.body;
const show = (id: string) => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-state]')) el.hidden = el.dataset.state !== id;
};

const loadScript = (src: string) =>
  new Promise<void>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('sdk'));
    document.head.append(s);
  });

const timeout = (ms: number) => new Promise<false>((resolve) => setTimeout(() => resolve(false), ms));

async function main(): Promise<void> {
  if (!insideWebexHost(window)) return show('standalone');
  // Inside Webex: the SDK may take a while on a slow line (the loading message shows meanwhile); then onReady gets 2 s.
  try {
    await Promise.race([loadScript(body.dataset.sdk!), timeout(SDK_LOAD_TIMEOUT_MS).then(() => Promise.reject(new Error('slow')))]);
  } catch {
    return show('standalone');
  }
  const app = new window.webex!.Application({ logs: { logLevel: 3 } });
  const ready = await Promise.race([app.onReady().then(() => true as const, () => false as const), timeout(READY_TIMEOUT_MS)]);
  if (!ready) return show('standalone');
  const meeting = await app.context.getMeeting().catch(() => null);
  if (!meeting?.id) return show('unknown');
  const res = await fetch(body.dataset.open!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ meetingId: meeting.id, lang: document.documentElement.lang }),
  });
  if (!res.ok) return show('unknown');
  const { url, shareUrl } = (await res.json()) as { url: string; shareUrl: string };
  const host = meeting.isPresenterOrCoHost === true || (meeting.userRoles ?? []).some((r) => /HOST/i.test(r));
  if (host) {
    // The host shares the app with the participants (Open Together); each participant's app maps the meeting itself.
    // Staff do not go through the citizen's steps (that would answer for the citizen): they get the staff view from the bot.
    await app.setShareUrl(shareUrl, shareUrl, document.title).catch(() => undefined);
    return show('host');
  }
  location.replace(url);
}

void main().catch(() => show('standalone'));
