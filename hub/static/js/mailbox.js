// つなぐハブ — compose (連絡の作成): re-check which recipients the chosen information may go
// to, as the sender picks sections and categories. The server checks again on sending; the
// page works without this file (the recipients are greyed as the page was loaded).
"use strict";
(() => {
  const form = document.querySelector("form[data-options-url]");
  if (!form) return;
  const watched = new Set([
    "sheet_version", "sheet_categories", "body_categories", "attachment_categories",
    "policy_pattern", "recipient_ids",
  ]);
  const sheet = form.querySelector("select[name=sheet_version]");

  function filled() {
    const option = sheet && sheet.selectedOptions[0];
    if (!option || !option.value) return null;
    return (option.dataset.filled || "").split(" ").filter(Boolean);
  }

  function checkedValues(name) {
    return [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  }

  function categories() {
    const chosen = new Set([...checkedValues("body_categories"), ...checkedValues("attachment_categories")]);
    const sections = filled();
    if (sections) {
      const picked = checkedValues("sheet_categories");
      (picked.length ? picked : sections).forEach((c) => chosen.add(c));
    }
    const policy = form.querySelector("input[name=policy_pattern]:checked");
    if (policy && policy.value) chosen.add(form.dataset.policyCategory);
    return [...chosen];
  }

  function syncSections() {
    const sections = filled() || [];
    form.querySelectorAll("input[name=sheet_categories]").forEach((box) => {
      const ok = sections.includes(box.value);
      box.disabled = !ok;
      if (!ok) box.checked = false;
      box.closest("label").classList.toggle("is-off", !ok);
    });
  }

  let latest = 0;
  async function refresh() {
    const mine = ++latest;
    const query = new URLSearchParams({ case_id: form.dataset.caseId || "", categories: categories().join(",") });
    let data;
    try {
      const response = await fetch(`${form.dataset.optionsUrl}?${query}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // offline or logged out: the server checks on sending anyway
    }
    if (mine !== latest) return; // an older answer arriving late
    let refused = 0;
    data.recipients.forEach((option) => {
      const box = form.querySelector(`input[name=recipient_ids][value="${option.id}"]`);
      if (!box) return;
      const item = box.closest(".mb-recipient");
      const reason = item.querySelector(".mb-reason");
      reason.textContent = option.allowed ? "" : option.reasons.join(" / ");
      item.classList.toggle("is-refused", !option.allowed);
      // A refused recipient already ticked stays ticked and is flagged: sending it is refused
      // with the reason, rather than dropping it silently.
      item.classList.toggle("is-warn", !option.allowed && box.checked);
      box.disabled = !option.allowed && !box.checked;
      if (!option.allowed) refused += 1;
    });
    const status = document.getElementById("recipients-status");
    if (status) status.textContent = `宛先を確認しました。同意の範囲外の所管課: ${refused}件`;
  }

  form.addEventListener("change", (event) => {
    const name = event.target.name;
    if (!watched.has(name)) return;
    if (name === "sheet_version") syncSections();
    refresh();
  });
})();
