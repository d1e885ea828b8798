// The conferencing port: one small interface every provider (dryrun, webex, teams) implements.

export type ProviderKind = 'dryrun';

/** What a provider needs to schedule one consultation's meeting on the host account. */
export interface MeetingRequest {
  readonly consultationId: string;
  /** Japanese title shown in the meeting client. */
  readonly title: string;
  readonly start: number;
  readonly end: number;
  /** The host account's identity at the provider (email or user id). */
  readonly hostAccount: string;
  readonly invitee: { readonly name: string; readonly email: string };
}

export interface DialIn {
  readonly label: string;
  readonly number: string;
}

/** A meeting as the provider created it. */
export interface Meeting {
  readonly provider: ProviderKind;
  readonly providerMeetingId: string;
  /** Digits only; shown grouped as 123 456 789. */
  readonly meetingNumber: string;
  readonly password: string;
  readonly joinUrl: string;
  readonly dialIn: ReadonlyArray<DialIn>;
  /** Video-system (SIP) address, or ''. */
  readonly sipAddress: string;
}

export interface ConferencingProvider {
  readonly kind: ProviderKind;
  createMeeting(request: MeetingRequest): Promise<Meeting>;
  updateMeeting(meeting: Meeting, request: MeetingRequest): Promise<Meeting>;
  deleteMeeting(meeting: Meeting): Promise<void>;
}
