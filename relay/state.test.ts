import assert from 'node:assert/strict';
import fc from 'fast-check';
import { relayStep } from './state.ts';
import type { RelayAct, RelayFacts } from './state.ts';

const waiting = (recipients: string[], declined: string[] = []): RelayFacts => ({
  status: 'requested',
  recipients: new Set(recipients),
  declined: new Set(declined),
  acceptedBy: null,
  escalated: false,
});

describe('relay state machine', () => {
  it('one person declining is only their answer; the relay ends declined when everyone alerted has declined', () => {
    const first = relayStep(waiting(['a', 'b']), { type: 'decline', staffId: 'a' });
    assert.ok(first.ok);
    assert.equal(first.notice, 'decline_noted');
    assert.equal(first.facts.status, 'requested');
    const again = relayStep(first.facts, { type: 'decline', staffId: 'a' });
    assert.deepEqual(again, { ok: false, why: 'already_declined' });
    const accepted = relayStep(first.facts, { type: 'accept', staffId: 'b' });
    assert.ok(accepted.ok);
    assert.equal(accepted.facts.acceptedBy, 'b');
    const last = relayStep(first.facts, { type: 'decline', staffId: 'b' });
    assert.ok(last.ok);
    assert.equal(last.notice, 'declined');
    assert.equal(last.facts.status, 'declined');
  });

  it('with nobody known in the department, one decline ends it; an escalation alerts more people, once', () => {
    const none = relayStep(waiting([]), { type: 'decline', staffId: 'x' });
    assert.ok(none.ok && none.facts.status === 'declined');
    const up = relayStep(waiting(['a'], ['a']), { type: 'escalate', everyone: ['a', 'b', 'c'] });
    assert.ok(up.ok);
    assert.deepEqual([...up.facts.recipients].sort(), ['a', 'b', 'c']);
    assert.equal(up.facts.status, 'requested');
    assert.deepEqual(relayStep(up.facts, { type: 'escalate', everyone: ['d'] }), { ok: false, why: 'not_waiting' });
  });

  it('the first accept wins; only an accepted relay finishes; a taken relay cannot be cancelled', () => {
    const won = relayStep(waiting(['a', 'b']), { type: 'accept', staffId: 'a' });
    assert.ok(won.ok);
    assert.deepEqual(relayStep(won.facts, { type: 'accept', staffId: 'b' }), { ok: false, why: 'taken' });
    assert.deepEqual(relayStep(won.facts, { type: 'accept', staffId: 'a' }), { ok: false, why: 'closed' });
    assert.deepEqual(relayStep(won.facts, { type: 'cancel' }), { ok: false, why: 'taken' });
    assert.deepEqual(relayStep(waiting(['a']), { type: 'finish' }), { ok: false, why: 'not_accepted' });
    const done = relayStep(won.facts, { type: 'finish' });
    assert.ok(done.ok && done.facts.status === 'done');
  });

  it('whatever the answers, a closed relay never reopens and an accepted one keeps its accepter', () => {
    const staff = fc.constantFrom('a', 'b', 'c', 'd');
    const act: fc.Arbitrary<RelayAct> = fc.oneof(
      staff.map((s) => ({ type: 'accept' as const, staffId: s })),
      staff.map((s) => ({ type: 'decline' as const, staffId: s })),
      fc.constant({ type: 'escalate' as const, everyone: ['a', 'b', 'c', 'd'] }),
      fc.constant({ type: 'finish' as const }),
      fc.constant({ type: 'cancel' as const }),
    );
    fc.assert(
      fc.property(fc.subarray(['a', 'b', 'c']), fc.array(act, { maxLength: 12 }), (recipients, acts) => {
        let f = waiting(recipients);
        for (const a of acts) {
          const r = relayStep(f, a);
          if (!r.ok) continue;
          if (f.status !== 'requested') assert.ok(f.status === 'accepted' && r.facts.status === 'done', `${f.status} → ${r.facts.status}`);
          if (f.acceptedBy) assert.equal(r.facts.acceptedBy, f.acceptedBy);
          if (r.facts.status === 'declined') assert.ok([...r.facts.recipients].every((s) => r.facts.declined.has(s)));
          f = r.facts;
        }
      }),
    );
  });
});
