// PII inventory (#/pii) and the vault browser (#/vault).
// Uses only window.Tutela (app.js). Every value goes into the page as text (h() makes text nodes).
"use strict";
(() => {
  const { h, svg, api, page, table, badge, toast, pollJob, pages, state } = window.Tutela;

  const canWrite = () => ["admin", "privacy", "compliance"].includes(state.me && state.me.role);

  // Findings per store as horizontal bars with the count written beside each (the chart's text equivalent).
  function countChart(items, label) {
    const width = 640, row = 22, left = 230;
    const max = Math.max(1, ...items.map((i) => i.value));
    const chart = svg("svg", { class: "chart", role: "img", "aria-label": label, width: "100%",
                               viewBox: `0 0 ${width} ${items.length * row + 10}` });
    items.forEach((item, i) => {
      const y = i * row + 4;
      const w = Math.max(1, ((width - left - 60) * item.value) / max);
      chart.append(svg("text", { x: 0, y: y + 13 }, item.label.length > 32 ? item.label.slice(0, 31) + "…" : item.label));
      chart.append(svg("rect", { class: "bar" + (item.level === "high" ? " low" : item.level === "medium" ? " mid" : ""),
                                 x: left, y, width: w, height: row - 8 }));
      chart.append(svg("text", { x: left + w + 6, y: y + 13 }, String(item.value)));
    });
    return chart;
  }

  function list(values) { return (values || []).join(", "); }

  function ownerCell(store) {
    if (!canWrite()) return h("td", {}, store.owner || "—");
    const id = "owner-" + store.id;
    const input = h("input", { id, value: store.owner || "", maxlength: 200, "aria-label": "Owner of " + store.store });
    const button = h("button", { type: "submit" }, "Save");
    const form = h("form", { class: "inline" }, input, button);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("PUT", "/api/v1/pii/stores/" + encodeURIComponent(store.id), { owner: input.value });
        toast("Owner of " + store.store + " saved.");
      } catch (e) { toast(e.message); }
    });
    return h("td", {}, form);
  }

  function uploadForm(onDone) {
    const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
    const file = h("input", { id: "pii-file", type: "file", required: true });
    const store = h("input", { id: "pii-store", placeholder: "default: the file's name" });
    const kind = h("select", { id: "pii-kind" },
      h("option", { value: "scan" }, "a file to scan (text, CSV, JSON, archive, Office, PDF, SQLite)"),
      h("option", { value: "inventory" }, "an inventory (tutela pii scan --inventory)"));
    const form = h("form", { class: "card", "aria-label": "Add to the inventory" },
      h("h2", {}, "Add to the inventory"),
      h("div", { class: "form-row" },
        h("div", {}, h("label", { for: "pii-kind" }, "Upload"), kind),
        h("div", {}, h("label", { for: "pii-file" }, "File"), file),
        h("div", {}, h("label", { for: "pii-store" }, "Store name (scans)"), store),
        h("div", {}, h("button", { type: "submit" }, "Upload"))),
      status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = file.files[0];
      if (!chosen) return;
      try {
        if (kind.value === "inventory") {
          await api("POST", "/api/v1/pii/inventories", undefined, await chosen.text());
          status.textContent = "Inventory merged.";
        } else {
          const query = "?name=" + encodeURIComponent(chosen.name) + (store.value ? "&store=" + encodeURIComponent(store.value) : "");
          const created = await api("POST", "/api/v1/pii/scans" + query, undefined, chosen);
          await pollJob(created.job, status);
          status.textContent = "Scan finished.";
          location.hash = "#/pii/scan/" + created.id;
          return;
        }
        onDone();
      } catch (e) { status.textContent = e.message; }
    });
    return form;
  }

  async function inventoryPage() {
    const [inventory, scans] = await Promise.all([api("GET", "/api/v1/pii/inventory"), api("GET", "/api/v1/pii/scans?limit=20")]);
    const stores = inventory.stores.slice().sort((a, b) => b.findings - a.findings);
    const rows = stores.map((s) => h("tr", {},
      h("td", { class: "mono" }, s.store), h("td", {}, s.kind),
      h("td", {}, s.findings), h("td", {}, badge(s.max_sensitivity)),
      h("td", {}, (s.entities || []).map((e) => `${e.id} ×${e.count}`).join(", ")),
      h("td", {}, list(s.categories)), h("td", {}, list(s.sensitive_under)),
      h("td", {}, s.complete === false ? badge("incomplete") : badge("complete")),
      ownerCell(s)));
    const counts = inventory.by_sensitivity || {};
    const scanRows = scans.scans.map((s) => h("tr", {},
      h("td", {}, h("a", { href: "#/pii/scan/" + s.id }, s.name)), h("td", { class: "mono" }, s.store),
      h("td", {}, badge(s.state)), h("td", {}, s.summary ? s.summary.findings : ""), h("td", {}, s.created_by),
      h("td", {}, s.created)));
    page("PII inventory",
      h("p", { class: "muted" }, `${stores.length} stores, ${inventory.findings} findings; highest sensitivity: ` +
        `${counts.high || 0} high, ${counts.medium || 0} medium, ${counts.low || 0} low, ${counts.none || 0} none.`),
      stores.length ? h("section", { "aria-label": "Findings by store" }, h("h2", {}, "Findings by store"),
        countChart(stores.slice(0, 20).map((s) => ({ label: s.store, value: s.findings, level: s.max_sensitivity })),
                   "Findings by store: " + stores.slice(0, 20).map((s) => `${s.store} ${s.findings}`).join(", "))) : null,
      table(["Store", "Kind", "Findings", "Sensitivity", "Entities", "Categories", "Sensitive under", "Scan", "Owner"], rows),
      canWrite() ? uploadForm(() => inventoryPage()) : null,
      h("h2", {}, "Recent scans"),
      table(["File", "Store", "State", "Findings", "By", "When"], scanRows));
  }

  async function scanPage(id) {
    const scan = await api("GET", "/api/v1/pii/scans/" + encodeURIComponent(id));
    const summary = scan.summary || {};
    const entityRows = Object.entries(summary.entities || {}).map(([entity, count]) =>
      h("tr", {}, h("td", { class: "mono" }, entity), h("td", {}, count)));
    const findingRows = (scan.findings || []).map((f) => h("tr", {},
      h("td", { class: "mono" }, f.entity), h("td", {}, f.location || "line " + f.line), h("td", { class: "mono" }, f.preview),
      h("td", { class: "mono" }, f.fingerprint), h("td", {}, f.score)));
    page("Scan of " + scan.name,
      h("p", {}, h("a", { href: "#/pii" }, "← PII inventory")),
      h("p", { class: "muted" }, `Store ${scan.store} · ${scan.state} · ${scan.bytes} bytes · by ${scan.created_by}` +
        (scan.error ? " · " + scan.error : "")),
      (summary.errors || []).length ? h("p", { class: "error" }, summary.errors.join(" ")) : null,
      h("h2", {}, "Findings per entity"), table(["Entity", "Count"], entityRows),
      h("h2", {}, "Findings"),
      h("p", { class: "muted" }, "Values are never stored: previews are masked and fingerprints are keyed hashes." +
        (scan.findings_truncated ? " The first 200 findings are shown." : "")),
      table(["Entity", "Where", "Preview", "Fingerprint", "Score"], findingRows));
  }

  pages["pii"] = async (parts) => (parts[1] === "scan" ? scanPage(parts[2]) : inventoryPage());

  // ---- vault ----

  function retention(v) {
    if (v.delete_marker) return badge("delete marker");
    const items = [];
    if (v.retention && v.retention.mode) items.push(badge(v.retention.active ? "retained" : "expired"), ` ${v.retention.mode} until ${v.retention.until} `);
    if (v.legal_hold) items.push(badge("legal hold"));
    return items.length ? items : "—";
  }

  async function verifySection() {
    const status = h("p", { role: "status", "aria-live": "polite", class: "muted" });
    const button = h("button", { type: "button" }, "Verify the vault");
    const history = await api("GET", "/api/v1/vault/verifications");
    const show = (r) => `${r.verified ? "Verified" : "Problems found"}: ${r.versions_checked} versions (${r.bytes_hashed} bytes) ` +
      `against ${r.ledger_entries} ledger entries; root ${r.root}.` +
      (r.problems && r.problems.length ? " " + r.problems.map((p) => `${p.subject}: ${p.problem}`).join("; ") : "");
    if (history.verifications.length) status.textContent = "Last: " + history.verifications[0].created + " — " + show(history.verifications[0]);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const started = await api("POST", "/api/v1/vault/verify", {});
        const job = await pollJob(started.job, status);
        status.textContent = show(job.result);
      } catch (e) { status.textContent = e.message; }
      button.disabled = false;
    });
    return h("section", { class: "card", "aria-label": "Verification" }, button, status);
  }

  async function bucketsPage() {
    const data = await api("GET", "/api/v1/vault/buckets");
    const rows = data.buckets.map((b) => h("tr", {},
      h("td", {}, h("a", { href: "#/vault/bucket/" + encodeURIComponent(b.name) }, b.name)),
      h("td", {}, b.versioning || "off"), h("td", {}, b.object_lock ? "on" : "off"),
      h("td", {}, b.default_retention ? `${b.default_retention.mode} ${b.default_retention.days || b.default_retention.years * 365} days` : "—"),
      h("td", {}, b.keys), h("td", {}, b.versions), h("td", {}, b.bytes), h("td", {}, b.created)));
    page("Vault", await verifySection(),
      table(["Bucket", "Versioning", "Object lock", "Default retention", "Keys", "Versions", "Bytes", "Created"], rows));
  }

  async function bucketPage(bucket) {
    const prefix = new URLSearchParams(location.hash.split("?")[1] || "").get("prefix") || "";
    const data = await api("GET", `/api/v1/vault/objects?bucket=${encodeURIComponent(bucket)}&prefix=${encodeURIComponent(prefix)}`);
    const filter = h("input", { id: "prefix", value: prefix });
    const form = h("form", { class: "form-row", "aria-label": "Filter by prefix" },
      h("div", {}, h("label", { for: "prefix" }, "Key prefix"), filter), h("div", {}, h("button", { type: "submit" }, "Filter")));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      location.hash = `#/vault/bucket/${encodeURIComponent(bucket)}?prefix=${encodeURIComponent(filter.value)}`;
    });
    const rows = [];
    for (const o of data.objects) {
      o.versions.forEach((v, i) => {
        const proof = `#/vault/proof/${encodeURIComponent(bucket)}/${encodeURIComponent(v.version_id)}?key=${encodeURIComponent(o.key)}`;
        rows.push(h("tr", {},
          h("td", { class: "mono" }, i === 0 ? o.key : ""), h("td", { class: "mono" }, v.version_id + (v.is_latest ? " (latest)" : "")),
          h("td", {}, v.size), h("td", { class: "mono" }, v.etag), h("td", {}, v.last_modified), h("td", {}, retention(v)),
          h("td", {}, h("a", { href: proof, "aria-label": `Proof for ${o.key} version ${v.version_id}` }, "entry " + v.ledger_index))));
      });
    }
    page("Bucket " + bucket, h("p", {}, h("a", { href: "#/vault" }, "← Vault")), form,
      data.truncated ? h("p", { class: "muted" }, "Only the first keys are shown; narrow the prefix.") : null,
      table(["Key", "Version", "Bytes", "ETag", "Modified", "Retention / hold", "Ledger"], rows));
  }

  async function proofPage(bucket, version) {
    const key = new URLSearchParams(location.hash.split("?")[1] || "").get("key") || "";
    const p = await api("GET", `/api/v1/vault/proof?bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}&version=${encodeURIComponent(version)}`);
    const head = p.signed_tree_head;
    const hashes = p.proof.map((hash, i) => h("li", { class: "mono" }, `${i + 1}. ${hash}`));
    page("Inclusion proof",
      h("p", {}, h("a", { href: "#/vault/bucket/" + encodeURIComponent(bucket) }, "← Bucket " + bucket)),
      h("p", {}, `${bucket}/${key} version ${version} is entry ${p.index} of the vault's ledger (RFC 9162). ` +
        "The server checked this proof; anyone can re-check it with the hashes below."),
      h("dl", {},
        h("dt", {}, "Leaf hash"), h("dd", { class: "mono" }, p.leaf_hash),
        h("dt", {}, "Tree size"), h("dd", {}, p.tree_size),
        h("dt", {}, "Root"), h("dd", { class: "mono" }, p.root),
        h("dt", {}, "Signed tree head"),
        h("dd", {}, head ? `signed ${head.time} by key ${head.public_key}` : p.note)),
      h("h2", {}, "Audit path"), hashes.length ? h("ol", { class: "plain" }, hashes) : h("p", { class: "muted" }, "Empty: the tree has one entry."),
      h("h2", {}, "Ledger entry"), h("pre", {}, JSON.stringify(p.entry, null, 2)));
  }

  pages["vault"] = async (parts) => {
    if (parts[1] === "bucket") return bucketPage(decodeURIComponent(parts[2]));
    if (parts[1] === "proof") return proofPage(decodeURIComponent(parts[2]), decodeURIComponent(parts[3]));
    return bucketsPage();
  };
})();
