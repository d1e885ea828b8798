// Live updates for a page: server-sent events, re-opened after a drop (the browser's EventSource retries by itself;
// this also survives the server closing the stream). Calls onState with each JSON state the server sends.
export function follow<T>(url: string, onState: (state: T) => void, onConnection?: (connected: boolean | 'gone') => void): void {
  let gone = false;
  let retry = 1000;
  const open = () => {
    const es = new EventSource(url);
    es.addEventListener('open', () => {
      retry = 1000;
      onConnection?.(true);
    });
    es.addEventListener('state', (e) => {
      try {
        onState(JSON.parse((e as MessageEvent<string>).data) as T);
      } catch {
        // A malformed message is ignored; the next one carries the whole state again.
      }
    });
    // The link expired (or the stream was refused): stop, and say so, instead of retrying for ever.
    es.addEventListener('gone', () => {
      gone = true;
      es.close();
      onConnection?.('gone');
    });
    es.addEventListener('error', () => {
      if (gone) return;
      onConnection?.(false);
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 30_000);
      }
    });
  };
  open();
}
