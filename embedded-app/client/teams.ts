// Entry inside a Teams meeting side panel (also for anonymous guests). The meeting id from the Teams context is
// mapped to the consultation by the server; outside Teams the page falls back to its standalone message.
import { app } from '@microsoft/teams-js';
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
  const opened = await openMeeting({
    meetingId,
    chatId,
    tenantId: context.user?.tenant?.id ?? '',
    lang: context.app.locale?.toLowerCase().startsWith('ja') === false ? 'en' : 'ja',
  });
  if (!opened) return;
  if (opened.staff || !opened.url) return show('host');
  location.replace(opened.url);
}

void main().catch(() => show('standalone'));
