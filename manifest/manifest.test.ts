import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import type { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { buildPackage, manifestInput } from './index.ts';
import { loadConfig } from '../core/config.ts';

const schema = (file: string) => JSON.parse(readFileSync(new URL(`../specs/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

function validator(file: string) {
  const s = schema(file);
  // Microsoft's localization schema has patterns that are invalid with the u flag (a bare "]" after \b): plain RegExps.
  const ajv = new (AjvDraft04 as unknown as typeof Ajv)({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false });
  return ajv.compile(s);
}

const config = loadConfig({
  TEAMS_TENANT_ID: 't',
  TEAMS_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  TEAMS_CLIENT_SECRET: 's',
  TEAMS_HOST_USER_ID: 'h',
  PUBLIC_BASE_URL: 'https://madoguchi.city.example.jp',
  CITY_NAME: 'さぬき市',
});

describe('Teams app package', () => {
  it('builds a manifest that validates against the official v1.29 schema, with the bot and its menu of commands (Teams allows 12; /help lists all)', () => {
    const input = manifestInput(config, '0.1.0');
    assert.ok(input.ok);
    const pkg = buildPackage(input.value);
    const validate = validator('teams-manifest-v1.29.schema.json');
    assert.ok(validate(pkg.manifest), JSON.stringify(validate.errors, null, 1));
    assert.equal(validate({ ...pkg.manifest, manifestVersion: '1.28' }), false, 'the check can fail');
    assert.equal(validate({ ...pkg.manifest, bots: [{ botId: 'not-a-guid', scopes: ['everywhere'] }] }), false);
    const bot = (pkg.manifest.bots as Array<{ botId: string; scopes: string[]; commandLists: Array<{ commands: Array<{ title: string }> }> }>)[0]!;
    assert.equal(bot.botId, '11111111-2222-3333-4444-555555555555');
    assert.deepEqual(bot.scopes, ['personal', 'team', 'groupChat']);
    assert.ok(bot.commandLists[0]!.commands.some((c) => c.title === 'relay'));
    assert.ok(
      bot.commandLists[0]!.commands.some((c) => c.title === 'call'),
      'the walk-in call is on the menu',
    );
    assert.ok(!bot.commandLists[0]!.commands.some((c) => c.title === 'duty'), 'once-a-shift commands are not');
    assert.equal(bot.commandLists[0]!.commands.length, 12);
    assert.deepEqual(pkg.manifest.validDomains, ['madoguchi.city.example.jp']);
  });

  it('adds a meeting side-panel tab, configured from PUBLIC_BASE_URL and open to anonymous guests, still valid v1.29', () => {
    const input = manifestInput(config, '0.1.0');
    assert.ok(input.ok);
    const { manifest } = buildPackage(input.value);
    const validate = validator('teams-manifest-v1.29.schema.json');
    assert.ok(validate(manifest), JSON.stringify(validate.errors, null, 1));
    const tabs = manifest.configurableTabs as Array<Record<string, unknown>>;
    assert.equal(tabs.length, 1);
    const tab = tabs[0]!;
    assert.deepEqual(tab, {
      configurationUrl: 'https://madoguchi.city.example.jp/app/teams/config',
      canUpdateConfiguration: true,
      scopes: ['groupChat'],
      context: ['meetingSidePanel', 'meetingStage', 'meetingChatTab', 'meetingDetailsTab'],
      meetingSurfaces: ['sidePanel', 'stage'],
    });
    assert.deepEqual(manifest.meetingExtensionDefinition, { supportsAnonymousGuestUsers: true });
    assert.equal('supportsAnonymousGuestUsers' in manifest, false, 'v1.29 has no top-level flag');
    // The configuration page's host is a valid domain; the only resource-specific consent is sharing to the stage.
    assert.ok((manifest.validDomains as string[]).includes(new URL(tab.configurationUrl as string).host));
    assert.deepEqual(manifest.authorization, { permissions: { resourceSpecific: [{ name: 'MeetingStage.Write.Chat', type: 'Delegated' }] } });
    assert.equal(validate({ ...manifest, authorization: { permissions: { resourceSpecific: [{ name: 'MeetingStage.Write.Chat', type: 'Both' }] } } }), false);
    // The schema really checks the tab and the meeting flag.
    assert.equal(validate({ ...manifest, configurableTabs: [{ ...tab, context: ['meetingSidebar'] }] }), false);
    assert.equal(validate({ ...manifest, configurableTabs: [{ ...tab, scopes: ['personal'] }] }), false);
    assert.equal(validate({ ...manifest, configurableTabs: [{ ...tab, name: 'counter' }] }), false, 'configurable tabs have no name');
    assert.equal(validate({ ...manifest, supportsAnonymousGuestUsers: true }), false, 'not a top-level property');
  });

  it('ships an English localization that validates, and two PNG icons of the right size, in the zip', () => {
    const input = manifestInput(config, '0.1.0');
    assert.ok(input.ok);
    const files = unzipSync(buildPackage(input.value).zip);
    assert.deepEqual(Object.keys(files).sort(), ['color.png', 'en-us.json', 'manifest.json', 'outline.png']);
    const validate = validator('teams-manifest-localization.schema.json');
    const en = JSON.parse(strFromU8(files['en-us.json']!)) as Record<string, unknown>;
    assert.ok(validate(en), JSON.stringify(validate.errors, null, 1));
    assert.equal(validate({ ...en, 'configurableTabs[0].name': 'Counter' }), false, 'the localization schema has no key for the meeting tab');
    const size = (png: Uint8Array) => [Buffer.from(png).readUInt32BE(16), Buffer.from(png).readUInt32BE(20)];
    assert.deepEqual(size(files['color.png']!), [192, 192]);
    assert.deepEqual(size(files['outline.png']!), [32, 32]);
  });

  it('refuses, with what to set, without a GUID app id or an https address', () => {
    const noTeams = manifestInput(loadConfig({}), '0.1.0');
    assert.equal(noTeams.ok, false);
    if (!noTeams.ok) assert.match(noTeams.reason.ja, /TEAMS_CLIENT_ID/);
    const http = manifestInput(
      loadConfig({ TEAMS_TENANT_ID: 't', TEAMS_CLIENT_ID: '11111111-2222-3333-4444-555555555555', TEAMS_CLIENT_SECRET: 's', TEAMS_HOST_USER_ID: 'h' }),
      '0.1.0',
    );
    assert.equal(http.ok, false);
    if (!http.ok) assert.match(http.reason.en, /https/);
  });
});
