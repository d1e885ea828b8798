// Dry-run provider: meetings made locally, so a fresh clone books consultations end to end without any cloud account.
import type { ConferencingProvider, Meeting, MeetingRequest } from '../types.ts';
import type { IdSource } from '../../ids.ts';

export interface DryRunDeps {
  readonly ids: IdSource;
  /** Where the server is reached; the join link opens a page that says plainly this is a dry run. */
  readonly publicBaseUrl: string;
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
        password: deps.ids.digits(6),
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
