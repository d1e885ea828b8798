// Conferencing providers: the port, and the registry from a host's provider kind to its adapter (null when not configured).
import type { Config } from '../config.ts';
import type { IdSource, RandomBytes } from '../ids.ts';
import type { SecretStore } from '../secrets.ts';
import type { ConferencingProvider, ProviderKind } from './types.ts';
import { createDryRunProvider } from './dryrun/index.ts';
import type { CheckLine } from './check.ts';
import { failed, pass } from './check.ts';

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

/**
 * Each kind's adapter, made when it is configured. A provider's code (and its libraries: MSAL and the Graph client for
 * Teams) is loaded only then, so a server without it starts without paying for it.
 */
export const providerFactories: Record<ProviderKind, (deps: ProviderDeps) => Promise<ConferencingProvider | null>> = {
  dryrun: async (d) => createDryRunProvider({ ids: d.ids, publicBaseUrl: d.config.publicBaseUrl, meetings: d.config.meetings, random: d.random }),
  webex: async (d) => {
    const w = d.config.webex;
    if (!w) return null;
    const { createWebexProvider, fixedToken, refreshingToken } = await import('./webex/index.ts');
    const tokens =
      w.credentials.kind === 'access_token'
        ? fixedToken(w.credentials.accessToken)
        : refreshingToken({ baseUrl: w.apiBaseUrl, ...w.credentials, secrets: d.secrets!, clock: d.clock });
    return createWebexProvider({ config: w, meetings: d.config.meetings, tokens, random: d.random, clock: d.clock });
  },
  teams: async (d) => {
    const t = d.config.teams;
    if (!t) return null;
    const { createTeamsProvider, msalTokenSource } = await import('./teams/index.ts');
    return createTeamsProvider({ config: t, tokens: msalTokenSource(t) });
  },
};

export const PROVIDER_KINDS = Object.keys(providerFactories) as ProviderKind[];

/** The providers this configuration can use. */
export async function createProviders(deps: ProviderDeps): Promise<Partial<Record<ProviderKind, ConferencingProvider>>> {
  const out: Partial<Record<ProviderKind, ConferencingProvider>> = {};
  for (const kind of PROVIDER_KINDS) {
    const provider = await providerFactories[kind](deps);
    if (provider) out[kind] = provider;
  }
  return out;
}

/**
 * `npm run check:webex` / `check:teams` for one host account (the admin page checks each device's account): is the
 * token accepted, may it schedule on that account, can it read its meetings. A dry-run host needs nothing.
 */
export async function checkAccount(
  deps: Pick<ProviderDeps, 'config' | 'secrets' | 'clock'>,
  kind: ProviderKind,
  account: string,
): Promise<ReadonlyArray<CheckLine>> {
  if (kind === 'dryrun') return [pass('試行用の端末です。確かめる設定はありません。', 'A dry-run device: nothing to check.')];
  if (kind === 'webex') {
    const w = deps.config.webex;
    if (!w) return [failed('Webex の設定がありません（.env の WEBEX_…）。', 'Webex is not configured (WEBEX_… in .env).')];
    const { checkWebex } = await import('./webex/check.ts');
    const { fixedToken, refreshingToken } = await import('./webex/index.ts');
    if (w.credentials.kind !== 'access_token' && !deps.secrets) return [failed('SECRET_KEY がありません。', 'SECRET_KEY is missing.')];
    const tokens =
      w.credentials.kind === 'access_token'
        ? fixedToken(w.credentials.accessToken)
        : refreshingToken({ baseUrl: w.apiBaseUrl, ...w.credentials, secrets: deps.secrets!, clock: deps.clock });
    return checkWebex({ ...w, hostEmail: account }, tokens);
  }
  const t = deps.config.teams;
  if (!t) return [failed('Teams の設定がありません（.env の TEAMS_…）。', 'Teams is not configured (TEAMS_… in .env).')];
  const { checkTeams } = await import('./teams/check.ts');
  const { msalTokenSource } = await import('./teams/index.ts');
  return checkTeams({ ...t, hostUserId: account }, msalTokenSource(t));
}
