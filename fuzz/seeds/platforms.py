#!/usr/bin/env python3
"""Seeds for the platform fuzz targets, from tests/vectors (framing: fuzz-harness/src/).

Run with: python3 fuzz/seeds/platforms.py [TARGET...]   (writes fuzz/corpus/<target>/ for each)

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


def unsigned(body, json_body):
    """The body without its `sign` and `sign_type`, for the harness to sign."""
    if json_body:
        fields = json.loads(body)
        fields.pop("sign", None)
        fields.pop("sign_type", None)
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    kept = [p for p in body.split(b"&") if not p.startswith((b"sign=", b"sign_type="))]
    return b"&".join(kept)


SIGNED_APP_IDS = {"alipay": b"2021000000000001", "alipay-sm2": b"2021000122600001", "paysign": b"2026000000000001"}


def signed_bodies():
    """Alipay and paysign notifications, as given and unsigned for the harness to sign."""
    configs = {("alipay", "RSA2"): 0, ("alipay", "SM2"): 2, ("alipay", "MD5"): 3,
               ("paysign", "RSA2"): 4, ("paysign", "HMAC-SHA256"): 5, ("paysign", "SM2"): 6,
               ("paysign", "MD5"): 7}
    for profile in ("alipay", "paysign"):
        for name, body, request, expect in cases(profile):
            sign_type = request["accept"][0]
            if (profile, sign_type) not in configs:
                continue
            config = configs[(profile, sign_type)]
            if any("cert" in k.get("file", "") for k in request.get("keys", [])):
                config = 1
            ctype = (request.get("content_type") or "").lower()
            json_body = "json" in ctype or body.lstrip().startswith(b"{")
            if "xml" in ctype or body.lstrip().startswith(b"<"):
                continue
            content = 2 if json_body else 3 if "gbk" in ctype else 1
            app_key = "alipay-sm2" if config == 2 else profile
            app = 0x40 if (request.get("app_id") or "").encode() == SIGNED_APP_IDS[app_key] else 0
            write("signed_bodies", config | content << 4 | app, [body])
            write("signed_bodies", config, [body])
            bare = unsigned(body, json_body)
            for extra in (0x08, 0x88):
                write("signed_bodies", config | extra | content << 4 | app, [bare])
            # The same parameters under every other configuration of the profile.
            for other in (range(0, 4) if profile == "alipay" else range(4, 8)):
                write("signed_bodies", other | 0x08 | content << 4, [bare])


def test_notifications():
    """One event per platform, sign type and status, and a few other formats and values.
    The framing has two bytes before the fields: the selector and the options."""
    event = [b"6754", b"2026000000000001", b"1900000109", b"M20261125000001",
             b"T202611210000000042", b"T202611210000000042_1", b"SHW2026110042",
             b"1795190400", b"5k8264iltkch16cq2502si8znmtm67vs"]
    odd = [b"0", b"", b"", b"o&d=d\"<x>", b"", b"\u00e9\u4e2d".decode("unicode_escape").encode(),
           b"", b"-1", b"z"]

    def event_seed(selector, options, fields):
        write("test_notifications", selector, [bytes([options]) + fields[0]] + fields[1:])

    for config in range(16):
        for status in range(7):
            event_seed(config | status << 4, 0, event)
        for options in (1, 2, 3, 4):
            event_seed(config, options, event)
        event_seed(config, 0, odd)
        event_seed(config, 0, event[:6])


def sm():
    """SM2 key files, the SM vectors' signatures, SM4-GCM resources and SM notifications."""
    keys = os.path.join(VECTORS, "platforms", "keys")
    for name in sorted(os.listdir(keys)):
        if name.startswith("sm2_"):
            with open(os.path.join(keys, name), "rb") as f:
                write("sm", 0x00, [f.read()])
    for index in range(3):
        for form in (0x00, 0x20):
            write("sm", 0x01 | index << 2 | form, [b""])
            write("sm", 0x01 | index << 2 | form, [b"\x00" * 31 + b"\x01"])
    import base64
    for name, body, request, expect in cases("wechat-v3"):
        if not request.get("sm"):
            continue
        signature = header(request, "Wechatpay-Signature")
        try:
            write("sm", 0x01 | 2 << 2 | 0x10, [base64.b64decode(signature)])
        except ValueError:
            pass
        fields = [header(request, h) for h in ("Wechatpay-Timestamp", "Wechatpay-Nonce",
                                              "Wechatpay-Signature", "Wechatpay-Serial")]
        extras = [b"Wechatpay-Signature-Type:" + header(request, "Wechatpay-Signature-Type")]
        plain = payload(expect)
        write("sm", 0x03, fields + [body, plain] + extras)
        try:
            envelope = json.loads(body)
            resource = envelope["resource"]
        except (ValueError, KeyError, TypeError):
            continue
        if not isinstance(resource, dict) or not expect["ok"]:
            continue
        nonce, aad = resource["nonce"].encode(), resource.get("associated_data", "").encode()
        ciphertext = resource["ciphertext"].encode()
        write("sm", 0x02, [plain, nonce, aad, b""])
        write("sm", 0x02, [plain, nonce, aad, ciphertext])
        write("sm", 0x02, [plain, nonce, aad, b"\x00" * 40 + b"\x01"])
        template = body.replace(ciphertext, b"$CIPHERTEXT")
        for selector in (0x0C, 0x2C, 0x1C, 0x4C, 0x8C, 0x08, 0x04):
            write("sm", 0x03 | selector, fields + [template, plain])


if __name__ == "__main__":
    # Targets named on the command line (all by default): reseeding a minimised corpus
    # would undo its minimisation.
    import sys
    TARGETS = {"wechat_v3": wechat_v3, "standard_webhooks": standard_webhooks,
               "platform_bodies": platform_bodies, "signed_bodies": signed_bodies,
               "test_notifications": test_notifications, "sm": sm}
    for target in sys.argv[1:] or TARGETS:
        TARGETS[target]()
        print(target, len(os.listdir(os.path.join(CORPUS, target))))
