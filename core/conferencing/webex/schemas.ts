// Webex REST responses we read, parsed with zod. Field names as in specs/webex-meeting-openapi.json.
import { z } from 'zod';

/** @link https://developer.webex.com/docs/api/v1/meetings/create-a-meeting (MeetingSeriesObject) */
export const WebexMeeting = z.object({
  id: z.string().min(1),
  meetingNumber: z.string().optional().default(''),
  title: z.string().optional(),
  password: z.string().optional().default(''),
  start: z.string(),
  end: z.string(),
  webLink: z.string().min(1),
  sipAddress: z.string().optional().default(''),
  hostEmail: z.string().optional(),
  integrationTags: z.array(z.string()).optional().default([]),
  telephony: z
    .object({
      accessCode: z.string().optional(),
      callInNumbers: z
        .array(z.object({ label: z.string(), callInNumber: z.string(), tollType: z.string().optional() }))
        .optional()
        .default([]),
    })
    .optional(),
});
export type WebexMeeting = z.infer<typeof WebexMeeting>;

/** @link https://developer.webex.com/docs/api/v1/meetings/list-meetings */
export const WebexMeetingList = z.object({ items: z.array(WebexMeeting) });

/** @link https://developer.webex.com/docs/api/v1/people/get-my-own-details */
export const WebexPerson = z.object({
  id: z.string(),
  emails: z.array(z.string()).default([]),
  displayName: z.string().optional(),
});

/** @link https://developer.webex.com/docs/login-with-webex#getting-an-access-token (refresh) */
export const WebexTokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: z.number().optional(),
});

/** @link https://developer.webex.com/docs/basics (API errors) */
export const WebexErrorBody = z.object({
  message: z.string().optional(),
  errors: z.array(z.object({ description: z.string().optional() })).optional(),
  trackingId: z.string().optional(),
});
