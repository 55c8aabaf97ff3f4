// hookpipe console: the overview refreshes itself, and the live tail.
// Plain JavaScript, no dependencies. Every value from the server is set with
// textContent, never parsed as HTML; the pages work without this file.
"use strict";

function refreshOverview(section) {
  const seconds = Number(section.dataset.refresh) || 5;
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("overview");
      const stamp = page.getElementById("generated");
      if (fresh) section.replaceChildren(...fresh.childNodes);
      if (stamp) document.getElementById("generated").textContent = stamp.textContent;
    } catch (error) {
      // The daemon restarting; the next tick tries again.
    }
  }, seconds * 1000);
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function startTail(body) {
  const keep = Number(body.dataset.keep) || 200;
  const state = document.getElementById("tail-state");
  const source = new EventSource("/console/tail/stream");
  source.onopen = () => { state.textContent = "connected"; };
  source.onerror = () => { state.textContent = "reconnecting…"; };
  source.addEventListener("stored", (message) => {
    const event = JSON.parse(message.data);
    const row = document.createElement("tr");
    row.dataset.seq = String(event.seq);
    const link = document.createElement("a");
    link.href = "/console/events/" + encodeURIComponent(String(event.seq));
    link.textContent = String(event.seq);
    cell(row, "", "num").appendChild(link);
    cell(row, event.received_at);
    cell(row, event.source);
    cell(row, event.id, "id");
    cell(row, String(event.bytes), "num");
    body.prepend(row);
    while (body.rows.length > keep) body.deleteRow(body.rows.length - 1);
  });
  source.addEventListener("lagged", () => {
    state.textContent = "this page fell behind; reload to follow again";
    source.close();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const overview = document.getElementById("overview");
  if (overview) refreshOverview(overview);
  const tail = document.getElementById("tail");
  if (tail) startTail(tail);
});
