// autogpt-graph web UI: plain JavaScript, no library, nothing fetched from the internet.
// Every text the model or a command produced goes into the page with textContent, never as HTML.
"use strict";

const CSRF = document.querySelector('meta[name="csrf-token"]').content;
const TOKEN_REQUIRED = document.querySelector('meta[name="token-required"]').content === "true";
const main = document.getElementById("main");
// Milliseconds from a step finishing in the graph to its card in the page (benchmarks/webui.py reads them).
window.autogptLatencies = [];

let view = { stop: () => {} };  // the open page; stop() ends its stream and timers

// ---------- small helpers ----------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
// Replace a node's children, skipping the null/false that optional parts give.
function fill(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}
const enc = encodeURIComponent;
const money = (n) => "$" + Number(n || 0).toFixed(4);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pretty = (value) => JSON.stringify(value, null, 2);

function toast(message, kind) {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = kind || "";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), kind === "info" ? 3000 : 8000);
}

function token() { return sessionStorage.getItem("autogpt-token") || ""; }

function askToken() {
  return new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog");
    const form = document.getElementById("token-form");
    form.onsubmit = () => {
      sessionStorage.setItem("autogpt-token", document.getElementById("token-input").value);
      resolve();
    };
    if (!dialog.open) dialog.showModal();
  });
}

function headers(json) {
  const out = { "X-CSRF-Token": CSRF };
  if (token()) out["X-AutoGPT-Token"] = token();
  if (json) out["Content-Type"] = "application/json";
  return out;
}

// One API call; a 401 asks for the token and tries again; any other failure is the server's sentence.
async function api(path, body) {
  for (;;) {
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) { await askToken(); continue; }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || `The server answered ${response.status}; reload the page.`);
    return data;
  }
}

async function attempt(work) {
  try { return await work(); } catch (err) { toast(err.message); return undefined; }
}

// Server-sent events read with fetch (EventSource cannot send the token header).
function follow(path, onEvent) {
  const control = new AbortController();
  (async () => {
    let after = 0;
    while (!control.signal.aborted) {
      try {
        const response = await fetch(`${path}?after=${after}`, { headers: headers(false), signal: control.signal });
        if (response.status === 401) { await askToken(); continue; }
        if (!response.ok) { await sleep(2000); continue; }
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
            if (!data) continue;
            const event = JSON.parse(data);
            if (event.seq > after) after = event.seq;
            onEvent(event);
          }
        }
      } catch (err) {
        if (control.signal.aborted) return;
      }
      await sleep(1000);
    }
  })();
  return () => control.abort();
}

// ---------- routing ----------
function route() {
  view.stop();
  view = { stop: () => {} };
  const hash = location.hash.replace(/^#\/?/, "");
  const [page, id, tab] = hash.split("/").map(decodeURIComponent);
  if (page === "thread" && id) threadPage(id, tab || "live");
  else threadsPage();
}
window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", async () => {
  if (TOKEN_REQUIRED && !token()) await askToken();
  attempt(async () => {
    const info = await api("api/info");
    document.getElementById("workspace").textContent = info.workspace;
  });
  route();
});

// ---------- runs ----------
function badge(state, reason) {
  const label = { running: "running", waiting: "waiting at the gate", paused: "paused", finished: "finished" }[state] || state;
  return el("span", { class: `badge ${state}`, title: reason || "" }, label);
}

function threadsPage() {
  const table = el("tbody");
  const form = newRunForm();
  fill(main,
    el("h1", {}, "Runs"),
    el("table", { id: "threads" }, el("thead", {}, el("tr", {},
      ["Run", "Agent", "Status", "Cycles", "Tokens", "Cost", "Last update", "Forked from"].map((h) => el("th", {}, h)))), table),
    el("h2", {}, "Start a new run"), form);
  async function load() {
    const threads = await api("api/threads");
    fill(table, ...(threads.length ? threads.map((t) => el("tr", {
      class: "clickable", "data-thread": t.thread_id, onclick: () => (location.hash = `#/thread/${enc(t.thread_id)}`),
    },
      el("td", {}, el("a", { href: `#/thread/${enc(t.thread_id)}` }, t.thread_id)),
      el("td", {}, t.name),
      el("td", {}, badge(t.state), t.state === "finished" && t.reason ? el("div", { class: "muted" }, t.reason) : null),
      el("td", {}, t.cycle), el("td", {}, t.tokens), el("td", {}, money(t.cost)),
      el("td", {}, (t.updated || "").slice(0, 19).replace("T", " ")),
      el("td", {}, t.forked_from ? `${t.forked_from.thread} @ step ${t.forked_from.step}` : ""),
    )) : [el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No runs yet in this workspace: start one below, or with `autogpt run`."))]));
  }
  attempt(load);
  const timer = setInterval(() => attempt(load), 3000);
  view.stop = () => clearInterval(timer);
}

function newRunForm() {
  const field = (label, input) => el("div", {}, el("label", { for: input.id }, label), input);
  const mode = el("select", { id: "run-mode" }, el("option", { value: "task" }, "A task (the model devises name, role, goals)"),
    el("option", { value: "settings" }, "AI settings (name, role, goals)"));
  const task = el("textarea", { id: "task", placeholder: "Write a haiku about autumn to haiku.txt" });
  const taskBox = field("Task", task);
  const settingsBox = el("div", { hidden: true },
    el("div", { class: "row" }, field("AI name", el("input", { id: "ai-name", type: "text", placeholder: "HaikuGPT" })),
      field("AI role", el("input", { id: "ai-role", type: "text", placeholder: "an AI that writes poems" }))),
    field("Goals (one per line, up to 5)", el("textarea", { id: "ai-goals" })));
  mode.onchange = () => { taskBox.hidden = mode.value !== "task"; settingsBox.hidden = mode.value === "task"; };
  const form = el("form", { id: "new-run", class: "card" },
    field("Start from", mode), taskBox, settingsBox,
    el("div", { class: "row" },
      field("Model", el("input", { id: "llm", type: "text", value: "auto", title: "auto, openai[:MODEL], azure or script:FILE" })),
      field("Cycle limit (continuous)", el("input", { id: "limit", type: "number", min: 0, value: 0 })),
      field("Budget (USD, 0 = none)", el("input", { id: "budget", type: "number", min: 0, step: "0.01", value: 0 })),
      el("div", { class: "narrow" }, el("label", { class: "inline" }, el("input", { id: "continuous", type: "checkbox" }), "Continuous (no human gate)"))),
    el("p", {}, el("button", { id: "start", class: "primary", type: "submit" }, "Start run")));
  form.onsubmit = (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value;
    const body = { llm: value("llm").trim() || "auto", continuous: document.getElementById("continuous").checked,
                   continuous_limit: Number(value("limit") || 0), budget: Number(value("budget") || 0) };
    if (mode.value === "task") body.task = value("task");
    else body.ai_settings = { ai_name: value("ai-name").trim(), ai_role: value("ai-role").trim(),
                              ai_goals: value("ai-goals").split("\n").map((g) => g.trim()).filter(Boolean) };
    attempt(async () => {
      const started = await api("api/threads", body);
      location.hash = `#/thread/${enc(started.thread_id)}`;
    });
  };
  return form;
}

// ---------- one run ----------
function threadPage(id, tab) {
  const base = `api/threads/${enc(id)}`;
  const meter = el("div", { class: "meter", id: "meter" });
  const graph = el("div", { id: "graph", class: "card" });
  const body = el("div", { id: "tab-body" });
  const tabs = el("nav", { class: "tabs" }, ["live", "history", "files"].map((name) =>
    el("a", { href: `#/thread/${enc(id)}/${name}`, class: name === tab ? "active" : "", id: `tab-${name}` },
      { live: "Live", history: "History", files: "Files" }[name])));
  fill(main, el("h1", {}, "Run ", el("span", { class: "mono", id: "thread-id" }, id)), meter,
    el("div", { class: "layout" }, el("div", { class: "side" }, graph), el("div", {}, tabs, body)));
  let status = null;
  attempt(async () => {
    const response = await fetch("api/graph.svg", { headers: headers(false) });
    graph.innerHTML = await response.text();  // our own server's drawing of the graph (no model text in it)
    markNode();
  });
  function markNode() {
    graph.querySelectorAll(".node.current").forEach((n) => n.classList.remove("current"));
    const next = status && status.next && status.next[0];
    const node = next && graph.querySelector(`#node-${CSS.escape(next)}`);
    if (node) node.classList.add("current");
  }
  function showStatus(s) {
    if (!s) return;
    status = s;
    const cfg = s.ai_config || {};
    fill(meter, badge(s.state, s.reason), el("span", {}, "Agent ", el("b", {}, cfg.ai_name || "-")),
      el("span", {}, "Cycles ", el("b", { id: "cycles" }, s.cycle)), el("span", {}, "Tokens ", el("b", { id: "tokens" }, s.tokens)),
      el("span", {}, "Cost ", el("b", { id: "cost" }, money(s.cost))),
      s.state === "finished" ? el("span", { class: "muted", id: "stop-reason" }, s.reason || "finished") : null,
      s.state === "running" ? el("button", { id: "pause", onclick: () => attempt(() => api(`${base}/pause`, {})) }, "Pause after this step") : null,
      s.state === "paused" ? el("button", { id: "resume", onclick: () => attempt(() => api(`${base}/resume`, {})) }, "Resume") : null,
      s.workspace ? el("span", { class: "muted mono" }, s.workspace) : null);
    markNode();
    if (panes.live) panes.live.status(s);
  }
  const panes = {};
  if (tab === "history") panes.history = historyPane(id, base, body);
  else if (tab === "files") panes.files = filesPane(base, body);
  else panes.live = livePane(base, body);
  // A status read by a request may arrive after newer ones from the stream: then it is dropped.
  let streamed = 0;
  const refresh = () => attempt(async () => {
    const mark = streamed;
    const s = await api(base);
    if (streamed === mark) showStatus(s);
  });
  refresh();
  const stopStream = follow(`${base}/events`, (event) => {
    if (event.kind === "step" && panes.live) panes.live.step(event);
    if (event.kind === "end" && event.error) toast(event.error);
    if (event.status) { streamed++; showStatus(event.status); }
    if (event.kind === "changed") refresh();
    if ((event.kind === "end" || event.kind === "changed") && panes.history) panes.history.reload();
  });
  view.stop = stopStream;
}

function thoughtsBlock(thoughts) {
  const rows = [["THOUGHTS", thoughts.text], ["REASONING", thoughts.reasoning], ["PLAN", thoughts.plan],
                ["CRITICISM", thoughts.criticism], ["SPEAK", thoughts.speak]].filter(([, v]) => v);
  return el("dl", { class: "thoughts" }, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function commandBlock(command) {
  if (!command) return null;
  return el("div", { class: "command mono" }, "NEXT ACTION: COMMAND = ", el("b", { class: "command-name" }, command.name),
    " ARGUMENTS = ", JSON.stringify(command.args || {}));
}

function livePane(base, body) {
  const gate = el("div", { id: "gate", class: "card gate", hidden: true });
  const summary = el("div", { id: "summary", class: "card", hidden: true });
  const feed = el("div", { id: "feed" });
  const empty = el("p", { class: "muted", id: "feed-empty" },
    "Steps appear here as this server runs them. Steps run elsewhere (the CLI) are in History.");
  fill(body, gate, summary, el("h2", {}, "Steps"), empty, feed);
  let waitingFor = null;

  function answer(text) {
    gate.querySelectorAll("button").forEach((b) => (b.disabled = true));
    attempt(async () => { await api(`${base}/answer`, { answer: text }); gate.hidden = true; waitingFor = null; })
      .finally(() => gate.querySelectorAll("button").forEach((b) => (b.disabled = false)));
  }
  function showGate(request) {
    const key = JSON.stringify(request);
    if (waitingFor === key) return;
    waitingFor = key;
    const count = el("input", { id: "approve-count", type: "number", min: 1, value: 3 });
    const feedback = el("textarea", { id: "feedback", placeholder: "Feedback for the agent: it sees this and proposes again." });
    fill(gate, el("h2", {}, "Waiting for your answer"),
      request.error ? el("p", { class: "muted" }, request.error) : null,
      thoughtsBlock(request.thoughts || {}), el("div", { id: "gate-command" }, commandBlock(request.command)),
      el("div", { class: "actions" },
        el("button", { id: "approve", class: "primary", onclick: () => answer("y") }, "Approve"),
        el("span", {}, el("button", { id: "approve-n", onclick: () => answer(`y -${Math.max(1, Number(count.value) || 1)}`) }, "Approve the next"), " ", count),
        el("button", { id: "critique", onclick: () => answer("s"), title: "The model criticises its own proposal first" }, "Self-critique"),
        el("button", { id: "stop", class: "danger", onclick: () => answer("n") }, "Stop the run")),
      el("label", { for: "feedback" }, "Or give feedback"), feedback,
      el("div", { class: "actions" }, el("button", { id: "send-feedback", onclick: () => feedback.value.trim() && answer(feedback.value.trim()) }, "Send feedback")));
    gate.hidden = false;
  }
  return {
    status(s) {
      if (s.state === "waiting" && s.waiting) showGate(s.waiting);
      else if (s.state !== "waiting") { gate.hidden = true; waitingFor = null; }
    },
    step(event) {
      empty.hidden = true;
      const card = stepCard(event);
      if (card) feed.append(card);
      if (event.summary) fill(summary, el("h3", {}, "Running summary"), el("p", { id: "summary-text" }, event.summary));
      summary.hidden = !event.summary && summary.hidden;
      window.autogptLatencies.push(Date.now() - event.at);
      if (card && document.activeElement?.tagName !== "TEXTAREA") card.scrollIntoView({ block: "nearest" });
    },
  };
}

function stepCard(event) {
  const node = event.node;
  const card = (cls, ...children) => el("div", { class: `step ${node} ${cls || ""}`, "data-node": node, "data-seq": event.seq },
    el("div", { class: "node" }, node === "__interrupt__" ? "human gate" : node.replace(/_/g, " ")), ...children);
  switch (node) {
    case "decompose_goals":
      if (!event.ai_config) return card("minor", "Using the AI settings given.");
      return card("", el("b", {}, event.ai_config.ai_name), " — ", event.ai_config.ai_role,
        el("ol", {}, (event.ai_config.ai_goals || []).map((g) => el("li", {}, g))));
    case "build_prompt":
      return card("minor", `Cycle ${event.cycle ?? ""} starts`, event.plan && event.plan.notes && event.plan.notes.length ? ` (${event.plan.notes.length} notes)` : "");
    case "think": {
      const u = event.usage || {};
      return card("minor", `The model replied: ${(u.prompt_tokens || 0) + (u.completion_tokens || 0)} tokens, ${money(u.cost)}`);
    }
    case "validate_json":
      if (!event.command) return card("failed", event.note || "The reply could not be used.");
      return card("", thoughtsBlock(event.thoughts || {}), commandBlock(event.command));
    case "__interrupt__":
      return card("minor", "Waiting for your answer", event.error ? ` (${event.error})` : "");
    case "human_gate":
      if (event.feedback) return card("", event.feedback.source === "self" ? "SELF FEEDBACK: " : "Feedback: ", el("span", { class: "feedback-text" }, event.feedback.text));
      return card("minor", event.note || "approved");
    case "execute_tool":
      if (event.result === undefined) return card("minor", event.note || "");
      return card(event.ok === false ? "failed" : "", el("div", {}, "SYSTEM: Command ", el("b", {}, event.name), " returned:"),
        el("pre", { class: "result" }, event.result), event.note ? el("div", { class: "muted" }, event.note) : null);
    case "summarise_memory":
      return card("minor", event.note || (event.summary ? "Summary updated." : "Nothing to summarise."));
    case "files_restored":
      return card("", event.note);
    default:
      return card("minor", "");
  }
}

// ---------- history, a step's state, replay and fork ----------
function historyPane(id, base, body) {
  const table = el("tbody");
  const panel = el("div", { id: "step-panel" });
  const origin = el("p", { class: "muted" });
  fill(body, origin, el("div", { class: "split" },
    el("table", { id: "history" }, el("thead", {}, el("tr", {}, ["Step", "Cycle", "Node", "Command", "Result", "Files"].map((h) => el("th", {}, h)))), table),
    panel));
  let selected = null;
  async function reload() {
    const data = await api(`${base}/history`);
    fill(origin, data.forked_from ? el("span", {}, "Forked from ",
      el("a", { href: `#/thread/${enc(data.forked_from.thread)}/history` }, data.forked_from.thread), ` at step ${data.forked_from.step}.`) : "");
    fill(table, ...data.steps.map((line) => el("tr", {
      class: `clickable ${line.step === selected ? "selected" : ""}`, "data-step": line.step, onclick: () => open(line.step),
    }, el("td", {}, line.step), el("td", {}, line.cycle), el("td", {}, line.node), el("td", { class: "mono" }, line.command),
      el("td", {}, line.result), el("td", { class: "mono" }, line.files.join(" ")))));
  }
  async function open(step) {
    selected = step;
    table.querySelectorAll("tr").forEach((tr) => tr.classList.toggle("selected", Number(tr.dataset.step) === step));
    const s = await attempt(() => api(`${base}/steps/${step}`));
    if (!s) return;
    const cfg = s.ai_config || {};
    const goals = el("textarea", { id: "fork-goals" }, (cfg.ai_goals || []).join("\n"));
    const feedback = el("textarea", { id: "fork-feedback", placeholder: "Feedback the model sees in the new run's next cycle" });
    const proposed = s.proposed && (s.node === "human_gate" || s.node === "execute_tool") ? pretty(s.proposed) : "";
    const command = el("textarea", { id: "fork-command", placeholder: '{"name": "write_to_file", "args": {...}}' }, proposed);
    function fork() {
      const edits = { step };
      if (feedback.value.trim()) edits.feedback = feedback.value.trim();
      if (command.value.trim() && command.value.trim() !== proposed.trim()) {
        try { edits.command = JSON.parse(command.value); } catch (err) { toast(`The command is not valid JSON: ${err.message}`); return; }
      }
      const before = cfg.ai_goals || [];
      const after = goals.value.split("\n").map((g) => g.trim()).filter(Boolean);
      const sets = {};
      after.forEach((g, i) => { if (g !== before[i]) sets[`goal${i + 1}`] = g; });
      for (let i = before.length; i > after.length; i--) sets[`goal${i}`] = "";  // from the last, so the numbers hold
      if (Object.keys(sets).length) edits.sets = sets;
      attempt(async () => {
        const made = await api(`${base}/fork`, edits);
        location.hash = `#/thread/${enc(made.thread_id)}`;
      });
    }
    function replay() {
      attempt(async () => { await api(`${base}/replay`, { step }); location.hash = `#/thread/${enc(id)}`; });
    }
    const plan = s.plan ? el("pre", { id: "plan" }, pretty(s.plan)) : el("p", { class: "muted" }, "No prompt plan yet at this step.");
    fill(panel, el("div", { class: "card" },
      el("h2", {}, `Step ${s.step}: ${s.node}`), el("p", { class: "muted mono" }, `cycle ${s.cycle} · checkpoint ${s.checkpoint}`),
      el("h3", {}, "Goals"), el("ol", { id: "state-goals" }, (cfg.ai_goals || []).map((g) => el("li", {}, g))),
      el("h3", {}, "Summary"), el("p", { id: "state-summary" }, s.summary || "(none yet)"),
      el("h3", {}, "Prompt plan"), plan,
      el("h3", {}, "Recalled memories"), s.memories.length ? el("ul", {}, s.memories.map((m) => el("li", {}, m))) : el("p", { class: "muted" }, "(none)"),
      s.proposed ? [el("h3", {}, "Proposed command"), commandBlock(s.proposed)] : null,
      el("h3", {}, "Files this step changed"), changes(s.changes),
      el("h3", {}, "Replay"), el("p", { class: "muted" }, "Runs this step's node and everything after it again on this run (commands too); its files go back to this step first."),
      el("button", { id: "replay-go", onclick: replay }, `Replay from step ${step}`),
      el("h3", {}, "Fork"), el("p", { class: "muted" }, "A new run from this step with your edits; this run stays as it is."),
      el("label", { for: "fork-feedback" }, "Feedback"), feedback,
      el("label", { for: "fork-goals" }, "Goals (one per line)"), goals,
      el("label", { for: "fork-command" }, "Replacement command (steps that run human_gate or execute_tool)"), command,
      el("p", {}, el("button", { id: "fork-go", class: "primary", onclick: fork }, `Fork from step ${step}`))));
  }
  attempt(reload);
  return { reload: () => attempt(reload) };
}

function changes(list) {
  if (!list || !list.length) return el("p", { class: "muted" }, "(none)");
  return el("div", { id: "changes" }, list.map((c) => el("div", { class: "diff" },
    el("div", { class: "mono" }, el("b", {}, c.kind), " ", c.path),
    c.diff.length ? el("pre", {}, c.diff.map((line) => el("span", {
      class: line.startsWith("+") && !line.startsWith("+++") ? "add" : line.startsWith("-") && !line.startsWith("---") ? "del" : line.startsWith("@@") ? "hunk" : "",
    }, line + "\n"))) : null)));
}

// ---------- files ----------
function filesPane(base, body) {
  const list = el("ul", { id: "files", class: "files" });
  const viewer = el("div", { id: "file-view", class: "card" }, el("p", { class: "muted" }, "Pick a file to read it (read-only)."));
  const folder = el("p", { class: "muted mono" });
  fill(body, folder, el("div", { class: "split" }, el("div", { class: "card" }, list), viewer));
  attempt(async () => {
    const data = await api(`${base}/files`);
    folder.textContent = data.folder + (data.more ? " (the first files only)" : "");
    fill(list, ...(data.files.length ? data.files.map((f) => el("li", { "data-path": f.path, onclick: (e) => {
      list.querySelectorAll("li").forEach((li) => li.classList.remove("selected"));
      e.currentTarget.classList.add("selected");
      attempt(async () => {
        const file = await api(`${base}/files?path=${enc(f.path)}`);
        fill(viewer, el("h3", { class: "mono" }, file.path, el("span", { class: "muted" }, ` ${file.size} bytes`)),
          file.binary ? el("p", { class: "muted" }, "A binary file; not shown.") : el("pre", { id: "file-text" }, file.text),
          file.cut ? el("p", { class: "muted" }, "Cut: the file is longer.") : null);
      });
    } }, f.path, el("span", { class: "muted" }, ` ${f.size} B`))) : [el("li", { class: "muted" }, "No files yet.")]));
  });
  return {};
}
