// Teams meeting ids, mapped to the one thing they share: the meeting chat's thread id (19:meeting_…@thread.v2).
// Pure and tolerant — malformed input gives null, never an exception.
//
// Two encodings name the same meeting (both base64 of UTF-8 text; every published sample uses "0" where \d+ is allowed):
//   Graph onlineMeeting id (what createOrGet returns and we store; also Bot Framework `details.msGraphResourceId`):
//     base64("1*{organizer Entra object id}*0**{threadId}")
//   Teams client meeting id (TeamsJS app.getContext() `meeting.id`; also Bot Framework `channelData.meeting.id` and
//   `details.id`):
//     base64("0#{threadId}#0")
// TeamsJS `chat.id` in a meeting is the thread id itself, so threadIdFromTeamsContextMeetingId accepts that too.
// Sources: https://learn.microsoft.com/microsoftteams/platform/graph-api/meeting-transcripts/fetch-id (details.id and
// msGraphResourceId of one meeting) and https://github.com/OfficeDev/microsoft-teams-library-js/issues/539 (getContext
// meetingId next to the Graph id of the same meeting).

/** A Teams chat/meeting thread id: 19:…@thread.v2 (also thread.skype / thread.tacv2). No '#', '*', '%' or spaces. */
const THREAD_ID = /^19:[^\s#*@%]+@thread\.[a-z0-9]+$/i;
const GRAPH_FORM = /^1\*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\*\d+\*\*(.+)$/i;
const CONTEXT_FORM = /^0#(.+)#\d+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/** Far above any real id (~200 characters); keeps garbage cheap. */
const MAX_LENGTH = 4096;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Percent-decoded when it came through a URL (e.g. "…%3D%3D" or "19%3Ameeting_…%40thread.v2"); trimmed. */
function unwrap(id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_LENGTH) return null;
  let s = id.trim();
  if (s.includes('%')) {
    try {
      s = decodeURIComponent(s).trim();
    } catch {
      return null;
    }
  }
  return s.length > 0 ? s : null;
}

/** base64 or base64url, with or without padding, of valid UTF-8 — else null. */
function decodeBase64Text(s: string): string | null {
  if (!BASE64.test(s)) return null;
  const body = s.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  if (s.length !== body.length && s.length % 4 !== 0) return null; // padding, when present, must complete the quantum
  try {
    // atob (not Buffer) so the side-panel page can use this module in the browser too.
    const binary = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
    return utf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

const threadOrNull = (t: string | undefined): string | null => (t !== undefined && THREAD_ID.test(t) ? t : null);

/** The meeting chat thread id inside a Graph onlineMeeting id (base64 of "1*{organizerOid}*0**{threadId}"), or null. */
export function threadIdFromGraphMeetingId(id: string): string | null {
  const s = unwrap(id);
  const text = s === null ? null : decodeBase64Text(s);
  const m = text === null ? null : GRAPH_FORM.exec(text);
  return m ? threadOrNull(m[2]) : null;
}

/**
 * The meeting chat thread id from what the Teams client gives a meeting tab: `context.meeting.id` (base64 of
 * "0#{threadId}#0") or `context.chat.id` (the thread id itself). Null for anything else.
 */
export function threadIdFromTeamsContextMeetingId(id: string): string | null {
  const s = unwrap(id);
  if (s === null) return null;
  if (s.startsWith('19:')) return threadOrNull(s);
  const text = decodeBase64Text(s);
  const m = text === null ? null : CONTEXT_FORM.exec(text);
  return m ? threadOrNull(m[1]) : null;
}

/** Whether a stored Graph onlineMeeting id and a Teams client meeting (or chat) id name the same meeting. */
export function sameTeamsMeeting(graphId: string, contextId: string): boolean {
  const a = threadIdFromGraphMeetingId(graphId);
  return a !== null && a === threadIdFromTeamsContextMeetingId(contextId);
}
