// Tutela compliance centre: a small single-page UI over /api/v1/. No framework, no CDN: it works offline.
// Every value from the API is put into the page as text (never as HTML), so stored data cannot inject markup.
"use strict";

const state = { me: null, csrf: null };
// Pages added by the other scripts (privacy.js, portal.js, data.js): Tutela.pages[name] = async (parts) => {...}.
const pages = {};

// ---- helpers ----
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
function svg(tag, attrs, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
function badge(text) { return h("span", { class: "badge " + String(text).replace(/[^a-z-]/g, "") }, text); }
function toast(message) {
  const item = h("div", {}, message);
  document.getElementById("toast").append(item);
  setTimeout(() => item.remove(), 5000);
}
function page(title, ...content) {
  const main = document.getElementById("main");
  main.replaceChildren(h("h1", {}, title), ...content);
  document.title = title + " — Tutela";
}
function table(headers, rows) {
  return h("table", {}, h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
           h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, "Nothing yet."))));
}
function pct(score) { return Math.round((score || 0) * 100) + "%"; }

async function api(method, path, body, raw) {
  const headers = {};
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  let payload;
  if (raw !== undefined) { payload = raw; headers["Content-Type"] = "application/json"; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (response.status === 401 && path !== "/api/v1/login") { state.me = null; showLogin(); }
  if (!response.ok) {
    const message = data && data.error ? data.error.message : "HTTP " + response.status;
    const error = new Error(message);
    error.code = data && data.error ? data.error.code : "";
    throw error;
  }
  return data;
}

// A bar chart of labelled values between 0 and 1 (readiness per framework), accessible as a list too.
function barChart(items, label) {
  const width = 640, row = 22, left = 230;
  const chart = svg("svg", { class: "chart", role: "img", "aria-label": label, width: "100%",
                             viewBox: `0 0 ${width} ${items.length * row + 10}` });
  items.forEach((item, i) => {
    const y = i * row + 4;
    const w = Math.max(1, (width - left - 60) * (item.value || 0));
    const level = item.value < 0.5 ? " low" : item.value < 0.8 ? " mid" : "";
    chart.append(svg("text", { x: 0, y: y + 13 }, item.label.length > 32 ? item.label.slice(0, 31) + "…" : item.label));
    chart.append(svg("rect", { class: "bar" + level, x: left, y, width: w, height: row - 8 }));
    chart.append(svg("text", { x: left + w + 6, y: y + 13 }, pct(item.value)));
  });
  return chart;
}
// Findings over time: a line of failed results per assessment, oldest first.
function lineChart(points, label) {
  const width = 640, height = 160, pad = 30;
  const chart = svg("svg", { class: "chart", role: "img", "aria-label": label, width: "100%", viewBox: `0 0 ${width} ${height}` });
  if (points.length === 0) return chart;
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (i) => pad + (points.length === 1 ? 0 : (i * (width - 2 * pad)) / (points.length - 1));
  const y = (v) => height - pad - (v / max) * (height - 2 * pad);
  chart.append(svg("line", { class: "axis", x1: pad, y1: height - pad, x2: width - pad, y2: height - pad }));
  chart.append(svg("polyline", { points: points.map((p, i) => `${x(i)},${y(p.value)}`).join(" "), fill: "none",
                                 stroke: "#b42318", "stroke-width": 2 }));
  points.forEach((p, i) => {
    chart.append(svg("circle", { cx: x(i), cy: y(p.value), r: 3, fill: "#b42318" }));
    chart.append(svg("text", { x: x(i) - 8, y: y(p.value) - 8 }, p.value));
  });
  return chart;
}

// ---- login and account ----
function showLogin(message) {
  document.getElementById("nav").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("who").textContent = "";
  const error = h("p", { class: "error", role: "alert" }, message || "");
  const totpRow = h("div", { hidden: true }, h("label", { for: "totp" }, "Authenticator code"),
                    h("input", { id: "totp", name: "totp", inputmode: "numeric", autocomplete: "one-time-code" }));
  const form = h("form", { class: "card login", "aria-label": "Log in" },
    h("label", { for: "tenant" }, "Tenant"), h("input", { id: "tenant", name: "tenant", required: true, autocomplete: "organization" }),
    h("label", { for: "username" }, "User name"), h("input", { id: "username", name: "username", required: true, autocomplete: "username" }),
    h("label", { for: "password" }, "Password"), h("input", { id: "password", name: "password", type: "password", required: true, autocomplete: "current-password" }),
    totpRow, h("p", {}, h("button", { type: "submit" }, "Log in")), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    if (!data.totp) delete data.totp;
    try {
      const reply = await api("POST", "/api/v1/login", data);
      state.csrf = reply.csrf_token;
      await loadMe();
      location.hash = reply.password_change_required ? "#/account" : location.hash || "#/readiness";
      route();
    } catch (e) {
      if (e.code === "totp_required") { totpRow.hidden = false; document.getElementById("totp").focus(); }
      error.textContent = e.message;
    }
  });
  page("Log in", form);
}

async function loadMe() {
  const me = await api("GET", "/api/v1/whoami");
  state.me = me;
  if (me.csrf_token) state.csrf = me.csrf_token;
  document.getElementById("who").textContent = `${me.user.name} · ${me.role} · ${me.tenant.name}`;
  document.getElementById("nav").hidden = false;
  document.getElementById("logout").hidden = false;
  for (const link of document.querySelectorAll("#nav a[data-roles]")) {
    link.hidden = !link.dataset.roles.split(" ").includes(me.role);
  }
}

async function accountPage() {
  const me = state.me;
  const message = h("p", { role: "status" });
  const form = h("form", { class: "card", "aria-label": "Change password" },
    h("h2", {}, "Change password"),
    me.user.password_change_required ? h("p", { class: "error" }, "This account has a one-time password: choose your own to go on.") : null,
    h("label", { for: "current" }, "Current password"), h("input", { id: "current", type: "password", required: true, autocomplete: "current-password" }),
    h("label", { for: "next" }, "New password (12 characters or more)"), h("input", { id: "next", type: "password", required: true, minlength: 12, autocomplete: "new-password" }),
    h("p", {}, h("button", { type: "submit" }, "Change password")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/me/password", { current_password: form.current.value, new_password: form.next.value });
      await loadMe();
      message.textContent = "Password changed.";
    } catch (e) { message.textContent = e.message; }
  });
  const totp = h("div", { class: "card" }, h("h2", {}, "Second factor"),
    h("p", {}, me.user.totp ? "An authenticator app is set up." : "No second factor yet."));
  if (!me.user.totp) {
    totp.append(h("button", { type: "button", onclick: async () => {
      const setup = await api("POST", "/api/v1/me/totp");
      const code = h("input", { id: "code", inputmode: "numeric" });
      totp.append(h("p", {}, "Add this key to your authenticator app: ", h("code", {}, setup.secret)),
                  h("label", { for: "code" }, "Code shown by the app"), code,
                  h("p", {}, h("button", { type: "button", onclick: async () => {
                    try { await api("POST", "/api/v1/me/totp/confirm", { code: code.value }); await loadMe(); toast("Second factor on."); accountPage(); }
                    catch (e) { toast(e.message); }
                  } }, "Confirm")));
    } }, "Set up an authenticator app"));
  }
  page("Account", form, totp);
}

// ---- pages ----
async function portfolioPage() {
  const region = new URLSearchParams(location.hash.split("?")[1] || "").get("region") || "";
  const data = await api("GET", "/api/v1/certifications" + (region ? "?region=" + encodeURIComponent(region) : ""));
  const regions = new Set(), services = new Set();
  data.certifications.forEach((c) => { c.scope.regions.forEach((r) => regions.add(r)); c.scope.services.forEach((s) => services.add(s)); });
  const select = h("select", { id: "region", onchange: (e) => { location.hash = "#/portfolio" + (e.target.value ? "?region=" + e.target.value : ""); } },
    h("option", { value: "" }, "All regions"), [...regions].sort().map((r) => h("option", { value: r, selected: r === region }, r)));
  const rows = data.certifications.map((c) => h("tr", {},
    h("td", {}, c.framework_name || c.framework), h("td", {}, c.level || "—"), h("td", {}, badge(c.status)),
    h("td", {}, c.issued || "—"), h("td", {}, c.expires || "—"), h("td", {}, c.report),
    h("td", {}, c.scope.regions.length + " regions, " + c.scope.services.length + " services")));
  page("Certification portfolio",
    h("p", { class: "muted" }, `Certifications in force on ${data.as_of}, by region and service.`),
    h("div", { class: "form-row" }, h("div", {}, h("label", { for: "region" }, "Region"), select)),
    h("h2", {}, `${data.certifications.length} certifications`),
    table(["Framework", "Level", "Status", "Issued", "Expires", "Report", "Scope"], rows));
}

async function readinessPage() {
  const data = await api("GET", "/api/v1/readiness");
  if (!data.assessment) {
    page("Readiness", h("p", {}, "No finished assessment yet. ", h("a", { href: "#/assessments" }, "Upload a plan"), " to see readiness."));
    return;
  }
  const frameworks = [...data.frameworks].sort((a, b) => b.score - a.score);
  const automated = (f) => f.requirements.passed + f.requirements.failed + f.requirements.unknown > 0;
  const assessed = frameworks.filter(automated), notAssessed = frameworks.filter((f) => !automated(f));
  const rows = frameworks.map((f) => h("tr", {},
    h("td", {}, h("a", { href: `#/assessment/${data.assessment}/${f.id}` }, f.name)), h("td", {}, automated(f) ? pct(f.score) : "not assessed"),
    h("td", {}, f.requirements.passed), h("td", {}, f.requirements.failed), h("td", {}, f.requirements.unknown),
    h("td", {}, f.requirements.inherited), h("td", {}, f.requirements.manual), h("td", {}, f.requirements.excepted)));
  page("Readiness",
    h("p", { class: "muted" }, `From assessment “${data.name}” of ${data.date}: ${data.counts.fail} failed and ${data.counts.pass} passed results.`),
    h("div", { class: "card" }, barChart(assessed.map((f) => ({ label: f.name, value: f.score })), "Readiness per framework"),
      notAssessed.length ? h("p", { class: "muted" }, `${notAssessed.length} frameworks have no automated evidence in this estate (manual or inherited only).`) : null),
    table(["Framework", "Score", "Passed", "Failed", "Unknown", "Inherited", "Manual", "Excepted"], rows));
}

async function assessmentsPage() {
  const data = await api("GET", "/api/v1/assessments?limit=50");
  const file = h("input", { id: "plan", type: "file", accept: ".json,application/json" });
  const model = h("select", { id: "model" }, ["", "iaas", "paas", "saas"].map((m) => h("option", { value: m }, m || "none")));
  const status = h("p", { role: "status" });
  const canWrite = ["admin", "compliance"].includes(state.me.role);
  const upload = h("form", { class: "card", "aria-label": "Upload a plan" },
    h("h2", {}, "Assess a Terraform plan or snapshot"),
    h("div", { class: "form-row" },
      h("div", {}, h("label", { for: "plan" }, "Plan (terraform show -json) or snapshot"), file),
      h("div", {}, h("label", { for: "model" }, "Service model (inheritance)"), model),
      h("div", {}, h("button", { type: "submit" }, "Upload and assess"))), status);
  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!file.files.length) { status.textContent = "Choose a file first."; return; }
    const text = await file.files[0].text();
    try {
      const query = "?name=" + encodeURIComponent(file.files[0].name) + (model.value ? "&service_model=" + model.value : "");
      const created = await api("POST", "/api/v1/assessments" + query, undefined, text);
      status.textContent = "Queued; assessing…";
      await pollJob(created.job, status);
      location.hash = "#/readiness";
    } catch (e) { status.textContent = e.message; }
  });
  const done = data.assessments.filter((a) => a.state === "done").reverse();
  const rows = data.assessments.map((a) => h("tr", {},
    h("td", {}, a.state === "done" ? h("a", { href: `#/findings/${a.id}` }, a.name) : a.name), h("td", {}, badge(a.state)),
    h("td", {}, a.created), h("td", {}, a.summary ? a.summary.resources : "—"),
    h("td", {}, a.summary ? a.summary.counts.fail : "—"), h("td", {}, a.created_by || "")));
  page("Assessments", canWrite ? upload : null,
    h("div", { class: "card" }, h("h2", {}, "Failed results over time"),
      lineChart(done.map((a) => ({ value: a.summary.counts.fail })), "Failed results per assessment, oldest first")),
    table(["Input", "State", "Created", "Resources", "Failed", "By"], rows));
}

async function pollJob(id, status) {
  for (;;) {
    const job = await api("GET", "/api/v1/jobs/" + id);
    status.textContent = `${job.state}: ${job.message} (${job.progress}%)`;
    if (job.state === "done") return job;
    if (job.state === "failed") throw new Error(job.message);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function frameworkPage(assessment, framework) {
  const data = await api("GET", `/api/v1/assessments/${assessment}/frameworks/${encodeURIComponent(framework)}`);
  const counts = {};
  data.requirements.forEach((r) => { counts[r.status] = (counts[r.status] || 0) + 1; });
  const wanted = new URLSearchParams(location.hash.split("?")[1] || "").get("status") || (counts.failed ? "failed" : "");
  const shown = data.requirements.filter((r) => !wanted || r.status === wanted);
  const filter = h("select", { id: "status", onchange: (e) => {
    location.hash = `#/assessment/${assessment}/${encodeURIComponent(framework)}?status=${e.target.value}`; } },
    h("option", { value: "", selected: !wanted }, `all (${data.requirements.length})`),
    Object.keys(counts).sort().map((status) => h("option", { value: status, selected: status === wanted }, `${status} (${counts[status]})`)));
  const rows = shown.map((r) => h("tr", {},
    h("td", { class: "mono" }, r.id), h("td", {}, r.title || ""), h("td", {}, badge(r.status)),
    h("td", {}, (r.controls || []).join(" ")),
    h("td", {}, r.findings.length ? h("details", {}, h("summary", {}, `${r.findings.length} findings`),
      h("ul", {}, r.findings.slice(0, 50).map((f) => h("li", {}, badge(f.status), " ", h("code", {}, f.check), " on ",
        h("code", {}, f.resource), h("div", { class: "muted" }, f.remediation || f.message))))) :
      r.inherited_from ? "inherited: " + r.inherited_from.certification
        : r.status === "inherited" && (r.inherited_by_provider || []).length
          ? "inherited: " + r.inherited_by_provider.map((p) => `${p.provider} ${p.certification || "(no certificate)"}`).join("; ")
          : (r.evidence_needed || []).slice(0, 2).join("; "))));
  page(data.name, h("p", {}, h("a", { href: "#/readiness" }, "← Readiness")),
    h("div", { class: "form-row" }, h("div", {}, h("label", { for: "status" }, "Requirements"), filter)),
    table(["Requirement", "Title", "Status", "Controls", "Checks, resources, evidence"], rows));
}

async function findingsPage(assessment) {
  const data = await api("GET", `/api/v1/assessments/${assessment}/findings?limit=500`);
  const canWrite = ["admin", "compliance"].includes(state.me.role);
  const rows = data.findings.map((f) => h("tr", {},
    h("td", {}, badge(f.severity)), h("td", {}, badge(f.status)), h("td", { class: "mono" }, f.check),
    h("td", { class: "mono" }, f.resource), h("td", {}, f.title || f.message),
    h("td", {}, canWrite && f.status !== "excepted" ? h("button", { class: "secondary", type: "button",
      onclick: () => proposeDialog(f) }, "Propose exception") : f.exception || "")));
  page("Findings", h("p", { class: "muted" }, `${data.total} findings (failed, unknown or excepted results).`),
    table(["Severity", "Status", "Check", "Resource", "What", ""], rows));
}

function proposeDialog(finding) {
  const reason = h("textarea", { id: "reason", rows: 3, required: true });
  const expires = h("input", { id: "expires", type: "date", required: true });
  const status = h("p", { role: "status" });
  const form = h("form", { class: "card", "aria-label": "Propose an exception" },
    h("h2", {}, `Exception for ${finding.check} on ${finding.resource}`),
    h("label", { for: "reason" }, "Reason (an auditor will read it)"), reason,
    h("label", { for: "expires" }, "Last day it applies"), expires,
    h("p", {}, h("button", { type: "submit" }, "Propose")), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/exceptions", { check: finding.check, resource: finding.resource, reason: reason.value, expires: expires.value });
      toast("Exception proposed; another compliance user approves it.");
      location.hash = "#/exceptions";
    } catch (e) { status.textContent = e.message; }
  });
  document.getElementById("main").prepend(form);
  reason.focus();
}

async function exceptionsPage() {
  const data = await api("GET", "/api/v1/exceptions");
  const canWrite = ["admin", "compliance"].includes(state.me.role);
  const act = (id, what) => async () => {
    try { await api("POST", `/api/v1/exceptions/${id}/${what}`, {}); toast(`Exception ${{ approve: "approved", reject: "rejected", revoke: "revoked" }[what]}.`); exceptionsPage(); }
    catch (e) { toast(e.message); }
  };
  const rows = data.exceptions.map((x) => h("tr", {},
    h("td", { class: "mono" }, x.check || x.requirement), h("td", { class: "mono" }, x.resource),
    h("td", {}, x.reason), h("td", {}, x.expires, x.expired ? [" ", badge("expired")] : null), h("td", {}, badge(x.state)),
    h("td", {}, x.proposed_by + (x.approved_by ? " → " + x.approved_by : "")),
    h("td", {}, canWrite && x.state === "proposed" ? [h("button", { type: "button", onclick: act(x.id, "approve") }, "Approve"), " ",
      h("button", { type: "button", class: "secondary", onclick: act(x.id, "reject") }, "Reject")] :
      canWrite && x.state === "approved" ? h("button", { type: "button", class: "secondary", onclick: act(x.id, "revoke") }, "Revoke") : "")));
  page("Exceptions", h("p", { class: "muted" }, "Approved exceptions apply to the next assessment until they expire. Whoever proposes one cannot approve it."),
    table(["Check or requirement", "Resource", "Reason", "Expires", "State", "By", ""], rows));
}

async function usersPage() {
  const data = await api("GET", "/api/v1/users");
  const name = h("input", { id: "newname", required: true });
  const role = h("select", { id: "newrole" }, ["compliance", "privacy", "auditor", "customer", "admin"].map((r) => h("option", { value: r }, r)));
  const status = h("p", { role: "status" });
  const form = h("form", { class: "card", "aria-label": "Add a user" }, h("h2", {}, "Add a user"),
    h("div", { class: "form-row" }, h("div", {}, h("label", { for: "newname" }, "Name"), name),
      h("div", {}, h("label", { for: "newrole" }, "Role"), role), h("div", {}, h("button", { type: "submit" }, "Add"))), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api("POST", "/api/v1/users", { name: name.value, role: role.value });
      status.textContent = `One-time password for ${created.user.name}: ${created.one_time_password} (shown once).`;
    } catch (e) { status.textContent = e.message; }
  });
  const rows = data.users.map((u) => h("tr", {}, h("td", {}, u.name), h("td", {}, u.role),
    h("td", {}, u.disabled ? badge("disabled") : u.locked_until ? badge("locked") : badge("active")),
    h("td", {}, u.totp ? "yes" : "no"), h("td", {}, u.created)));
  page("Users", form, table(["Name", "Role", "State", "Second factor", "Created"], rows));
}

async function auditPage() {
  const data = await api("GET", "/api/v1/audit?limit=200");
  const rows = data.entries.map((e) => h("tr", {}, h("td", {}, e.index), h("td", {}, e.at), h("td", {}, e.actor),
    h("td", {}, e.action), h("td", { class: "mono" }, e.target), h("td", {}, badge(e.outcome)), h("td", {}, e.client)));
  page("Audit ledger", h("p", { class: "muted" }, `Tamper-evident log: ${data.tree.size} entries, root `, h("code", {}, data.tree.root)),
    table(["#", "When", "Who", "Action", "Target", "Outcome", "From"], rows));
}

// ---- routing ----
// Renders run one after another, so a slow page started before a newer navigation can never paint over it: the last
// navigation's page is always the one left on screen.
let rendering = Promise.resolve();
function route() {
  rendering = rendering.then(renderRoute, renderRoute);
  return rendering;
}

async function renderRoute() {
  if (!state.me) { showLogin(); return; }
  const [path] = location.hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean);
  for (const link of document.querySelectorAll("#nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === "#/" + (parts[0] || ""));
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  try {
    if (state.me.user.password_change_required) return accountPage();
    switch (parts[0]) {
      case "portfolio": return await portfolioPage();
      case "assessments": return await assessmentsPage();
      case "assessment": return await frameworkPage(parts[1], decodeURIComponent(parts[2]));
      case "findings": return await findingsPage(parts[1]);
      case "exceptions": return await exceptionsPage();
      case "users": return await usersPage();
      case "audit": return await auditPage();
      case "account": return await accountPage();
      default:
        if (pages[parts[0]]) return await pages[parts[0]](parts);
        return state.me.role === "customer" ? await portfolioPage() : await readinessPage();
    }
  } catch (e) {
    page("Something went wrong", h("p", { class: "error", role: "alert" }, e.message));
  }
}

// What the other scripts use: they load after this one and add pages and nothing else.
window.Tutela = { state, pages, h, svg, api, page, table, badge, toast, pct, barChart, lineChart, pollJob, route };

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("POST", "/api/v1/logout", {}); } catch (e) { /* already logged out */ }
    state.me = null; state.csrf = null; document.getElementById("toast").replaceChildren(); showLogin();
  });
  try { await loadMe(); } catch (e) { state.me = null; }
  route();
});
