// The bot's own cards (Adaptive Cards 1.3): which consultation /relay means, the /book form, and the question a Teams
// channel is asked when the bot is added to it. Pure.
import type { Card } from '../core/cards.ts';
import { card, submit, text } from '../core/cards.ts';

/** Which consultation does /relay mean? One button per candidate. */
export function pickConsultationCard(o: { department: string; note: string; candidates: ReadonlyArray<{ id: string; label: string }> }): Card {
  return card(
    [text(`どの相談を${o.department}へおつなぎしますか？`, { weight: 'Bolder' }), text('Which consultation do you mean?', { isSubtle: true, size: 'Small' })],
    o.candidates.map((c) => submit(c.label, { verb: 'relay', consultationId: c.id, department: o.department, note: o.note })),
  );
}

/** /book without arguments: a form. */
export function bookCard(o: { departments: ReadonlyArray<string>; date: string; times: ReadonlyArray<string> }): Card {
  return card(
    [
      text('オンライン相談の予約 / Book a consultation', { size: 'Large', weight: 'Bolder' }),
      { type: 'Input.Date', id: 'date', label: '日付 / Date', value: o.date },
      {
        type: 'Input.ChoiceSet',
        id: 'time',
        label: `空いている時間（${o.date}）/ Free times`,
        choices: o.times.map((t) => ({ title: t, value: t })),
        style: 'compact',
        ...(o.times[0] ? { value: o.times[0] } : {}),
      },
      {
        type: 'Input.ChoiceSet',
        id: 'duration',
        label: '時間 / Length',
        value: '60',
        choices: ['30', '45', '60', '90', '120'].map((m) => ({ title: `${m}分`, value: m })),
        style: 'compact',
      },
      {
        type: 'Input.ChoiceSet',
        id: 'department',
        label: '担当課 / Department',
        choices: o.departments.map((d) => ({ title: d, value: d })),
        style: 'compact',
        ...(o.departments[0] ? { value: o.departments[0] } : {}),
      },
      { type: 'Input.Text', id: 'name', label: '相談者のお名前 / Citizen name', isRequired: true },
      { type: 'Input.Text', id: 'email', label: 'メールアドレス / Email', style: 'Email', isRequired: true },
      { type: 'Input.Text', id: 'topic', label: '相談の内容（任意） / Topic', isMultiline: true },
    ],
    [submit('予約する / Book', { verb: 'book' }, 'positive')],
  );
}

/** When the bot is added to a Teams channel: which department's alerts should come here? */
export function linkChannelCard(o: { channel: string; offer: string; departments: ReadonlyArray<string> }): Card {
  return card(
    [
      text('このチャネルで、どの課への呼び出しを受けますか？', { weight: 'Bolder' }),
      text('Which department should receive relay alerts in this channel?', { isSubtle: true, size: 'Small' }),
      {
        type: 'Input.ChoiceSet',
        id: 'department',
        label: '課 / Department',
        choices: o.departments.map((d) => ({ title: d, value: d })),
        style: 'compact',
        ...(o.departments[0] ? { value: o.departments[0] } : {}),
      },
    ],
    [submit('この課の呼び出し先にする / Use for this department', { verb: 'link-channel', channel: o.channel, offer: o.offer }, 'positive')],
  );
}
