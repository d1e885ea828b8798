// Entry inside a Teams meeting side panel (also for anonymous guests). The meeting id from the Teams context is
// mapped to the consultation by the server; outside Teams the page falls back to its standalone message.
import { app } from '@microsoft/teams-js';

const body = document.body;
const show = (id: string) => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-state]')) el.hidden = el.dataset.state !== id;
};
const timeout = (ms: number) => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('timeout')), ms));

async function main(): Promise<void> {
  // Teams desktop and web frame the tab; Teams mobile runs it in a web view with a native bridge.
  if (window.parent === window && !window.opener && !('nativeInterface' in window)) return show('standalone');
  try {
    await Promise.race([app.initialize(), timeout(2000)]);
  } catch {
    return show('standalone');
  }
  const context = await app.getContext();
  app.notifySuccess();
  const meetingId = context.meeting?.id ?? '';
  const chatId = context.chat?.id ?? '';
  if (!meetingId && !chatId) return show('unknown');
  const res = await fetch(body.dataset.open!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ meetingId, chatId, tenantId: context.user?.tenant?.id ?? '', lang: context.app.locale?.toLowerCase().startsWith('ja') === false ? 'en' : 'ja' }),
  });
  if (!res.ok) return show('unknown');
  const answer = (await res.json()) as { url?: string; staff?: boolean };
  if (answer.staff || !answer.url) return show('host');
  location.replace(answer.url);
}

void main().catch(() => show('standalone'));
