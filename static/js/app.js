// factcheck: small progressive enhancements. Pages work without it.
"use strict";

// While a source is waiting to be archived, poll its status and reload when it settles,
// so the reviewer sees the archived copy without pressing anything.
function pollSources() {
  const waiting = document.querySelectorAll('.source-status[data-status="pending"], .source-status[data-status="fetching"]');
  if (waiting.length === 0) return;
  let delay = 1000;
  const tick = async () => {
    let settled = false;
    for (const el of document.querySelectorAll(".source-status[data-poll]")) {
      if (el.dataset.status !== "pending" && el.dataset.status !== "fetching") continue;
      try {
        const response = await fetch(el.dataset.poll, { headers: { Accept: "application/json" } });
        if (!response.ok) continue;
        const data = await response.json();
        el.textContent = data.status_display;
        if (data.status !== el.dataset.status) {
          el.dataset.status = data.status;
          if (data.status === "fetched" || data.status === "failed") settled = true;
        }
      } catch (error) {
        // Network hiccup: try again on the next tick.
      }
    }
    if (settled) { window.location.reload(); return; }
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

document.addEventListener("DOMContentLoaded", pollSources);
