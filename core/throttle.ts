// Throttling of guesses: failed admin sign-ins (per account and per address), failed bearer tokens and forged link
// tokens (per address). Counted by rate-limiter-flexible: in the PostgreSQL store when there is one (so that every
// instance counts together), in memory on SQLite (one instance). Only failures count; a person who gets it right is
// never slowed.
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Store } from './store/db.ts';

export interface Throttle {
  /** Milliseconds before this key may try again; 0 to go ahead. */
  wait(key: string): Promise<number>;
  /** Counts a failed attempt; the last one allowed starts the wait (the next attempt is refused). */
  failed(key: string): Promise<void>;
  /** A success clears the key's failures (for per-account keys; addresses keep theirs). */
  succeeded(key: string): Promise<void>;
}

export interface Throttles {
  /** Admin sign-in, per account (email): 10 failures in a minute, then 5 minutes' wait. */
  readonly signInAccount: Throttle;
  /** Admin sign-in (password or admin token), per address: 30 failures in 15 minutes, then 15 minutes' wait. */
  readonly signInAddress: Throttle;
  /** Bearer tokens on /api/v1, per address: 20 failures in a minute, then 5 minutes' wait. */
  readonly bearer: Throttle;
  /** Forged or malformed link tokens (/app), per address: 30 failures in a minute, then 5 minutes' wait. */
  readonly link: Throttle;
}

interface Rule {
  readonly name: string;
  readonly failures: number;
  readonly perSeconds: number;
  readonly waitSeconds: number;
}

const RULES: Record<keyof Throttles, Rule> = {
  signInAccount: { name: 'signin-account', failures: 10, perSeconds: 60, waitSeconds: 5 * 60 },
  signInAddress: { name: 'signin-address', failures: 30, perSeconds: 15 * 60, waitSeconds: 15 * 60 },
  bearer: { name: 'bearer', failures: 20, perSeconds: 60, waitSeconds: 5 * 60 },
  link: { name: 'link', failures: 30, perSeconds: 60, waitSeconds: 5 * 60 },
};

const isRes = (v: unknown): v is RateLimiterRes => typeof v === 'object' && v !== null && 'msBeforeNext' in v;

function throttle(limiter: RateLimiterAbstract, rule: Rule): Throttle {
  return {
    async wait(key) {
      const res = await limiter.get(key);
      return res && res.consumedPoints >= rule.failures ? Math.max(1, res.msBeforeNext) : 0;
    },
    async failed(key) {
      try {
        const res = await limiter.consume(key);
        if (res.remainingPoints === 0) await limiter.block(key, rule.waitSeconds);
      } catch (error) {
        // Already past the limit (attempts that raced the block): nothing more to count.
        if (!isRes(error)) throw error;
      }
    },
    async succeeded(key) {
      await limiter.delete(key);
    },
  };
}

/** The throttles of this instance; shared through the database on PostgreSQL. */
export function createThrottles(store: Pick<Store, 'pgPool'>): Throttles {
  const make = (rule: Rule): Throttle => {
    const opts = { keyPrefix: rule.name, points: rule.failures, duration: rule.perSeconds };
    // If the database cannot be reached, counting goes on in memory rather than failing sign-in.
    const memory = new RateLimiterMemory(opts);
    const limiter = store.pgPool
      ? new RateLimiterPostgres({
          ...opts,
          storeClient: store.pgPool,
          storeType: 'pool',
          tableName: 'rate_limits',
          tableCreated: true,
          clearExpiredByTimeout: true,
          insuranceLimiter: memory,
        })
      : memory;
    return throttle(limiter, rule);
  };
  return {
    signInAccount: make(RULES.signInAccount),
    signInAddress: make(RULES.signInAddress),
    bearer: make(RULES.bearer),
    link: make(RULES.link),
  };
}

/** Throttles that never refuse (tools that are not reachable from outside). */
export const noThrottles: Throttles = (() => {
  const none: Throttle = { wait: async () => 0, failed: async () => undefined, succeeded: async () => undefined };
  return { signInAccount: none, signInAddress: none, bearer: none, link: none };
})();
