// The one backoff: exponential from `baseMs`, capped at `capMs`, with jitter (full: 0…delay; half: delay/2…delay), so
// that many failing clients (requests, jobs, reconnects) spread out instead of retrying together.
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly jitter: 'full' | 'half';
}

/** Delay before try `attempt` + 1 (attempt 1 is the first retry). `random` is injected so tests can fix it. */
export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const delay = Math.min(b.capMs, b.baseMs * 2 ** Math.max(0, attempt - 1));
  return b.jitter === 'full' ? random() * delay : delay / 2 + random() * (delay / 2);
}

/** A transaction the database aborted (deadlock, lock wait): soon, and many times within the budget. */
export const DB_RETRY: Backoff = { baseMs: 20, capMs: 1_000, jitter: 'full' };
/** A job that failed: 30 s doubling to 30 minutes. */
export const JOB_RETRY: Backoff = { baseMs: 30_000, capMs: 30 * 60_000, jitter: 'half' };
/** A call to Webex that failed or was throttled: 0.5 s doubling to 30 s. */
export const HTTP_RETRY: Backoff = { baseMs: 500, capMs: 30_000, jitter: 'half' };
/** A lost database listener: 0.5 s doubling to 30 s. */
export const RECONNECT: Backoff = { baseMs: 500, capMs: 30_000, jitter: 'half' };
