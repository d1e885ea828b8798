import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { seal, unseal } from './secrets.ts';

describe('sealed secrets', () => {
  const key = randomBytes(32);
  it('round-trips and never stores the plaintext', () => {
    const sealed = seal(key, 'refresh-token-ABC');
    assert.ok(!sealed.includes('refresh-token-ABC'));
    assert.equal(unseal(key, sealed), 'refresh-token-ABC');
    assert.notEqual(seal(key, 'same'), seal(key, 'same'), 'a fresh IV each time');
  });
  it('refuses another key or a tampered value', () => {
    const sealed = seal(key, 'secret');
    assert.throws(() => unseal(randomBytes(32), sealed));
    const [iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() => unseal(key, [iv, tag, flipped.toString('base64url')].join('.')));
  });
});
