// Webex adapter for the staff bot: the signed webhook in (messages and card actions), replies, department alerts and
// private messages out. It only translates; bot/handler.ts decides.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import { createWebexClient, fixedToken } from '../../core/conferencing/webex/index.ts';
import type { WebexClient } from '../../core/conferencing/webex/index.ts';
import type { ChatPlatform, OutgoingChat } from '../../core/chat.ts';
import type { Reply } from '../context.ts';
import { handleInbound } from '../handler.ts';
import type { ChatAdapterDeps, ChatAdapterFactory } from '../adapter.ts';

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

/** The Webex chat: the port (alerts to department spaces, private messages), and POST /webhooks/webex. */
export const createWebexChat: ChatAdapterFactory = async (deps) => {
  const bot = deps.config.webexBot;
  if (!bot) return null;
  const client = webexClientFor(bot);
  return { platform: createWebexPlatform(client), mount: { path: '/webhooks/webex', router: webexWebhookRouter(deps, bot, client), raw: true } };
};

/** POST /webhooks/webex: messages/created and attachmentActions/created, signed with the webhook secret. */
export function webexWebhookRouter(deps: ChatAdapterDeps, bot: WebexBotConfig, client: WebexClient): Router {
  const r = express.Router();
  const { log } = deps;
  let me: Promise<z.infer<typeof WebexPersonInfo>> | null = null;
  const self = () => {
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
  /** Who a person is on Webex: their name and the email the handler checks against the staff domains. */
  const personOf = async (personId: string) => {
    let p = people.get(personId);
    if (!p) {
      const { data } = await client.request('GET', `/people/${encodeURIComponent(personId)}`, { schema: WebexPersonInfo });
      p = { name: data.displayName ?? data.emails[0] ?? personId, emails: data.emails.map((e) => e.toLowerCase()) };
      people.set(personId, p);
    }
    const email = p.emails.find((e) => bot.allowedDomains.includes(e.split('@')[1] ?? '')) ?? p.emails[0] ?? '';
    return { name: p.name, email };
  };
  const reply = (roomId: string, answer: Reply) => client.request('POST', '/messages', { body: { roomId, ...body(answer) }, schema: CreatedMessage });

  r.post('/', express.raw({ type: '*/*', limit: '100kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!isSignedByWebex(bot.webhookSecret, raw, req.get('x-spark-signature'))) {
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
    try {
      const me = await self();
      if (hook.data.personId === me.id) {
        res.status(200).json({ ignored: 'own message' });
        return;
      }
      let roomId = '';
      const outcome = await handleInbound(deps, deps.policy, {
        platform: 'webex',
        deliveryId: `${hook.resource}:${hook.data.id}`,
        async read() {
          if (hook.resource === 'messages' && hook.event === 'created') {
            const { data: m } = await client.request('GET', `/messages/${encodeURIComponent(hook.data.id)}`, { schema: WebexMessage });
            if (m.personId === me.id) return null;
            const who = await personOf(m.personId);
            roomId = m.roomId;
            return {
              sender: { platform: 'webex', userId: m.personId, displayName: who.name, email: who.email, direct: m.roomType === 'direct', space: m.roomId },
              text: m.text,
              ...(m.roomType === 'group' && me.displayName ? { botName: me.displayName } : {}),
            };
          }
          if (hook.resource === 'attachmentActions' && hook.event === 'created') {
            const { data: a } = await client.request('GET', `/attachment/actions/${encodeURIComponent(hook.data.id)}`, { schema: WebexAttachmentAction });
            const who = await personOf(a.personId);
            roomId = a.roomId;
            return { sender: { platform: 'webex', userId: a.personId, displayName: who.name, email: who.email, space: a.roomId }, action: a.inputs };
          }
          return null;
        },
      });
      if (outcome.kind === 'duplicate') {
        res.status(200).json({ ignored: 'already processed' });
        return;
      }
      if (outcome.kind === 'reply' || outcome.kind === 'not_staff') await reply(roomId, outcome.reply);
    } catch (error) {
      // Not done: Webex delivers it again, and the handler has forgotten it, so the repeat is handled in full.
      log.error({ err: error instanceof Error ? error.message : String(error), resource: hook.resource }, 'webex webhook failed; Webex will retry');
      res.status(500).json({ error: 'not processed; please retry' });
      return;
    }
    res.status(200).json({ ok: true });
  });
  return r;
}
