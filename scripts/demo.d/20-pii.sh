# PII discovery over the sample data: masked findings on screen, findings JSON and the PII inventory in $OUT.
step "PII discovery in examples/pii (masked previews, keyed fingerprints)"
"$TUTELA" pii scan "$EXAMPLES/pii"
"$TUTELA" pii scan "$EXAMPLES/pii" --format json --output "$OUT/pii-findings.json" \
  --inventory "$OUT/pii-inventory.json" --quiet
echo "wrote $OUT/pii-findings.json and $OUT/pii-inventory.json"

step "De-identified copy of examples/pii/customers.csv (policy: examples/pii/redaction-policy.yaml)"
"$TUTELA" keys create --output "$OUT/demo-keyring.json"
"$TUTELA" pii redact "$EXAMPLES/pii/customers.csv" --policy "$EXAMPLES/pii/redaction-policy.yaml" \
  --key-file "$OUT/demo-keyring.json" --output "$OUT/customers-deidentified.csv"
head -4 "$OUT/customers-deidentified.csv"

step "Reversible tokens: tokenize the application logs, restore them, compare byte for byte"
"$TUTELA" pii redact "$EXAMPLES/pii/app-logs.ndjson" --operator tokenize --key-file "$OUT/demo-keyring.json" \
  --output "$OUT/app-logs-tokenized.ndjson"
"$TUTELA" pii restore "$OUT/app-logs-tokenized.ndjson" --key-file "$OUT/demo-keyring.json" \
  --audit-log "$OUT/pii-restore-audit.log" --output "$OUT/app-logs-restored.ndjson"
cmp "$EXAMPLES/pii/app-logs.ndjson" "$OUT/app-logs-restored.ndjson"
echo "the restored logs are byte-identical to the originals; the restore is recorded in $OUT/pii-restore-audit.log"
