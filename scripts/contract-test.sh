#!/usr/bin/env bash
# The OpenAPI contract test: Schemathesis (PyPI, 4.x, in .venv-contract from
# scripts/setup.sh) runs every operation of docs/openapi.yaml against a live mock gateway
# with all of its checks, a fixed seed, and tests/contract/schemathesis.toml (which says,
# per operation, why a status is accepted where a check's default would refuse it).
#
#   scripts/contract-test.sh            build the CLI, start a gateway, run, stop it
#   PAYSIGN_BIN=path scripts/contract-test.sh   use that paysign binary
#
# The gateway runs on a free 127.0.0.1 port with a temporary SQLite file, a manual clock
# and a new admin token in a temporary file (mode 0600), and is stopped on exit whatever
# happens. Schemathesis sends the token as `Authorization: Bearer` (the document's
# `adminToken` scheme, filled from $CONTRACT_ADMIN_TOKEN by tests/contract/schemathesis.toml,
# so the token is on no command line); its ignored_auth check sends requests without it and with another
# one, which must be refused 401 ADMIN_TOKEN_INVALID.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[contract] %s\n' "$*" >&2; }

ST=.venv-contract/bin/st
[ -x "$ST" ] || { say "Schemathesis is missing: run scripts/setup.sh"; exit 1; }

if [ -z "${PAYSIGN_BIN:-}" ]; then
  cargo build --quiet -p paysign-cli
  PAYSIGN_BIN="${CARGO_TARGET_DIR:-target}/debug/paysign"
fi

work=$(mktemp -d)
gateway_pid=""
cleanup() {
  if [ -n "$gateway_pid" ]; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# 2026-11-20T10:00:00+08:00, frozen: moves only when Schemathesis moves it.
"$PAYSIGN_BIN" --json gateway --port 0 --db "$work/gateway.db" --clock manual \
  --clock-start 1795140000 --log-level warn --admin-token-file "$work/admin.token" \
  >"$work/start.json" 2>"$work/gateway.log" &
gateway_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/start.json" ] && break
  kill -0 "$gateway_pid" 2>/dev/null || { cat "$work/gateway.log" >&2; say "the gateway did not start"; exit 1; }
  sleep 0.1
done
url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listening"])' "$work/start.json")
say "gateway at $url (db $work/gateway.db)"

# Seed one merchant and one order, so that the operations on an order answer 200 too and
# their response schemas are checked, not only their 404s. Schemathesis cannot sign; the
# CLI signs the order.create with the test merchant key (tests/vectors/keys).
admin() { "$PAYSIGN_BIN" gateway admin --url "$url" --admin-token-file "$work/admin.token" "$@"; }
app_id=$(admin register --name 'contract merchant' --notify-url http://127.0.0.1:9/notify \
  --public-key tests/vectors/keys/merchant_public_spki.pem)
admin approve "$app_id" >/dev/null
"$PAYSIGN_BIN" payload order --key tests/vectors/keys/merchant_private_pkcs8.pem \
  --app-id "$app_id" --now 1795140000 --out-trade-no M2026112000001 >"$work/order.form"
CONTRACT_TRADE_NO=$(python3 - "$url" "$work/order.form" <<'PY'
import json, sys, urllib.request
body = open(sys.argv[2], "rb").read().strip()
request = urllib.request.Request(
    sys.argv[1] + "/gateway/v1/order.create", data=body,
    headers={"Content-Type": "application/x-www-form-urlencoded"})
answer = json.load(urllib.request.urlopen(request))
assert answer["code"] == "SUCCESS", answer
print(answer["trade_no"])
PY
)
export CONTRACT_TRADE_NO
CONTRACT_ADMIN_TOKEN=$(cat "$work/admin.token")
export CONTRACT_ADMIN_TOKEN
say "seeded merchant $app_id and order $CONTRACT_TRADE_NO"

# The seed and the number of examples fix the run; see tests/contract/README.md for the
# operations Schemathesis can only reach on their rejection paths.
"$ST" --config-file tests/contract/schemathesis.toml run docs/openapi.yaml \
  --url "$url" \
  --checks all \
  --seed 20261120 \
  --max-examples "${CONTRACT_EXAMPLES:-100}" \
  --generation-database none \
  --no-color \
  --report har --report-har-path "$work/run.har" \
  | tee "$work/st.out"

# The signed API can only be reached on its rejection paths (Schemathesis holds no merchant
# key): assert that it never answered anything else, and print the case count.
python3 - "$work/run.har" "$work/st.out" <<'PY'
import collections, json, re, sys
entries = json.load(open(sys.argv[1]))["log"]["entries"]
gateway = collections.Counter(
    e["response"]["status"] for e in entries if "/gateway/v1/" in e["request"]["url"])
print("contract: /gateway/v1/{method} answered", dict(sorted(gateway.items())))
bad = {s: n for s, n in gateway.items() if s not in (400, 401, 404, 405, 408)}
assert not bad, f"the signed API answered an unsigned caller with {bad}"
cases = re.search(r"(\d+) generated, (.*)", open(sys.argv[2]).read())
failed = re.search(r"(\d+) (?:found|failed)", cases.group(2))
print(f"contract: {cases.group(1)} cases, {len(entries)} requests")
print(f"contract: {int(cases.group(1)) - (int(failed.group(1)) if failed else 0)} passed, "
      f"{int(failed.group(1)) if failed else 0} failed")
PY
