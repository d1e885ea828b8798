// The templates a new installation starts with, Japanese and English. Admins edit copies of these in the admin page.
// The Japanese invitation carries everything Sanuki City's procedure sends: time, meeting number, password, link,
// how to join from the app or by number, dial-in / video address, and the six notes.

export const TEMPLATE_KINDS = ['invitation', 'reminder', 'change', 'cancellation', 'survey', 'meeting_failed'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export interface TemplateContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export const KIND_LABELS: Record<TemplateKind, { ja: string; en: string }> = {
  invitation: { ja: '相談のご案内（招待）', en: 'Invitation' },
  reminder: { ja: '前日・直前のお知らせ', en: 'Reminder' },
  change: { ja: '日時変更のお知らせ', en: 'Change of date/time' },
  cancellation: { ja: '取り消しのお知らせ', en: 'Cancellation' },
  survey: { ja: '相談のあとのアンケートのお願い', en: 'Survey after the consultation' },
  meeting_failed: { ja: '会議を作成できなかったとき（職員向け）', en: 'Meeting could not be made (to staff)' },
};

// ---------------------------------------------------------------- shared pieces (Japanese)

const dryRunJa = `{% if meeting.is_dry_run %}【試験運用】このメールは試験運用で作られたものです。実際の会議はありません。

{% endif %}`;

const whenJa = `■ 日時
  {{ consultation.start | era_date }} {{ consultation.start | jst_time }}〜{{ consultation.end | jst_time }}（{{ consultation.duration_minutes }}分）
  （西暦 {{ consultation.start | jst_date }}、日本時間）
■ 担当
  {{ department.name }}`;

// Three ways in, plainest first: the browser on a computer (nothing to install: Teams documents Edge and Chrome for
// guests, and its meeting apps for guests only there), the free app on a phone or tablet, or the number and password.
const appNameOf = `{% if meeting.provider == "teams" %}Microsoft Teams{% else %}Webex{% endif %}`;
const browsersJa = `{% if meeting.provider == "teams" %}Microsoft Edge か Google Chrome{% else %}Google Chrome、Microsoft Edge など{% endif %}`;
const browsersEn = `{% if meeting.provider == "teams" %}Microsoft Edge or Google Chrome{% else %}Google Chrome, Microsoft Edge or another current browser{% endif %}`;

const joinJa = `■ 参加のしかた
  {% if meeting.provider == "teams" %}Microsoft Teams を使います。{% else %}Webex（ウェベックス）を使います。{% endif %}次のどれかの方法で参加してください。
  (1) パソコンで、アプリを入れずに参加する
      時間になったら次のリンクを押し、開いた画面で、ブラウザーで参加するボタンを選んでください（アプリを開くボタンではなく）。
      使えるブラウザー: ${browsersJa}（新しい版）
      {{ meeting.join_url }}
  (2) スマートフォン・タブレットで参加する
      前もってアプリを入れておき（無料。App Store か Google Play で「${appNameOf}」と検索）、時間になったら (1) のリンクを押してください。
  (3) 番号とパスワードで参加する
      アプリで「ミーティングに参加」を押し、次の番号とパスワードを入力してください。
      ミーティング番号: {{ meeting.number | group_digits }}
      パスワード: {{ meeting.password }}
      お名前と、このメールを受け取ったメールアドレスを入力してください。
  つながらないときは、{{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}へお電話ください。
{% if meeting.dial_in.size > 0 %}■ 電話で参加する場合
{% for d in meeting.dial_in %}  {{ d.label }}: {{ d.number }}
{% endfor %}  つながったら、ミーティング番号 {{ meeting.number | group_digits }} を入力してください。
{% endif %}{% if meeting.sip_address != "" %}■ ビデオ会議システムから参加する場合
  ダイヤル先: {{ meeting.sip_address }}
{% endif %}`;

const prepareJa = `{% if consultation.app_url != "" %}■ 事前の準備
  相談の前に、次のページで日時と担当の確認、相談のときのお約束への同意、用意していただく書類の確認をお願いします（このメールを受け取った方専用です）。時間になったら、このページの「参加する」ボタンからも会議に入れます。
  {{ consultation.app_url }}
{% endif %}`;

const notesJa = `■ ご注意（必ずお読みください）
  1. パソコン・タブレット・スマートフォンなどの機器と通信環境は、ご自身でご用意ください。
  2. 通信料金は、ご本人のご負担となります。
  3. このメールのリンク・ミーティング番号・パスワードは、ほかの人に教えないでください。
  4. ご本人の知らない個人情報を、職員からお伝えすることはできません。
  5. 相談の様子を録画・録音しないでください。
  6. このメールを受け取ったメールアドレスで参加してください。ほかのアドレスでは、すぐには参加できません。`;

const contactJa = `■ 日時の変更・取り消し
  {{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}までご連絡ください。

{{ city.name }} {{ department.name }}
{% if city.contact != "" %}{{ city.contact }}
{% endif %}`;

// ---------------------------------------------------------------- shared pieces (English)

const dryRunEn = `{% if meeting.is_dry_run %}[DRY RUN] This email comes from a trial setup. There is no real meeting.

{% endif %}`;

const whenEn = `When: {{ consultation.start | en_datetime }} to {{ consultation.end | jst_time }} ({{ consultation.duration_minutes }} minutes)
With: {{ department.name }}`;

const joinEn = `How to join (${appNameOf}), whichever suits you:
  1. On a computer, with nothing to install: at the time, open this link and choose to join in the browser
     (${browsersEn}, a current version):
     {{ meeting.join_url }}
  2. On a phone or tablet: install the free app beforehand ("${appNameOf}" in the App Store or Google Play), then open the link above.
  3. With the number and password: in the app, choose "Join a meeting" and enter
     Meeting number: {{ meeting.number | group_digits }}
     Password: {{ meeting.password }}
     with your name and the email address this message was sent to.
{% if meeting.dial_in.size > 0 %}By phone:
{% for d in meeting.dial_in %}  {{ d.label }}: {{ d.number }}
{% endfor %}  then enter the meeting number {{ meeting.number | group_digits }}.
{% endif %}{% if meeting.sip_address != "" %}From a video system: dial {{ meeting.sip_address }}
{% endif %}`;

const prepareEn = `{% if consultation.app_url != "" %}Before the consultation, you can check the details on your own page (for you only):
  {{ consultation.app_url }}
{% endif %}`;

const notesEn = `Please note:
  1. Please use your own computer, tablet or phone and internet connection.
  2. Any data charges are yours.
  3. Do not share this link, meeting number or password with anyone.
  4. Staff cannot give you personal information about other people.
  5. Please do not record the consultation (video or sound).
  6. Join with the email address this message was sent to.`;

const contactEn = `To change or cancel, please contact {{ department.name }}{% if department.contact != "" %} ({{ department.contact }}){% endif %}.

{{ city.name }}, {{ department.name }}
{% if city.contact != "" %}{{ city.contact }}
{% endif %}`;

// ---------------------------------------------------------------- HTML

const htmlPage = (lang: Locale, body: string) => `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;padding:16px;background:#ffffff;color:#1a1a1a;font-family:sans-serif;font-size:18px;line-height:1.7;">
<div style="max-width:640px;margin:0 auto;">
${body}
</div>
</body>
</html>
`;

const buttonLink = (url: string, label: string) =>
  `<p style="margin:24px 0;"><a href="${url}" style="display:inline-block;padding:14px 24px;background:#0b5394;color:#ffffff;text-decoration:none;font-size:20px;font-weight:bold;border-radius:6px;">${label}</a></p>`;
const joinButton = (label: string) => buttonLink('{{ meeting.join_url }}', label);

const joinHtmlJa = `<h2 style="font-size:20px;margin:24px 0 8px;">参加のしかた</h2>
<p>時間になったら、次のボタンを押してください。{% if meeting.provider == "teams" %}Microsoft Teams{% else %}Webex（ウェベックス）{% endif %}が開きます。</p>
${joinButton('相談に参加する')}
<p><strong>パソコンの場合</strong>: ブラウザーで参加するほうを選ぶと、アプリを入れずに参加できます（${browsersJa}の新しい版）。</p>
<p><strong>スマートフォン・タブレットの場合</strong>: 前もってアプリを入れておいてください（無料。App Store か Google Play で「${appNameOf}」と検索）。</p>
<p><strong>番号とパスワードで参加する場合</strong>: アプリで「ミーティングに参加」を押し、次の番号とパスワードを入力してください。</p>
<p style="font-size:22px;margin:8px 0;">ミーティング番号: <strong>{{ meeting.number | group_digits }}</strong><br>パスワード: <strong>{{ meeting.password }}</strong></p>
<p>お名前と、このメールを受け取ったメールアドレスを入力してください。</p>
{% if meeting.dial_in.size > 0 %}<p>電話で参加する場合: {% for d in meeting.dial_in %}{{ d.label }} {{ d.number }}{% unless forloop.last %}、{% endunless %}{% endfor %}（つながったらミーティング番号を入力）</p>{% endif %}
{% if meeting.sip_address != "" %}<p>ビデオ会議システムから: {{ meeting.sip_address }}</p>{% endif %}
<p style="font-size:14px;color:#444;">リンク: {{ meeting.join_url }}</p>`;

const notesHtmlJa = `<h2 style="font-size:20px;margin:24px 0 8px;">ご注意（必ずお読みください）</h2>
<ol style="padding-left:24px;">
<li>パソコン・タブレット・スマートフォンなどの機器と通信環境は、ご自身でご用意ください。</li>
<li>通信料金は、ご本人のご負担となります。</li>
<li>このメールのリンク・ミーティング番号・パスワードは、ほかの人に教えないでください。</li>
<li>ご本人の知らない個人情報を、職員からお伝えすることはできません。</li>
<li>相談の様子を録画・録音しないでください。</li>
<li>このメールを受け取ったメールアドレスで参加してください。ほかのアドレスでは、すぐには参加できません。</li>
</ol>`;

const contactHtmlJa = `<h2 style="font-size:20px;margin:24px 0 8px;">日時の変更・取り消し</h2>
<p>{{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}までご連絡ください。</p>
<p>{{ city.name }} {{ department.name }}{% if city.contact != "" %}<br>{{ city.contact }}{% endif %}</p>`;

const dryRunHtmlJa = `{% if meeting.is_dry_run %}<p style="border-left:6px solid #b35c00;background:#fff4e5;padding:8px 12px;">【試験運用】このメールは試験運用で作られたものです。実際の会議はありません。</p>{% endif %}`;
const whenHtmlJa = `<p style="font-size:20px;"><strong>{{ consultation.start | era_date }} {{ consultation.start | jst_time }}〜{{ consultation.end | jst_time }}</strong>（{{ consultation.duration_minutes }}分）<br><span style="font-size:16px;">西暦 {{ consultation.start | jst_date }}、日本時間</span></p>
<p>担当: {{ department.name }}</p>`;

const joinHtmlEn = `<h2 style="font-size:20px;margin:24px 0 8px;">How to join</h2>
<p>At the time, press the button. {% if meeting.provider == "teams" %}Microsoft Teams{% else %}Webex{% endif %} opens.</p>
${joinButton('Join the consultation')}
<p><strong>On a computer</strong>: choose to join in the browser, with nothing to install (${browsersEn}, a current version).</p>
<p><strong>On a phone or tablet</strong>: install the free app beforehand ("${appNameOf}" in the App Store or Google Play).</p>
<p><strong>With the number and password</strong>: choose "Join a meeting" in the app and enter:</p>
<p style="font-size:22px;margin:8px 0;">Meeting number: <strong>{{ meeting.number | group_digits }}</strong><br>Password: <strong>{{ meeting.password }}</strong></p>
<p>Use your name and the email address this message was sent to.</p>
{% if meeting.dial_in.size > 0 %}<p>By phone: {% for d in meeting.dial_in %}{{ d.label }} {{ d.number }}{% unless forloop.last %}, {% endunless %}{% endfor %}</p>{% endif %}
{% if meeting.sip_address != "" %}<p>From a video system: {{ meeting.sip_address }}</p>{% endif %}
<p style="font-size:14px;color:#444;">Link: {{ meeting.join_url }}</p>`;

const notesHtmlEn = `<h2 style="font-size:20px;margin:24px 0 8px;">Please note</h2>
<ol style="padding-left:24px;">
<li>Please use your own computer, tablet or phone and internet connection.</li>
<li>Any data charges are yours.</li>
<li>Do not share this link, meeting number or password with anyone.</li>
<li>Staff cannot give you personal information about other people.</li>
<li>Please do not record the consultation (video or sound).</li>
<li>Join with the email address this message was sent to.</li>
</ol>`;

const contactHtmlEn = `<p>To change or cancel, please contact {{ department.name }}{% if department.contact != "" %} ({{ department.contact }}){% endif %}.</p>
<p>{{ city.name }}, {{ department.name }}{% if city.contact != "" %}<br>{{ city.contact }}{% endif %}</p>`;
const dryRunHtmlEn = `{% if meeting.is_dry_run %}<p style="border-left:6px solid #b35c00;background:#fff4e5;padding:8px 12px;">[DRY RUN] This email comes from a trial setup. There is no real meeting.</p>{% endif %}`;
/** The personal page, in every mail that has a time to come: its link follows the current time. */
const prepareHtmlJa = `
{% if consultation.app_url != "" %}<p>相談の前に、<a href="{{ consultation.app_url }}">あなた専用の案内ページ</a>で日時や担当をご確認いただけます。</p>{% endif %}`;
const prepareHtmlEn = `
{% if consultation.app_url != "" %}<p>Before the consultation, you can check the details on <a href="{{ consultation.app_url }}">your own page</a>.</p>{% endif %}`;

const whenHtmlEn = `<p style="font-size:20px;"><strong>{{ consultation.start | en_datetime }}</strong> to {{ consultation.end | jst_time }} ({{ consultation.duration_minutes }} minutes)</p>
<p>With: {{ department.name }}</p>`;

/** The invitation and the reminder: greeting, time, how to join (and anything extra), the notes, whom to contact. */
const letterJa = (intro: string, extraText = '', extraHtml = '') => ({
  text: `${dryRunJa}{{ citizen.name }} 様

{{ city.name }} {{ department.name }}です。
${intro}

${whenJa}

${joinJa}${extraText}
${notesJa}

${contactJa}`,
  html: htmlPage(
    'ja',
    `${dryRunHtmlJa}
<p>{{ citizen.name }} 様</p>
<p>{{ city.name }} {{ department.name }}です。${intro}</p>
${whenHtmlJa}
${joinHtmlJa}${extraHtml}
${notesHtmlJa}
${contactHtmlJa}`,
  ),
});

const letterEn = (intro: string, extraText = '', extraHtml = '') => ({
  text: `${dryRunEn}Dear {{ citizen.name }},

${intro}

${whenEn}

${joinEn}${extraText}
${notesEn}

${contactEn}`,
  html: htmlPage(
    'en',
    `${dryRunHtmlEn}
<p>Dear {{ citizen.name }},</p>
<p>${intro}</p>
${whenHtmlEn}
${joinHtmlEn}${extraHtml}
${notesHtmlEn}
${contactHtmlEn}`,
  ),
});

export const DEFAULT_TEMPLATES: Record<TemplateKind, Record<Locale, TemplateContent>> = {
  invitation: {
    ja: {
      subject: '【{{ city.name }}】オンライン相談のご案内（{{ consultation.start | jst_datetime }}）',
      ...letterJa('オンライン相談の日時が決まりましたので、ご案内します。', prepareJa, prepareHtmlJa),
    },
    en: {
      subject: '[{{ city.name }}] Your online consultation: {{ consultation.start | en_datetime }}',
      ...letterEn('This is {{ department.name }}, {{ city.name }}. Your online consultation is booked.', prepareEn, prepareHtmlEn),
    },
  },
  reminder: {
    ja: {
      subject: '【{{ city.name }}】オンライン相談のお知らせ（{{ consultation.start | jst_datetime }}）',
      ...letterJa('オンライン相談の日が近づきましたので、お知らせします。', prepareJa, prepareHtmlJa),
    },
    en: {
      subject: '[{{ city.name }}] Reminder: online consultation {{ consultation.start | en_datetime }}',
      ...letterEn('A reminder of your online consultation with {{ department.name }}, {{ city.name }}.', prepareEn, prepareHtmlEn),
    },
  },
  change: {
    ja: {
      subject: '【{{ city.name }}】オンライン相談の日時が変わりました（{{ consultation.start | jst_datetime }}）',
      text: `${dryRunJa}{{ citizen.name }} 様

{{ city.name }} {{ department.name }}です。
オンライン相談の日時が変わりましたので、お知らせします。
{% if previous %}
■ 変更前（この日時には行いません）
  {{ previous.start | era_date }} {{ previous.start | jst_time }}〜{{ previous.end | jst_time }}
{% endif %}
${whenJa.replace('■ 日時', '■ 新しい日時')}

${joinJa}${prepareJa}
${notesJa}

${contactJa}`,
      html: htmlPage(
        'ja',
        `${dryRunHtmlJa}
<p>{{ citizen.name }} 様</p>
<p>{{ city.name }} {{ department.name }}です。オンライン相談の日時が変わりましたので、お知らせします。</p>
{% if previous %}<p>変更前（この日時には行いません）: <s>{{ previous.start | era_date }} {{ previous.start | jst_time }}〜{{ previous.end | jst_time }}</s></p>{% endif %}
<p>新しい日時:</p>
${whenHtmlJa}
${joinHtmlJa}${prepareHtmlJa}
${notesHtmlJa}
${contactHtmlJa}`,
      ),
    },
    en: {
      subject: '[{{ city.name }}] New time for your online consultation: {{ consultation.start | en_datetime }}',
      text: `${dryRunEn}Dear {{ citizen.name }},

The time of your online consultation has changed.
{% if previous %}
Before (no longer valid): {{ previous.start | en_datetime }}
{% endif %}
New time:
${whenEn}

${joinEn}${prepareEn}
${notesEn}

${contactEn}`,
      html: htmlPage(
        'en',
        `${dryRunHtmlEn}
<p>Dear {{ citizen.name }},</p>
<p>The time of your online consultation has changed.</p>
{% if previous %}<p>Before (no longer valid): <s>{{ previous.start | en_datetime }}</s></p>{% endif %}
<p>New time:</p>
${whenHtmlEn}
${joinHtmlEn}${prepareHtmlEn}
${notesHtmlEn}
${contactHtmlEn}`,
      ),
    },
  },
  cancellation: {
    ja: {
      subject: '【{{ city.name }}】オンライン相談を取り消しました（{{ consultation.start | jst_datetime }}）',
      text: `${dryRunJa}{{ citizen.name }} 様

{{ city.name }} {{ department.name }}です。
次のオンライン相談を取り消しましたので、お知らせします。

${whenJa}
{% if reason != "" %}■ 理由
  {{ reason }}
{% endif %}
先にお送りしたリンク・ミーティング番号・パスワードは使えなくなりました。
あらためて相談を希望される場合は、{{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}までご連絡ください。

{{ city.name }} {{ department.name }}
{% if city.contact != "" %}{{ city.contact }}
{% endif %}`,
      html: htmlPage(
        'ja',
        `${dryRunHtmlJa}
<p>{{ citizen.name }} 様</p>
<p>{{ city.name }} {{ department.name }}です。次のオンライン相談を取り消しましたので、お知らせします。</p>
${whenHtmlJa}
{% if reason != "" %}<p>理由: {{ reason }}</p>{% endif %}
<p>先にお送りしたリンク・ミーティング番号・パスワードは使えなくなりました。あらためて相談を希望される場合は、{{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}までご連絡ください。</p>
<p>{{ city.name }} {{ department.name }}{% if city.contact != "" %}<br>{{ city.contact }}{% endif %}</p>`,
      ),
    },
    en: {
      subject: '[{{ city.name }}] Online consultation cancelled: {{ consultation.start | en_datetime }}',
      text: `${dryRunEn}Dear {{ citizen.name }},

The following online consultation has been cancelled.

${whenEn}
{% if reason != "" %}Reason: {{ reason }}
{% endif %}
The link, meeting number and password sent before no longer work. To book again, please contact {{ department.name }}{% if department.contact != "" %} ({{ department.contact }}){% endif %}.

{{ city.name }}, {{ department.name }}
`,
      html: htmlPage(
        'en',
        `${dryRunHtmlEn}
<p>Dear {{ citizen.name }},</p>
<p>The following online consultation has been cancelled.</p>
${whenHtmlEn}
{% if reason != "" %}<p>Reason: {{ reason }}</p>{% endif %}
<p>The link, meeting number and password sent before no longer work. To book again, please contact {{ department.name }}{% if department.contact != "" %} ({{ department.contact }}){% endif %}.</p>
<p>{{ city.name }}, {{ department.name }}</p>`,
      ),
    },
  },
  survey: {
    ja: {
      subject: '【{{ city.name }}】オンライン相談のアンケートのお願い',
      text: `{{ citizen.name }} 様

{{ city.name }} {{ department.name }}です。
オンライン相談をご利用いただき、ありがとうございました。

よろしければ、短いアンケート（3問、1分ほど）にお答えください。
これからの相談をよりよくするために使います。お答えは任意です。
  {{ consultation.survey_url }}

■ お問い合わせ
  {{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}

{{ city.name }} {{ department.name }}
`,
      html: htmlPage(
        'ja',
        `<p>{{ citizen.name }} 様</p>
<p>{{ city.name }} {{ department.name }}です。オンライン相談をご利用いただき、ありがとうございました。</p>
<p>よろしければ、短いアンケート（3問、1分ほど）にお答えください。これからの相談をよりよくするために使います。お答えは任意です。</p>
{% if consultation.survey_url != "" %}${buttonLink('{{ consultation.survey_url }}', 'アンケートに答える')}{% endif %}
<p>お問い合わせ: {{ department.name }}{% if department.contact != "" %}（{{ department.contact }}）{% endif %}</p>
<p>{{ city.name }} {{ department.name }}</p>`,
      ),
    },
    en: {
      subject: '[{{ city.name }}] A short survey about your online consultation',
      text: `Dear {{ citizen.name }},

Thank you for your online consultation with {{ department.name }}, {{ city.name }}.

If you like, please answer a short survey (3 questions, about a minute). It helps us improve; answering is optional.
  {{ consultation.survey_url }}

Questions: {{ department.name }}{% if department.contact != "" %} ({{ department.contact }}){% endif %}
`,
      html: htmlPage(
        'en',
        `<p>Dear {{ citizen.name }},</p>
<p>Thank you for your online consultation with {{ department.name }}, {{ city.name }}.</p>
<p>If you like, please answer a short survey (3 questions, about a minute). It helps us improve; answering is optional.</p>
{% if consultation.survey_url != "" %}${buttonLink('{{ consultation.survey_url }}', 'Answer the survey')}{% endif %}
<p>Questions: {{ department.name }}{% if department.contact != "" %} ({{ department.contact }}){% endif %}</p>`,
      ),
    },
  },
  meeting_failed: {
    ja: {
      subject: '【要対応】オンライン相談 {{ consultation.id }} の会議を作成できませんでした',
      text: `{{ department.name }} ご担当者様

次のオンライン相談の会議を作成できませんでした。相談者への案内メールはまだ送られていません。

相談番号: {{ consultation.id }}
日時: {{ consultation.start | jst_datetime }}〜{{ consultation.end | jst_time }}
担当: {{ department.name }}
会議サービスからのメッセージ:
  {{ problem }}

原因（アカウントの設定、パスワードの決まりなど）を直してから、相談の「再試行」を行ってください
（API: POST /api/v1/consultations/{{ consultation.id }}/retry）。
`,
      html: htmlPage(
        'ja',
        `<p>{{ department.name }} ご担当者様</p>
<p>次のオンライン相談の会議を作成できませんでした。相談者への案内メールはまだ送られていません。</p>
<p>相談番号: <strong>{{ consultation.id }}</strong><br>日時: {{ consultation.start | jst_datetime }}〜{{ consultation.end | jst_time }}<br>担当: {{ department.name }}</p>
<p>会議サービスからのメッセージ:<br><code>{{ problem }}</code></p>
<p>原因を直してから、相談の「再試行」を行ってください（API: POST /api/v1/consultations/{{ consultation.id }}/retry）。</p>`,
      ),
    },
    en: {
      subject: '[Action needed] No meeting could be made for consultation {{ consultation.id }}',
      text: `The meeting for this consultation could not be made; the citizen has not been sent an invitation yet.

Consultation: {{ consultation.id }}
When: {{ consultation.start | en_datetime }}
Department: {{ department.name }}
The provider said:
  {{ problem }}

Fix the cause, then retry the consultation (POST /api/v1/consultations/{{ consultation.id }}/retry).
`,
      html: htmlPage(
        'en',
        `<p>The meeting for this consultation could not be made; the citizen has not been sent an invitation yet.</p>
<p>Consultation: <strong>{{ consultation.id }}</strong><br>When: {{ consultation.start | en_datetime }}<br>Department: {{ department.name }}</p>
<p>The provider said:<br><code>{{ problem }}</code></p>
<p>Fix the cause, then retry the consultation (POST /api/v1/consultations/{{ consultation.id }}/retry).</p>`,
      ),
    },
  },
};
