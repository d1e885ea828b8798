// The relay's state machine (DESIGN.md), pure. A relay asks a department to take a consultation over:
// requested → accepted (by one person; the first accept wins) → done; or declined, when everyone alerted said no (one
// person's no is only theirs: the others may still accept); escalated (everyone in the department alerted again) while
// still requested; cancelled by the requester, or with the consultation. relay/store.ts applies these steps.

export type RelayStatus = 'requested' | 'accepted' | 'done' | 'declined' | 'cancelled';

export const RELAY_STATUS_JA: Record<RelayStatus, string> = {
  requested: '応答待ち',
  accepted: '対応中',
  done: '完了',
  declined: 'お断り',
  cancelled: '取り消し',
};

export const isOpenRelay = (s: RelayStatus) => s === 'requested' || s === 'accepted';

/** What a step needs to know of a relay. */
export interface RelayFacts {
  readonly status: RelayStatus;
  /** Staff alerted so far (on duty at the request; everyone after an escalation). Empty: nobody known in the department. */
  readonly recipients: ReadonlySet<string>;
  /** Staff who said they cannot take it. */
  readonly declined: ReadonlySet<string>;
  readonly acceptedBy: string | null;
  readonly escalated: boolean;
}

export type RelayAct =
  | { readonly type: 'accept'; readonly staffId: string }
  | { readonly type: 'decline'; readonly staffId: string }
  | { readonly type: 'escalate'; readonly everyone: ReadonlyArray<string> }
  | { readonly type: 'finish' }
  | { readonly type: 'cancel' };

/** What the people concerned are told after a step. */
export type RelayNotice = 'accepted' | 'declined' | 'decline_noted' | 'escalated' | 'done' | 'cancelled';

export type RelayRefusal =
  /** Someone else accepted first. */
  | 'taken'
  /** It is over (done, declined or cancelled). */
  | 'closed'
  /** Only an accepted relay can be finished. */
  | 'not_accepted'
  /** Already escalated, or no longer waiting. */
  | 'not_waiting'
  /** This person has already said they cannot take it. */
  | 'already_declined';

export type RelayStep = { readonly ok: true; readonly facts: RelayFacts; readonly notice: RelayNotice } | { readonly ok: false; readonly why: RelayRefusal };

const refuse = (why: RelayRefusal): RelayStep => ({ ok: false, why });
const to = (facts: RelayFacts, notice: RelayNotice): RelayStep => ({ ok: true, facts, notice });

export function relayStep(f: RelayFacts, act: RelayAct): RelayStep {
  switch (act.type) {
    case 'accept':
      if (f.status === 'accepted' || f.status === 'done') return refuse(f.acceptedBy === act.staffId ? 'closed' : 'taken');
      if (f.status !== 'requested') return refuse('closed');
      return to({ ...f, status: 'accepted', acceptedBy: act.staffId }, 'accepted');
    case 'decline': {
      if (f.status !== 'requested') return refuse(f.status === 'accepted' || f.status === 'done' ? 'taken' : 'closed');
      if (f.declined.has(act.staffId)) return refuse('already_declined');
      const declined = new Set([...f.declined, act.staffId]);
      const everyone = f.recipients.size === 0 || [...f.recipients].every((s) => declined.has(s));
      return everyone ? to({ ...f, declined, status: 'declined' }, 'declined') : to({ ...f, declined }, 'decline_noted');
    }
    case 'escalate':
      if (f.status !== 'requested' || f.escalated) return refuse('not_waiting');
      return to({ ...f, escalated: true, recipients: new Set([...f.recipients, ...act.everyone]) }, 'escalated');
    case 'finish':
      return f.status === 'accepted' ? to({ ...f, status: 'done' }, 'done') : refuse(isOpenRelay(f.status) ? 'not_accepted' : 'closed');
    case 'cancel':
      return f.status === 'requested' ? to({ ...f, status: 'cancelled' }, 'cancelled') : refuse(f.status === 'accepted' ? 'taken' : 'closed');
  }
}
