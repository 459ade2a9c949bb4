#!/usr/bin/env python3
"""Writes BENCHMARKS.md from one `make bench` run (target/bench-run/ and target/criterion/).

Medians come from criterion's estimates.json; references (openssl speed, node:crypto)
were measured in the same run, so every ratio compares numbers taken side by side.
"""
import datetime, json, os, platform, re, subprocess, sys

run = sys.argv[1]
crit = os.path.join("target", "criterion")

def median_ns(*path):
    f = os.path.join(crit, *path, "new", "estimates.json")
    if not os.path.exists(f):
        return None
    return json.load(open(f))["median"]["point_estimate"]

def per_sec(ns):
    return None if ns is None else 1e9 / ns

def fmt_rate(r):
    return "n/a" if r is None else f"{r:,.0f}/s"

def fmt_time(ns):
    if ns is None:
        return "n/a"
    if ns < 1e3: return f"{ns:.0f} ns"
    if ns < 1e6: return f"{ns/1e3:.2f} µs"
    return f"{ns/1e6:.2f} ms"

def ratio(a, b):
    return "n/a" if a is None or b is None or b == 0 else f"{a/b:.2f}x"

def verdict(ok):
    return "met" if ok else "**missed**"

openssl_sign = openssl_verify = None
for line in open(os.path.join(run, "openssl.txt")):
    m = re.match(r"rsa\s+2048 bits\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", line)
    if m:
        openssl_sign, openssl_verify = float(m.group(1)), float(m.group(2))

openssl_sm2_sign = openssl_sm2_verify = None
sm2_file = os.path.join(run, "openssl-sm2.txt")
if os.path.exists(sm2_file):
    for line in open(sm2_file):
        m = re.match(r"\s*256 bits SM2 \(CurveSM2\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)", line)
        if m:
            openssl_sm2_sign, openssl_sm2_verify = float(m.group(1)), float(m.group(2))

cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
ossl = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()

print("# Benchmarks\n")
print(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `make bench` "
      f"(scripts/bench.sh) on {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}; "
      f"{rustc}; {ossl}. Medians; every reference was measured in the same run.\n")

print("## RSA (one core)\n")
print("| operation | paysign aws-lc | paysign rustcrypto | openssl speed | aws-lc / openssl | goal |")
print("|---|---|---|---|---|---|")
rows = {}
for bits in (2048, 4096):
    for op in ("sign", "verify"):
        aws = per_sec(median_ns(f"rsa2-{bits}", op, "aws-lc"))
        pure = per_sec(median_ns(f"rsa2-{bits}", op, "rustcrypto"))
        ref = (openssl_sign if op == "sign" else openssl_verify) if bits == 2048 else None
        rows[(bits, op)] = (aws, pure, ref)
        goal = "" if ref is None or aws is None else f"≥ 0.9x: {verdict(aws / ref >= 0.9)}"
        print(f"| RSA2-{bits} {op} | {fmt_rate(aws)} | {fmt_rate(pure)} | {fmt_rate(ref)} | {ratio(aws, ref)} | {goal} |")
aws_sign = rows[(2048, "sign")][0]; pure_sign = rows[(2048, "sign")][1]
print(f"\naws-lc over rustcrypto, RSA2-2048 sign: {ratio(aws_sign, pure_sign)}.\n")

print("## 国密: SM2 with SM3 (one core, native)\n")
print("| operation | paysign (RustCrypto sm2) | openssl speed sm2 | paysign / openssl | goal |")
print("|---|---|---|---|---|")
for op, ref in (("sign", openssl_sm2_sign), ("verify", openssl_sm2_verify)):
    ours = per_sec(median_ns("sm2", op))
    goal = "" if ours is None or ref is None else f"≥ 0.5x: {verdict(ours / ref >= 0.5)}"
    print(f"| SM2 {op}, 20-field string | {fmt_rate(ours)} | {fmt_rate(ref)} | {ratio(ours, ref)} | {goal} |")
sm3_sign = median_ns("sm3_sign-20-fields")
print(f"| SM3 with a secret (UnionPay 12), 20 fields | {fmt_rate(per_sec(sm3_sign))} | | | |")
print()

print("## Digests, canonical strings, keys\n")
print("| benchmark | median | rate | goal |")
print("|---|---|---|---|")
canon = median_ns("canonicalize_20-field")
md5 = median_ns("sign_MD5_20-field")
hmac_ = median_ns("sign_HMAC-SHA256_20-field")
parse = median_ns("key_parse-pkcs8-pem-2048")
gen = median_ns("key", "generate-2048")
print(f"| canonicalise 20 fields | {fmt_time(canon)} | {fmt_rate(per_sec(canon))} | |")
md5_rate = per_sec(md5)
print(f"| canonicalise + MD5 sign, 20 fields | {fmt_time(md5)} | {fmt_rate(md5_rate)} | ≥ 1,000,000/s: {verdict(md5_rate is not None and md5_rate >= 1e6)} |")
print(f"| canonicalise + HMAC-SHA256 sign, 20 fields | {fmt_time(hmac_)} | {fmt_rate(per_sec(hmac_))} | |")
print(f"| parse PKCS#8 PEM (2048) | {fmt_time(parse)} | {fmt_rate(per_sec(parse))} | |")
print(f"| generate 2048-bit key (aws-lc) | {fmt_time(gen)} | | median < 100 ms: {verdict(gen is not None and gen < 100e6)} |")
if md5_rate is not None and md5_rate < 1e6:
    print(f"\n**Missed: canonicalise + MD5 at {md5_rate:,.0f}/s is {md5_rate / 1e6:.2f}x the 1,000,000/s goal.** "
          f"The canonical string takes {fmt_time(canon)} of the {fmt_time(md5)} (`Params` keeps its names in byte "
          "order, so it is one pass with no sort); MD5 over the ~490 signed bytes is about 0.8 µs of the rest (no "
          "hardware help for MD5, unlike SHA-256 — which is why HMAC-SHA256 is faster), so MD5 alone caps the rate "
          "near 1.24M/s. Closing the gap means hashing the pairs straight into the digest with no intermediate "
          "String; an experiment doing so (names also stored with their separators) reached 1.03M/s natively but "
          "made the npm package's per-call path (build the parameters, then sign or verify) 10-15% slower in wasm, where many "
          "small hasher updates cost more than one String, so it was not merged.")

print("\n## Notification verification (RSA2-2048, aws-lc)\n")
e2e = median_ns("notification", "parse+verify-form-rsa2")
bare = median_ns("rsa2-2048", "verify", "aws-lc")
print("| benchmark | median | rate | vs bare RSA verify | goal |")
print("|---|---|---|---|---|")
print(f"| parse + verify a form notification | {fmt_time(e2e)} | {fmt_rate(per_sec(e2e))} | {ratio(per_sec(e2e), per_sec(bare))} | ≥ 0.8x: {verdict(e2e is not None and bare is not None and bare / e2e >= 0.8)} |")
one = median_ns("verify-threads", "1"); two = median_ns("verify-threads", "2")
if one and two:
    # Each iteration of the 2-thread bench does two verifications.
    print(f"| verify, 1 thread | {fmt_time(one)} | {fmt_rate(per_sec(one))} | | |")
    print(f"| verify, 2 threads sharing one Verifier | {fmt_time(two)} per pair | {fmt_rate(2 * per_sec(two))} | {ratio(2 * per_sec(two), per_sec(one))} scaling | |")
print("\nCost against body size (should be linear):\n")
print("| body | median | throughput |")
print("|---|---|---|")
for kib in ("1KiB", "16KiB", "256KiB", "1000KiB"):
    ns = median_ns("notification-body-size", kib)
    size = int(kib[:-3]) * 1024
    print(f"| {kib} | {fmt_time(ns)} | {'n/a' if ns is None else f'{size / ns * 1e9 / 2**20:,.0f} MiB/s'} |")

# Where the gateway's CPU goes: static text from two profiles taken the same hour (not
# recomputed by make bench): before = main at bd8b68c, after = with the statement cache.
GATEWAY_PROFILE = {
    "when": "2026-12-07, 8 clients, a 2-core machine shared with other jobs (load average 3-5)",
    "command": "python3 scripts/gateway_profile.py 8",
    "shares": [  # (stage, before, after)
        ("RSA2 signing of responses", "43%", "49%"),
        ("RSA2 signing of notifications", "22%", "24%"),
        ("RSA2 verification of requests", "3%", "3%"),
        ("SQLite: queries and transactions (before: 11 points parsing SQL)", "19%", "11%"),
        ("request parsing, checks, JSON", "4%", "4%"),
        ("notification delivery: HTTP client", "2%", "2%"),
        ("HTTP server, TCP, async runtime", "7%", "7%"),
    ],
    # Taken before the notifier signed one notification at a time (same CPU per request).
    "closing": (
        "What would close the gap: signing is now 73% of the gateway's CPU and the goal needs "
        "90% (0.6 of the 0.67x ceiling), so everything else would have to shrink from 27% to "
        "about 10% of the work. No single stage is that large: SQLite is spread over the "
        "statements of six transactions per order+pay pair (no statement above 2%), the HTTP/1.1 "
        "server, TCP and the runtime are 7%, verification 3%. Tried and not kept: the API's "
        "CPU work on a blocking pool sized to the cores (+12-15% CPU per request, context "
        "switches). Batching commits is not done: in memory a commit is cheap; with `--db` "
        "(WAL, no fsync per commit) the six commits of a pair cost the gateway about 100 µs "
        "more per request (`LOAD_DB=file`: 0.42x against 0.48x in memory, the same hour). A "
        "group commit could win part of that back only by holding each response until a "
        "shared commit; answering before it would claim a state that a crash could lose. "
        "Counted in signed messages (responses and notifications) the gateway is at "
        "about 0.7x of the bound: restating the goal that way, or for a workload without "
        "notifications, is the honest way to meet it."
    ),
}

def gateway_section(text):
    """The load table, then issue 22's goal against its 8-client row and the profile."""
    print(text)
    rows, header = {}, None
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "clients":
            header = cells
        elif header and cells[0].isdigit():
            rows[int(cells[0])] = dict(zip(header, cells))
    bound = re.search(r"= ([\d.]+) req/s", text)
    row = rows.get(8)
    if not (row and bound and "vs bound" in row):
        return
    bound = float(bound.group(1))
    got, p99 = float(row["vs bound"].rstrip("x")), float(row["p99 ms"])
    signed = float(row["signatures vs bound"].rstrip("x"))
    print("\nGoal (issue 22): at 8 clients, gateway capacity ≥ 0.6x the bound, p99 < 10 ms.\n")
    print("| 8 clients | measured | goal | verdict |\n|---|---:|---:|---|")
    short = "" if got >= 0.6 else f" by {0.6 - got:.2f}x: the gateway needs {100 * (1 - got / 0.6):.0f}% less CPU per request"
    print(f"| capacity vs bound | {got:.2f}x ({float(row['gateway capacity req/s']):,.0f} of {bound:,.0f} req/s) | ≥ 0.60x | {verdict(got >= 0.6)}{short} |")
    late = "" if p99 < 10 else f" by {p99 - 10:.1f} ms"
    print(f"| p99, end-to-end | {p99:.2f} ms | < 10 ms | {verdict(p99 < 10)}{late} |")
    print(f"| signed messages (responses + notifications) vs bound | {signed:.2f}x | | for reference |")
    if openssl_sign:
        print(f"\nCross-check: `openssl speed rsa2048` in this run signs {openssl_sign:,.0f}/s on one core "
              f"({os.cpu_count()} cores: {os.cpu_count() * openssl_sign:,.0f}/s).")
    print("\nEach order+pay pair signs two responses and one notification, so signing alone caps the "
          "capacity at 0.67x of the bound; the rest of the gateway's work has to fit in what is left. "
          "`req/s end-to-end` and the latencies include the merchants' own RSA2 signing on the same cores.")
    # Little's law: with 8 clients in a closed loop, each waits about clients / throughput.
    per_request_us = float(row["gateway CPU µs/req"]) + float(row["merchants CPU µs/req"])
    idle_rps = os.cpu_count() * 1e6 / per_request_us
    print(f"\nThe latencies depend on what else the machine runs (load average above): the CPU that "
          f"the gateway and the merchants use per request ({per_request_us:,.0f} µs) allows about "
          f"{idle_rps:,.0f} req/s end-to-end on {os.cpu_count()} idle cores, where 8 clients would "
          f"wait about {8 / idle_rps * 1000:.1f} ms each (clients ÷ throughput) — an estimate from "
          f"this run's CPU figures, not a measurement; a run on a quiet machine measures it.")
    print(f"\nWhere the gateway's CPU goes (static text from two profiles: {GATEWAY_PROFILE['when']}; "
          f"`{GATEWAY_PROFILE['command']}`):\n")
    print("| stage | before | after |\n|---|---:|---:|")
    for stage, before, after in GATEWAY_PROFILE["shares"]:
        print(f"| {stage} | {before} | {after} |")
    print(f"\n{GATEWAY_PROFILE['closing']}")

for name, title in (("node.md", "WebAssembly package in Node"), ("reconcile.md", "Reconciliation"), ("gateway.md", "Mock gateway load"), ("redis.md", "Exactly-once notification handling (paysign-redis)")):
    path = os.path.join(run, name)
    if os.path.exists(path):
        print(f"\n## {title}\n")
        text = open(path).read().strip()
        if name == "gateway.md":
            gateway_section(text)
        else:
            print(text)

print("\n## Commands\n")
print("```sh\nmake bench    # = scripts/bench.sh; raw outputs in target/bench-run/, criterion data in target/criterion/\n```")
