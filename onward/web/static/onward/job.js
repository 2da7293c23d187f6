// Polls a job's status and reloads the page when it ends, so the result shows.
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  const url = box.dataset.statusUrl;
  async function poll() {
    try {
      const state = await (await fetch(url, { credentials: "same-origin" })).json();
      document.getElementById("job-status").textContent = state.status;
      document.getElementById("job-message").textContent = state.message || "";
      document.getElementById("job-count").textContent =
        state.progress + (state.total ? " / " + state.total : "");
      const attempt = document.getElementById("job-attempt");
      if (attempt && state.attempt) {
        // "attempt 2 of 3": a worker died during an earlier attempt.
        attempt.textContent = state.attempt.charAt(0).toUpperCase() + state.attempt.slice(1);
        attempt.hidden = false;
      }
      const bar = document.getElementById("job-progress");
      if (state.percent !== null) bar.value = state.percent;
      if (state.finished) { window.location.reload(); return; }
    } catch (e) { /* a dropped request on a poor link: try again */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
