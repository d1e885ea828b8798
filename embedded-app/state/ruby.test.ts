import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRuby, rubyHtml, rubyPlain } from './ruby.ts';
import { parseRows } from '../../admin/app-content.ts';

describe('ruby (furigana) markup', () => {
  it('reads 《》 after a run of kanji, and ｜ for an explicit base', () => {
    assert.deepEqual(parseRuby('この相談は録画《ろくが》しません'), [{ text: 'この相談は' }, { text: '録画', ruby: 'ろくが' }, { text: 'しません' }]);
    assert.deepEqual(parseRuby('｜死体検案書《したいけんあんしょ》の写し'), [{ text: '死体検案書', ruby: 'したいけんあんしょ' }, { text: 'の写し' }]);
    assert.deepEqual(parseRuby('|My Number《マイナンバー》'), [{ text: 'My Number', ruby: 'マイナンバー' }]);
    assert.equal(rubyHtml('録画《ろくが》').toString(), '<ruby>録画<rp>（</rp><rt>ろくが</rt><rp>）</rp></ruby>');
    assert.equal(rubyPlain('｜死体検案書《したいけんあんしょ》（死亡診断書《しぼうしんだんしょ》）'), '死体検案書（死亡診断書）');
  });

  it('leaves text without a base or a closing 》 as it is', () => {
    assert.equal(rubyPlain('ひらがな《よみ》'), 'ひらがな《よみ》');
    assert.equal(rubyPlain('漢字《よみ'), '漢字《よみ');
    assert.equal(rubyPlain('｜《》'), '｜《》');
  });

  it('never throws, keeps every character outside the markup, and never lets markup through', () => {
    const alphabet = fc.constantFrom('漢', '字', 'か', 'な', '｜', '|', '《', '》', '<', '>', '&', '"', 'a', ' ');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')),
        (text) => {
          const html = rubyHtml(text).toString();
          const tagsRemoved = html.replace(/<\/?(ruby|rt|rp)>/g, '');
          assert.ok(!/[<>]/.test(tagsRemoved), html);
          const plain = rubyPlain(text);
          assert.ok(plain.length <= text.length);
          if (!text.includes('《')) assert.equal(plain, text);
        },
      ),
    );
  });
});

describe('the admin editor’s rows', () => {
  it('keeps ids, makes ids for new rows, drops empty rows, and names the field of each problem', () => {
    const ok = parseRows('checklist', {
      id_0: 'id-card',
      ja_0: '本人確認書類',
      en_0: 'ID',
      whyJa_0: '',
      whyEn_0: '',
      ja_1: '',
      en_1: '',
      ja_2: '印鑑',
      en_2: 'Seal',
    });
    assert.ok(ok.ok);
    assert.deepEqual(
      ok.content.items.map((i) => i.id),
      ['id-card', ok.content.items[1]!.id],
    );
    assert.match(ok.content.items[1]!.id, /^item-[0-9a-f]{6}$/);
    const bad = parseRows('consent', { ja_0: '録画しません', en_0: '' });
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.errors.map((e) => e.field),
      ['en_0'],
    );
    const none = parseRows('consent', {});
    assert.ok(!none.ok);
    assert.equal(none.errors[0]!.field, 'ja_0');
  });
});
