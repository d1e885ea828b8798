// Conferencing providers: the port, and the registry from a host's provider kind to its adapter.
import type { ConferencingProvider, ProviderKind } from './types.ts';
import { createDryRunProvider } from './dryrun/index.ts';
import type { DryRunDeps } from './dryrun/index.ts';

export type { ConferencingProvider, ProviderKind, Meeting, MeetingRequest, DialIn } from './types.ts';

export type ProviderDeps = DryRunDeps;

export const providerFactories: Record<ProviderKind, (deps: ProviderDeps) => ConferencingProvider> = {
  dryrun: createDryRunProvider,
};

export const PROVIDER_KINDS = Object.keys(providerFactories) as ProviderKind[];

export function createProviders(deps: ProviderDeps): Record<ProviderKind, ConferencingProvider> {
  return Object.fromEntries(PROVIDER_KINDS.map((k) => [k, providerFactories[k](deps)])) as Record<ProviderKind, ConferencingProvider>;
}
