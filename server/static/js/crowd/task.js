// The part of every task page that is not the task: timing, an action log, autosave,
// and a submission that is never lost. Task scripts register themselves with
// OpenSurfaces.task = { results(), ready(), restore(partial) }.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("task-config").textContent);
  const loadedAt = performance.now();
  const pendingKey = "opensurfaces-submission-" + config.assignmentId;
  let activeMs = 0;
  let lastTick = performance.now();
  let lastInput = performance.now();
  const log = [];
  const IDLE_MS = 30000;

  // Active time: the page is visible, focused, and the worker did something recently.
  setInterval(() => {
    const now = performance.now();
    if (document.visibilityState === "visible" && document.hasFocus() && now - lastInput < IDLE_MS) {
      activeMs += now - lastTick;
    }
    lastTick = now;
  }, 500);
  ["mousemove", "mousedown", "keydown", "wheel", "touchstart"].forEach((name) =>
    window.addEventListener(name, () => { lastInput = performance.now(); }, { passive: true }));

  function record(action, detail) {
    if (log.length < 5000) log.push([Math.round(performance.now() - loadedAt), action, detail ?? null]);
  }

  function status(text, isError) {
    const el = document.getElementById("task-status");
    if (el) { el.textContent = text; el.classList.toggle("error", !!isError); }
  }

  function body(extra) {
    const task = window.OpenSurfaces.task;
    const fields = {
      token: config.token,
      results: JSON.stringify(task.results()),
      version: JSON.stringify(config.version),
      time_ms: JSON.stringify(Math.round(performance.now() - loadedAt)),
      time_active_ms: JSON.stringify(Math.round(activeMs)),
      time_load_ms: JSON.stringify(Math.round(loadedAt)),
      action_log: JSON.stringify(log),
      screen_width: String(window.screen.width),
      screen_height: String(window.screen.height),
      ...extra,
    };
    return new URLSearchParams(fields).toString();
  }

  async function post(payload) {
    const response = await fetch(config.postUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: payload,
      credentials: "same-origin",
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { message: response.statusText }; }
    return { ok: response.ok, status: response.status, data };
  }

  // Leave the page the way the marketplace expects (MTurk: a form POST to externalSubmit).
  function finish() {
    if (!config.submitTo) { status("Submitted. Thank you!"); return; }
    const form = document.createElement("form");
    form.method = "POST";
    form.action = config.submitTo.replace(/\/$/, "") + "/mturk/externalSubmit";
    const input = document.createElement("input");
    input.type = "hidden"; input.name = "assignmentId"; input.value = config.assignmentId;
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
  }

  // Send until the server has stored it. A network error or a 5xx keeps the payload in
  // localStorage and retries with backoff (the server recognises a repeat); a 4xx is an
  // answer the worker must see.
  async function send(payload, attempt = 0) {
    try { localStorage.setItem(pendingKey, payload); } catch (e) { /* private mode */ }
    status(attempt ? "Retrying..." : "Submitting...");
    let result;
    try { result = await post(payload); } catch (e) { result = { ok: false, status: 0, data: {} }; }
    if (result.ok) {
      try { localStorage.removeItem(pendingKey); } catch (e) { /* ignore */ }
      record("submitted");
      finish();
      return;
    }
    if (result.status >= 400 && result.status < 500) {
      try { localStorage.removeItem(pendingKey); } catch (e) { /* ignore */ }
      status(result.data.message || "The server refused this submission.", true);
      document.getElementById("task-submit").disabled = false;
      return;
    }
    const delay = Math.min(60000, 2000 * 2 ** attempt);
    status("Could not reach the server; your work is kept and will be sent again in " + Math.round(delay / 1000) + " s.", true);
    setTimeout(() => send(payload, attempt + 1), delay);
  }

  async function feedback() {
    const dialog = document.getElementById("feedback-dialog");
    if (!config.askFeedback || !dialog || !dialog.showModal) return null;
    dialog.showModal();
    await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
    if (dialog.returnValue !== "send") return null;
    const answers = {};
    dialog.querySelectorAll("textarea").forEach((t) => { answers[t.name] = t.value; });
    return answers;
  }

  async function submit() {
    const task = window.OpenSurfaces.task;
    const problem = task.ready ? task.ready() : null;
    if (problem) { status(problem, true); return; }
    document.getElementById("task-submit").disabled = true;
    const answers = await feedback();
    record("submit");
    send(body(answers ? { feedback: JSON.stringify(answers) } : {}));
  }

  function autosave() {
    if (!window.OpenSurfaces.task || config.preview) return;
    post(body({ partial: "true" })).catch(() => {});
  }

  window.OpenSurfaces = window.OpenSurfaces || {};
  window.OpenSurfaces.config = config;
  window.OpenSurfaces.record = record;
  window.OpenSurfaces.status = status;

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("task-submit");
    if (config.preview || !button) return;
    const task = window.OpenSurfaces.task;
    if (config.partialResults && task.restore) task.restore(config.partialResults);
    const waiting = localStorage.getItem(pendingKey);
    if (waiting) { send(waiting); return; }  // a submission interrupted on a previous visit
    button.addEventListener("click", submit);
    setInterval(autosave, 60000);
    if (config.mode === "tutorial") {
      button.textContent = "I have read the tutorial";
      button.removeEventListener("click", submit);
      button.addEventListener("click", async () => {
        const result = await post(new URLSearchParams({ token: config.token, tutorial_complete: "true" }).toString());
        if (result.ok) window.location.reload();
        else status(result.data.message || "Please try again.", true);
      });
    }
    record("loaded");
  });
})();
