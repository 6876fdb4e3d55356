// つなぐハブ: consent wizard — "select the whole row" buttons; the grid works without this.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.row-all")) {
    const row = button.closest("tr");
    const boxes = () => Array.from(row.querySelectorAll("input[type=checkbox]"));
    const label = () => {
      button.textContent = boxes().every((box) => box.checked) ? "解除" : "すべて";
    };
    button.hidden = false;
    label();
    button.addEventListener("click", () => {
      const check = !boxes().every((box) => box.checked);
      for (const box of boxes()) box.checked = check;
      label();
    });
    row.addEventListener("change", label);
  }
});
