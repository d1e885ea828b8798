// The conferencing port: one small interface every provider (dryrun, webex, teams) implements.

export type ProviderKind = 'dryrun' | 'webex' | 'teams';

/** What a provider needs to schedule one consultation's meeting on the host account. */
export interface MeetingRequest {
  readonly consultationId: string;
  /** Japanese title shown in the meeting client. */
  readonly title: string;
  readonly start: number;
  readonly end: number;
  /** The host account's identity at the provider (email or user id): the meeting is made on this account. */
  readonly hostAccount: string;
  /** The citizen invited by mail; null for a walk-in (the citizen is at the host's own device, nobody is invited). */
  readonly invitee: { readonly name: string; readonly email: string } | null;
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
  /** Deletes the meeting from the host account it was made on; a meeting already gone counts as deleted. */
  deleteMeeting(meeting: Meeting, hostAccount: string): Promise<void>;
}

/**
 * A provider refused or failed. `retryable` says whether trying again later can help (throttling, outages)
 * or a person must look (bad credentials, a refused setting): the meeting job gives up at once on the latter.
 */
export class ProviderError extends Error {
  readonly provider: ProviderKind;
  readonly status: number | null;
  readonly retryable: boolean;
  /** The provider's id for the request, for its support desk (Webex trackingId, Graph request-id). */
  readonly trackingId: string;
  constructor(provider: ProviderKind, message: string, options: { status?: number | null; retryable: boolean; trackingId?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.status = options.status ?? null;
    this.retryable = options.retryable;
    this.trackingId = options.trackingId ?? '';
  }
}

/** Password for a new meeting, by the city's rules: digits are easiest to type on a phone. */
export function generatePassword(style: 'digits' | 'letters-digits', length: number, random: (size: number) => Buffer): string {
  // No 0/O, 1/l/I: nothing an elderly citizen can misread.
  const alphabet = style === 'digits' ? '0123456789' : 'abcdefghjkmnpqrstuvwxyz23456789';
  for (;;) {
    const bytes = random(length * 2);
    let out = '';
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!;
      if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length];
    }
    if (out.length < length) continue;
    // Webex password rules usually ask for a letter and a digit together.
    if (style === 'letters-digits' && !(/[a-z]/.test(out) && /\d/.test(out))) continue;
    return out;
  }
}
