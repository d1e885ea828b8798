// The branch counter page: follows the call live (server-sent events). The page works without it (forms and reloads).
(() => {
  const url = document.body.dataset.events;
  const live = document.getElementById('live');
  if (!url || !live || typeof EventSource === 'undefined') return;
  const source = new EventSource(url);
  source.addEventListener('state', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as { html: string };
    // Not while staff are typing the topic or the reception number: the next change or refresh brings it.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && live.contains(active) && active.value !== '') return;
    live.innerHTML = data.html;
    document.body.dataset.updated = String(Date.now());
  });
  source.addEventListener('gone', () => source.close());
})();
