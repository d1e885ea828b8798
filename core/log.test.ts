import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './log.ts';

describe('logging', () => {
  it('never writes a citizen name or email, however it is nested', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', sink);
    log.info({ citizen: { name: '山田太郎', email: 'yamada@example.jp' } }, 'booked');
    log.info({ consultation: { id: 'K7M2', citizen: { name: '山田太郎', email: 'yamada@example.jp' } } }, 'booked');
    log.info({ body: { citizenEmail: 'yamada@example.jp', citizenName: '山田太郎' } }, 'request');
    const text = lines.join('');
    assert.equal(lines.length, 3);
    assert.ok(!text.includes('山田'), text);
    assert.ok(!text.includes('yamada@'), text);
    assert.ok(text.includes('K7M2'));
  });
});
