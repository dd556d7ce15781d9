# The compliance centre: a server data folder preloaded with the demo's assessment through the real API, then
# stopped (nothing is left running). Prints the command that serves it and the demo tenant's one-time login.
step "Preparing the compliance centre (tutela serve) with the demo's results"
DATA="$OUT/server"
"$TUTELA" tenants init --data "$DATA" 2>"$OUT/server-init.txt"
"$TUTELA" tenants add --data "$DATA" demo
# The analyst and the privacy officer load the data; the demo tenant's admin gets a one-time password for you.
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$OUT/.analyst-password"
"$TUTELA" users add --data "$DATA" --tenant demo --name analyst --role compliance \
  --password-file "$OUT/.analyst-password"
"$TUTELA" users add --data "$DATA" --tenant demo --name officer --role privacy \
  --password-file "$OUT/.analyst-password"
"$TUTELA" users add --data "$DATA" --tenant demo --name admin --role admin --one-time 2>"$OUT/server-login.txt"
SERVE=("$TUTELA" serve --data "$DATA" --catalog-dir "$EXAMPLES/catalog")
"${SERVE[@]}" --listen 127.0.0.1:0 --port-file "$OUT/.server-port" --quiet &
server=$!
for _ in $(seq 1 100); do [ -s "$OUT/.server-port" ] && break; sleep 0.1; done
[ -s "$OUT/.server-port" ] || { echo "demo: the server did not start" >&2; kill "$server"; exit 1; }
loaded=0
/usr/bin/python3 scripts/demo.d/server_load.py "$(cat "$OUT/.server-port")" demo analyst "$OUT/.analyst-password" \
  "$EXAMPLES" || loaded=$?
[ "$loaded" -ne 0 ] || /usr/bin/python3 scripts/demo.d/server_load.py "$(cat "$OUT/.server-port")" demo officer \
  "$OUT/.analyst-password" "$EXAMPLES" privacy || loaded=$?
kill -TERM "$server"
wait "$server" || true
rm -f "$OUT/.analyst-password" "$OUT/.server-port"
[ "$loaded" -eq 0 ] || exit "$loaded"
password=$(sed -n 's/.*one-time password for "admin" in tenant "demo": \([A-Za-z0-9]*\).*/\1/p' "$OUT/server-login.txt")
rm -f "$OUT/server-login.txt" "$OUT/server-init.txt"
{
  echo "  Serve the compliance centre:  ${SERVE[*]#"$PWD/"}"
  echo "  then open http://127.0.0.1:8080/ and log in as tenant \"demo\", user \"admin\","
  echo "  one-time password $password (you choose your own at first login)."
} | tee -a "${DEMO_NEXT:-/dev/null}"
