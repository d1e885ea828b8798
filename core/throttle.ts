// Throttling of guesses: failed admin sign-ins (per account and per address), failed bearer tokens and forged link
// tokens (per address). Counted by rate-limiter-flexible: in the PostgreSQL store when there is one (so that every
// instance counts together), in memory on SQLite (one instance). Only failures count; a person who gets it right is
// never slowed.
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Store } from './store/db.ts';

export interface Throttle {
  /**
   * Counts a try before it is checked (so that a burst of tries at once cannot slip past the count). Returns how long
   * the key must wait when it has no tries left (then the try is refused), 0 to go ahead.
   */
  attempt(key: string): Promise<number>;
  /** The try succeeded: with `reset` the key's count starts again (an account), otherwise the try is given back (an address). */
  succeeded(key: string, reset?: boolean): Promise<void>;
  /** Milliseconds before this key may try again (without counting a try); 0 to go ahead. */
  wait(key: string): Promise<number>;
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
    async attempt(key) {
      try {
        await limiter.consume(key);
        return 0;
      } catch (error) {
        // No tries left: the store says how long the key is blocked.
        if (isRes(error)) return Math.max(1, error.msBeforeNext);
        throw error;
      }
    },
    async succeeded(key, reset = false) {
      if (reset) await limiter.delete(key);
      else await limiter.reward(key, 1);
    },
    async wait(key) {
      const res = await limiter.get(key);
      return res && res.consumedPoints > rule.failures ? Math.max(1, res.msBeforeNext) : 0;
    },
  };
}

/** The throttles of this instance; shared through the database on PostgreSQL. */
export function createThrottles(store: Pick<Store, 'pgPool'>): Throttles {
  const make = (rule: Rule): Throttle => {
    // Past the limit the key is blocked for the rule's wait (rate-limiter-flexible's blockDuration).
    const opts = { keyPrefix: rule.name, points: rule.failures, duration: rule.perSeconds, blockDuration: rule.waitSeconds };
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
  const none: Throttle = { attempt: async () => 0, succeeded: async () => undefined, wait: async () => 0 };
  return { signInAccount: none, signInAddress: none, bearer: none, link: none };
})();
