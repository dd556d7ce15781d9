// Privacy office pages: register, lint and sync findings, risk per activity, purpose decisions (#/privacy) and
// incidents with live per-jurisdiction deadline countdowns (#/incidents, #/incidents/ID).
// Uses only window.Tutela (app.js); every value goes into the page as text.
"use strict";
(() => {
  const { h, api, page, table, badge, toast, state, pages } = window.Tutela;
  const canWrite = () => ["admin", "privacy"].includes(state.me.role);
  const list = (items) => (items || []).join(", ");
  // A badge with its own text and the colour of one of app.css's badge classes.
  const tag = (text, look) => h("span", { class: "badge " + look }, text);

  // ---- shared: a document upload (file or pasted text) ----
  function documentForm(id, legend, button, onSend, extra) {
    const file = h("input", { id: id + "-file", type: "file", accept: ".yaml,.yml,.json,text/yaml,application/json" });
    const text = h("textarea", { id: id + "-text", rows: 6, class: "mono", spellcheck: "false" });
    const status = h("p", { role: "status" });
    const form = h("form", { class: "card", "aria-label": legend }, h("h2", {}, legend),
      h("label", { for: id + "-file" }, "A YAML or JSON file"), file,
      h("label", { for: id + "-text" }, "or paste the document"), text, extra || null,
      h("p", {}, h("button", { type: "submit" }, button)), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = file.files.length ? await file.files[0].text() : text.value;
      if (!body.trim()) { status.textContent = "Choose a file or paste the document first."; return; }
      status.textContent = "Sending…";
      try { await onSend(body, status); } catch (e) { status.textContent = e.message; }
    });
    return form;
  }

  function findingsTable(findings) {
    return table(["Severity", "Activity", "Where", "Finding"], (findings || []).map((f) => h("tr", {},
      h("td", {}, tag(f.kind, f.kind === "error" || f.kind === "undeclared" ? "failed" : "unknown")),
      h("td", { class: "mono" }, f.activity || ""), h("td", { class: "mono" }, f.where), h("td", {}, f.message))));
  }

  // ---- #/privacy ----
  async function privacyPage() {
    const register = await api("GET", "/api/v1/register");
    let risk = null, riskError = "";
    if (register.register) {
      try { risk = await api("GET", "/api/v1/risk"); } catch (e) { riskError = e.message; }
    }
    const decisions = await api("GET", "/api/v1/decisions");
    const sections = [];

    // The register.
    if (register.register) {
      const r = register.register;
      sections.push(h("p", { class: "muted" }, `Version ${register.version}, uploaded by ${register.uploaded_by} at ${register.uploaded_at}`,
        r.controller ? ` — controller: ${r.controller}` : "", ` — ${register.previous_versions.length} earlier version(s) kept.`));
      sections.push(h("h2", {}, "Processing activities"), table(
        ["Activity", "Purpose", "Legal basis", "PII", "Stores", "Recipients", "Transfers", "Retention", "Jurisdictions"],
        r.activities.map((a) => h("tr", {},
          h("td", {}, h("span", { class: "mono" }, a.id), a.name ? h("div", { class: "muted" }, a.name) : null),
          h("td", {}, a.purpose), h("td", {}, a.legal_basis), h("td", { class: "mono" }, list(a.pii)),
          h("td", { class: "mono" }, list(a.data_stores.map((s) => s.store + (s.terraform ? " (" + s.terraform + ")" : "")))),
          h("td", {}, list(a.recipients.concat(a.sub_processors))),
          h("td", {}, list(a.transfers.map((t) => `${t.from} → ${t.to}${t.mechanism ? " (" + t.mechanism + ")" : ""}`))),
          h("td", {}, a.retention), h("td", {}, list(a.jurisdictions))))));
      sections.push(h("h2", {}, `Lint findings (${register.lint.length})`), findingsTable(register.lint));
      if (register.sync) {
        sections.push(h("h2", {}, `Register against the PII inventory (${register.sync.length})`),
          h("p", { class: "muted" }, `Inventory of ${register.inventory.generated_at || register.inventory.updated}, ${register.inventory.stores} stores.`),
          findingsTable(register.sync));
      } else if (register.inventory && register.inventory.error) {
        sections.push(h("p", { class: "error", role: "alert" }, "The PII inventory could not be read: " + register.inventory.error));
      } else {
        sections.push(h("p", { class: "muted" }, "No PII inventory yet: scan the stores to compare what is declared with what is found."));
      }
    } else {
      sections.push(h("p", { class: "muted" }, "No register of processing yet (docs/formats/register.md)."));
    }
    if (canWrite()) {
      sections.push(documentForm("register", register.register ? "Upload a new version of the register" : "Upload the register",
        "Upload", async (body, status) => {
          const result = await api("PUT", "/api/v1/register", undefined, body);
          const errors = result.lint.filter((f) => f.kind === "error").length;
          toast(`Register version ${result.version}: ${result.activities} activities, ${result.lint.length} lint findings (${errors} errors).`);
          status.textContent = "";
          privacyPage();
        }));
    }

    // Risk.
    sections.push(h("h2", {}, "Risk per activity"));
    if (risk) {
      sections.push(h("p", { class: "muted" }, risk.assessment ? `With the results of assessment ${risk.assessment}` : "No finished assessment yet",
        risk.inventory ? " and the PII inventory." : "; no PII inventory (volume assumed medium)."));
      sections.push(table(["Activity", "Inherent (likelihood × impact)", "Residual", "Level", "Factors", "Impact assessment"],
        risk.activities.map((a) => {
          const needed = a.impact_assessment.filter((n) => n.required);
          return h("tr", {},
            h("td", { class: "mono" }, a.activity),
            h("td", {}, `${a.inherent} (${a.likelihood} × ${a.impact})`),
            h("td", {}, `${a.residual} (${a.residual_likelihood} × ${a.residual_impact})`),
            h("td", {}, badge(a.level)),
            h("td", {}, h("details", {}, h("summary", {}, `${a.factors.length} factors`),
              h("ul", {}, a.factors.map((f) => h("li", {}, h("strong", {}, `${f.name} ${f.value}/3: `), f.why))),
              a.measures_status.length ? h("ul", {}, a.measures_status.map((m) => h("li", {}, h("code", {}, m.control), " ", badge(m.status)))) : null)),
            h("td", {}, needed.length ? h("ul", {}, needed.map((n) => h("li", {}, h("strong", {}, n.jurisdiction + ": "), n.reason,
              h("div", { class: "muted" }, n.basis + (n.verified ? "" : " (unverified)"))))) : "not required"));
        })));
    } else {
      sections.push(h("p", { class: "muted" }, riskError || "Upload the register to evaluate risk."));
    }

    // Purpose decisions.
    sections.push(h("h2", {}, "Purpose decisions"));
    if (canWrite() && register.register) {
      const activity = h("select", { id: "d-activity", required: true },
        register.register.activities.map((a) => h("option", { value: a.id }, a.id + (a.name ? " — " + a.name : ""))));
      const purpose = h("input", { id: "d-purpose", required: true });
      const requester = h("input", { id: "d-requester", required: true });
      const data = h("input", { id: "d-data", required: true, placeholder: "EMAIL_ADDRESS, PHONE_NUMBER" });
      const status = h("p", { role: "status" });
      const form = h("form", { class: "card", "aria-label": "Decide a purpose request" }, h("h3", {}, "May this requester use this data for this purpose?"),
        h("div", { class: "form-row" },
          h("div", {}, h("label", { for: "d-activity" }, "Activity"), activity),
          h("div", {}, h("label", { for: "d-purpose" }, "Purpose"), purpose),
          h("div", {}, h("label", { for: "d-requester" }, "Requester"), requester),
          h("div", {}, h("label", { for: "d-data" }, "Data (entity ids or categories, comma-separated)"), data)),
        h("p", {}, h("button", { type: "submit" }, "Decide")), status);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const d = await api("POST", "/api/v1/decisions", { activity: activity.value, purpose: purpose.value, requester: requester.value, data: data.value });
          toast(`${d.decision}: ${d.reason} (disclosure log entry ${d.disclosure_log.index}).`);
          privacyPage();
        } catch (e) { status.textContent = e.message; }
      });
      sections.push(form);
    }
    if (decisions.disclosure_log) {
      sections.push(h("p", { class: "muted" }, `Disclosure log: ${decisions.disclosure_log.size} entries, root `, h("code", {}, decisions.disclosure_log.root)));
    }
    const obligations = (o) => o ? [o.mask.length ? "mask " + list(o.mask) + "; " : "", "keep " + o.retention,
      o.transfers.length ? "; transfers " + list(o.transfers) : ""] : "";
    sections.push(table(["When", "By", "Activity", "Purpose", "Requester", "Data", "Decision", "Why", "Obligations"],
      decisions.decisions.map((d) => h("tr", {}, h("td", {}, d.decided_at), h("td", {}, d.decided_by),
        h("td", { class: "mono" }, d.activity), h("td", {}, d.purpose), h("td", {}, d.requester),
        h("td", { class: "mono" }, list(d.data)),
        h("td", {}, tag(d.decision, d.decision === "permit" ? "pass" : "fail")),
        h("td", {}, d.reason, h("div", { class: "muted" }, d.basis)),
        h("td", {}, obligations(d.obligations))))));
    page("Privacy office", ...sections);
  }

  // ---- countdowns ----
  let ticker = null;
  function countdownText(deadline, offset) {
    let left = Math.round((Date.parse(deadline) - (Date.now() + offset)) / 1000);
    const late = left < 0;
    left = Math.abs(left);
    const days = Math.floor(left / 86400), hours = Math.floor(left % 86400 / 3600);
    const minutes = Math.floor(left % 3600 / 60), seconds = left % 60;
    const two = (n) => String(n).padStart(2, "0");
    const span = (days ? days + "d " : "") + `${two(hours)}:${two(minutes)}:${two(seconds)}`;
    return { late, text: late ? "overdue by " + span : span + " left" };
  }
  // A live countdown to `deadline` (RFC 3339), corrected by the server's clock; red when overdue.
  function countdown(deadline, serverTime) {
    const el = h("span", { role: "timer", "data-deadline": deadline, "data-offset": String(Date.parse(serverTime) - Date.now()) });
    updateCountdown(el);
    return el;
  }
  function updateCountdown(el) {
    const { late, text } = countdownText(el.dataset.deadline, Number(el.dataset.offset));
    el.textContent = text;
    el.className = late ? "error" : "";
  }
  function startTicker() {
    if (ticker) clearInterval(ticker);
    ticker = setInterval(() => {
      const timers = document.querySelectorAll("#main [data-deadline]");
      if (!timers.length) { clearInterval(ticker); ticker = null; return; }
      timers.forEach(updateCountdown);
    }, 1000);
  }

  // ---- #/incidents ----
  function incidentForm() {
    const resolve = h("input", { id: "i-resolve", type: "checkbox", checked: true });
    const resolveRow = h("p", {}, resolve, " ", h("label", { for: "i-resolve" },
      "Resolve stores and activities against the register and the PII inventory"));
    const upload = documentForm("incident", "Open an incident from a document", "Assess", async (body) => {
      const created = await api("POST", "/api/v1/incidents" + (resolve.checked ? "" : "?resolve=none"), undefined, body);
      toast(`Incident ${created.incident} opened: ${created.notifications.required} notifications required.`);
      location.hash = "#/incidents/" + created.id;
    }, resolveRow);

    // The small form: one affected entry.
    const field = (id, label, input) => h("div", {}, h("label", { for: id }, label), input);
    const id = h("input", { id: "f-id", required: true, placeholder: "INC-1" });
    const title = h("input", { id: "f-title" });
    const discovered = h("input", { id: "f-discovered", type: "datetime-local", required: true });
    const categories = h("input", { id: "f-categories", required: true, placeholder: "EMAIL_ADDRESS, health" });
    const subjects = h("input", { id: "f-subjects", required: true, placeholder: "EU: 1200, SG: 35" });
    const harm = h("select", { id: "f-harm" }, ["high", "significant", "low", "unlikely"].map((v) => h("option", { value: v }, v)));
    const role = h("select", { id: "f-role" }, ["controller", "processor"].map((v) => h("option", { value: v }, v)));
    const encrypted = h("input", { id: "f-encrypted", type: "checkbox" });
    const status = h("p", { role: "status" });
    const form = h("form", { class: "card", "aria-label": "Open an incident" }, h("h2", {}, "Or describe it here"),
      h("p", { class: "muted" }, "Categories and counts only — never personal data. The time is your local time."),
      h("div", { class: "form-row" }, field("f-id", "Incident id", id), field("f-title", "Title", title),
        field("f-discovered", "Discovered at", discovered), field("f-role", "Our role", role)),
      h("div", { class: "form-row" }, field("f-categories", "Categories (entity ids or category names)", categories),
        field("f-subjects", "Affected people per jurisdiction", subjects), field("f-harm", "Risk of harm", harm)),
      h("p", {}, encrypted, " ", h("label", { for: "f-encrypted" }, "Encrypted at rest (AES), key not compromised")),
      h("p", {}, h("button", { type: "submit" }, "Assess")), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const counts = {};
      for (const part of subjects.value.split(",")) {
        const [key, value] = part.split(":").map((s) => s.trim());
        if (!key) continue;
        if (!/^\d+$/.test(value || "")) { status.textContent = `"${part.trim()}": write JURISDICTION: COUNT.`; return; }
        counts[key] = Number(value);
      }
      const when = new Date(discovered.value);
      if (isNaN(when)) { status.textContent = "Give the discovery time."; return; }
      const entry = { categories: categories.value.split(",").map((s) => s.trim()).filter(Boolean), subjects: counts, risk_of_harm: harm.value };
      if (encrypted.checked) entry.encryption = { at_rest: true, algorithm: "AES-256", key_compromised: false };
      const doc = { id: id.value, discovered_at: when.toISOString().replace(/\.\d{3}Z$/, "Z"), role: role.value, affected: [entry] };
      if (title.value) doc.title = title.value;
      try {
        const created = await api("POST", "/api/v1/incidents?resolve=none", doc);
        location.hash = "#/incidents/" + created.id;
      } catch (e) { status.textContent = e.message; }
    });
    return [upload, form];
  }

  async function incidentsPage() {
    const data = await api("GET", "/api/v1/incidents");
    const rows = data.incidents.map((i) => h("tr", {},
      h("td", {}, h("a", { href: "#/incidents/" + i.id }, i.incident)), h("td", {}, i.title),
      h("td", {}, i.discovered_at), h("td", {}, tag(i.state.replace(/_/g, " "), i.state === "open" ? "running" : "done")),
      h("td", {}, `${i.notifications.sent} of ${i.notifications.required} sent`,
        i.notifications.overdue ? h("div", { class: "error" }, `${i.notifications.overdue} overdue`) : null),
      h("td", {}, i.notifications.next_deadline ? [i.notifications.next_deadline, h("br"), countdown(i.notifications.next_deadline, data.server_time)] : "—")));
    page("Incidents", table(["Incident", "Title", "Discovered", "State", "Notifications", "Next deadline"], rows),
      ...(canWrite() ? incidentForm() : []));
    startTicker();
  }

  async function incidentPage(id) {
    const i = await api("GET", "/api/v1/incidents/" + encodeURIComponent(id));
    const a = i.assessment;
    const write = canWrite();
    const markSent = (n) => {
      const reference = h("input", { id: "ref-" + n.index, "aria-label": `Reference for ${n.jurisdiction} ${n.audience}`, placeholder: "reference" });
      const button = h("button", { type: "button", class: "secondary", onclick: async () => {
        try {
          await api("POST", `/api/v1/incidents/${i.id}/notifications/${n.index}/sent`, { reference: reference.value });
          toast(`${n.jurisdiction} ${n.audience}: recorded as sent.`);
          incidentPage(id);
        } catch (e) { toast(e.message); }
      } }, "Mark as sent");
      return [reference, " ", button];
    };
    const rows = a.notifications.map((n) => h("tr", {},
      h("td", {}, h("strong", {}, n.jurisdiction)),
      h("td", {}, n.audience, n.report !== "initial" ? ` (${n.report} report)` : "", n.states.length ? ` (${list(n.states)})` : ""),
      h("td", {}, n.required ? tag("required", "high") : h("span", { class: "muted" }, "not required"),
        n.safe_harbour ? h("div", { class: "muted" }, "safe harbour: " + n.safe_harbour) : null),
      h("td", {}, n.deadline ? [n.deadline, h("div", { class: "muted" }, `${n.clock_start} + ${n.deadline_rule}`)] : n.deadline_rule || "—"),
      h("td", {}, n.sent ? h("span", {}, "sent") : n.required && n.deadline ? countdown(n.deadline, i.server_time) : "—"),
      h("td", {}, n.authority, h("div", { class: "muted" }, n.basis + (n.verified ? "" : " (unverified)")), h("div", { class: "muted" }, n.reason)),
      h("td", {}, n.sent ? [`${n.sent.at} by ${n.sent.by}`, n.sent.reference ? h("div", { class: "muted" }, n.sent.reference) : null]
        : n.required && write ? markSent(n) : "")));
    const plan = h("ol", {}, a.plan.map((s) => h("li", {}, h("strong", {}, s.action), s.due ? ` — due ${s.due}` : "",
      s.detail ? h("div", { class: "muted" }, s.detail) : null)));
    const sections = [
      h("p", {}, h("a", { href: "#/incidents" }, "← Incidents")),
      h("p", {}, i.title ? i.title + ". " : "", `Discovered ${a.discovered_at}`, a.assessed_at ? `; assessed notifiable ${a.assessed_at}` : "",
        `. Revision ${i.revision}. `, i.resolved_with.length ? `Resolved with ${list(i.resolved_with)}. ` : "",
        h("a", { href: `/api/v1/incidents/${i.id}/calendar`, download: `incident-${i.incident}.ics` }, "Deadlines as a calendar (.ics)")),
      h("h2", {}, `Notifications (${i.notifications.sent} of ${i.notifications.required} required sent)`),
      table(["Jurisdiction", "Audience", "Required", "Deadline (UTC)", "Time left", "Authority, basis, why", "Sent"], rows),
      h("h2", {}, "Response plan"), plan,
    ];
    if (a.notes.length) sections.push(h("h2", {}, "Check these"), h("ul", {}, a.notes.map((n) => h("li", {}, n))));
    if (write) {
      sections.push(documentForm("update", "Update the incident (same id)", "Re-assess", async (body) => {
        const resolve = i.resolved_with.length ? "" : "?resolve=none";
        await api("PUT", `/api/v1/incidents/${i.id}${resolve}`, undefined, body);
        toast("Incident re-assessed.");
        incidentPage(id);
      }));
      const text = sections[sections.length - 1].querySelector("textarea");
      text.value = i.text;
    }
    page("Incident " + i.incident, ...sections);
    startTicker();
  }

  pages["privacy"] = async () => privacyPage();
  pages["incidents"] = async (parts) => (parts[1] ? incidentPage(decodeURIComponent(parts[1])) : incidentsPage());
})();
