// The admin page's one script (no inline script anywhere: the CSP allows only our own files). Each part starts only
// where its page has the element it works on; every page works without it.

/** Email template editor: re-renders the preview as the admin types (debounced). */
function livePreview(form: HTMLFormElement): void {
  const url = form.dataset.previewUrl;
  const csrf = form.dataset.csrf;
  if (!url || !csrf) return;
  const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const update = async () => {
    const mine = ++seq;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ subject: field('subject'), text: field('text'), html: field('html') }),
    });
    if (!res.ok || mine !== seq) return;
    const p = (await res.json()) as { problems: string; subject: string; text: string; html: string };
    const set = (id: string, text: string) => {
      const el = document.getElementById(id);
      if (el) el.textContent = text;
    };
    set('preview-problems', p.problems);
    set('preview-subject', p.subject);
    set('preview-text', p.text);
    const frame = document.getElementById('preview-html') as HTMLIFrameElement | null;
    if (frame) frame.srcdoc = p.html;
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update(), 300);
  });
}

/** Staff console: the conversation and the department feeds refresh every 2 seconds (not while a card is in use). */
function liveConsole(chat: HTMLElement): void {
  const url = chat.dataset.feedUrl;
  if (!url) return;
  const departments = document.getElementById('departments');
  const refresh = async () => {
    const res = await fetch(url);
    if (!res.ok) return;
    const f = (await res.json()) as { chat: string; departments: string };
    const active = document.activeElement;
    if (active instanceof Element && active.closest('.card')) return;
    chat.innerHTML = f.chat;
    if (departments) departments.innerHTML = f.departments;
  };
  setInterval(() => void refresh(), 2000);
  chat.scrollTop = chat.scrollHeight;
  (document.getElementById('say') as HTMLInputElement | null)?.focus();
}

const form = document.getElementById('template-form');
if (form instanceof HTMLFormElement) livePreview(form);
const chat = document.getElementById('chat');
if (chat) liveConsole(chat);
