// つなぐハブ: the progress of a case packet being made (ケース記録一式), and its download.
// Without this file the page still works: reload it to see the progress and the link.
"use strict";
(() => {
  const box = document.getElementById("packet");
  if (!box) return;
  const here = new URL(window.location.href);

  function startDownload() {
    const link = document.getElementById("packet-download");
    // Once only: a reload of the page must not download (and, on paper, record) again.
    here.searchParams.delete("auto");
    window.history.replaceState(null, "", here.pathname + here.search);
    if (link) window.location.assign(link.href);
  }

  if (box.dataset.finished === "1") {
    if (box.dataset.auto === "1") startDownload();
    return;
  }

  const bar = document.getElementById("packet-progress");
  const percent = document.getElementById("packet-percent");
  const label = document.getElementById("packet-label");

  async function poll() {
    let state;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(String(response.status));
      state = await response.json();
    } catch (_error) {
      window.setTimeout(poll, 3000);
      return;
    }
    bar.value = state.percent;
    bar.textContent = `${state.percent}%`;
    percent.textContent = `${state.percent}%`;
    label.textContent = state.label;
    if (state.finished) {
      // The page, rendered again, shows the signed link (or why there is none).
      here.searchParams.set("auto", "1");
      window.location.replace(here.pathname + here.search);
      return;
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 500);
})();
