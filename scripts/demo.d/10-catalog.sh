# The compliance catalog: frameworks, the unified controls, a crosswalk and the sample certification portfolio.
step "Compliance catalog: lint the built-in catalog and list its frameworks"
"$TUTELA" catalog lint
"$TUTELA" catalog frameworks --output "$OUT/catalog-frameworks.txt"
cat "$OUT/catalog-frameworks.txt"
step "Crosswalk: what ISO/IEC 27001:2022 Annex A covers of the HIPAA Security Rule"
"$TUTELA" catalog map --from iso-27001-2022 --to hipaa-security --format json --output "$OUT/catalog-map-iso27001-hipaa.json"
"$TUTELA" catalog map --from iso-27001-2022 --to hipaa-security | tail -n 1
step "PCI DSS 4.0.1 to the deepest numbered requirement: 3.5.1.1, and what applies only to service providers"
"$TUTELA" catalog show pci-dss-4.0 3.5.1.1
"$TUTELA" catalog show pci-dss-4.0 --format json --output "$OUT/catalog-pci.json"
echo "service-provider-only requirements: $(grep -c '"service-provider"' "$OUT/catalog-pci.json")"
step "Crosswalk: what a BSI C5:2020 attestation covers of PCI DSS 4.0.1"
"$TUTELA" catalog map --from bsi-c5-2020 --to pci-dss-4.0 | tail -n 1
step "Shared responsibility under SaaS for ISO/IEC 27018"
"$TUTELA" catalog responsibility --service-model saas --framework iso-27018-2019 | tail -n 1
step "Certification portfolio of the sample provider (examples/catalog/portfolio.yaml), status as of today"
"$TUTELA" catalog certifications --catalog-dir "$EXAMPLES/catalog" --output "$OUT/catalog-portfolio.txt"
cat "$OUT/catalog-portfolio.txt"
"$TUTELA" catalog export nist-csf-2.0 --format oscal --output "$OUT/nist-csf-2.0.oscal.json"
