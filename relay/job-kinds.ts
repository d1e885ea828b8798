// The relay's job kinds, declared apart from their work (relay/jobs.ts) so that the store can queue them.
import { z } from 'zod';
import { jobKind } from '../core/outbox.ts';

export const RelayEventName = z.enum(['requested', 'escalated', 'accepted', 'declined', 'decline_noted', 'done', 'cancelled']);

/** Tell the people concerned what a relay's step means for them. */
export const RELAY_NOTIFY = jobKind('relay.notify', z.object({ relayId: z.string(), event: RelayEventName, staffId: z.string().optional() }));
/** Nobody answered in time: alert everyone in the department again. */
export const RELAY_ESCALATE = jobKind('relay.escalate', z.object({ relayId: z.string() }));
/** Signal the department's tower (表示灯): a call, taken, or cleared — sent as the department's state when it runs. */
export const LAMP_SIGNAL = jobKind('lamp.signal', z.object({ relayId: z.string(), event: z.enum(['call', 'accepted', 'cleared']) }));
/** A duty (/duty on) ends by itself at DUTY_ENDS_AT. */
export const DUTY_END = jobKind('duty.end', z.object({ staffId: z.string(), until: z.string() }));
