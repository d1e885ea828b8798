// Adaptive Cards (schema 1.3, which both Webex and Teams render): the building blocks, and what a button sends back.
// Pure data; the domains build their notices from these, the bot its forms.

export type Card = Record<string, unknown>;

/** What a card button sends back; the platform adapters pass it to the bot unchanged (plus any inputs). */
export type CardAction =
  | { verb: 'accept'; relayId: string }
  | { verb: 'decline'; relayId: string }
  | { verb: 'keep-waiting'; relayId: string }
  | { verb: 'cancel-relay'; relayId: string }
  | { verb: 'reroute'; relayId: string; department?: string }
  | { verb: 'relay'; consultationId?: string; department: string; note: string }
  | { verb: 'link-channel'; channel: string; offer: string; department?: string }
  | { verb: 'call'; department: string; topic: string; reception?: string; hostId?: string; confirm?: 'yes' }
  | { verb: 'book'; date?: string; time?: string; duration?: string; department?: string; name?: string; email?: string; topic?: string };

export type CardVerb = CardAction['verb'];

export const card = (body: unknown[], actions: unknown[] = []): Card => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.3',
  body,
  ...(actions.length > 0 ? { actions } : {}),
});

export const text = (t: string, more: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: t, wrap: true, ...more });

export const submit = (title: string, data: CardAction, style?: 'positive' | 'destructive') => ({
  type: 'Action.Submit',
  title,
  data,
  ...(style ? { style } : {}),
});
