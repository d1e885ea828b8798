// Linking a Teams channel to a department, from chat. Only the card the bot posts when it is added to a channel may do
// it, only once, and only when pressed in that very channel: the card carries a one-time value kept (hashed) here.
// Everything else about a department (its space, its channel, its name) is changed by admins on the admin page.
import { randomBytes } from 'node:crypto';
import type { Db } from '../core/store/schema.ts';
import { sha256 } from '../core/ids.ts';
import type { ChatPlatformKind } from './staff.ts';

/** How long the install card can be answered. */
export const OFFER_DAYS = 7;

/** A new one-time value for the install card of `channel`. */
export async function offerChannelLink(db: Db, now: number, platform: ChatPlatformKind, channel: string): Promise<string> {
  const nonce = randomBytes(18).toString('base64url');
  await db
    .insertInto('channel_link_offers')
    .values({
      nonce_hash: sha256(nonce),
      platform,
      channel,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + OFFER_DAYS * 86_400_000).toISOString(),
      used_at: null,
    })
    .execute();
  return nonce;
}

/** Uses the offer up (first answer wins) when it is for this channel, unused and not expired. */
export async function takeChannelLinkOffer(db: Db, now: number, platform: ChatPlatformKind, channel: string, nonce: string): Promise<boolean> {
  if (!nonce) return false;
  const at = new Date(now).toISOString();
  const r = await db
    .updateTable('channel_link_offers')
    .set({ used_at: at })
    .where('nonce_hash', '=', sha256(nonce))
    .where('platform', '=', platform)
    .where('channel', '=', channel)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
