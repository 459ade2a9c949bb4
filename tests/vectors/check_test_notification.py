#!/usr/bin/env python3
"""Checks a test notification made by paysign (`paysign payload notification`, the core's
`testing::test_notification`) independently of paysign, from each platform's published rules.

Reads one JSON object on stdin:

  {"profile": "...", "headers": {name: value}, "body": "...",
   "public_key": path (RSA profiles), "secret": text (digest sign types, whsec_ secrets),
   "apiv3_key": text (wechat-v3), "sign_type": "RSA2" | "MD5" | "HMAC-SHA256" | "SHA256"}

Strings to sign are built by a few lines here; RSA signatures are checked by the `openssl`
command line (`openssl dgst -sha256 -verify`), digests by hashlib/hmac, the WeChat Pay v3
resource decrypted by `cryptography`'s AESGCM. Prints the notification's fields as JSON
(the decrypted resource for v3) and exits 0; exits 1 with the reason on stderr otherwise.
"""
import base64, hashlib, hmac, json, os, subprocess, sys, tempfile
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def fail(reason):
    print(reason, file=sys.stderr)
    sys.exit(1)


def openssl_verify(public_key, message, signature_b64):
    with tempfile.TemporaryDirectory() as d:
        msg, sig = os.path.join(d, "msg"), os.path.join(d, "sig")
        with open(msg, "wb") as f:
            f.write(message)
        with open(sig, "wb") as f:
            f.write(base64.b64decode(signature_b64))
        run = subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", public_key, "-signature", sig, msg],
            capture_output=True,
        )
        if run.returncode != 0:
            fail("openssl: " + (run.stdout + run.stderr).decode(errors="replace").strip())


def canonical(fields, excluded, skip_empty=True):
    pairs = sorted((k, v) for k, v in fields.items() if k not in excluded and (v or not skip_empty))
    return "&".join(f"{k}={v}" for k, v in pairs)


def form(body):
    pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=True)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        fail("a field appears twice")
    return fields


def main():
    job = json.load(sys.stdin)
    profile, body, headers = job["profile"], job["body"], job.get("headers", {})
    sign_type = job.get("sign_type")
    if profile in ("paysign", "alipay"):
        fields = form(body)
        # Alipay leaves sign_type out of a notification's string; paysign signs it.
        excluded = ("sign", "sign_type") if profile == "alipay" else ("sign",)
        string = canonical(fields, excluded)
        if sign_type == "RSA2":
            openssl_verify(job["public_key"], string.encode(), fields["sign"])
        elif sign_type == "HMAC-SHA256":
            mac = hmac.new(job["secret"].encode(), (string + "&key=" + job["secret"]).encode(), hashlib.sha256)
            if mac.hexdigest().upper() != fields["sign"]:
                fail("HMAC-SHA256 mismatch")
        else:
            fail(f"unchecked sign type {sign_type}")
        print(json.dumps(fields, ensure_ascii=False))
    elif profile == "wechat-v2":
        root = ET.fromstring(body)
        if root.tag != "xml":
            fail("not a WeChat Pay v2 XML body")
        fields = {child.tag: child.text or "" for child in root}
        string = canonical(fields, ("sign",)) + "&key=" + job["secret"]
        if sign_type == "MD5":
            expected = hashlib.md5(string.encode()).hexdigest().upper()
        else:
            expected = hmac.new(job["secret"].encode(), string.encode(), hashlib.sha256).hexdigest().upper()
        if expected != fields["sign"]:
            fail(f"{sign_type} mismatch")
        print(json.dumps(fields, ensure_ascii=False))
    elif profile == "unionpay":
        fields = form(body)
        # UnionPay keeps empty values in the string.
        string = canonical(fields, ("signature",), skip_empty=False)
        if fields["signMethod"] == "01":
            digest = hashlib.sha256(string.encode()).hexdigest()
            openssl_verify(job["public_key"], digest.encode(), fields["signature"])
        elif fields["signMethod"] == "11":
            key_hash = hashlib.sha256(job["secret"].encode()).hexdigest()
            expected = hashlib.sha256((string + "&" + key_hash).encode()).hexdigest()
            if expected != fields["signature"]:
                fail("signMethod 11 mismatch")
        else:
            fail("unknown signMethod")
        print(json.dumps(fields, ensure_ascii=False))
    elif profile == "wechat-v3":
        if headers.get("Wechatpay-Signature-Type") != "WECHATPAY2-SHA256-RSA2048":
            fail("Wechatpay-Signature-Type")
        message = f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n{body}\n"
        openssl_verify(job["public_key"], message.encode(), headers["Wechatpay-Signature"])
        envelope = json.loads(body)
        resource = envelope["resource"]
        if resource["algorithm"] != "AEAD_AES_256_GCM" or envelope["resource_type"] != "encrypt-resource":
            fail("not an AEAD_AES_256_GCM resource")
        plaintext = AESGCM(job["apiv3_key"].encode()).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            resource["associated_data"].encode(),
        )
        out = json.loads(plaintext)
        out["id"], out["event_type"] = envelope["id"], envelope["event_type"]
        print(json.dumps(out, ensure_ascii=False))
    elif profile == "standard-webhooks":
        secret = job["secret"]
        if not secret.startswith("whsec_"):
            fail("not a whsec_ secret")
        key = base64.b64decode(secret[len("whsec_"):])
        content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
        expected = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
        if expected not in headers["webhook-signature"].split(" "):
            fail("webhook-signature mismatch")
        print(body)
    else:
        fail(f"unknown profile {profile}")


if __name__ == "__main__":
    main()
