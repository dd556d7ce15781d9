# The compliance catalog: frameworks, the unified controls, a crosswalk and the sample certification portfolio.
step "Compliance catalog: lint the built-in catalog and list its frameworks"
"$TUTELA" catalog lint
"$TUTELA" catalog frameworks --output "$OUT/catalog-frameworks.txt"
cat "$OUT/catalog-frameworks.txt"
step "Crosswalk: what ISO/IEC 27001:2022 Annex A covers of the HIPAA Security Rule"
"$TUTELA" catalog map --from iso-27001-2022 --to hipaa-security --format json --output "$OUT/catalog-map-iso27001-hipaa.json"
"$TUTELA" catalog map --from iso-27001-2022 --to hipaa-security | tail -n 1
step "Shared responsibility under SaaS for ISO/IEC 27018"
"$TUTELA" catalog responsibility --service-model saas --framework iso-27018-2019 | tail -n 1
step "Certification portfolio of the sample provider (examples/catalog/portfolio.yaml)"
"$TUTELA" catalog certifications --catalog-dir "$EXAMPLES/catalog" --output "$OUT/catalog-portfolio.txt"
cat "$OUT/catalog-portfolio.txt"
"$TUTELA" catalog export nist-csf-2.0 --format oscal --output "$OUT/nist-csf-2.0.oscal.json"
