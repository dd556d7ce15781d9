# Record what the demo starts from: the bundled sample data and its digests.
step "Inventory of the bundled sample data in examples/"
"$TUTELA" evidence manifest "$EXAMPLES" --format table --output "$OUT/examples-manifest.txt"
cat "$OUT/examples-manifest.txt"
