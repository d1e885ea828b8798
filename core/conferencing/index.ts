// Conferencing providers: the port, and the registry from a host's provider kind to its adapter (null when not configured).
import type { Config } from '../config.ts';
import type { IdSource, RandomBytes } from '../ids.ts';
import type { SecretStore } from '../secrets.ts';
import type { ConferencingProvider, ProviderKind } from './types.ts';
import { createDryRunProvider } from './dryrun/index.ts';
import { createWebexProvider, fixedToken, refreshingToken } from './webex/index.ts';
import { createTeamsProvider, msalTokenSource } from './teams/index.ts';

export type { ConferencingProvider, ProviderKind, Meeting, MeetingRequest, DialIn } from './types.ts';
export { ProviderError } from './types.ts';

export interface ProviderDeps {
  readonly config: Config;
  readonly ids: IdSource;
  readonly random: RandomBytes;
  /** Sealed storage for refreshed tokens; null without SECRET_KEY. */
  readonly secrets: SecretStore | null;
  readonly clock: () => number;
}

export const providerFactories: Record<ProviderKind, (deps: ProviderDeps) => ConferencingProvider | null> = {
  dryrun: (d) => createDryRunProvider({ ids: d.ids, publicBaseUrl: d.config.publicBaseUrl }),
  webex: (d) => {
    const w = d.config.webex;
    if (!w) return null;
    const tokens =
      w.credentials.kind === 'access_token'
        ? fixedToken(w.credentials.accessToken)
        : refreshingToken({ baseUrl: w.apiBaseUrl, ...w.credentials, secrets: d.secrets!, clock: d.clock });
    return createWebexProvider({ config: w, meetings: d.config.meetings, tokens, random: d.random, clock: d.clock });
  },
  teams: (d) => {
    const t = d.config.teams;
    if (!t) return null;
    return createTeamsProvider({ config: t, tokens: msalTokenSource(t) });
  },
};

export const PROVIDER_KINDS = Object.keys(providerFactories) as ProviderKind[];

/** The providers this configuration can use. */
export function createProviders(deps: ProviderDeps): Partial<Record<ProviderKind, ConferencingProvider>> {
  const out: Partial<Record<ProviderKind, ConferencingProvider>> = {};
  for (const kind of PROVIDER_KINDS) {
    const provider = providerFactories[kind](deps);
    if (provider) out[kind] = provider;
  }
  return out;
}
