// Live updates for a page: server-sent events, re-opened after a drop (the browser's EventSource retries by itself;
// this also survives the server closing the stream). Calls onState with each JSON state the server sends.
export function follow<T>(url: string, onState: (state: T) => void, onConnection?: (connected: boolean) => void): void {
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
    es.addEventListener('error', () => {
      onConnection?.(false);
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 30_000);
      }
    });
  };
  open();
}
