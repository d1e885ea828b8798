// Webex provider: the consultation's meeting on its host's dedicated account, password-protected, invited citizen only,
// never created twice (found again by its integration tag).
import type { WebexConfig } from '../../config.ts';
import type { ConferencingProvider, Meeting, MeetingRequest } from '../types.ts';
import { generatePassword } from '../types.ts';
import { createWebexClient } from './client.ts';
import type { TokenSource, WebexClientOptions } from './client.ts';
import { WebexMeeting, WebexMeetingList, WebexPerson } from './schemas.ts';
import { toCityIso, DAY_MS } from '../../time.ts';

export { fixedToken, refreshingToken } from './tokens.ts';
export type { TokenSource, WebexClient } from './client.ts';
export { createWebexClient } from './client.ts';

export interface WebexDeps {
  readonly config: WebexConfig;
  readonly meetings: { readonly passwordStyle: 'digits' | 'letters-digits' | 'provider'; readonly passwordLength: number };
  readonly tokens: TokenSource;
  readonly random: (size: number) => Buffer;
  readonly clock?: () => number;
  readonly client?: Partial<Omit<WebexClientOptions, 'baseUrl' | 'tokens'>>;
}

export const integrationTag = (consultationId: string) => `madoguchi:${consultationId}`;

function toMeeting(m: WebexMeeting): Meeting {
  return {
    provider: 'webex',
    providerMeetingId: m.id,
    meetingNumber: m.meetingNumber.replace(/\D/g, ''),
    password: m.password,
    joinUrl: m.webLink,
    dialIn: (m.telephony?.callInNumbers ?? []).map((n) => ({ label: n.label, number: n.callInNumber })),
    sipAddress: m.sipAddress,
  };
}

export function createWebexProvider(deps: WebexDeps): ConferencingProvider {
  const { config } = deps;
  const clock = deps.clock ?? Date.now;
  const client = createWebexClient({ baseUrl: config.apiBaseUrl, tokens: deps.tokens, ...deps.client });
  let me: Promise<ReadonlyArray<string>> | null = null;

  /**
   * hostEmail is sent only when the token is not the host account's own (a Service App or admin scheduling for it).
   * Each host row names its own account, so several dedicated accounts can be served by one Service App.
   */
  const hostEmail = async (account: string): Promise<string | undefined> => {
    me ??= client.request('GET', '/people/me', { schema: WebexPerson }).then(
      ({ data }) => data.emails.map((e) => e.toLowerCase()),
      (error: unknown) => {
        me = null;
        throw error;
      },
    );
    return (await me).includes(account.toLowerCase()) ? undefined : account;
  };

  const times = (r: MeetingRequest) => ({ start: toCityIso(r.start), end: toCityIso(r.end), timezone: 'Asia/Tokyo' });

  const settings = () => ({
    unlockedMeetingJoinSecurity: config.joinSecurity,
    enabledJoinBeforeHost: false,
    enableAutomaticLock: config.automaticLockMinutes > 0,
    ...(config.automaticLockMinutes > 0 ? { automaticLockMinutes: config.automaticLockMinutes } : {}),
    enabledAutoRecordMeeting: false,
  });

  async function findByTag(r: MeetingRequest, email: string | undefined): Promise<WebexMeeting | null> {
    const from = Math.min(clock(), r.start) - DAY_MS;
    const { data } = await client.request('GET', '/meetings', {
      query: {
        integrationTag: integrationTag(r.consultationId),
        from: new Date(from).toISOString(),
        to: new Date(r.end + 90 * DAY_MS).toISOString(),
        hostEmail: email,
      },
      schema: WebexMeetingList,
    });
    return data.items.find((m) => m.integrationTags.includes(integrationTag(r.consultationId))) ?? null;
  }

  async function patch(id: string, r: MeetingRequest, email: string | undefined): Promise<WebexMeeting> {
    const { data } = await client.request('PATCH', `/meetings/${encodeURIComponent(id)}`, {
      // The official OpenAPI document declares this media type for PATCH /meetings/{meetingId}.
      contentType: 'application/json-patch+json',
      body: { title: r.title, ...times(r), sendEmail: false, ...(email ? { hostEmail: email } : {}) },
      schema: WebexMeeting,
    });
    return data;
  }

  return {
    kind: 'webex',

    async createMeeting(r) {
      const email = await hostEmail(r.hostAccount);
      const existing = await findByTag(r, email);
      if (existing) {
        // Made by an earlier try whose answer was lost: adopt it, and move it if the consultation moved since.
        const same = Date.parse(existing.start) === r.start && Date.parse(existing.end) === r.end;
        return toMeeting(same ? existing : await patch(existing.id, r, email));
      }
      const password =
        deps.meetings.passwordStyle === 'provider' ? undefined : generatePassword(deps.meetings.passwordStyle, deps.meetings.passwordLength, deps.random);
      const { data } = await client.request('POST', '/meetings', {
        body: {
          title: r.title,
          ...times(r),
          ...(password ? { password } : {}),
          ...settings(),
          ...(r.invitee ? { invitees: [{ email: r.invitee.email, displayName: r.invitee.name, coHost: false }] } : {}),
          sendEmail: false,
          ...(email ? { hostEmail: email } : {}),
          integrationTags: [integrationTag(r.consultationId)],
        },
        schema: WebexMeeting,
      });
      return toMeeting(data);
    },

    async updateMeeting(meeting, r) {
      return toMeeting(await patch(meeting.providerMeetingId, r, await hostEmail(r.hostAccount)));
    },

    async deleteMeeting(meeting, hostAccount) {
      const email = await hostEmail(hostAccount);
      // 404: already gone (deleted by hand in Webex, or by an earlier try) — the outcome asked for.
      await client.request('DELETE', `/meetings/${encodeURIComponent(meeting.providerMeetingId)}`, {
        query: { sendEmail: 'false', hostEmail: email },
        schema: null,
        acceptStatus: [404],
      });
    },
  };
}
