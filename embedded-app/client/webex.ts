// Entry inside a Webex meeting (the embedded app's start URL). Outside Webex nothing heavy loads: the page shows
// how to reach the app through the invitation link. Inside, the Webex SDK is loaded, its onReady() is raced with a
// 2-second timeout (it never settles outside a Webex client), and the meeting it reports is mapped to the consultation.
import { insideWebexHost } from './webex-detect.ts';
import { openMeeting, show, within } from './entry.ts';

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
  if (!meeting?.id) return show('unknown');
  const opened = await openMeeting({ meetingId: meeting.id });
  if (!opened?.url || !opened.shareUrl) return;
  const { url, shareUrl } = opened;
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
