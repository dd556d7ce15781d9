# Assess the sample estate (Terraform plan with AWS and Tencent Cloud modules) with every built-in check.
step "Assessing examples/assess/plan.json against the built-in checks (AWS and Tencent Cloud)"
"$TUTELA" assess "$EXAMPLES/assess/plan.json" --format table
"$TUTELA" assess "$EXAMPLES/assess/plan.json" --format json --output "$OUT/assessment-results.json"
"$TUTELA" assess "$EXAMPLES/assess/plan.json" --format csv --output "$OUT/assessment-results.csv"
# Gating: the sample has critical failures (SSH open to the internet, a database with internet access).
if "$TUTELA" assess "$EXAMPLES/assess/plan.json" --fail-on critical --quiet >/dev/null; then
  echo "expected --fail-on critical to exit 1 on the sample plan" >&2
  exit 1
fi
echo "--fail-on critical exits 1 on the sample, as it should"
