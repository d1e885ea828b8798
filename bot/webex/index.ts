// Webex adapter for the staff bot: the signed webhook in (messages and card actions), replies, department alerts and
// private messages out. It only translates; the command core decides.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../core/log.ts';
import type { Db } from '../../core/store/schema.ts';
import { isUniqueViolation } from '../../core/store/db.ts';
import { createWebexClient, fixedToken } from '../../core/conferencing/webex/index.ts';
import type { WebexClient } from '../../core/conferencing/webex/index.ts';
import type { ChatPlatform, OutgoingChat } from '../chat.ts';
import type { BotDeps, Reply, Sender } from '../core.ts';
import { handleAction, handleMessage } from '../core.ts';

/** @link https://developer.webex.com/docs/api/guides/webhooks (the envelope Webex posts) */
export const WebexWebhook = z.object({
  id: z.string(),
  resource: z.string(),
  event: z.string(),
  actorId: z.string().optional(),
  data: z.object({
    id: z.string(),
    personId: z.string().optional(),
    personEmail: z.string().optional(),
    roomId: z.string().optional(),
    roomType: z.string().optional(),
  }),
});

/** @link https://developer.webex.com/docs/api/v1/messages/get-message-details */
export const WebexMessage = z.object({
  id: z.string(),
  roomId: z.string(),
  roomType: z.string().optional(),
  personId: z.string(),
  personEmail: z.string().optional(),
  text: z.string().optional().default(''),
});

/** @link https://developer.webex.com/docs/api/v1/attachment-actions/get-attachment-action-details */
export const WebexAttachmentAction = z.object({
  id: z.string(),
  personId: z.string(),
  roomId: z.string(),
  messageId: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()).default({}),
});

const WebexPersonInfo = z.object({ id: z.string(), displayName: z.string().optional(), emails: z.array(z.string()).default([]) });
const CreatedMessage = z.object({ id: z.string() });

export interface WebexBotConfig {
  readonly apiBaseUrl: string;
  readonly token: string;
  readonly webhookSecret: string;
  /** Staff email domains: anyone on Webex can message a bot, only these are served. */
  readonly allowedDomains: ReadonlyArray<string>;
}

/** X-Spark-Signature: HMAC-SHA1 of the raw body with the webhook secret, hex; compared in constant time. */
export function isSignedByWebex(secret: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{40}$/i.test(signature)) return false;
  const expected = createHmac('sha1', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** Webex mentions in markdown: <@all> for everyone in a group space, <@personId:…|name> for a person on Webex. */
function mentionsMarkdown(mentions: OutgoingChat['mentions']): string {
  if (!mentions) return '';
  if (mentions === 'all') return '<@all> ';
  const people = mentions.filter((m) => m.platform === 'webex').map((m) => `<@personId:${m.platformUserId}|${m.displayName}>`);
  return people.length > 0 ? `${people.join(' ')} ` : '';
}

function body(message: OutgoingChat): Record<string, unknown> {
  return {
    text: message.text,
    markdown: `${mentionsMarkdown(message.mentions)}${message.text.replace(/\n/g, '  \n')}`,
    ...(message.card ? { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: message.card }] } : {}),
  };
}

export function webexClientFor(config: WebexBotConfig, options: { sleep?: (ms: number) => Promise<void> } = {}): WebexClient {
  return createWebexClient({ baseUrl: config.apiBaseUrl, tokens: fixedToken(config.token), ...(options.sleep ? { sleep: options.sleep } : {}) });
}

/** The Webex side of the chat port: alerts to a department's space, private messages to a person. */
export function createWebexPlatform(client: WebexClient): ChatPlatform {
  const post = async (where: Record<string, string>, message: OutgoingChat) =>
    (await client.request('POST', '/messages', { body: { ...where, ...body(message) }, schema: CreatedMessage })).data.id;
  return {
    kind: 'webex',
    postToDepartment: async (department, message) => (department.webexRoomId ? post({ roomId: department.webexRoomId }, message) : null),
    sendToStaff: async (staff, message) => (staff.platform === 'webex' ? post({ toPersonId: staff.platformUserId }, message) : null),
    async remove(messageId) {
      // Webex cannot edit a message with a card: the alert is taken back and the space is told who took it.
      await client.request('DELETE', `/messages/${encodeURIComponent(messageId)}`, { schema: null, acceptStatus: [404] });
    },
  };
}

export interface WebexBotDeps extends BotDeps {
  readonly webexBot: WebexBotConfig;
  readonly client: WebexClient;
}

async function firstTime(db: Db, deliveryId: string, now: number): Promise<boolean> {
  try {
    await db
      .insertInto('chat_deliveries')
      .values({ platform: 'webex', delivery_id: deliveryId, received_at: new Date(now).toISOString() })
      .execute();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** POST /webhooks/webex: messages/created and attachmentActions/created. */
export function webexWebhookRouter(deps: WebexBotDeps, log: Logger): Router {
  const r = express.Router();
  const { client } = deps;
  let me: Promise<z.infer<typeof WebexPersonInfo>> | null = null;
  const bot = () => {
    me ??= client.request('GET', '/people/me', { schema: WebexPersonInfo }).then(
      (x) => x.data,
      (e: unknown) => {
        me = null;
        throw e;
      },
    );
    return me;
  };
  const people = new Map<string, { name: string; emails: string[] }>();
  /** The sender, or null when they are not city staff (their email domain is not allowed). */
  const senderFor = async (personId: string): Promise<Sender | null> => {
    let p = people.get(personId);
    if (!p) {
      const { data } = await client.request('GET', `/people/${encodeURIComponent(personId)}`, { schema: WebexPersonInfo });
      p = { name: data.displayName ?? data.emails[0] ?? personId, emails: data.emails.map((e) => e.toLowerCase()) };
      people.set(personId, p);
    }
    const email = p.emails.find((e) => deps.webexBot.allowedDomains.includes(e.split('@')[1] ?? ''));
    return email ? { platform: 'webex', userId: personId, displayName: p.name, email } : null;
  };
  const notStaff: Reply = { text: 'このボットは市の職員専用です。\nThis bot is for city staff only.' };
  const reply = (roomId: string, answer: Reply) => client.request('POST', '/messages', { body: { roomId, ...body(answer) }, schema: CreatedMessage });

  r.post('/', express.raw({ type: '*/*', limit: '100kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isSignedByWebex(deps.webexBot.webhookSecret, raw, req.get('x-spark-signature'))) {
      log.warn({ path: req.path }, 'webex webhook refused: bad or missing signature');
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    let hook: z.infer<typeof WebexWebhook>;
    try {
      hook = WebexWebhook.parse(JSON.parse(raw.toString('utf8')));
    } catch {
      res.status(400).json({ error: 'not a Webex webhook' });
      return;
    }
    const self = await bot();
    if (hook.data.personId === self.id) {
      res.status(200).json({ ignored: 'own message' });
      return;
    }
    const deliveryId = `${hook.resource}:${hook.data.id}`;
    if (!(await firstTime(deps.store.db, deliveryId, deps.clock()))) {
      res.status(200).json({ ignored: 'already processed' });
      return;
    }
    try {
      if (hook.resource === 'messages' && hook.event === 'created') {
        const { data: m } = await client.request('GET', `/messages/${encodeURIComponent(hook.data.id)}`, { schema: WebexMessage });
        if (m.personId !== self.id) {
          const sender = await senderFor(m.personId);
          await reply(
            m.roomId,
            sender
              ? await handleMessage(
                  deps,
                  { ...sender, direct: m.roomType === 'direct', space: m.roomId },
                  m.text,
                  m.roomType === 'group' ? self.displayName : undefined,
                )
              : notStaff,
          );
        }
      } else if (hook.resource === 'attachmentActions' && hook.event === 'created') {
        const { data: a } = await client.request('GET', `/attachment/actions/${encodeURIComponent(hook.data.id)}`, { schema: WebexAttachmentAction });
        const sender = await senderFor(a.personId);
        await reply(a.roomId, sender ? await handleAction(deps, { ...sender, space: a.roomId }, a.inputs) : notStaff);
      }
    } catch (error) {
      // Not done: forget the delivery, so that Webex's retry is handled in full.
      await deps.store.db.deleteFrom('chat_deliveries').where('platform', '=', 'webex').where('delivery_id', '=', deliveryId).execute();
      log.error({ err: error instanceof Error ? error.message : String(error), resource: hook.resource }, 'webex webhook failed; Webex will retry');
      res.status(500).json({ error: 'not processed; please retry' });
      return;
    }
    res.status(200).json({ ok: true });
  });
  return r;
}
