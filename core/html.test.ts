import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SafeHtml, esc, html, joinHtml, raw } from './html.ts';

describe('html template (safe by default)', () => {
  it('escapes every value put into it, in text and in attributes', () => {
    const evil = `"><script>alert('x')</script>&`;
    assert.equal(
      html`<p title="${evil}">${evil}</p>`.toString(),
      '<p title="&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;">&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#38;</p>',
    );
  });

  it('keeps HTML it made, and what is marked raw; lists render in turn; nothing renders as nothing', () => {
    const item = (s: string) => html`<li>${s}</li>`;
    assert.equal(html`<ul>${['a<', 'b'].map(item)}</ul>`.toString(), '<ul><li>a&#60;</li><li>b</li></ul>');
    assert.equal(html`${raw('<b>')}x${null}${undefined}${false}${0}`.toString(), '<b>x0');
    assert.equal(joinHtml([html`<i>1</i>`, '2<'], raw('<br>')).toString(), '<i>1</i><br>2&#60;');
    assert.ok(html`x` instanceof SafeHtml);
  });

  it('no text a person can type gets through as markup', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const out = html`<div data-x="${a}">${b}</div>`.toString();
        assert.equal(out, `<div data-x="${esc(a)}">${esc(b)}</div>`);
        const inner = out.slice('<div data-x="'.length, -'</div>'.length);
        assert.ok(!/[<>]/.test(inner.replace('">', '')), out);
      }),
    );
  });
});
