# Privacy program: risk evaluation of the sample register, then who must be told of the sample breach, by when.
step "Privacy risk evaluation of examples/pims/register.yaml (PII volumes from the inventory, exposure and encryption from the assessment)"
"$TUTELA" pims risk --register "$EXAMPLES/pims/register.yaml" --pii-inventory "$EXAMPLES/pims/pii-inventory.json" \
  --assessment "$OUT/assessment-results.json" \
  --output "$OUT/privacy-risk.json"
"$TUTELA" pims risk --register "$EXAMPLES/pims/register.yaml" --pii-inventory "$EXAMPLES/pims/pii-inventory.json" \
  --assessment "$OUT/assessment-results.json" \
  --format markdown --output "$OUT/privacy-risk.md"
sed -n '1,/^## /p' "$OUT/privacy-risk.md" | sed '$d'

step "Breach assessment of examples/pims/incident.yaml (per-jurisdiction deadlines and response plan)"
"$TUTELA" breach assess "$EXAMPLES/pims/incident.yaml" --register "$EXAMPLES/pims/register.yaml" \
  --pii-inventory "$EXAMPLES/pims/pii-inventory.json" --output "$OUT/breach-assessment.json" \
  --ics "$OUT/breach-deadlines.ics"
"$TUTELA" breach assess "$EXAMPLES/pims/incident.yaml" --register "$EXAMPLES/pims/register.yaml" \
  --pii-inventory "$EXAMPLES/pims/pii-inventory.json" --format markdown --output "$OUT/breach-assessment.md"
"$TUTELA" breach assess "$EXAMPLES/pims/incident.yaml" --format html --output "$OUT/breach-assessment.html"
sed -n '/^## Notifications/,/^### Reasons/p' "$OUT/breach-assessment.md"

step "Register of processing: lint, then sync with the PII inventory (undeclared processing is expected here)"
"$TUTELA" pims register lint "$EXAMPLES/pims/register.yaml" --output "$OUT/register-lint.txt"
cat "$OUT/register-lint.txt"
"$TUTELA" pims register sync "$EXAMPLES/pims/register.yaml" --pii-inventory "$EXAMPLES/pims/pii-inventory.json" \
  --format json --output "$OUT/register-sync.json" || [ $? -eq 1 ]
"$TUTELA" pims register sync "$EXAMPLES/pims/register.yaml" --pii-inventory "$EXAMPLES/pims/pii-inventory.json" \
  || true

step "Purpose decisions: a permitted use, then a request for undeclared data (denied)"
"$TUTELA" pims decide --log "$OUT/pims-disclosures.log" --register "$EXAMPLES/pims/register.yaml" --activity PA-SUPPORT --purpose customer_support \
  --requester self --data EMAIL_ADDRESS PERSON --format table
"$TUTELA" pims decide --log "$OUT/pims-disclosures.log" --register "$EXAMPLES/pims/register.yaml" --activity PA-SUPPORT --purpose customer_support \
  --requester self --data CREDIT_CARD --format table || [ $? -eq 1 ]

step "Disclosure log: a disclosure to an authority, then every logged decision and disclosure with the Merkle root"
"$TUTELA" pims disclose --log "$OUT/pims-disclosures.log" --activity PA-SUPPORT --recipient "Example Data Protection Authority" \
  --kind authority --data EMAIL_ADDRESS --basis "statutory information request" --subjects 1 --reference REQ-2026-0042
"$TUTELA" pims disclosures --log "$OUT/pims-disclosures.log"

step "Disclosure log: a signed tree head, an inclusion proof for the disclosure, and a check of the head later"
"$TUTELA" pims disclosures head --log "$OUT/pims-disclosures.log" --output "$OUT/pims-disclosures-head.json"
cat "$OUT/pims-disclosures-head.json"
"$TUTELA" pims disclosures proof inclusion --log "$OUT/pims-disclosures.log" --index 2 --format table
"$TUTELA" pims disclosures verify "$OUT/pims-disclosures-head.json" --log "$OUT/pims-disclosures.log" \
  --public-key "$(sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p' "$OUT/pims-disclosures-head.json")"
