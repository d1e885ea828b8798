// A small typed Webex REST client on fetch: timeout, retries with backoff for 429/5xx/network, one token refresh on 401.
import { HTTP_RETRY, backoffMs } from '../../backoff.ts';
import type { z } from 'zod';
import { ProviderError } from '../types.ts';
import { WebexErrorBody } from './schemas.ts';

/** Where the bearer token comes from; `refresh` is called once when Webex answers 401. */
export interface TokenSource {
  get(): Promise<string>;
  /** A new token, or a ProviderError when this source cannot refresh (a fixed access token). */
  refresh(): Promise<string>;
}

export interface WebexClientOptions {
  readonly baseUrl: string;
  readonly tokens: TokenSource;
  readonly fetch?: typeof fetch;
  /** Per attempt. */
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface WebexRequest<S extends z.ZodType | null> {
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Response schema; null for an empty (204) answer. */
  readonly schema: S;
  /** Statuses that are an answer, not an error (e.g. 404 on delete). */
  readonly acceptStatus?: ReadonlyArray<number>;
  /**
   * May this request be sent again after an unclear outcome (timeout, 5xx)? Default: yes, except POST.
   * A create that may have happened is not repeated here: the caller looks for it first (by its tag) on the next try.
   */
  readonly idempotent?: boolean;
}

/** What an answer holds: the parsed body, or null for a request that expects none. */
export type WebexData<S extends z.ZodType | null> = S extends z.ZodType ? z.output<S> : null;

export interface WebexClient {
  request<S extends z.ZodType | null>(method: string, path: string, req: WebexRequest<S>): Promise<{ status: number; data: WebexData<S> }>;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/** Longest wait for one Retry-After, so that a job stays well inside its lease. */
const MAX_WAIT_MS = 60_000;

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function errorFrom(res: Response): Promise<ProviderError> {
  const text = await res.text();
  let parsed: z.infer<typeof WebexErrorBody> = {};
  try {
    parsed = WebexErrorBody.parse(JSON.parse(text));
  } catch {
    // not Webex's JSON error shape; the status speaks
  }
  const detail = [parsed.message, ...(parsed.errors ?? []).map((e) => e.description)].filter(Boolean).join(' / ');
  const trackingId = parsed.trackingId ?? res.headers.get('trackingid') ?? '';
  return new ProviderError('webex', `Webex ${res.status}: ${detail || res.statusText || 'error'}${trackingId ? ` (trackingId ${trackingId})` : ''}`, {
    status: res.status,
    retryable: RETRYABLE.has(res.status),
    trackingId,
  });
}

export function createWebexClient(options: WebexClientOptions): WebexClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxRetries = options.maxRetries ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;

  return {
    async request<S extends z.ZodType | null>(method: string, path: string, req: WebexRequest<S>): Promise<{ status: number; data: WebexData<S> }> {
      const url = new URL(`${options.baseUrl}${path}`);
      for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
      let refreshed = false;
      const repeatable = req.idempotent ?? method !== 'POST';
      for (let attempt = 0; ; attempt++) {
        const token = await options.tokens.get();
        let res: Response;
        try {
          res = await doFetch(url, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(req.body === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
            },
            ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          const timedOut = (error as Error).name === 'TimeoutError';
          if (repeatable && attempt < maxRetries) {
            await sleep(Math.round(backoffMs(attempt + 1, HTTP_RETRY, random)));
            continue;
          }
          throw new ProviderError(
            'webex',
            `Webex ${method} ${url.pathname}: ${timedOut ? `no answer within ${timeoutMs} ms` : `network error (${(error as Error).message})`}`,
            {
              retryable: true,
              cause: error,
            },
          );
        }
        if (res.status === 401 && !refreshed) {
          await res.arrayBuffer();
          refreshed = true;
          await options.tokens.refresh();
          attempt--;
          continue;
        }
        // 429 means "not done": always safe to send again. 5xx may have been done: only a repeatable request is resent.
        if (RETRYABLE.has(res.status) && (repeatable || res.status === 429) && attempt < maxRetries) {
          const wait = retryAfterMs(res.headers.get('retry-after')) ?? Math.round(backoffMs(attempt + 1, HTTP_RETRY, random));
          await res.arrayBuffer();
          await sleep(Math.min(wait, MAX_WAIT_MS));
          continue;
        }
        const accepted = req.acceptStatus?.includes(res.status) ?? false;
        if (!res.ok && !accepted) throw await errorFrom(res);
        if (req.schema === null || res.status === 204 || accepted) {
          await res.arrayBuffer();
          // TypeScript cannot narrow S here: no schema (or an accepted status) means no body, as the type says.
          return { status: res.status, data: null as WebexData<S> };
        }
        const json: unknown = await res.json();
        const parsed = req.schema.safeParse(json);
        if (!parsed.success) {
          throw new ProviderError(
            'webex',
            `Webex ${method} ${url.pathname}: unexpected response (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
            {
              status: res.status,
              retryable: false,
              trackingId: res.headers.get('trackingid') ?? '',
            },
          );
        }
        return { status: res.status, data: parsed.data as WebexData<S> };
      }
    },
  };
}
