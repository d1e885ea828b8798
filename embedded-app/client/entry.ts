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
  /** Someone the server takes for staff (no citizen link for them). */
  readonly staff?: boolean;
}

/** POSTs the meeting to the page's data-open address; on a refusal shows 'not-now' or 'unknown' and returns null. */
export async function openMeeting(meeting: Record<string, string>): Promise<Opened | null> {
  const res = await fetch(document.body.dataset.open!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ lang: document.documentElement.lang, ...meeting }),
  });
  if (res.ok) return (await res.json()) as Opened;
  const refusal = (await res.json().catch(() => ({}))) as { reason?: string };
  show(refusal.reason === 'not_now' ? 'not-now' : 'unknown');
  return null;
}
