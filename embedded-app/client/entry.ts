// What the Webex and Teams entry pages share: showing one of their states, a time limit, and asking the server which
// consultation this meeting is (and saying why not when it cannot be opened).
export const show = (state: string): void => {
  for (const el of document.querySelectorAll<HTMLElement>('[data-state]')) el.hidden = el.dataset.state !== state;
};

/** Rejects when `ms` pass first. */
export const within = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([promise, new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

export interface Opened {
  readonly url?: string;
  readonly shareUrl?: string;
  /** Teams staff: the citizen's steps, to share to the meeting stage. */
  readonly stageUrl?: string;
  /** Someone the server takes for staff (no citizen link for them). */
  readonly staff?: boolean;
}

export type Refusal = 'not-now' | 'unknown';

/** POSTs JSON to one of our addresses: the answer, or why not ('not-now' outside the meeting's time, else 'unknown'). */
export async function post<T>(
  address: string,
  body: Record<string, string>,
): Promise<{ ok: true; value: T } | { ok: false; reason: Refusal; message: string }> {
  const res = await fetch(address, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ lang: document.documentElement.lang, ...body }),
  });
  if (res.ok) return { ok: true, value: (await res.json()) as T };
  const refusal = (await res.json().catch(() => ({}))) as { reason?: string; detail_ja?: string; detail?: string };
  const message = (document.documentElement.lang === 'en' ? refusal.detail : refusal.detail_ja) ?? '';
  return { ok: false, reason: refusal.reason === 'not_now' ? 'not-now' : 'unknown', message };
}

/** POSTs the meeting to the page's data-open address. */
export const openMeeting = (meeting: Record<string, string>) => post<Opened>(document.body.dataset.open!, meeting);
