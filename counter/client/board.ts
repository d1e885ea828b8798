// The department's alert board: the buzzer and the flashing lamp. Follows the calls live (server-sent events); while a
// call waits, the band flashes (steady under prefers-reduced-motion, in the stylesheet) and a tone repeats until someone
// accepts. Browsers play sound only after a tap, so the board asks for one tap when it opens; a switch mutes it.
(() => {
  const url = document.body.dataset.events;
  const live = document.getElementById('live');
  const overlay = document.getElementById('sound-start');
  const start = document.getElementById('sound-button');
  const mute = document.getElementById('mute');
  if (!url || !live) return;
  let audio: AudioContext | null = null;
  let muted = false;
  let buzzes = 0;

  const calling = () => Number(document.getElementById('band')?.dataset.calling ?? '0') > 0;

  /** Two short tones, like a counter's call bell; the page says so too (tests and assistive tools can follow it). */
  const buzz = () => {
    if (!audio || muted || !calling()) return;
    for (const [at, freq] of [
      [0, 880],
      [0.3, 660],
    ] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, audio.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + at + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + at);
      osc.stop(audio.currentTime + at + 0.3);
    }
    buzzes += 1;
    document.body.dataset.buzzes = String(buzzes);
    document.dispatchEvent(new CustomEvent('madoguchi:buzz', { detail: { count: buzzes } }));
  };

  const enableSound = () => {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
    void audio?.resume();
    if (overlay) overlay.hidden = true;
    if (mute) mute.hidden = false;
    document.body.dataset.sound = 'on';
    buzz();
  };

  if (overlay && start) {
    overlay.hidden = false;
    start.addEventListener('click', enableSound);
  }
  mute?.addEventListener('click', () => {
    muted = !muted;
    mute.setAttribute('aria-pressed', String(muted));
    mute.textContent = muted ? '音を出す / Unmute' : '音を消す / Mute';
    document.body.dataset.sound = muted ? 'muted' : 'on';
  });
  setInterval(buzz, 2500);

  // The minutes waited move on between changes (from the server's clock, as the page last heard it).
  let serverOffset = 0;
  const tick = () => {
    const now = Date.now() + serverOffset;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-requested-at]'))) {
      const minutes = Math.max(0, Math.floor((now - Number(el.dataset.requestedAt)) / 60000));
      for (const m of Array.from(el.querySelectorAll('.minutes'))) m.textContent = String(minutes);
    }
  };
  setInterval(tick, 15000);

  if (typeof EventSource === 'undefined') return;
  const source = new EventSource(url);
  source.addEventListener('state', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as { html: string; calling: number; now: number };
    serverOffset = data.now - Date.now();
    const wasCalling = calling();
    // Not while someone is choosing a name in an accept form: the next change or refresh brings it.
    if (document.activeElement instanceof HTMLSelectElement && live.contains(document.activeElement)) return;
    live.innerHTML = data.html;
    document.body.dataset.updated = String(Date.now());
    if (!wasCalling && data.calling > 0) buzz();
  });
  source.addEventListener('gone', () => source.close());
})();
