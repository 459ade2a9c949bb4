#!/usr/bin/env python3
"""Seeds for the platform fuzz targets, from tests/vectors (framing: sdk-core/src/fuzzing.rs).

Run with: python3 fuzz/seeds/platforms.py   (writes fuzz/corpus/{wechat_v3,standard_webhooks,platform_bodies}/)

Each input is a selector byte, then fields separated by 0xFF. Files are named by their
SHA-1, as libFuzzer names corpus files; `cargo fuzz cmin` keeps those that add coverage.
"""
import hashlib
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
VECTORS = os.path.join(ROOT, "tests", "vectors")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
SEP = b"\xff"


def case(rel):
    d = os.path.join(VECTORS, rel)
    with open(os.path.join(d, "body.bin"), "rb") as f:
        body = f.read()
    with open(os.path.join(d, "request.json")) as f:
        request = json.load(f)
    with open(os.path.join(d, "expect.json")) as f:
        expect = json.load(f)
    return body, request, expect


def cases(profile):
    out = []
    for base in ("platforms", "."):
        for name in sorted(os.listdir(os.path.join(VECTORS, base))):
            if os.path.exists(os.path.join(VECTORS, base, name, "request.json")):
                body, request, expect = case(os.path.join(base, name))
                if request.get("profile") == profile:
                    out.append((name, body, request, expect))
    assert out, profile
    return out


def write(target, selector, fields):
    data = bytes([selector]) + SEP.join(fields)
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def header(request, name):
    for n, v in request.get("headers", []):
        if n.lower() == name.lower():
            return v.encode()
    return b""


def payload(expect):
    p = (expect.get("notification") or {}).get("payload")
    return p.encode() if p else b""


def wechat_v3():
    transaction = None
    for name, body, request, expect in cases("wechat-v3"):
        fields = [header(request, h) for h in ("Wechatpay-Timestamp", "Wechatpay-Nonce",
                                              "Wechatpay-Signature", "Wechatpay-Serial")]
        app = 0x10 if request.get("app_id") else 0
        plain = payload(expect)
        write("wechat_v3", 0x00 | app, fields + [body, plain])
        write("wechat_v3", 0x04 | app, fields + [body, plain])
        if not expect["ok"]:
            continue
        transaction = transaction or (fields, body, plain)
        envelope = json.loads(body)
        ciphertext = envelope["resource"]["ciphertext"].encode()
        template = body.replace(ciphertext, b"$CIPHERTEXT")
        write("wechat_v3", 0x01 | app, fields + [body, plain])
        for selector in (0x02, 0x03, 0x06, 0x0A, 0x62, 0x82):
            write("wechat_v3", selector | app, fields + [template, plain])
    fields, body, plain = transaction
    extras = [b"Wechatpay-Signature-Type:WECHATPAY2-SHA256-RSA2048", b"Content-Type:application/json"]
    write("wechat_v3", 0x00, fields + [body, plain] + extras)
    write("wechat_v3", 0x01, fields + [body, plain, b"Wechatpay-Signature-Type:WECHATPAY2-SM2-WITH-SM3"])
    probe = fields[:2] + [b"WECHATPAY/SIGNTEST/" + fields[2][:20]] + fields[3:]
    write("wechat_v3", 0x00, probe + [body, plain])


def standard_webhooks():
    spec_now = (1614265330, 1614265340)
    for name, body, request, expect in cases("standard-webhooks"):
        fields = [header(request, h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")]
        clock = 0x80 if request["now"] in spec_now else 0
        rotation = 0x08 if len(request["secrets"]) > 1 else 0
        write("standard_webhooks", clock | rotation, fields + [body])
    ident, ts = b"msg_2026112100000000000001", b"1795190400"
    bodies = [
        b'{"type":"invoice.paid","timestamp":"2026-11-21T00:00:00Z","data":{"invoice_id":"inv_1","amount":6754}}',
        b'{"test": 2432232314}',
        b'{"type":"","data":[1,2,{"a":null}]}',
        b"plain text payload",
        b"",
    ]
    for i, body in enumerate(bodies):
        for selector in (0x01, 0x02 | 0x08, 0x03, 0x05 | 0x10):
            write("standard_webhooks", selector, [ident, ts, b"v1a,aGVsbG8=" if i % 2 else b"", body])
    write("standard_webhooks", 0x01, [ident, ts, b"", bodies[0], b"webhook-id:" + ident, b"Content-Type:application/json"])
    write("standard_webhooks", 0x61, [ident, ts, b"", bodies[0]])


def platform_bodies():
    for profile, bit in (("unionpay", 0), ("wechat-v2", 1)):
        for name, body, request, expect in cases(profile):
            app = 0x20 if request.get("app_id") else 0
            if profile == "unionpay":
                variant = 0x40 if "RSA2" in request["accept"] else 0
                content = 1 << 3
            else:
                secrets = request.get("secrets") or []
                variant = 0x40 if any("published" in s for s in secrets) else 0
                content = 2 << 3
            plain = payload(expect)
            write("platform_bodies", bit | variant | content | app, [body, plain])
            write("platform_bodies", bit | 0x02 | variant | app, [body, plain])
            if profile == "wechat-v2" and expect["ok"] and b"<req_info>" in body:
                start = body.index(b"<req_info><![CDATA[") + len(b"<req_info><![CDATA[")
                end = body.index(b"]]></req_info>")
                template = body[:start] + b"$REQ_INFO" + body[end:]
                for selector in (0x04, 0x06, 0x84):
                    write("platform_bodies", bit | selector | variant | content | app, [template, plain])


if __name__ == "__main__":
    wechat_v3()
    standard_webhooks()
    platform_bodies()
    for target in ("wechat_v3", "standard_webhooks", "platform_bodies"):
        print(target, len(os.listdir(os.path.join(CORPUS, target))))
