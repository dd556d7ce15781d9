# Seal everything the demo produced: a manifest of every output file with its SHA-256, then verify it.
step "Sealing the demo's outputs in an evidence manifest"
"$TUTELA" evidence manifest "$OUT" --exclude evidence-manifest.json --output "$OUT/evidence-manifest.json"
"$TUTELA" evidence verify "$OUT/evidence-manifest.json" --exclude evidence-manifest.json
