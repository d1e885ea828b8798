// Teams provider (Microsoft Graph): an online meeting on the dedicated host account, created idempotently by externalId,
// with the lobby for everyone not invited and no automatic recording.
import { Client, GraphError, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { z } from 'zod';
import type { TeamsConfig } from '../../config.ts';
import type { ConferencingProvider, Meeting, MeetingRequest } from '../types.ts';
import { ProviderError } from '../types.ts';

/** @link https://learn.microsoft.com/graph/api/resources/onlinemeeting */
export const GraphOnlineMeeting = z.object({
  id: z.string().min(1),
  joinWebUrl: z.string().min(1),
  externalId: z.string().nullish(),
  startDateTime: z.string().nullish(),
  endDateTime: z.string().nullish(),
  joinMeetingIdSettings: z.object({ joinMeetingId: z.string().nullish(), passcode: z.string().nullish(), isPasscodeRequired: z.boolean().nullish() }).nullish(),
  audioConferencing: z
    .object({ conferenceId: z.string().nullish(), tollNumber: z.string().nullish(), tollFreeNumber: z.string().nullish(), dialinUrl: z.string().nullish() })
    .nullish(),
});
export type GraphOnlineMeeting = z.infer<typeof GraphOnlineMeeting>;

// Teams makes the passcode itself (joinMeetingIdSettings is read-only), so MEETING_PASSWORD_* do not apply here.

/** Where Graph access tokens come from (MSAL client credentials in production; a fake in tests). */
export interface GraphTokenSource {
  get(): Promise<string>;
}

export function msalTokenSource(config: TeamsConfig): GraphTokenSource {
  const cca = new ConfidentialClientApplication({
    auth: { clientId: config.clientId, clientSecret: config.clientSecret, authority: `${config.authorityHost}/${config.tenantId}` },
  });
  const scope = `${config.graphBaseUrl}/.default`;
  return {
    async get() {
      // MSAL keeps the token in memory and renews it when it nears expiry.
      let result: Awaited<ReturnType<typeof cca.acquireTokenByClientCredential>>;
      try {
        result = await cca.acquireTokenByClientCredential({ scopes: [scope] });
      } catch (error) {
        const e = error as { errorCode?: string; message?: string };
        // Wrong tenant, app id or secret: a person must fix the configuration. Anything else (network) may pass.
        const refused =
          ['invalid_client', 'unauthorized_client', 'invalid_request', 'invalid_tenant'].includes(e.errorCode ?? '') ||
          /AADSTS(7000215|700016|90002|7000222)/.test(e.message ?? '');
        throw new ProviderError(
          'teams',
          `Microsoft Entra refused the sign-in (${e.errorCode ?? 'error'}): ${(e.message ?? '').split('\n')[0]}. Check TEAMS_TENANT_ID, TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET. / サインインできません。`,
          { retryable: !refused, cause: error },
        );
      }
      if (!result?.accessToken) {
        throw new ProviderError(
          'teams',
          'Microsoft Entra gave no access token; check TEAMS_TENANT_ID, TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET. / アクセストークンを取得できません。',
          { retryable: false },
        );
      }
      return result.accessToken;
    },
  };
}

export interface TeamsDeps {
  readonly config: TeamsConfig;
  readonly tokens: GraphTokenSource;
  /** Graph's RetryHandler: seconds to wait when no Retry-After is given, and how many retries (429/503/504). */
  readonly retry?: { readonly delaySeconds: number; readonly maxRetries: number };
}

function toMeeting(m: GraphOnlineMeeting): Meeting {
  const audio = m.audioConferencing;
  const dialIn = [
    ...(audio?.tollNumber ? [{ label: '電話で参加 / Toll', number: audio.tollNumber }] : []),
    ...(audio?.tollFreeNumber ? [{ label: '電話で参加（フリーダイヤル） / Toll-free', number: audio.tollFreeNumber }] : []),
  ];
  return {
    provider: 'teams',
    providerMeetingId: m.id,
    meetingNumber: (m.joinMeetingIdSettings?.joinMeetingId ?? '').replace(/\D/g, ''),
    password: m.joinMeetingIdSettings?.passcode ?? '',
    joinUrl: m.joinWebUrl,
    dialIn,
    sipAddress: '',
  };
}

function providerError(error: unknown, what: string): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof GraphError) {
    const status = error.statusCode;
    const retryable = status === -1 || status === 429 || status >= 500;
    const hint =
      status === 403 || error.code === 'Unauthorized'
        ? ' — the app needs OnlineMeetings.ReadWrite.All and an application access policy for the host account (see README) / アプリの権限とアプリケーションアクセスポリシーを確認してください'
        : '';
    return new ProviderError(
      'teams',
      `Microsoft Graph ${status} ${error.code ?? ''} while ${what}: ${error.message}${error.requestId ? ` (request-id ${error.requestId})` : ''}${hint}`,
      {
        status: status === -1 ? null : status,
        retryable,
        trackingId: error.requestId ?? '',
        cause: error,
      },
    );
  }
  return new ProviderError('teams', `Microsoft Graph failed while ${what}: ${(error as Error)?.message ?? String(error)}`, { retryable: true, cause: error });
}

export function createTeamsProvider(deps: TeamsDeps): ConferencingProvider {
  const { config } = deps;
  // The SDK turns a token failure into a GraphError -1; the original error says whether retrying can help.
  let tokenError: ProviderError | null = null;
  const authProvider: AuthenticationProvider = {
    getAccessToken: async () => {
      try {
        const token = await deps.tokens.get();
        tokenError = null;
        return token;
      } catch (error) {
        tokenError =
          error instanceof ProviderError ? error : new ProviderError('teams', `no Graph token: ${(error as Error).message}`, { retryable: true, cause: error });
        throw error;
      }
    },
  };
  const graphHost = new URL(config.graphBaseUrl).host;
  const client = Client.initWithMiddleware({
    authProvider,
    baseUrl: `${config.graphBaseUrl}/`,
    defaultVersion: 'v1.0',
    // The SDK attaches the token only to hosts it knows; a national cloud or a stand-in is named here.
    customHosts: new Set([graphHost]),
    fetchOptions: { headers: { 'Accept-Language': 'ja' } },
  });
  const retry = () => [new RetryHandlerOptions(deps.retry?.delaySeconds ?? 3, deps.retry?.maxRetries ?? 5)];
  const user = (account: string) => `/users/${encodeURIComponent(account)}/onlineMeetings`;
  // 'invited' is one of Graph's newer enum members: the Prefer header lets it be read (and written) as itself.
  const prefer = 'include-unknown-enum-members';

  const call = async (what: string, run: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await run();
    } catch (error) {
      if (tokenError && error instanceof GraphError && error.statusCode === -1) throw tokenError;
      throw providerError(error, what);
    }
  };

  const parse = (what: string, body: unknown): GraphOnlineMeeting => {
    const r = GraphOnlineMeeting.safeParse(body);
    if (!r.success)
      throw new ProviderError(
        'teams',
        `Microsoft Graph gave an unexpected answer while ${what}: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`,
        { retryable: false },
      );
    return r.data;
  };

  const times = (r: MeetingRequest) => ({ startDateTime: new Date(r.start).toISOString(), endDateTime: new Date(r.end).toISOString() });

  return {
    kind: 'teams',

    async createMeeting(r) {
      // Idempotent by design: the same externalId on the same host returns the meeting made before.
      const created = parse(
        'creating the meeting',
        await call('creating the meeting', () =>
          client
            .api(`${user(r.hostAccount)}/createOrGet`)
            .header('Prefer', prefer)
            .middlewareOptions(retry())
            .post({
              externalId: r.consultationId,
              subject: r.title,
              ...times(r),
              ...(r.invitee ? { participants: { attendees: [{ upn: r.invitee.email, role: 'attendee' }] } } : {}),
            }),
        ),
      );
      // Settings createOrGet cannot take, and the time in case an earlier meeting was found under this externalId.
      const settled = parse(
        'setting up the meeting',
        await call('setting up the meeting', () =>
          client
            .api(`${user(r.hostAccount)}/${encodeURIComponent(created.id)}`)
            .header('Prefer', prefer)
            .middlewareOptions(retry())
            .patch({
              ...times(r),
              // A walk-in has no guest: the citizen sits at the organiser's own device, and city staff come in directly.
              lobbyBypassSettings: { scope: r.invitee ? 'invited' : 'organization', isDialInBypassEnabled: false },
              allowedPresenters: 'organizer',
              recordAutomatically: false,
              isEntryExitAnnounced: true,
            }),
        ),
      );
      return toMeeting({
        ...settled,
        joinMeetingIdSettings: settled.joinMeetingIdSettings ?? created.joinMeetingIdSettings,
        audioConferencing: settled.audioConferencing ?? created.audioConferencing,
      });
    },

    async updateMeeting(meeting, r) {
      const updated = parse(
        'moving the meeting',
        await call('moving the meeting', () =>
          client
            .api(`${user(r.hostAccount)}/${encodeURIComponent(meeting.providerMeetingId)}`)
            .header('Prefer', prefer)
            .middlewareOptions(retry())
            .patch({ ...times(r), subject: r.title }),
        ),
      );
      const next = toMeeting(updated);
      return {
        ...next,
        meetingNumber: next.meetingNumber || meeting.meetingNumber,
        password: next.password || meeting.password,
        dialIn: next.dialIn.length > 0 ? next.dialIn : meeting.dialIn,
      };
    },

    async deleteMeeting(meeting, hostAccount) {
      try {
        await client
          .api(`${user(hostAccount)}/${encodeURIComponent(meeting.providerMeetingId)}`)
          .middlewareOptions(retry())
          .delete();
      } catch (error) {
        // Already gone is the outcome asked for.
        if (error instanceof GraphError && error.statusCode === 404) return;
        if (tokenError && error instanceof GraphError && error.statusCode === -1) throw tokenError;
        throw providerError(error, 'deleting the meeting');
      }
    },
  };
}
