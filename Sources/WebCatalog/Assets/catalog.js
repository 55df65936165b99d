// The web catalog's only script, an optional help: a filter box above long tables and copy
// buttons for the CLI commands. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.filterable")) {
    const rows = Array.from(table.tBodies[0]?.rows ?? []);
    if (rows.length < 8) continue;
    const box = document.createElement("input");
    box.type = "search";
    box.className = "filter-box";
    box.placeholder = "Filter " + rows.length + " rows";
    box.setAttribute("aria-label", "Filter the table below");
    box.addEventListener("input", () => {
      const needle = box.value.toLowerCase();
      for (const row of rows) row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
    });
    table.closest(".table-wrap")?.before(box);
  }
  for (const button of document.querySelectorAll("button.copy")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Copy failed";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  }
});
