// Reports and the customer portal (#/reports): reports by framework with the certification's validity; customers
// read and accept the NDA before a download; staff upload reports, withdraw them and see who accepted and downloaded.
// Uses only window.Tutela (app.js); every value goes into the page as text.
"use strict";
(() => {
  const { h, api, page, table, badge, toast, state, route } = window.Tutela;
  // Refreshes go through route(), which runs renders one after another.
  const refresh = () => route();
  const kinds = ["soc1", "soc2", "soc3", "iso-certificate", "pci-aoc", "pci-roc", "c5", "csa-star", "pentest-summary",
                 "bridge-letter", "other"];
  const downloadUrl = (report) => `/api/v1/reports/${encodeURIComponent(report.id)}/download`;

  function certificationLine(c) {
    const scope = `${c.scope.regions.length} regions, ${c.scope.services.length} services`;
    return h("li", {}, c.level || c.id, " ", badge(c.status),
      ` issued ${c.issued || "—"}, valid until ${c.expires || "no expiry"}; ${scope}`,
      c.issuer ? ` · ${c.issuer}` : "");
  }

  // The NDA dialog: read the text, tick, give a name and company; accepting records it and starts the download.
  async function ndaDialog(report) {
    const nda = await api("GET", `/api/v1/reports/${encodeURIComponent(report.id)}/nda`);
    const status = h("p", { role: "status" });
    const tick = h("input", { id: "nda-accept", type: "checkbox", required: true });
    const name = h("input", { id: "nda-name", required: true, minlength: 2, maxlength: 120, autocomplete: "name" });
    const company = h("input", { id: "nda-company", required: true, maxlength: 120, autocomplete: "organization" });
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const form = h("form", { method: "dialog", "aria-describedby": "nda-text" },
      h("h2", { id: "nda-title" }, `Non-disclosure terms for “${report.title}”`),
      nda.template ? h("p", { class: "error" }, "This is the built-in template; the provider has not yet put in its own terms.") : null,
      h("div", { id: "nda-text", class: "card" }, nda.text.split("\n").filter((line) => line.trim()).map((line) => h("p", {}, line))),
      h("p", { class: "muted" }, `Version ${nda.version} · SHA-256 ${nda.sha256.slice(0, 16)}…`),
      h("label", { for: "nda-accept" }, tick, " I have read these terms and accept them"),
      h("label", { for: "nda-name" }, "Your full name (printed on every page of your copy)"), name,
      h("label", { for: "nda-company" }, "Company"), company,
      h("p", {}, h("button", { type: "submit" }, "Accept and download"), " ", cancel), status);
    const dialog = h("dialog", { "aria-labelledby": "nda-title" }, form);
    const close = () => { dialog.close(); dialog.remove(); };
    cancel.addEventListener("click", close);
    dialog.addEventListener("cancel", () => dialog.remove());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!tick.checked) { status.textContent = "Tick the box to accept the terms."; tick.focus(); return; }
      try {
        await api("POST", `/api/v1/reports/${encodeURIComponent(report.id)}/nda`,
                  { accept: true, name: name.value, company: company.value, sha256: nda.sha256 });
        close();
        toast("NDA accepted; your copy is being prepared.");
        window.location.assign(downloadUrl(report));
        refresh();
      } catch (e) { status.textContent = e.message; }
    });
    document.body.append(dialog);
    dialog.showModal();
    tick.focus();
  }

  async function activityPanel(report, holder) {
    const data = await api("GET", `/api/v1/reports/${encodeURIComponent(report.id)}/activity`);
    holder.replaceChildren(
      h("h3", {}, "NDA acceptances"),
      table(["Account", "Name", "Company", "Accepted", "NDA version"], data.acceptances.map((a) => h("tr", {},
        h("td", {}, a.user), h("td", {}, a.name), h("td", {}, a.company), h("td", {}, a.accepted_at),
        h("td", { class: "mono" }, a.nda_version)))),
      h("h3", {}, "Downloads"),
      table(["When", "Account", "Role", "Copy", "SHA-256 sent"], data.downloads.map((d) => h("tr", {},
        h("td", {}, d.at), h("td", {}, d.user), h("td", {}, d.role), h("td", { class: "mono" }, d.id),
        h("td", { class: "mono", title: d.sha256 }, d.sha256.slice(0, 16) + "…")))));
  }

  function reportRow(report, role) {
    const isCustomer = role === "customer";
    const actions = [];
    if (isCustomer && report.nda && !report.nda_accepted) {
      actions.push(h("button", { type: "button", onclick: () => ndaDialog(report).catch((e) => toast(e.message)) },
        "Read the NDA to download"));
    } else {
      actions.push(h("a", { href: downloadUrl(report), download: "" }, "Download PDF"));
    }
    const extra = h("div", {});
    if (["admin", "compliance", "auditor"].includes(role)) {
      actions.push(" ", h("button", { type: "button", class: "secondary", "aria-expanded": "false", onclick: async (event) => {
        const button = event.currentTarget;
        if (button.getAttribute("aria-expanded") === "true") { extra.replaceChildren(); button.setAttribute("aria-expanded", "false"); return; }
        try { await activityPanel(report, extra); button.setAttribute("aria-expanded", "true"); } catch (e) { toast(e.message); }
      } }, "NDA and download log"));
    }
    if (role === "admin" && report.state === "published") {
      actions.push(" ", h("button", { type: "button", class: "secondary", onclick: async () => {
        if (!window.confirm(`Withdraw “${report.title}”? Customers will no longer see it; the record stays for the audit trail.`)) return;
        try { await api("DELETE", `/api/v1/reports/${encodeURIComponent(report.id)}`); toast("Report withdrawn."); refresh(); }
        catch (e) { toast(e.message); }
      } }, "Withdraw"));
    }
    return h("tr", {},
      h("td", {}, report.title, report.state !== "published" ? [" ", badge(report.state)] : null),
      h("td", {}, report.kind), h("td", {}, report.period || "—"), h("td", {}, String(report.pages)),
      h("td", {}, report.nda ? (report.nda_accepted ? "accepted" : "required") : "not needed"),
      h("td", {}, actions, extra));
  }

  async function uploadForm() {
    const catalog = await api("GET", "/api/v1/frameworks");
    const framework = h("select", { id: "rep-framework", required: true },
      catalog.frameworks.map((f) => h("option", { value: f.id }, f.name)));
    const kind = h("select", { id: "rep-kind" }, kinds.map((k) => h("option", { value: k }, k)));
    const title = h("input", { id: "rep-title", required: true, maxlength: 200 });
    const period = h("input", { id: "rep-period", maxlength: 100, placeholder: "2025-01-01/2025-12-31" });
    const nda = h("select", { id: "rep-nda" }, h("option", { value: "true" }, "yes"), h("option", { value: "false" }, "no (public)"));
    const file = h("input", { id: "rep-file", type: "file", required: true, accept: ".pdf,application/pdf" });
    const status = h("p", { role: "status" });
    const form = h("form", { class: "card", "aria-label": "Upload a report" }, h("h2", {}, "Upload a report"),
      h("div", { class: "form-row" },
        h("div", {}, h("label", { for: "rep-framework" }, "Framework"), framework),
        h("div", {}, h("label", { for: "rep-kind" }, "Kind"), kind),
        h("div", {}, h("label", { for: "rep-nda" }, "NDA before download"), nda)),
      h("div", { class: "form-row" },
        h("div", {}, h("label", { for: "rep-title" }, "Title"), title),
        h("div", {}, h("label", { for: "rep-period" }, "Period covered"), period)),
      h("label", { for: "rep-file" }, "PDF (not encrypted; at most 64 MiB)"), file,
      h("p", {}, h("button", { type: "submit" }, "Upload")), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!file.files.length) { status.textContent = "Choose a PDF first."; return; }
      const query = new URLSearchParams({ framework: framework.value, kind: kind.value, title: title.value,
                                          period: period.value, nda: nda.value });
      status.textContent = "Uploading…";
      const response = await fetch("/api/v1/reports?" + query, { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/pdf", "X-CSRF-Token": state.csrf || "" }, body: file.files[0] });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (!response.ok) { status.textContent = data && data.error ? data.error.message : "HTTP " + response.status; return; }
      toast(`Published “${data.title}”.`);
      refresh();
    });
    return form;
  }

  async function reportsPage() {
    const role = state.me.role;
    const showWithdrawn = role !== "customer";
    const data = await api("GET", "/api/v1/reports");
    const sections = data.frameworks.map((f) => h("section", { class: "card", "aria-labelledby": "fw-" + f.id },
      h("h2", { id: "fw-" + f.id }, f.name),
      f.certifications.length ? h("ul", { "aria-label": "Certifications" }, f.certifications.map(certificationLine))
                              : h("p", { class: "muted" }, "No certification record in the catalog for this framework."),
      table(["Report", "Kind", "Period", "Pages", "NDA", ""],
            f.reports.filter((r) => showWithdrawn || r.state === "published").map((r) => reportRow(r, role)))));
    const intro = h("p", { class: "muted" }, role === "customer"
      ? "Audit reports of the provider, by framework. Reports marked NDA need the non-disclosure terms accepted first; every copy you download carries your name, company and the time on every page."
      : "Audit reports by framework. Every download is a fresh copy stamped with its recipient and recorded on the audit ledger.");
    const warning = role !== "customer" && data.nda.template
      ? h("p", { class: "error" }, "Customers are shown the built-in NDA template: put the provider's own terms in the data folder's portal/nda.txt.")
      : null;
    const upload = ["admin", "compliance"].includes(role) ? await uploadForm() : null;
    // page() takes nodes: no nulls, no arrays.
    page("Audit reports", ...[intro, warning, upload].filter(Boolean),
      ...(sections.length ? sections : [h("p", { class: "muted" }, "No reports yet.")]));
  }

  window.Tutela.pages["reports"] = reportsPage;
})();
