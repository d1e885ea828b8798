import assert from 'node:assert/strict';
import fc from 'fast-check';
import { COMMAND_ALIASES, COMMAND_NAMES, normalizeInput, parseCallWords, parseCommand, parseDate, takeConsultationRef } from './parse.ts';
import { jst } from '../test/helpers.ts';

describe('bot command parsing', () => {
  it('reads /relay with a department and a note', () => {
    const p = parseCommand('/relay 税務 相続の件');
    assert.deepEqual(p, { ok: true, command: 'relay', args: ['税務', '相続の件'], rest: '税務 相続の件' });
  });

  it('takes a full-width slash and spaces from a Japanese IME, and no slash at all', () => {
    for (const text of ['／ｒｅｌａｙ　税務　相続の件', 'relay 税務 相続の件', '  /relay   税務 相続の件 ', 'リレー 税務 相続の件']) {
      const p = parseCommand(text);
      assert.ok(p.ok, text);
      assert.equal(p.command, 'relay');
      assert.deepEqual(p.args, ['税務', '相続の件']);
    }
  });

  it('accepts every Japanese alias', () => {
    for (const name of COMMAND_NAMES)
      for (const alias of COMMAND_ALIASES[name]) assert.equal((parseCommand(`/${alias}`) as { command: string }).command, name, alias);
  });

  it('strips the bot’s mention in a group space', () => {
    assert.deepEqual(parseCommand('madoguchi /queue', 'madoguchi'), { ok: true, command: 'queue', args: [], rest: '' });
  });

  it('suggests the command meant by a typo', () => {
    const p = parseCommand('/rely 税務');
    assert.equal(p.ok, false);
    if (!p.ok && p.reason === 'unknown') assert.deepEqual(p.suggestions, ['relay']);
  });

  it('reads the dates staff type: 今日, 明日, 明後日, 12/17, 12月17日, 2027/1/11 and 2027年1月11日, and refuses one that does not exist', () => {
    const now = jst('2026-12-16', '15:00');
    const read = (t: string) => parseDate(t, now);
    assert.deepEqual(['今日', '明日', '明後日', 'あした', '12/17', '１２月１７日', '1/11', '2027/1/11', '2027年1月11日', '2027-01-11', '12/1'].map(read), [
      '2026-12-16',
      '2026-12-17',
      '2026-12-18',
      '2026-12-17',
      '2026-12-17',
      '2026-12-17',
      '2027-01-11',
      '2027-01-11',
      '2027-01-11',
      '2027-01-11',
      '2027-12-01',
    ]);
    assert.deepEqual(['2027/2/30', '13/1', 'きのう', ''].map(read), [null, null, null, null]);
    assert.equal(parseDate('明日', jst('2026-12-31', '23:30')), '2027-01-01', 'tomorrow in the city, whatever the machine’s zone');
  });

  it('reads the words of /call: a device, a reception number, a confirmation, and the topic in between', () => {
    assert.deepEqual(parseCallWords(['税務', '相続の', '手続き', '@2', '受付12', '!']), {
      department: '税務',
      topic: '相続の 手続き',
      device: '2',
      reception: '受付 12',
      confirm: true,
    });
    assert.deepEqual(parseCallWords([]), { topic: '', confirm: false });
  });

  it('finds an explicit #id', () => {
    assert.deepEqual(takeConsultationRef(['税務', '#k7m2q9xa', 'メモ']), { id: 'K7M2Q9XA', rest: ['税務', 'メモ'] });
  });

  it('never throws, and a parsed command always has a known name (property)', () => {
    const ime = fc.constantFrom('／', '　', '/', ' ', 'ｒｅｌａｙ', 'relay', '税務', 'リレー', '#ABCD1234', '\n', '\t');
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), ime), { maxLength: 8 }), (parts) => {
        const p = parseCommand(parts.join(''));
        if (p.ok) assert.ok((COMMAND_NAMES as readonly string[]).includes(p.command));
      }),
    );
  });

  it('normalizes full-width input the same as half-width (property)', () => {
    const toFull = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9 /#]{0,30}$/), (s) => assert.equal(normalizeInput(toFull(s)), normalizeInput(s))));
  });
});
