// manifest/ owns the Microsoft Teams app package: manifest.json (schema v1.29) with the staff bot and its commands and the
// meeting side-panel tab, the English localization, and the two icons — generated from configuration; `npm run manifest`
// writes the zip.
import { deflateSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import type { Config } from '../core/config.ts';
import { COMMAND_HELP } from '../bot/commands.ts';

export interface ManifestInput {
  /** The Entra app (bot) id: TEAMS_CLIENT_ID. */
  readonly botId: string;
  /** https:// only; Teams refuses anything else. */
  readonly publicBaseUrl: string;
  readonly cityName: string;
  readonly version: string;
}

export type Manifest = Record<string, unknown>;

export type ManifestResult = { ok: true; value: ManifestInput } | { ok: false; reason: { ja: string; en: string } };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** What the manifest needs from the configuration, or what is missing. */
export function manifestInput(config: Config, version: string): ManifestResult {
  const botId = config.teamsAppId;
  if (!GUID.test(botId))
    return {
      ok: false,
      reason: {
        ja: 'TEAMS_CLIENT_ID に Entra アプリ（ボット）の ID（GUID）を設定してください。',
        en: 'Set TEAMS_CLIENT_ID to the Entra app (bot) id, a GUID.',
      },
    };
  if (!config.publicBaseUrl.startsWith('https://')) {
    return {
      ok: false,
      reason: {
        ja: `PUBLIC_BASE_URL は https:// の URL にしてください（Teams は https しか受け付けません。今: ${config.publicBaseUrl}）。`,
        en: `PUBLIC_BASE_URL must be https:// for Teams (now ${config.publicBaseUrl}).`,
      },
    };
  }
  return { ok: true, value: { botId, publicBaseUrl: config.publicBaseUrl, cityName: config.city.name, version } };
}

/**
 * Teams shows at most 12 commands in the bot's menu: those set once (/duty per shift, /site once, /board), /cancel and /app
 * (typed with a consultation's number) are left out of it; /help lists every command.
 */
const OFF_MENU = new Set(['duty', 'site', 'board', 'cancel', 'app']);
export const MENU_COMMANDS = COMMAND_HELP.filter((c) => !OFF_MENU.has(c.name));
const commandsFor = (locale: 'ja' | 'en') =>
  MENU_COMMANDS.map((c) => ({ title: c.name, description: (locale === 'ja' ? `${c.ja}（例: ${c.example}）` : `${c.en} (e.g. ${c.example})`).slice(0, 4000) }));

export function buildManifest(i: ManifestInput): Manifest {
  const host = new URL(i.publicBaseUrl).host;
  const scopes = ['personal', 'team', 'groupChat'];
  return {
    $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.schema.json',
    manifestVersion: '1.29',
    version: i.version,
    id: i.botId,
    developer: {
      name: i.cityName.slice(0, 32),
      websiteUrl: `${i.publicBaseUrl}/`,
      privacyUrl: `${i.publicBaseUrl}/`,
      termsOfUseUrl: `${i.publicBaseUrl}/`,
    },
    name: { short: '窓口 madoguchi', full: `${i.cityName} オンライン相談窓口（窓口 madoguchi）`.slice(0, 100) },
    description: {
      short: 'オンライン相談の予約と、課から課へのおつなぎ（/relay）',
      full: 'オンライン相談の予約（/book）、今日の相談（/today）、ほかの課へのおつなぎ（/relay 税務）、呼び出しへの応答（対応する）を、Teams のチャットから行います。',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#0B3D6E',
    bots: [
      {
        botId: i.botId,
        scopes,
        isNotificationOnly: false,
        supportsFiles: false,
        commandLists: scopes.map((scope) => ({ scopes: [scope], commands: commandsFor('ja') })),
      },
    ],
    // The in-meeting counter: a side-panel tab (also offered in the meeting chat and details tabs), and the meeting
    // stage, where staff share the citizen's steps: a citizen who joined as an anonymous guest sees meeting apps only
    // there (Microsoft Edge and Chrome). Schema v1.29 gives configurable tabs no name of their own (the app's name is
    // shown) and the localization schema no key for them.
    configurableTabs: [
      {
        configurationUrl: `${i.publicBaseUrl}/app/teams/config`,
        canUpdateConfiguration: true,
        scopes: ['groupChat'],
        context: ['meetingSidePanel', 'meetingStage', 'meetingChatTab', 'meetingDetailsTab'],
        meetingSurfaces: ['sidePanel', 'stage'],
      },
    ],
    // Citizens join as anonymous guests; in v1.29 this flag lives here, not at the top level.
    meetingExtensionDefinition: { supportsAnonymousGuestUsers: true },
    permissions: ['identity', 'messageTeamMembers'],
    // Sharing to the stage of a scheduled (private) meeting needs this resource-specific permission.
    authorization: { permissions: { resourceSpecific: [{ name: 'MeetingStage.Write.Chat', type: 'Delegated' }] } },
    // The tab's pages (and the bot's links) are served from PUBLIC_BASE_URL.
    validDomains: [host],
    localizationInfo: { defaultLanguageTag: 'ja-jp', additionalLanguages: [{ languageTag: 'en-us', file: 'en-us.json' }] },
  };
}

/** English strings for the keys Teams lets a localization file translate. */
export function buildEnglish(manifest: Manifest): Record<string, unknown> {
  const bots = manifest.bots as Array<{ commandLists: Array<{ commands: unknown[] }> }>;
  const en = commandsFor('en');
  const out: Record<string, unknown> = {
    $schema: 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.Localization.schema.json',
    'name.short': 'madoguchi',
    'name.full': 'madoguchi online consultation counter',
    'description.short': 'Book online consultations and relay citizens between departments',
    'description.full':
      'Book consultations (/book), see today (/today), hand a citizen over to another department (/relay tax) and answer relay alerts, from Teams chat.',
  };
  bots[0]!.commandLists.forEach((list, l) => {
    list.commands.forEach((_, c) => {
      out[`bots[0].commandLists[${l}].commands[${c}].description`] = en[c]!.description;
    });
  });
  return out;
}

// ---------------------------------------------------------------- icons (PNG, drawn here)

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGBA PNG of `size`×`size` from a pixel function. */
export function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A counter window (窓口): a rounded frame with a sill, white on the city blue (color) or white on clear (outline). */
function counterIcon(size: number, background: [number, number, number, number]): Buffer {
  const s = size / 32;
  return png(size, (x, y) => {
    const fx = x / s;
    const fy = y / s;
    const frame = fx >= 7 && fx < 25 && fy >= 6 && fy < 22 && !(fx >= 10 && fx < 22 && fy >= 9 && fy < 19);
    const sill = fx >= 5 && fx < 27 && fy >= 23 && fy < 26;
    return frame || sill ? [255, 255, 255, 255] : background;
  });
}

export interface Package {
  readonly manifest: Manifest;
  readonly english: Record<string, unknown>;
  readonly zip: Uint8Array;
}

export function buildPackage(i: ManifestInput): Package {
  const manifest = buildManifest(i);
  const english = buildEnglish(manifest);
  const zip = zipSync({
    'manifest.json': strToU8(JSON.stringify(manifest, null, 2)),
    'en-us.json': strToU8(JSON.stringify(english, null, 2)),
    'color.png': counterIcon(192, [11, 61, 110, 255]),
    'outline.png': counterIcon(32, [0, 0, 0, 0]),
  });
  return { manifest, english, zip };
}
