import assert from 'node:assert/strict';
import { DEFAULT_TEMPLATES, LOCALES, TEMPLATE_KINDS } from './defaults.ts';
import { checkTemplate, eraDate, groupDigits } from './liquid.ts';
import { renderMessage } from './render.ts';
import { buildVariables, sampleInput, unknownVariables } from './variables.ts';
import { localInstant } from '../core/time.ts';

describe('message templates', () => {
  it('every default template is valid and renders for the sample consultation', async () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const locale of LOCALES) {
        const t = DEFAULT_TEMPLATES[kind][locale];
        assert.deepEqual(checkTemplate(t), [], `${kind}/${locale}`);
        const r = await renderMessage(t, buildVariables(sampleInput({ name: 'さぬき市', contact: '0879-00-0000' })));
        assert.ok(r.subject.length > 0 && !r.subject.includes('\n'));
        assert.ok(r.text.includes('税務課'), `${kind}/${locale} names the department`);
        const title = /<title>([^<]*)<\/title>/.exec(r.html)?.[1];
        assert.equal(title?.replace(/&amp;/g, '&'), r.subject, `${kind}/${locale}: the HTML is titled with the subject`);
      }
    }
  });

  it('a template with its own <title> keeps it, and the subject is escaped in the one given', async () => {
    const { withTitle } = await import('./render.ts');
    assert.equal(withTitle('<html><head><title>x</title></head></html>', 'y'), '<html><head><title>x</title></head></html>');
    assert.equal(withTitle('<html><head></head></html>', 'a<b & "c"'), '<html><head><title>a&lt;b &amp; &quot;c&quot;</title></head></html>');
    assert.equal(withTitle('<p>no head</p>', 'y'), '<p>no head</p>');
  });

  it('the Japanese invitation covers the six notes and both ways to join', async () => {
    const r = await renderMessage(DEFAULT_TEMPLATES.invitation.ja, buildVariables(sampleInput({ name: 'さぬき市', contact: '' })));
    for (const needle of [
      'ご自身でご用意',
      '通信料金',
      'ほかの人に教えない',
      '個人情報',
      '録画・録音しないで',
      'このメールを受け取ったメールアドレス',
      'ミーティング番号: 123 456 789',
      'パスワード: 38472910',
      'ミーティングに参加',
      '+81-3-0000-0000',
      '123456789@city.webex.com',
      '令和8年12月1日（火）',
    ]) {
      assert.ok(r.text.includes(needle), needle);
    }
  });

  it('the invitation offers the browser join on a computer with the browsers each platform supports, the app on a phone, and the number', async () => {
    const input = sampleInput({ name: 'さぬき市', contact: '' });
    const webex = await renderMessage(DEFAULT_TEMPLATES.invitation.ja, buildVariables(input));
    assert.match(webex.text, /\(1\) パソコンで、アプリを入れずに参加する[\s\S]*使えるブラウザー: Google Chrome、Microsoft Edge など/);
    assert.match(webex.text, /\(2\) スマートフォン・タブレットで参加する[\s\S]*「Webex」と検索/);
    assert.match(webex.text, /\(3\) 番号とパスワードで参加する/);
    const teams = await renderMessage(DEFAULT_TEMPLATES.invitation.ja, buildVariables({ ...input, meeting: { ...input.meeting!, provider: 'teams' } }));
    assert.match(teams.text, /使えるブラウザー: Microsoft Edge か Google Chrome（新しい版）/, 'Teams: the browsers its guest join and meeting apps support');
    assert.match(
      teams.html,
      /パソコンの場合<\/strong>: ブラウザーで参加するほうを選ぶと、アプリを入れずに参加できます（Microsoft Edge か Google Chromeの新しい版）/,
    );
    const en = await renderMessage(DEFAULT_TEMPLATES.invitation.en, buildVariables({ ...input, meeting: { ...input.meeting!, provider: 'teams' } }));
    assert.match(en.text, /On a computer, with nothing to install[\s\S]*Microsoft Edge or Google Chrome/);
  });

  it('HTML output is escaped; the text part is not', async () => {
    const input = sampleInput({ name: 'さぬき市', contact: '' });
    const v = buildVariables({ ...input, consultation: { ...input.consultation, citizen: { name: '<script>alert(1)</script>', email: 'x@example.jp' } } });
    const r = await renderMessage(DEFAULT_TEMPLATES.invitation.ja, v);
    assert.ok(!r.html.includes('<script>alert(1)</script>'));
    assert.ok(r.html.includes('&lt;script&gt;'));
    assert.ok(r.text.includes('<script>alert(1)</script> 様'));
  });

  it('refuses unknown variables, unknown filters, broken syntax and includes, naming the part', () => {
    const ok = DEFAULT_TEMPLATES.invitation.ja;
    assert.deepEqual(
      checkTemplate({ ...ok, subject: '{{ meeting.pasword }}' }).map((p) => p.part),
      ['subject'],
    );
    assert.match(checkTemplate({ ...ok, subject: '{{ meeting.pasword }}' })[0]!.ja, /meeting\.pasword/);
    assert.match(checkTemplate({ ...ok, text: '{{ citizen.name | shout }}' })[0]!.en, /Syntax error.*shout/);
    assert.match(checkTemplate({ ...ok, html: '{% if citizen.name %}' })[0]!.en, /Syntax error/);
    assert.match(checkTemplate({ ...ok, text: '{% include "/etc/passwd" %}' })[0]!.ja, /include/);
    assert.deepEqual(
      unknownVariables(['meeting.dial_in', 'meeting.dial_in.size', 'meeting.dial_in[0].label', 'meeting.dial_in.first.number', 'citizen.name.size']),
      [],
    );
  });

  it('formats Japanese era dates and meeting numbers', () => {
    assert.equal(eraDate(localInstant('2026-12-01', 600)), '令和8年12月1日（火）');
    assert.equal(eraDate(localInstant('2019-05-01', 600)), '令和元年5月1日（水）');
    assert.equal(eraDate(localInstant('2019-04-30', 600)), '平成31年4月30日（火）');
    assert.equal(groupDigits('2551234567'), '255 123 456 7');
    assert.equal(groupDigits('123456789'), '123 456 789');
  });
});
