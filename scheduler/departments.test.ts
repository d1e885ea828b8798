import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_DEPARTMENTS, matchDepartment } from './departments.ts';

const departments = DEFAULT_DEPARTMENTS.map((d, i) => ({ ...d, id: `D${i}` }));

describe('department matching', () => {
  it('finds a department by its name, an alias, full-width input or English', () => {
    for (const typed of ['税務課', '税務', '税', 'tax', 'ＴＡＸ', ' 税務 ']) {
      const r = matchDepartment(departments, typed);
      assert.ok(r.ok, typed);
      assert.equal(r.value.name, '税務課');
    }
  });

  it('suggests the closest departments for a near miss', () => {
    const r = matchDepartment(departments, '税務か');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.reason.suggestions[0]?.name, '税務課');
  });

  it('suggests nothing for something unrelated', () => {
    const r = matchDepartment(departments, 'xyzzy');
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.reason.suggestions, []);
  });

  it('never throws and suggests at most three (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = matchDepartment(departments, s);
        if (!r.ok) assert.ok(r.reason.suggestions.length <= 3);
      }),
    );
  });
});
