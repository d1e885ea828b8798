// Dry-run provider: meetings made locally, so a fresh clone books consultations end to end without any cloud account.
import type { ConferencingProvider, Meeting, MeetingRequest } from '../types.ts';
import { generatePassword } from '../types.ts';
import type { IdSource } from '../../ids.ts';

export interface DryRunDeps {
  readonly ids: IdSource;
  /** Where the server is reached; the join link opens a page that says plainly this is a dry run. */
  readonly publicBaseUrl: string;
  /** The city's password rules (MEETING_PASSWORD_STYLE, MEETING_PASSWORD_LENGTH), as a real meeting would have them. */
  readonly meetings?: { readonly passwordStyle: 'digits' | 'letters-digits' | 'provider'; readonly passwordLength: number };
  readonly random?: (size: number) => Buffer;
}

export function createDryRunProvider(deps: DryRunDeps): ConferencingProvider {
  const meetings = (id: string) => `${deps.publicBaseUrl}/dry-run/meetings/${id}`;
  return {
    kind: 'dryrun',
    async createMeeting(request: MeetingRequest): Promise<Meeting> {
      const providerMeetingId = `dryrun-${request.consultationId}`;
      return {
        provider: 'dryrun',
        providerMeetingId,
        meetingNumber: `9${deps.ids.digits(8)}`,
        // The city's rules, as a real meeting would have them ('provider': what Webex would choose, 8 digits here).
        password:
          deps.meetings && deps.random && deps.meetings.passwordStyle !== 'provider'
            ? generatePassword(deps.meetings.passwordStyle, deps.meetings.passwordLength, deps.random)
            : deps.ids.digits(deps.meetings?.passwordLength ?? 6),
        joinUrl: meetings(providerMeetingId),
        dialIn: [],
        sipAddress: '',
      };
    },
    async updateMeeting(meeting: Meeting): Promise<Meeting> {
      return meeting;
    },
    async deleteMeeting(): Promise<void> {
      // Nothing exists outside this server; the meeting row is removed with the cancellation.
    },
  };
}
