import assert from 'node:assert/strict';
import { nameBeside } from './staff.ts';

describe('a staff member named beside their department', () => {
  const tax = { name: '税務課', aliases: ['税務', '税', 'tax'] };
  it('drops the department the chat name already starts with, and leaves other names alone', () => {
    assert.deepEqual(
      ['税務課 田中', '税務課田中', '税務 田中', '税務課・田中', '税所 花子', '田中', '税務課', null].map((n) => nameBeside(n, tax)),
      ['田中', '田中', '田中', '田中', '税所 花子', '田中', '税務課', null],
    );
    assert.equal(nameBeside('資産税課 高橋', '資産税課'), '高橋', '「資産税課の高橋がまいります」, not 「資産税課の資産税課 高橋」');
    assert.equal(nameBeside('a.b 田中', { name: 'x', aliases: ['a.b'] }), '田中', 'an alias is matched as text, not as a pattern');
    assert.equal(nameBeside('aXb 田中', { name: 'x', aliases: ['a.b'] }), 'aXb 田中');
  });
});
