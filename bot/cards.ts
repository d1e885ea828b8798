// Adaptive Cards (schema 1.3, which both Webex and Teams render) for alerts, choices and forms. Pure.

export type Card = Record<string, unknown>;

/** What a card button sends back; the platform adapters pass it to the core unchanged (plus any inputs). */
export type CardAction =
  | { verb: 'accept'; relayId: string }
  | { verb: 'decline'; relayId: string }
  | { verb: 'keep-waiting'; relayId: string }
  | { verb: 'cancel-relay'; relayId: string }
  | { verb: 'reroute'; relayId: string; department?: string }
  | { verb: 'relay'; consultationId: string; department: string; note: string }
  | { verb: 'link-channel'; channel: string; offer: string; department?: string }
  | { verb: 'book'; date?: string; time?: string; duration?: string; department?: string; name?: string; email?: string; topic?: string };

const card = (body: unknown[], actions: unknown[] = []): Card => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.3',
  body,
  ...(actions.length > 0 ? { actions } : {}),
});

const text = (t: string, more: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: t, wrap: true, ...more });
const submit = (title: string, data: CardAction, style?: 'positive' | 'destructive') => ({ type: 'Action.Submit', title, data, ...(style ? { style } : {}) });

export interface AlertView {
  readonly relayId: string;
  readonly consultationId: string;
  readonly consultationType: string;
  readonly toDepartment: string;
  readonly fromDepartment: string;
  readonly requester: string;
  readonly note: string;
  readonly waitingMinutes: number;
  readonly position: number;
  readonly escalated: boolean;
  readonly mention: string;
}

/** The buzzer and the flashing lamp: a department is asked to take a consultation over. */
export function alertCard(a: AlertView): Card {
  return card(
    [
      text(a.escalated ? `【再呼び出し】${a.toDepartment}へのおつなぎ（${a.waitingMinutes}分お待ちです）` : `【呼び出し】${a.toDepartment}へのおつなぎ`, {
        size: 'Large',
        weight: 'Bolder',
        color: a.escalated ? 'Attention' : 'Accent',
      }),
      ...(a.mention ? [text(a.mention)] : []),
      {
        type: 'FactSet',
        facts: [
          { title: '相談', value: `#${a.consultationId}（${a.consultationType}）` },
          { title: '依頼元', value: `${a.fromDepartment} ${a.requester}` },
          { title: 'メモ', value: a.note || '（なし）' },
          { title: '待ち時間', value: `${a.waitingMinutes}分` },
          { title: '順番', value: `${a.position}番目` },
        ],
      },
      text(`Relay to ${a.toDepartment}: consultation #${a.consultationId}, waiting ${a.waitingMinutes} min, position ${a.position}.`, {
        isSubtle: true,
        size: 'Small',
      }),
    ],
    [
      submit('対応する / Accept', { verb: 'accept', relayId: a.relayId }, 'positive'),
      submit('対応できない / Decline', { verb: 'decline', relayId: a.relayId }, 'destructive'),
    ],
  );
}

/** For the requester when nobody has answered, or the department declined. */
export function optionsCard(o: {
  relayId: string;
  consultationId: string;
  toDepartment: string;
  why: 'escalated' | 'declined';
  departments: ReadonlyArray<string>;
}): Card {
  const head =
    o.why === 'escalated'
      ? `${o.toDepartment}からまだ応答がありません（相談 #${o.consultationId}）。もう一度、全員を呼び出しました。`
      : `${o.toDepartment}は今は対応できません（相談 #${o.consultationId}）。`;
  return card(
    [
      text(head, { weight: 'Bolder' }),
      text(o.why === 'escalated' ? 'No answer yet; everyone has been alerted again.' : 'The department cannot take it now.', { isSubtle: true, size: 'Small' }),
      {
        type: 'Input.ChoiceSet',
        id: 'department',
        label: 'ほかの課へおつなぎする場合 / Relay elsewhere',
        choices: o.departments.map((d) => ({ title: d, value: d })),
        style: 'compact',
      },
    ],
    [
      ...(o.why === 'escalated' ? [submit('このまま待つ / Keep waiting', { verb: 'keep-waiting', relayId: o.relayId })] : []),
      submit('選んだ課へおつなぎ / Relay there', { verb: 'reroute', relayId: o.relayId }),
      ...(o.why === 'escalated' ? [submit('おつなぎをやめる / Cancel', { verb: 'cancel-relay', relayId: o.relayId }, 'destructive')] : []),
    ],
  );
}

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
