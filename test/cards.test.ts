// Every card the bot can send, checked by Microsoft's Adaptive Cards SDK (parsed for schema 1.3, which Webex and Teams
// both render: no unknown element or property, and its validation: labels and error messages on required inputs,
// unique ids, choice sets with choices) and by Webex's limits (at most five buttons, nothing newer than 1.3). The cards
// are built at their largest: seven open consultations, every department, fourteen days of times.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { bookCard, linkChannelCard, pickConsultationCard } from '../bot/cards.ts';
import { chooseDeviceCard, confirmCard } from '../bot/walk-in.ts';
import { alertCard, optionsCard } from '../relay/cards.ts';
import { DEFAULT_DEPARTMENTS } from '../scheduler/departments.ts';
import type { Card } from '../core/cards.ts';

// The SDK's ES build imports without file extensions (Node cannot load it); its UMD build is the same code.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** Webex renders Adaptive Cards 1.3 and shows at most five actions. */
const WEBEX_MAX_ACTIONS = 5;
const VERSION_1_3 = '1.3';

/** What the SDK and Webex's limits say is wrong with a card ([] when nothing). */
function problemsOf(json: Card): string[] {
  const problems: string[] = [];
  const hostConfig = new AC.HostConfig({ actions: { maxActions: WEBEX_MAX_ACTIONS } });
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const context = new AC.SerializationContext(AC.Versions.v1_3);
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of card.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  if (json.version !== VERSION_1_3) problems.push(`version ${String(json.version)}, not ${VERSION_1_3}`);
  const actions = (json.actions as unknown[] | undefined) ?? [];
  if (actions.length > WEBEX_MAX_ACTIONS) problems.push(`${actions.length} actions; Webex shows at most ${WEBEX_MAX_ACTIONS}`);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (o.type === 'Action.Execute') problems.push('Action.Execute is Adaptive Cards 1.4');
    if (o.type === 'ActionSet' && Array.isArray(o.actions) && o.actions.length > WEBEX_MAX_ACTIONS) problems.push('an ActionSet with more than five actions');
    for (const value of Object.values(o)) walk(value);
  };
  walk(json.body);
  return problems;
}

const departments = DEFAULT_DEPARTMENTS.map((d) => d.name);
const seven = Array.from({ length: 7 }, (_, i) => ({ id: `K7M2Q9X${i}`, label: `#K7M2Q9X${i} ${10 + i}:00 税務課 山田 太郎様` }));
const slots = Array.from({ length: 14 * 35 }, (_, i) => ({
  title: `12月${1 + Math.floor(i / 35)}日 ${String(8 + Math.floor((i % 35) / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`,
  value: `slot-${i}`,
}));
const alert = {
  relayId: 'R1',
  consultationId: 'K7M2Q9XA',
  consultationType: 'おくやみの手続き',
  toDepartment: '税務課',
  fromDepartment: '総合窓口課',
  requester: '受付 山本',
  note: '相続の件',
  waitingMinutes: 4,
  position: 2,
  escalated: false,
  mention: '<@personEmail:tanaka@city.example.jp|田中>',
};
const call = { department: '税務課', topic: '相続の手続き', reception: '12' };

/** Every card the bot sends, by name, built at its largest. */
const CARDS: Record<string, Card> = {
  'which consultation (/relay with seven open)': pickConsultationCard({ department: '税務課', note: '相続の件', candidates: seven }),
  '/book with fourteen days of times': bookCard({ departments, department: '税務課', slots, days: 14 }),
  '/book with nothing free': bookCard({ departments, department: '税務課', slots: [], days: 14 }),
  'which department for this Teams channel': linkChannelCard({ channel: '19:abc@thread.tacv2', offer: 'offer-1', departments }),
  'the department alert': alertCard(alert),
  'the department alert, escalated': alertCard({ ...alert, escalated: true, mention: '' }),
  ...Object.fromEntries(
    (['escalated', 'declined', 'nobody_on_duty'] as const).map((why) => [
      `the requester's choices (${why})`,
      optionsCard({ relayId: 'R1', consultationId: 'K7M2Q9XA', toDepartment: '税務課', why, departments }),
    ]),
  ),
  'which device (walk-in)': chooseDeviceCard(call, [
    { id: 'H1', displayName: '三隅支所 端末1' },
    { id: 'H2', displayName: '三隅支所 端末2' },
  ]),
  'call outside hours?': confirmCard(call, 'H1'),
};

describe('every card the bot sends, by the Adaptive Cards SDK and Webex’s limits', () => {
  for (const [name, json] of Object.entries(CARDS)) {
    it(name, () => assert.deepEqual(problemsOf(json), []));
  }

  it('the check itself finds what Webex and the SDK refuse', () => {
    const buttons = Array.from({ length: 7 }, (_, i) => ({ type: 'Action.Submit', title: `${i}`, data: { verb: 'relay' } }));
    assert.match(problemsOf({ type: 'AdaptiveCard', version: '1.3', body: [], actions: buttons }).join(), /7 actions/);
    const required = { type: 'AdaptiveCard', version: '1.3', body: [{ type: 'Input.Text', id: 'name', isRequired: true }] };
    assert.match(problemsOf(required).join(), /label/);
    assert.match(problemsOf(required).join(), /error message/);
    assert.match(problemsOf({ type: 'AdaptiveCard', version: '1.3', body: [{ type: 'Input.ChoiceSet', id: 'c', choices: [] }] }).join(), /at least one choice/);
    assert.match(problemsOf({ type: 'AdaptiveCard', version: '1.3', body: [{ type: 'Bogus' }] }).join(), /Unknown element/);
  });
});
