// Marquee's player: no video, but the clock, the progress bar and the heartbeats of one.
// It reports start / progress (every 10 s) / pause / seek / stop to the watch-events API,
// queueing events while the network is down and flushing with keepalive on page exit.
(function () {
  "use strict";

  const root = document.querySelector("[data-player]");
  if (!root) return;

  const HEARTBEAT_MS = 10000;
  const TICK_MS = 250;
  const endpoint = root.dataset.endpoint;
  const runtime = Number(root.dataset.runtime);
  const titleSlug = root.dataset.title;
  const episodeId = root.dataset.episode ? Number(root.dataset.episode) : null;
  const profileId = root.dataset.profile;

  const ui = {
    play: root.querySelector("[data-action=play]"),
    playLabel: root.querySelector("[data-play-label]"),
    pause: root.querySelector("[data-action=pause]"),
    stop: root.querySelector("[data-action=stop]"),
    seek: root.querySelector("[data-seek]"),
    time: root.querySelector("[data-time]"),
    bar: root.querySelector("[data-bar]"),
    status: root.querySelector("[data-status]"),
    speed: root.querySelector("[data-speed]"),
  };

  let position = Math.min(Number(root.dataset.start) || 0, runtime);
  let playing = false;
  let ticker = null;
  let heartbeat = null;
  let lastTick = 0;
  let queue = [];
  let sending = false;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // crypto.randomUUID needs a secure context; a household server on http://192.168.x.y is not.
  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function format(seconds) {
    const s = Math.floor(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  function render() {
    ui.time.textContent = format(position);
    ui.seek.value = String(Math.floor(position));
    ui.bar.style.width = `${Math.min(100, (100 * position) / runtime).toFixed(2)}%`;
    ui.play.disabled = playing;
    ui.pause.disabled = !playing;
    ui.stop.disabled = !playing && position === 0;
  }

  function say(text) {
    ui.status.textContent = text;
  }

  function record(kind) {
    queue.push({
      id: uuid4(),
      title: titleSlug,
      episode: episodeId,
      kind: kind,
      position: Math.floor(position),
      at: new Date().toISOString(),
    });
    flush(kind === "stop");
  }

  function flush(keepalive) {
    if (sending || queue.length === 0) return;
    const batch = queue.slice(0, 100);
    sending = true;
    fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Marquee-Profile": profileId,
      },
      body: JSON.stringify({ events: batch }),
    })
      .then((response) => {
        if (response.ok || (response.status >= 400 && response.status < 500)) {
          // Sent, or refused for good (a 4xx will not succeed on retry): drop the batch.
          queue = queue.slice(batch.length);
          if (!response.ok) say("Progress could not be saved.");
        }
      })
      .catch(() => say("Offline: progress will be saved when the connection is back."))
      .finally(() => {
        sending = false;
        if (queue.length && !keepalive) setTimeout(() => flush(false), 2000);
      });
  }

  function advance() {
    const now = performance.now();
    position = Math.min(runtime, position + ((now - lastTick) / 1000) * Number(ui.speed.value));
    lastTick = now;
    render();
  }

  function tick() {
    advance();
    if (position >= runtime) stop("Finished");
  }

  function play() {
    if (playing) return;
    if (position >= runtime) position = 0;
    playing = true;
    lastTick = performance.now();
    record("start");
    ticker = setInterval(tick, TICK_MS);
    heartbeat = setInterval(() => record("progress"), HEARTBEAT_MS);
    say("Playing");
    render();
  }

  function halt() {
    playing = false;
    clearInterval(ticker);
    clearInterval(heartbeat);
  }

  function pause() {
    if (!playing) return;
    advance();
    halt();
    record("pause");
    ui.playLabel.textContent = "Resume";
    say(`Paused at ${format(position)}`);
    render();
  }

  function stop(message) {
    if (playing) advance();
    halt();
    record("stop");
    ui.playLabel.textContent = position >= runtime ? "Play again" : "Resume";
    say(message || `Stopped at ${format(position)}`);
    render();
  }

  ui.play.addEventListener("click", play);
  ui.pause.addEventListener("click", pause);
  ui.stop.addEventListener("click", () => stop());
  ui.seek.addEventListener("change", () => {
    position = Math.min(runtime, Math.max(0, Number(ui.seek.value)));
    lastTick = performance.now();
    if (playing) record("seek");
    render();
  });
  // Leaving the page stops playback; keepalive lets the last event outlive the page.
  window.addEventListener("pagehide", () => {
    if (playing) stop();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    if (event.key === " " || event.key === "k") {
      event.preventDefault();
      playing ? pause() : play();
    }
  });

  render();
})();
