// Entry inside a Teams meeting side panel (also for anonymous guests). The meeting id from the Teams context is
// mapped to the consultation by the server; outside Teams the page falls back to its standalone message.
import { app, meeting } from '@microsoft/teams-js';
import { openMeeting, show, within } from './entry.ts';

async function main(): Promise<void> {
  // Teams desktop and web frame the tab; Teams mobile runs it in a web view with a native bridge.
  if (window.parent === window && !window.opener && !('nativeInterface' in window)) return show('standalone');
  try {
    await within(app.initialize(), 2000);
  } catch {
    return show('standalone');
  }
  const context = await app.getContext();
  app.notifySuccess();
  const meetingId = context.meeting?.id ?? '';
  const chatId = context.chat?.id ?? '';
  if (!meetingId && !chatId) return show('unknown');
  // Shared to the stage by staff: the URL carries the consultation (anonymous guests see meeting apps only there).
  const stage = new URLSearchParams(location.search).get('stage') ?? '';
  const opened = await openMeeting({
    meetingId,
    chatId,
    tenantId: context.user?.tenant?.id ?? '',
    lang: context.app.locale?.toLowerCase().startsWith('ja') === false ? 'en' : 'ja',
    ...(stage ? { stage } : {}),
  });
  if (!opened.ok) return show(opened.reason);
  const { staff, url, stageUrl } = opened.value;
  if (staff && context.page.frameContext === 'meetingStage') return show('stage-staff');
  if (staff || !url) {
    show('host');
    if (stageUrl) offerStage(stageUrl);
    return;
  }
  location.replace(url);
}

/** Staff's side panel: one button shares the citizen's steps to the meeting stage, where a guest sees them. */
function offerStage(stageUrl: string): void {
  const button = document.getElementById('share-stage') as HTMLButtonElement;
  const said = document.getElementById('share-stage-status')!;
  const ja = document.documentElement.lang !== 'en';
  button.hidden = false;
  button.addEventListener('click', () => {
    said.textContent = ja ? '共有しています…' : 'Sharing…';
    meeting.shareAppContentToStage((error) => {
      said.textContent = error
        ? ja
          ? '共有できませんでした。発表者か開催者として参加しているか、確かめてください。'
          : 'Could not share: check that you are a presenter or the organizer.'
        : ja
          ? '相談者の画面（ステージ）に案内を表示しました。'
          : 'The guide is on the meeting stage for the citizen.';
    }, stageUrl);
  });
}

void main().catch(() => show('standalone'));
