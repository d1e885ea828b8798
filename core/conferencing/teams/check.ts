// npm run check:teams — does Entra give a token, does it carry OnlineMeetings.ReadWrite.All, does the access policy let it act for the host.
import type { TeamsConfig } from '../../config.ts';
import type { CheckLine } from '../check.ts';
import { failed, pass } from '../check.ts';
import type { GraphTokenSource } from './index.ts';

function roles(token: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.map(String) : [];
  } catch {
    return [];
  }
}

export async function checkTeams(config: TeamsConfig, tokens: GraphTokenSource, doFetch: typeof fetch = fetch): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  let token: string;
  try {
    token = await tokens.get();
    lines.push(pass('Microsoft Entra からアクセストークンを取得できました', 'Microsoft Entra issued an access token.'));
  } catch (error) {
    lines.push(
      failed(
        `アクセストークンを取得できません（${(error as Error).message}）。TEAMS_TENANT_ID・TEAMS_CLIENT_ID・TEAMS_CLIENT_SECRET を確認してください。`,
        `No access token (${(error as Error).message}). Check TEAMS_TENANT_ID, TEAMS_CLIENT_ID and TEAMS_CLIENT_SECRET.`,
      ),
    );
    return lines;
  }
  const granted = roles(token);
  lines.push(
    granted.includes('OnlineMeetings.ReadWrite.All')
      ? pass('アプリに OnlineMeetings.ReadWrite.All（アプリケーション権限）があります', 'The app has OnlineMeetings.ReadWrite.All (application).')
      : failed(
          `アプリに OnlineMeetings.ReadWrite.All がありません（あるのは: ${granted.join(', ') || 'なし'}）。Entra 管理センターでアプリケーション権限を追加し、管理者の同意を与えてください。`,
          `The app lacks OnlineMeetings.ReadWrite.All (has: ${granted.join(', ') || 'none'}). Add it as an application permission and grant admin consent.`,
        ),
  );
  const url = `${config.graphBaseUrl}/v1.0/users/${encodeURIComponent(config.hostUserId)}/onlineMeetings?$filter=${encodeURIComponent("joinMeetingIdSettings/joinMeetingId eq '0'")}`;
  const res = await doFetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  if (res.ok || res.status === 404) {
    lines.push(
      pass(
        `専用アカウント（${config.hostUserId}）の会議をこのアプリで扱えます（アプリケーションアクセスポリシーあり）`,
        `The app may act for the host account ${config.hostUserId} (application access policy in place).`,
      ),
    );
  } else if (res.status === 403 || res.status === 401) {
    lines.push(
      failed(
        `専用アカウントの会議を扱う許可がありません（${res.status}: ${text.slice(0, 160)}）。テナント管理者が New-CsApplicationAccessPolicy と Grant-CsApplicationAccessPolicy でこのアプリを許可してください（README 参照。反映まで最大 30 分）。`,
        `Not allowed to act for the host account (${res.status}: ${text.slice(0, 160)}). A tenant admin must grant an application access policy (New-CsApplicationAccessPolicy, Grant-CsApplicationAccessPolicy; see README; up to 30 minutes to apply).`,
      ),
    );
  } else {
    lines.push(
      failed(
        `Microsoft Graph が ${res.status} を返しました: ${text.slice(0, 200)}。TEAMS_HOST_USER_ID を確認してください。`,
        `Microsoft Graph answered ${res.status}: ${text.slice(0, 200)}. Check TEAMS_HOST_USER_ID.`,
      ),
    );
  }
  return lines;
}
