// Whether this page runs inside a Webex client, decided cheaply before loading the Webex SDK (about 260 KB).
// Mirrors the SDK's own bridge choice (dist/module/bridges: CEF, iOS, Android, WebView2, macOS, RoomOS, then a parent
// frame), with the SDK's rule for frames: it only listens to a parent on a Webex domain.
const WEBEX_ORIGIN = /^https?:\/\/([^/?#]+\.)?(webex\.com|webexgov\.us|wbxlab\.us)$/;

export function insideWebexHost(w: Window): boolean {
  try {
    const g = w as unknown as Record<string, unknown> & { chrome?: { webview?: unknown } };
    const ua = w.navigator.userAgent || '';
    if (typeof g.webexAppExtensions !== 'undefined') return true; // CEF (Meeting Center, VDI)
    if (ua.includes('WBX_iOS')) return true;
    if (ua.includes('Android') && ua.includes('webex') && ua.includes('Mobile')) return true;
    if (g.chrome && typeof g.chrome.webview !== 'undefined') return true; // Windows WebView2
    if (ua.includes('Mac') && !/Firefox|Chrome|Safari/.test(ua)) return true; // macOS app's WebKit view
    if (typeof g.roomos !== 'undefined') return true;
    if (w.parent === w) return false; // a plain browser tab
    const ancestors = w.location.ancestorOrigins;
    if (ancestors?.length) return WEBEX_ORIGIN.test(ancestors[0]!) || (ancestors.length > 1 && WEBEX_ORIGIN.test(ancestors[1]!));
    if (w.document.referrer) return WEBEX_ORIGIN.test(new URL(w.document.referrer).origin);
    return true; // a frame that cannot tell (Firefox without referrer): let the SDK try, within the timeout
  } catch {
    return false;
  }
}
