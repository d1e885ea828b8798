// The calendar attachment (.ics) for invitations, changes and cancellations: one UID per consultation, SEQUENCE = its version.
import { ICalCalendarMethod, ICalEventStatus, default as ical } from 'ical-generator';

export interface IcsInput {
  readonly consultationId: string;
  /** Rises with every change of the consultation. */
  readonly sequence: number;
  readonly method: 'REQUEST' | 'CANCEL';
  readonly start: number;
  readonly end: number;
  readonly summary: string;
  readonly description: string;
  readonly joinUrl: string;
  readonly organizer: { readonly name: string; readonly email: string };
  readonly attendee: { readonly name: string; readonly email: string };
  readonly stamp: number;
}

export function buildIcs(i: IcsInput): string {
  const calendar = ical({
    prodId: { company: 'madoguchi', product: 'online-counter', language: 'JA' },
    method: i.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  // Times are written in UTC (…Z): exact on every client and machine. ical-generator would write a TZID time in the
  // server's own zone, so the event carries no TZID; the calendar names the city's zone for display.
  calendar.x('X-WR-TIMEZONE', 'Asia/Tokyo');
  calendar.createEvent({
    id: `${i.consultationId}@madoguchi`,
    sequence: i.sequence,
    start: new Date(i.start),
    end: new Date(i.end),
    stamp: new Date(i.stamp),
    summary: i.summary,
    description: i.joinUrl ? `${i.description}\n\n${i.joinUrl}` : i.description,
    ...(i.joinUrl ? { location: i.joinUrl, url: i.joinUrl } : {}),
    organizer: { name: i.organizer.name, email: i.organizer.email },
    attendees: [{ name: i.attendee.name, email: i.attendee.email, rsvp: false }],
    status: i.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return calendar.toString();
}
