// Marquee's player: a real <video> where a curator gave the title a file or a stream,
// otherwise a clock that plays time, with the progress bar and heartbeats of a player.
// It reports start / progress (every 10 s) / pause / seek / stop to the watch-events API,
// queueing events while the network is down and flushing with keepalive on page exit.
//
// The page opened next must show where playback stopped, but a browser asks for it before
// the player's last request has been answered (and fires pagehide only once it has). So
// every request is sent with keepalive (it outlives the page), the last event is recorded
// as the player is left (beforeunload, pagehide as the fallback), and its id travels in a
// cookie with the next page's request: the server waits for that event before it reads
// the resume point (recommendations.middleware).
(function () {
  "use strict";

  const root = document.querySelector("[data-player]");
  if (!root) return;

  const HEARTBEAT_MS = 10000;
  const TICK_MS = 250;
  const PENDING_COOKIE = "marquee_watch_pending";
  const BATCH = 100;
  const endpoint = root.dataset.endpoint;
  const runtime = Number(root.dataset.runtime);
  const titleSlug = root.dataset.title;
  const episodeId = root.dataset.episode ? Number(root.dataset.episode) : null;
  const profileId = root.dataset.profile;

  // With a video, the position is the video's, as a share of its own duration: the file
  // and the catalogue's runtime may differ by minutes, and the API counts the latter.
  const video = root.querySelector("[data-video]");
  const screen = root.querySelector("[data-screen]");

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
  // Every event not yet acknowledged by the server, oldest first (a batch in flight too).
  let queue = [];
  let sending = false;
  // Ids of the events in a request that has not been answered yet.
  const inFlight = new Set();

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

  // The id of the newest event the server has not acknowledged yet; see the top.
  function markPending(id) {
    document.cookie = `${PENDING_COOKIE}=${profileId}.${id}; path=/; max-age=60; SameSite=Lax`;
  }

  function clearPending() {
    document.cookie = `${PENDING_COOKIE}=; path=/; max-age=0; SameSite=Lax`;
  }

  function record(kind, options) {
    const event = {
      id: uuid4(),
      title: titleSlug,
      episode: episodeId,
      kind: kind,
      position: Math.floor(position),
      at: new Date().toISOString(),
    };
    queue.push(event);
    markPending(event.id);
    if (!(options && options.leaving)) flush();
  }

  // POST a batch; resolves true once the server has answered for it (kept or refused).
  // keepalive: a request still under way when the page is left is not cancelled with it
  // (its body may be at most 64 KB; a batch of 100 events is about 15 KB).
  function send(batch) {
    batch.forEach((event) => inFlight.add(event.id));
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        "X-Marquee-Profile": profileId,
      },
      body: JSON.stringify({ events: batch }),
    }).then((response) => {
      if (!response.ok && !(response.status >= 400 && response.status < 500)) return false;
      // Sent, or refused for good (a 4xx will not succeed on retry): drop the batch.
      const done = new Set(batch.map((event) => event.id));
      queue = queue.filter((event) => !done.has(event.id));
      if (queue.length === 0) clearPending();
      if (!response.ok) say("Progress could not be saved.");
      return true;
    }).finally(() => batch.forEach((event) => inFlight.delete(event.id)));
  }

  function flush() {
    if (sending || queue.length === 0) return;
    sending = true;
    send(queue.slice(0, BATCH))
      .catch(() => {
        say("Offline: progress will be saved when the connection is back.");
        return false;
      })
      .then((answered) => {
        sending = false;
        // More recorded meanwhile goes at once; a failed batch is tried again shortly.
        if (queue.length) setTimeout(flush, answered ? 0 : 2000);
      });
  }

  // The page is being left: stop playback and send at once what no request carries yet
  // (the request under way, if any, completes on its own).
  function leave() {
    if (playing) stop(undefined, true);
    const unsent = queue.filter((event) => !inFlight.has(event.id));
    if (unsent.length) send(unsent.slice(-BATCH)).catch(() => {});
  }

  function videoDuration() {
    return video && Number.isFinite(video.duration) && video.duration > 0 ? video.duration : runtime;
  }

  function advance() {
    const now = performance.now();
    if (video) {
      position = Math.min(runtime, (video.currentTime * runtime) / videoDuration());
    } else {
      position = Math.min(runtime, position + ((now - lastTick) / 1000) * Number(ui.speed.value));
    }
    lastTick = now;
    render();
  }

  function videoSeek() {
    if (video) video.currentTime = (position * videoDuration()) / runtime;
  }

  function tick() {
    advance();
    if (position >= runtime) stop("Finished");
  }

  function play() {
    if (playing) return;
    if (position >= runtime) position = 0;
    if (video) {
      videoSeek();
      video.play().catch(() => {
        // Refused (no such file any more, a codec the browser lacks): say so.
        if (playing) stop("This video cannot be played here.");
      });
      screen.classList.add("is-playing");
    }
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
    if (video) {
      video.pause();
      screen.classList.remove("is-playing");
    }
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

  function stop(message, leaving) {
    if (playing) advance();
    halt();
    record("stop", { leaving: Boolean(leaving) });
    ui.playLabel.textContent = position >= runtime ? "Play again" : "Resume";
    say(message || `Stopped at ${format(position)}`);
    render();
  }

  ui.play.addEventListener("click", play);
  ui.pause.addEventListener("click", pause);
  ui.stop.addEventListener("click", () => stop());
  ui.seek.addEventListener("change", () => {
    const to = Math.min(runtime, Math.max(0, Number(ui.seek.value)));
    if (Math.floor(to) === Math.floor(position)) return;
    position = to;
    videoSeek();
    lastTick = performance.now();
    // Paused too: where the viewer left the slider is where Play resumes, here or later.
    record("seek");
    if (!playing) {
      ui.playLabel.textContent = position >= runtime ? "Play again" : "Resume";
      say(`Resumes at ${format(position)}`);
    }
    render();
  });
  // beforeunload comes before the next page is requested; pagehide is the fallback for
  // browsers that skip it (and runs after it as a no-op when nothing changed).
  window.addEventListener("beforeunload", leave);
  window.addEventListener("pagehide", leave);
  // Back from the back/forward cache: the playback stopped there, send what is left.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) flush();
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    if (event.key === " " || event.key === "k") {
      event.preventDefault();
      playing ? pause() : play();
    }
  });

  if (video) {
    // The video's own end, pauses and plays (its keyboard, a headset's buttons) are the
    // player's: one state, one set of heartbeats.
    video.addEventListener("ended", () => {
      position = runtime;
      if (playing) stop("Finished");
    });
    video.addEventListener("pause", () => {
      if (playing && !video.ended) pause();
    });
    video.addEventListener("play", () => {
      if (!playing) play();
    });
    video.addEventListener("error", () => {
      if (playing) stop("This video cannot be played here.");
      else say("This video cannot be played here.");
    });
    // Until its length is known the video is placed as if it had the catalogue's runtime.
    video.addEventListener("loadedmetadata", () => {
      if (!playing) videoSeek();
    });
    const fullscreen = root.querySelector("[data-action=fullscreen]");
    fullscreen.addEventListener("click", () => {
      if (screen.requestFullscreen) screen.requestFullscreen().catch(() => {});
    });
    videoSeek();
  }

  // Listening from here on: the position slider takes moves (Play is enabled by render).
  ui.seek.disabled = false;
  render();
})();
