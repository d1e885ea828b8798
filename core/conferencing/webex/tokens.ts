// Webex access tokens: a fixed one for a quick start, or refreshed from a Service App / integration refresh token,
// kept sealed in the store and renewed before it expires.
import { z } from 'zod';
import type { SecretStore } from '../../secrets.ts';
import { sha256 } from '../../ids.ts';
import { ProviderError } from '../types.ts';
import type { TokenSource } from './client.ts';
import { WebexTokenResponse } from './schemas.ts';

export function fixedToken(accessToken: string): TokenSource {
  return {
    get: async () => accessToken,
    refresh: async () => {
      throw new ProviderError(
        'webex',
        'Webex refused WEBEX_ACCESS_TOKEN (401). A personal access token lasts 12 hours and cannot be renewed: set a new one, or use a Service App (WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET, WEBEX_REFRESH_TOKEN). / アクセストークンが拒否されました。',
        { status: 401, retryable: false },
      );
    },
  };
}

const Stored = z.object({
  accessToken: z.string(),
  expiresAt: z.number(),
  refreshToken: z.string(),
  /** sha256 of the WEBEX_REFRESH_TOKEN these came from: a new one in the configuration starts afresh. */
  seed: z.string(),
});

export interface RefreshingTokenOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly secrets: SecretStore;
  readonly clock?: () => number;
  readonly fetch?: typeof fetch;
  /** Renew this long before expiry. */
  readonly marginMs?: number;
}

const SECRET_NAME = 'webex.tokens';

export function refreshingToken(o: RefreshingTokenOptions): TokenSource {
  const clock = o.clock ?? Date.now;
  const doFetch = o.fetch ?? fetch;
  const margin = o.marginMs ?? 10 * 60_000;
  const seed = sha256(o.refreshToken);
  let current: z.infer<typeof Stored> | null = null;
  let inFlight: Promise<string> | null = null;

  const load = async () => {
    if (current) return current;
    const raw = await o.secrets.get(SECRET_NAME);
    const stored = raw ? Stored.safeParse(JSON.parse(raw)) : null;
    current = stored?.success && stored.data.seed === seed ? stored.data : null;
    return current;
  };

  const renew = async (): Promise<string> => {
    const refreshToken = (await load())?.refreshToken ?? o.refreshToken;
    const res = await doFetch(`${o.baseUrl}/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: o.clientId, client_secret: o.clientSecret, refresh_token: refreshToken }),
      signal: AbortSignal.timeout(20_000),
    });
    if (!res.ok) {
      const text = await res.text();
      throw new ProviderError(
        'webex',
        `Webex refused to renew the access token (${res.status}): ${text.slice(0, 200)}. Check WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET and WEBEX_REFRESH_TOKEN. / アクセストークンを更新できません。`,
        {
          status: res.status,
          retryable: res.status >= 500 || res.status === 429,
        },
      );
    }
    const body = WebexTokenResponse.parse(await res.json());
    current = { accessToken: body.access_token, expiresAt: clock() + body.expires_in * 1000, refreshToken: body.refresh_token ?? refreshToken, seed };
    await o.secrets.put(SECRET_NAME, JSON.stringify(current));
    return current.accessToken;
  };

  const refresh = () => {
    inFlight ??= renew().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  return {
    async get() {
      const c = await load();
      if (c && c.expiresAt - margin > clock()) return c.accessToken;
      return refresh();
    },
    refresh,
  };
}
