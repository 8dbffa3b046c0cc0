// The dashboard's own behaviour, kept out of the pages (no inline script): navigation selects,
// the ad panel dialog, charts drawn from data-chart, Inquire's streamed answers, and live
// request progress woken by the notifications WebSocket.
"use strict";

const PALETTE = ["#4f46e5", "#e11d48", "#0891b2", "#d97706", "#16a34a", "#7c3aed", "#64748b"];

function percentTick(value) {
  return `${Math.round(value * 100)}%`;
}

function drawCharts(root) {
  if (!window.Chart) return;
  root.querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach((canvas) => {
    const spec = JSON.parse(canvas.dataset.chart);
    canvas.dataset.drawn = "true";
    const datasets = spec.series.map((series, index) => ({
      label: series.name,
      data: series.values,
      backgroundColor: PALETTE[index % PALETTE.length] + (spec.type === "bar" ? "cc" : "33"),
      borderColor: PALETTE[index % PALETTE.length],
      borderWidth: 2,
      spanGaps: false,
      pointRadius: 3,
    }));
    const scale = spec.percent ? { ticks: { callback: percentTick }, beginAtZero: true } : { beginAtZero: true };
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: scale },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      },
    });
  });
}

function openDialog(id) {
  const dialog = document.getElementById(id);
  if (dialog && !dialog.open) {
    document.getElementById("ad-panel").innerHTML = '<p class="spinner" role="status">Loading the ad…</p>';
    dialog.showModal();
  }
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-open-dialog]");
  if (opener) openDialog(opener.dataset.openDialog);
  const dialog = event.target.closest("dialog");
  if (dialog && event.target === dialog) dialog.close(); // a click on the backdrop
});

document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("select[data-navigate]")) window.location.assign(target.value);
  if (target.matches("select[data-submit]")) {
    if (target.value !== "remove" || window.confirm("Remove this brand from the brandspace?")) target.form.submit();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// Live progress of a brand request: the server sends the progress card again over a WebSocket each
// time it changes, until the request ends (then the card holds the new ads); a dropped socket is
// opened again after a pause.
function followLive(root) {
  root.querySelectorAll("[data-live]:not([data-following])").forEach((card) => {
    card.dataset.following = "true";
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${card.dataset.live}`);
    let current = card;
    socket.addEventListener("message", (message) => {
      const id = current.id;
      htmx.swap(current, message.data, { swapStyle: "outerHTML" });
      current = document.getElementById(id);
      if (current && current.dataset.live) current.dataset.following = "true";
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 1000 || !current || !current.isConnected || !current.dataset.live) return;
      window.setTimeout(() => {
        delete current.dataset.following;
        followLive(document);
      }, 2000);
    });
  });
}

// Inquire: the question goes to the API's Inquire route with Accept: text/event-stream; progress
// steps, then the answer in pieces, then the cited ads as thumbnails.
function inquirePanel(panel) {
  const form = panel.querySelector("#ask-form");
  const messages = panel.querySelector("#messages");
  let conversation = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = form.elements.question;
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    const asked = document.createElement("p");
    asked.className = "bubble question";
    asked.textContent = question;
    const answer = document.createElement("div");
    answer.className = "bubble answer";
    const status = document.createElement("p");
    status.className = "muted small";
    status.setAttribute("role", "status");
    status.textContent = "Reading the question…";
    const text = document.createElement("p");
    answer.append(status, text);
    messages.append(asked, answer);
    form.querySelector("button").disabled = true;
    try {
      const response = await fetch(panel.dataset.inquire, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify(conversation ? { question, conversation_id: conversation } : { question }),
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({ message: response.statusText }));
        throw new Error(problem.message);
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const name = (block.match(/^event: (.*)$/m) || [])[1];
          const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "null");
          if (name === "progress") status.textContent = `${data.step[0].toUpperCase()}${data.step.slice(1)}…`;
          if (name === "answer") text.textContent += data.text;
          if (name === "error") throw new Error(data.message);
          if (name === "done") {
            conversation = data.conversation_id;
            text.textContent = data.answer;
            status.textContent = data.citations.length ? `${data.citations.length} ads cited` : "";
            if (data.citations.length) {
              const ids = data.citations.map((citation) => `ad=${citation.ad_id}`).join("&");
              const holder = document.createElement("div");
              answer.append(holder);
              htmx.ajax("GET", `${panel.dataset.citations}?${ids}`, { target: holder, swap: "innerHTML" });
            }
          }
        }
      }
    } catch (error) {
      status.textContent = "";
      text.className = "error";
      text.textContent = `No answer: ${error.message}`;
    } finally {
      form.querySelector("button").disabled = false;
      input.focus();
    }
  });
}

function ready(root) {
  drawCharts(root);
  followLive(root);
}

document.addEventListener("DOMContentLoaded", () => {
  ready(document);
  const panel = document.querySelector("[data-inquire]");
  if (panel) inquirePanel(panel);
});
// an empty filter is no filter: the API's ads list refuses an empty date or flag, so it is not sent
document.addEventListener("htmx:configRequest", (event) => {
  if (event.detail.verb !== "get") return;
  const parameters = event.detail.parameters;
  for (const name of Object.keys(parameters)) {
    if (parameters[name] === "") delete parameters[name];
  }
});
document.addEventListener("htmx:afterSettle", (event) => ready(event.target));
// htmx's errors in words, where the request was made
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target && event.detail.xhr.responseText) target.innerHTML = event.detail.xhr.responseText;
});
