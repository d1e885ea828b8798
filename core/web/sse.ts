// Server-sent events for a page (a consultation's in-meeting app, a counter, a board): the state now, again after each change (from any instance), and every
// 30 seconds (keeps proxies from closing the stream and moves the "minutes waited" on). Changes that come in a burst
// are sent once.
import type express from 'express';
import type { AppEvents } from '../events.ts';

export const SSE_REFRESH_MS = 30_000;

/**
 * `validUntil` (ms, by `clock`): when the link behind the stream expires, the page is told ('gone') and the stream ends,
 * so a page left open does not outlive its link.
 */
export function sendEvents(
  req: express.Request,
  res: express.Response,
  events: AppEvents | undefined,
  /** What the page shows depends on: a consultation's id, or RELAYS_EVENT for every relay. */
  keys: string | ReadonlyArray<string>,
  state: () => Promise<string>,
  limits: { validUntil: number; clock: () => number },
): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  // A HEAD has no body to stream: the headers say what it would be, and the answer ends (nothing is left open).
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.write('retry: 3000\n\n');
  let closed = false;
  let running = false;
  let again = false;
  const push = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    if (limits.clock() > limits.validUntil) {
      closed = true;
      res.end('event: gone\ndata: {}\n\n');
      return;
    }
    running = true;
    try {
      const data = await state();
      if (!closed) res.write(`event: state\ndata: ${data}\n\n`);
    } catch {
      // The next change or refresh tries again.
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      await push();
    }
  };
  const offs = (typeof keys === 'string' ? [keys] : keys).map((k) => events?.subscribe(k, () => void push()));
  const timer = setInterval(() => void push(), SSE_REFRESH_MS);
  req.on('close', () => {
    closed = true;
    clearInterval(timer);
    for (const off of offs) off?.();
  });
  void push();
}
