// Drives the compliance centre's web UI in Debian's Chromium with playwright-core, as people use it: log in, upload
// the demo plan, read the readiness chart and drill down, propose an exception and have another person approve it,
// open an incident and watch its deadlines count down, and, as a customer, accept an NDA and download a report.
// Screenshots of each page go to ARTIFACTS. Usage: node ui.mjs BASE_URL SOURCE_DIR ARTIFACTS PASSWORD
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";
import { readFile } from "node:fs/promises";

const [base, source, artifacts, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
// CI runs this beside the rest of the suite on two cores: allow slow steps (the defaults are 30 s), never hang.
context.setDefaultTimeout(90000);
context.setDefaultNavigationTimeout(90000);
const page = await context.newPage();
const problems = [];
page.on("pageerror", (error) => problems.push("page error: " + error.message));
// Refused API calls (401 before login, 403 for a self-approval) are expected and shown to the user; anything else
// logged as an error, and any missing file, is a problem.
page.on("console", (message) => {
  if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push("console: " + message.text());
});
page.on("response", (response) => { if (response.status() === 404) problems.push("404: " + response.url()); });
const shot = (name) => page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });

async function switchUser(user) {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor();
  await login(user);
}

async function login(user) {
  await page.goto(base + "/#/readiness");
  await page.getByLabel("Tenant").fill("acme");
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("#who").filter({ hasText: user }).waitFor();
}

try {
  // Keyboard first: the first Tab reaches the skip link.
  await page.goto(base + "/");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip");

  // A wrong password is one clear sentence on the form.
  await page.getByLabel("Tenant").fill("acme");
  await page.getByLabel("User name").fill("carol");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").filter({ hasText: "the tenant, user name or password is wrong." }).waitFor();
  await shot("01-login-refused");

  await login("carol");
  await page.getByText("No finished assessment yet").waitFor();
  await page.goto(base + "/#/assessments");
  await page.getByLabel("Plan (terraform show -json) or snapshot").setInputFiles(path.join(source, "examples/assess/plan.json"));
  await page.getByLabel("Service model (inheritance)").selectOption("iaas");
  await page.getByRole("button", { name: "Upload and assess" }).click();
  await page.waitForURL(/#\/readiness/);
  const chart = page.getByRole("img", { name: "Readiness per framework" });
  await chart.waitFor();
  const bars = await chart.locator("rect").count();
  assert.ok(bars > 20, `a bar per framework, got ${bars}`);
  await page.getByRole("link", { name: /PCI DSS/ }).first().waitFor();
  await shot("02-readiness");

  // Drill down: requirement -> checks -> resources.
  await page.getByRole("link", { name: /PCI DSS/ }).first().click();
  await page.getByRole("columnheader", { name: "Requirement" }).waitFor();
  const failed = page.locator("tbody tr").filter({ has: page.locator(".badge.failed") });
  assert.ok(await failed.count() > 0, "some PCI DSS requirements fail on the sample plan");
  await failed.first().locator("summary").click();
  await shot("03-framework-drilldown");

  // Findings: propose an exception.
  await page.goto(base + "/#/assessments");
  await page.locator("tbody a").first().click();
  await page.getByRole("heading", { name: "Findings" }).waitFor();
  await page.getByRole("button", { name: "Propose exception" }).first().click();
  await page.getByLabel("Reason (an auditor will read it)").fill("Compensating control: WAF in front, reviewed monthly.");
  await page.getByLabel("Last day it applies").fill("2099-12-31");
  await page.getByRole("button", { name: "Propose", exact: true }).click();
  await page.waitForURL(/#\/exceptions/);
  await page.locator(".badge.proposed").first().waitFor();
  await shot("04-exception-proposed");

  // Carol cannot approve her own proposal: the button is there, the server says no.
  await page.getByRole("button", { name: "Approve" }).first().click();
  await page.locator("#toast").filter({ hasText: "someone other than who proposed it" }).waitFor();

  // Dave approves it.
  await switchUser("dave");
  await page.goto(base + "/#/exceptions");
  await page.getByRole("button", { name: "Approve" }).first().click();
  await page.locator(".badge.approved").first().waitFor();
  await shot("05-exception-approved");

  // The privacy office opens an incident and sees its deadlines per jurisdiction, counting down.
  await switchUser("pat");
  await page.goto(base + "/#/incidents");
  const upload = page.getByRole("form", { name: "Open an incident from a document" });
  await upload.getByLabel("A YAML or JSON file").setInputFiles(path.join(source, "examples/pims/incident.yaml"));
  await upload.getByRole("button", { name: "Assess" }).click();
  await page.waitForURL(/#\/incidents\/.+/);
  const timers = page.getByRole("timer");
  await timers.first().waitFor();
  assert.ok(await timers.count() > 0, "a countdown per required notification");
  const before = await timers.first().textContent();
  let after = before;
  for (let waited = 0; waited < 20 && after === before; ++waited) {  // ticks every second; allow a loaded machine
    await page.waitForTimeout(500);
    after = await timers.first().textContent();
  }
  assert.notEqual(after, before, "the countdown ticks");
  await page.getByRole("cell", { name: /GDPR|EU/ }).first().waitFor();
  await shot("06-incident-deadlines");

  // The provider publishes a report; a customer accepts the NDA and downloads a copy stamped with their name.
  await switchUser("carol");
  await page.goto(base + "/#/reports");
  const publish = page.getByRole("form", { name: "Upload a report" });
  await publish.getByLabel("Framework").selectOption("pci-dss-4.0");
  await publish.getByLabel("Title").fill("PCI DSS attestation of compliance 2026");
  await publish.getByLabel("PDF (not encrypted; at most 64 MiB)").setInputFiles(path.join(source, "tests/pii/fuzz_corpus/pdf/small.pdf"));
  await publish.getByRole("button", { name: "Upload" }).click();
  await page.getByText("PCI DSS attestation of compliance 2026").first().waitFor();
  await switchUser("cust");
  await page.goto(base + "/#/reports");
  await page.getByRole("button", { name: "Read the NDA to download" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("I have read these terms and accept them").check();
  await dialog.getByLabel("Your full name (printed on every page of your copy)").fill("Casey Customer");
  await dialog.getByLabel("Company").fill("Acme Insurance");
  await shot("07-report-nda");
  const [download] = await Promise.all([page.waitForEvent("download"),
                                        dialog.getByRole("button", { name: "Accept and download" }).click()]);
  const saved = path.join(artifacts, "customer-copy.pdf");
  await download.saveAs(saved);
  const bytes = await readFile(saved);
  assert.equal(bytes.subarray(0, 5).toString(), "%PDF-", "the download is a PDF");
  assert.ok(bytes.includes("Provided to Casey Customer \\(Acme Insurance\\)"), "the copy names its recipient");
  await page.getByRole("link", { name: "Download PDF" }).first().waitFor();
  await shot("08-report-downloaded");

  assert.deepEqual(problems, [], problems.join("\n"));
  console.log("browser tests passed; screenshots in " + artifacts);
} catch (error) {
  await shot("failure").catch(() => {});
  console.error(error);
  console.error(problems.join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}
