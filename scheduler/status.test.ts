import assert from 'node:assert/strict';
import { CONSULTATION_STATUSES, canReschedule, transition } from './status.ts';

describe('consultation status', () => {
  it('follows booked → meeting_ready → invited → in_progress → completed', () => {
    let s = transition('booked', 'meeting_created');
    assert.deepEqual(s, { ok: true, value: 'meeting_ready' });
    s = transition('meeting_ready', 'invitation_sent');
    assert.deepEqual(s, { ok: true, value: 'invited' });
    s = transition('invited', 'started');
    assert.deepEqual(s, { ok: true, value: 'in_progress' });
    s = transition('in_progress', 'completed');
    assert.deepEqual(s, { ok: true, value: 'completed' });
  });

  it('cancels from every open state and from no closed one', () => {
    for (const status of CONSULTATION_STATUSES) {
      const r = transition(status, 'cancelled');
      assert.equal(r.ok, status !== 'completed' && status !== 'cancelled', status);
    }
  });

  it('a refused transition says why in Japanese and English', () => {
    const r = transition('cancelled', 'started');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason.code, 'invalid_state');
      assert.match(r.reason.message.ja, /取消済み/);
    }
  });

  it('needs_attention goes back to booked on retry, and to meeting_ready when the meeting is made', () => {
    assert.deepEqual(transition('booked', 'provider_failed'), { ok: true, value: 'needs_attention' });
    assert.deepEqual(transition('needs_attention', 'retried'), { ok: true, value: 'booked' });
    assert.deepEqual(transition('needs_attention', 'meeting_created'), { ok: true, value: 'meeting_ready' });
  });

  it('a consultation in progress can no longer be moved', () => {
    assert.equal(canReschedule('in_progress'), false);
    assert.equal(canReschedule('invited'), true);
  });
});
