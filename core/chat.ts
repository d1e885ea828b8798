// The chat port: how the domains tell staff something (a department's space or channel, or one person), on every
// chat platform configured. Adapters (bot/webex, bot/teams, bot/console) implement ChatPlatform; here are the port,
// the record of every post (to take an alert back later, to show the console, to send a notice only once), and the
// record of deliveries received (so that a platform's redelivery is handled once).
import type { Db } from './store/schema.ts';
import type { IdSource } from './ids.ts';
import { isUniqueViolation } from './store/db.ts';
import type { Card } from './cards.ts';

export type ChatPlatformKind = 'webex' | 'teams' | 'console';
export const CHAT_PLATFORM_KINDS: ReadonlyArray<ChatPlatformKind> = ['webex', 'teams', 'console'];

/** A staff member as a chat platform knows them. */
export interface ChatPerson {
  readonly id: string;
  readonly platform: ChatPlatformKind;
  readonly platformUserId: string;
  readonly displayName: string;
}

/** Where a department is reached on each platform ('' = not there). */
export interface ChatDepartment {
  readonly id: string;
  readonly name: string;
  readonly webexRoomId?: string;
  readonly teamsChannel?: string;
}

export interface OutgoingChat {
  /** Japanese first, then English. */
  readonly text: string;
  readonly card?: Card;
  /** People to notify (a real mention where the platform has one), or everyone in the space. */
  readonly mentions?: ReadonlyArray<ChatPerson> | 'all';
}

export interface ChatPlatform {
  readonly kind: ChatPlatformKind;
  /** Posts to the department's space/channel; null when the department has none on this platform. */
  postToDepartment(department: ChatDepartment, message: OutgoingChat): Promise<string | null>;
  sendToStaff(staff: ChatPerson, message: OutgoingChat): Promise<string | null>;
  /** Takes a post back (an alert card once someone has accepted). */
  remove(messageId: string): Promise<void>;
}

export type ChatPlatforms = Partial<Record<ChatPlatformKind, ChatPlatform>>;

export const departmentSpace = (departmentId: string) => `dept:${departmentId}`;
export const staffSpace = (staffId: string) => `staff:${staffId}`;

export interface PostRecord {
  readonly platform: ChatPlatformKind;
  readonly space: string;
  readonly platformMessageId: string;
  readonly relayId: string | null;
  readonly purpose: string;
  readonly message: OutgoingChat;
}

/** Every post the bot makes, on any platform, is recorded (to remove an alert later, and to show it in /console). */
export async function recordPost(db: Db, ids: IdSource, now: number, p: PostRecord): Promise<string> {
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

export interface NoticeDeps {
  readonly db: Db;
  readonly ids: IdSource;
  readonly clock: () => number;
  readonly platforms: ChatPlatforms;
}

async function postedOn(db: Db, space: string, relayId: string | null, purpose: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('chat_messages')
    .select('platform')
    .where('relay_id', relayId ? '=' : 'is', relayId)
    .where('purpose', '=', purpose)
    .where('space', '=', space)
    .execute();
  return new Set(rows.map((r) => r.platform));
}

/**
 * Posts to a department's space on every platform where it has one. `purpose` (with the relay, if any) names the
 * post: a job run again after a crash does not post where it already did.
 */
export async function postToDepartmentOnce(
  deps: NoticeDeps,
  department: ChatDepartment,
  relayId: string | null,
  purpose: string,
  message: OutgoingChat,
): Promise<void> {
  const space = departmentSpace(department.id);
  const done = await postedOn(deps.db, space, relayId, purpose);
  for (const platform of Object.values(deps.platforms)) {
    if (done.has(platform.kind)) continue;
    const messageId = await platform.postToDepartment(department, message);
    if (messageId !== null)
      await recordPost(deps.db, deps.ids, deps.clock(), { platform: platform.kind, space, platformMessageId: messageId, relayId, purpose, message });
  }
}

/** Sends to one person on their platform, once per `purpose` (and relay): a retried job does not send it again. */
export async function sendToStaffOnce(
  deps: NoticeDeps & { readonly warn: (why: string) => void },
  staff: ChatPerson | null,
  relayId: string | null,
  purpose: string,
  message: OutgoingChat,
): Promise<void> {
  if (!staff) return;
  const platform = deps.platforms[staff.platform];
  if (!platform) {
    deps.warn(`cannot reach staff on ${staff.platform}: that chat platform is not configured`);
    return;
  }
  const space = staffSpace(staff.id);
  if ((await postedOn(deps.db, space, relayId, purpose)).has(staff.platform)) return;
  const messageId = await platform.sendToStaff(staff, message);
  if (messageId !== null)
    await recordPost(deps.db, deps.ids, deps.clock(), { platform: platform.kind, space, platformMessageId: messageId, relayId, purpose, message });
}

/** Takes back a relay's posts of these purposes that are still up (alert cards once they can no longer be answered). */
export async function removePosts(deps: NoticeDeps, relayId: string, purposes: ReadonlyArray<string>): Promise<void> {
  const posts = await deps.db
    .selectFrom('chat_messages')
    .selectAll()
    .where('relay_id', '=', relayId)
    .where('purpose', 'in', purposes as string[])
    .where('removed_at', 'is', null)
    .execute();
  for (const post of posts) {
    await deps.platforms[post.platform as ChatPlatformKind]?.remove(post.platform_message_id);
    await deps.db
      .updateTable('chat_messages')
      .set({ removed_at: new Date(deps.clock()).toISOString() })
      .where('id', '=', post.id)
      .execute();
  }
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

/**
 * A delivery from a platform (a webhook, an activity) seen for the first time? Platforms deliver again when they did
 * not hear back in time; the second one is dropped. `forget` undoes it when handling failed, so the retry is handled.
 */
export async function firstDelivery(db: Db, platform: ChatPlatformKind, deliveryId: string, now: number): Promise<boolean> {
  try {
    await db
      .insertInto('chat_deliveries')
      .values({ platform, delivery_id: deliveryId, received_at: new Date(now).toISOString() })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function forgetDelivery(db: Db, platform: ChatPlatformKind, deliveryId: string): Promise<void> {
  await db.deleteFrom('chat_deliveries').where('platform', '=', platform).where('delivery_id', '=', deliveryId).execute();
}
