# PII discovery over the sample data: masked findings on screen, findings JSON and the PII inventory in $OUT.
step "PII discovery in examples/pii (masked previews, keyed fingerprints)"
"$TUTELA" pii scan "$EXAMPLES/pii"
"$TUTELA" pii scan "$EXAMPLES/pii" --format json --output "$OUT/pii-findings.json" \
  --inventory "$OUT/pii-inventory.json" --quiet
echo "wrote $OUT/pii-findings.json and $OUT/pii-inventory.json"
