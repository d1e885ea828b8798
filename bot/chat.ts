// The chat port (post to a department, to a person, remove a post) and the console platform used in dry-run, where
// "posting" means keeping the message for the /console page. Webex and Teams adapters implement the same port.
import type { Db } from '../core/store/schema.ts';
import type { IdSource } from '../core/ids.ts';
import type { Department } from '../core/departments.ts';
import type { Card } from './cards.ts';
import type { ChatPlatformKind, Staff } from './staff.ts';

export interface OutgoingChat {
  /** Japanese first, then English. */
  readonly text: string;
  readonly card?: Card;
  /** People to notify (a real mention where the platform has one), or everyone in the space. */
  readonly mentions?: ReadonlyArray<Staff> | 'all';
}

export interface ChatPlatform {
  readonly kind: ChatPlatformKind;
  /** Posts to the department's space/channel; null when the department has none on this platform. */
  postToDepartment(department: Department, message: OutgoingChat): Promise<string | null>;
  sendToStaff(staff: Staff, message: OutgoingChat): Promise<string | null>;
  /** Takes a post back (an alert card once someone has accepted). */
  remove(messageId: string): Promise<void>;
}

export const departmentSpace = (departmentId: string) => `dept:${departmentId}`;
export const staffSpace = (staffId: string) => `staff:${staffId}`;

/** Every post the bot makes, on any platform, is recorded (to remove an alert later, and to show it in /console). */
export async function recordPost(
  db: Db,
  ids: IdSource,
  now: number,
  p: { platform: ChatPlatformKind; space: string; platformMessageId: string; relayId: string | null; purpose: string; message: OutgoingChat },
): Promise<string> {
  const id = ids.sortableId(now);
  await db
    .insertInto('chat_messages')
    .values({
      id,
      platform: p.platform,
      space: p.space,
      platform_message_id: p.platformMessageId,
      relay_id: p.relayId,
      purpose: p.purpose,
      text: p.message.text,
      card: p.message.card ? JSON.stringify(p.message.card) : null,
      created_at: new Date(now).toISOString(),
      removed_at: null,
    })
    .execute();
  return id;
}

/** The dry-run platform: posts are only recorded; the /console page shows them. */
export function createConsolePlatform(): ChatPlatform {
  return {
    kind: 'console',
    postToDepartment: async (department) => `console:${departmentSpace(department.id)}`,
    sendToStaff: async (staff) => `console:${staffSpace(staff.id)}`,
    remove: async () => {
      // The record is marked removed by the caller; there is nothing else to take back.
    },
  };
}

export interface FeedItem {
  readonly id: string;
  readonly space: string;
  readonly purpose: string;
  readonly text: string;
  readonly card: Card | null;
  readonly createdAt: string;
  readonly removed: boolean;
}

/** What the console shows: the latest posts to some spaces, oldest first. */
export async function feed(db: Db, platform: ChatPlatformKind, spaces: ReadonlyArray<string>, limit = 50): Promise<FeedItem[]> {
  if (spaces.length === 0) return [];
  const rows = await db
    .selectFrom('chat_messages')
    .selectAll()
    .where('platform', '=', platform)
    .where('space', 'in', spaces as string[])
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({
    id: r.id,
    space: r.space,
    purpose: r.purpose,
    text: r.text,
    card: r.card ? (JSON.parse(r.card) as Card) : null,
    createdAt: r.created_at,
    removed: r.removed_at !== null,
  }));
}
