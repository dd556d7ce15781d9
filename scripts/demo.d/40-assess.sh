# Assess the sample estate (Terraform plan with AWS and Tencent Cloud modules) with every built-in check, roll the
# results up to every framework, with the provider's certificates, the accepted-risk exceptions and the PII inventory.
PLAN="$EXAMPLES/assess/plan.json"
CONTEXT=(--service-model iaas --provider-portfolio "$EXAMPLES/catalog/portfolio.yaml"
         --exceptions "$EXAMPLES/assess/exceptions.yaml" --pii-inventory "$EXAMPLES/assess/pii-inventory.json")
step "Assessing examples/assess/plan.json against the built-in checks (AWS and Tencent Cloud), PCI DSS and ISO 27001"
"$TUTELA" assess "$PLAN" "${CONTEXT[@]}" --framework pci-dss-4.0 --framework iso-27001-2022 --format table
step "Writing the assessment in every format (every framework)"
for format in json csv sarif junit oscal html; do
  case $format in json) name=assessment-results.json ;; oscal) name=assessment-results.oscal.json ;;
    sarif) name=assessment.sarif ;; junit) name=assessment.junit.xml ;; *) name=assessment.$format ;; esac
  "$TUTELA" assess "$PLAN" "${CONTEXT[@]}" --format "$format" --output "$OUT/$name" --quiet 2>/dev/null
done
echo "HTML report: $OUT/assessment.html"
# Gating: the sample has critical failures (SSH open to the internet, a database with internet access).
if "$TUTELA" assess "$PLAN" --fail-on critical --quiet >/dev/null; then
  echo "expected --fail-on critical to exit 1 on the sample plan" >&2
  exit 1
fi
echo "--fail-on critical exits 1 on the sample, as it should"
