#!/usr/bin/env python3
"""Where the mock gateway's CPU goes under load: a perf profile of one load level, in shares.

Run with: python3 scripts/gateway_profile.py [clients]   (default 8; needs perf, Linux)

Builds the load bench (mock-gateway/benches/load.rs), starts it with LOAD_CLIENTS=<clients>,
attaches `perf record --call-graph dwarf` once the bench says on stderr that the load has
started (so seeding the bills is not in the profile), then classifies every sample of the
gateway's threads (named `gateway` by the bench) by the first stage below found in its call
chain. The table is what BENCHMARKS.md's "where the time goes" cites.
"""
import collections, json, os, re, subprocess, sys, tempfile, time

STAGES = [  # (name, patterns that must all appear in the call chain); first match wins
    ("RSA2 signing of notifications", [r"notifier::signed_body", r"rsa_sign|Signer::sign"]),
    ("RSA2 signing of responses", [r"rsa_sign|Signer::sign"]),
    ("RSA2 verification of requests", [r"rsa_verify|Verifier::verify"]),
    ("SQLite: queries and transactions", [r"sqlite3|rusqlite"]),
    ("notification delivery: HTTP client", [r"reqwest|notifier::"]),
    ("request parsing, checks, JSON", [r"paysign_core|paysign_gateway::(api|fields|orders|merchants)|serde_json"]),
    ("HTTP server, TCP, async runtime", [r"hyper|axum|tokio|mio|tower|connections::"]),
]
OTHER = "other (allocator, libc, kernel)"


def bench_binary():
    out = subprocess.run(
        ["cargo", "bench", "-p", "paysign-gateway", "--bench", "load", "--no-run",
         "--message-format", "json"],
        capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "load":
            return msg["executable"]
    sys.exit("no load bench binary")


def main():
    clients = sys.argv[1] if len(sys.argv) > 1 else "8"
    binary = bench_binary()
    with tempfile.TemporaryDirectory() as tmp:
        data, err = os.path.join(tmp, "perf.data"), os.path.join(tmp, "stderr")
        env = dict(os.environ, LOAD_CLIENTS=clients, LOAD_SECS="10")
        with open(err, "w") as stderr:
            bench = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
        while "clients for" not in open(err).read():
            if bench.poll() is not None:
                sys.exit("the bench ended before its load started")
            time.sleep(0.1)
        subprocess.run(["perf", "record", "-q", "-F", "399", "--call-graph", "dwarf,16384",
                        "-o", data, "-p", str(bench.pid), "--", "sleep", "8"], check=True)
        table = bench.communicate()[0]
        script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,ip,sym"],
                                capture_output=True, text=True).stdout
    counts, total = collections.Counter(), 0
    for block in script.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines or lines[0].split()[0] != "gateway":
            continue
        chain = "\n".join(lines[1:])
        total += 1
        stage = next((name for name, needs in STAGES
                      if all(re.search(p, chain) for p in needs)), OTHER)
        counts[stage] += 1
    print(table.strip())
    print(f"\n{total} samples of the gateway's threads, {clients} clients:\n")
    print("| stage | share of the gateway's CPU |\n|---|---:|")
    for name in [s for s, _ in STAGES] + [OTHER]:
        print(f"| {name} | {100 * counts[name] / max(total, 1):.0f}% |")


if __name__ == "__main__":
    main()
