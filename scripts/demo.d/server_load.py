#!/usr/bin/env python3
"""Loads the demo's data into a running `tutela serve` through its API (stdlib only).

Usage: server_load.py PORT TENANT USER PASSWORD_FILE EXAMPLES_DIR [assessment|privacy|token]
assessment (default, a compliance user): uploads the sample plan, waits for its job, and proposes an exception for
the admin to approve. privacy (a privacy user): uploads the register of processing and opens the sample incident.
token: prints a new read-only (auditor) API token of the user, for load tests.
"""
import http.cookiejar
import json
import sys
import time
import urllib.request

port, tenant, user, password_file, examples = sys.argv[1:6]
mode = sys.argv[6] if len(sys.argv) > 6 else "assessment"
base = f"http://127.0.0.1:{port}"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
csrf = ""


def call(method, path, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if csrf and method != "GET":
        request.add_header("X-CSRF-Token", csrf)
    with opener.open(request, timeout=120) as response:
        return json.load(response)


password = open(password_file).read().strip()
csrf = call("POST", "/api/v1/login", {"tenant": tenant, "username": user, "password": password})["csrf_token"]
if mode == "token":
    print(call("POST", "/api/v1/tokens", {"name": "load test", "role": "auditor"})["token"])
    sys.exit(0)
if mode == "privacy":
    register = call("PUT", "/api/v1/register", raw=open(f"{examples}/pims/register.yaml", "rb").read())
    incident = call("POST", "/api/v1/incidents", raw=open(f"{examples}/pims/incident.yaml", "rb").read())
    print(f"register uploaded; incident {incident['incident']} opened: "
          f"{incident['notifications']['required']} notifications required")
    sys.exit(0)
plan = open(f"{examples}/assess/plan.json", "rb").read()
created = call("POST", "/api/v1/assessments?service_model=iaas&name=plan.json", raw=plan)
for _ in range(1200):
    job = call("GET", f"/api/v1/jobs/{created['job']}")
    if job["state"] in ("done", "failed"):
        break
    time.sleep(0.1)
if job["state"] != "done":
    sys.exit(f"server_load: the assessment job ended {job['state']}: {job['message']}")
summary = call("GET", f"/api/v1/assessments/{created['id']}")["summary"]
print(f"assessment {created['id']}: {summary['resources']} resources, {summary['counts']['fail']} failed results")
findings = call("GET", f"/api/v1/assessments/{created['id']}/findings?status=fail&limit=1")["findings"]
if findings:
    finding = findings[0]
    call("POST", "/api/v1/exceptions", {"check": finding["check"], "resource": finding["resource"],
                                        "reason": "Demo: compensating control under review by the platform team",
                                        "expires": "2027-06-30"})
    print(f"exception proposed for {finding['check']} on {finding['resource']} (awaiting approval)")
