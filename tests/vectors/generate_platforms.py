#!/usr/bin/env python3
"""Regenerates the platform vectors in tests/vectors/platforms/ (docs/profiles.md).

Independent of paysign: strings to sign are built by a few lines here from each platform's
published rules, RSA signatures made by the `openssl` command line, HMAC/SHA-256/MD5 by
Python's hashlib/hmac, AES-256-GCM by Python's `cryptography`, AES-256-ECB by
`openssl enc`, certificate fields read by `openssl x509 -issuer -nameopt RFC2253 -serial`.
Published examples are used where they exist:

- Standard Webhooks: the test vector of the specification (secret, id, timestamp,
  payload and expected signature);
- WeChat Pay v3: the request string of the signing guide (GET /v3/certificates);
- WeChat Pay v2 refunds: a real `req_info` and its API key from the test suite of
  github.com/rwscode/payutil (wechat/payment_api_test.go);
- Alipay certificate mode: Alipay's public root bundle alipayRootCert.crt (its published
  alipay_root_cert_sn) and a published application certificate (its app_cert_sn).

Keys and certificates in platforms/keys/ are generated once (openssl) and kept: delete a
file to regenerate it. Every case folder holds:

  body.bin            the raw HTTP body (notification cases)
  request.json        profile, content_type, headers [[name, value]...], keys
                      [{"id": id or null, "file": path under tests/vectors/}], secrets
                      [paths], accept (sign types), app_id, now, expected_amount, and
                      "sm": true where the case needs the national algorithms
  string_to_sign.txt  what the signature covers (valid cases)
  plaintext.*         the decrypted payload (encrypted cases)
  expect.json         {"ok": true, "notification": {...}} or {"ok": false, "code": "..."}

Other cases: sign_* (params.json / input.json, canonical or string_to_sign, signature,
authorization or headers, expect.json), fail_sign_* (input.json and expect.json with the
error code every surface reports) and cert_* (a certificate file and expect.json with the
SNs). Alipay certificate-mode SNs are computed twice, with openssl and with Python's
`cryptography`, and must agree.

国密 (the *_sm* cases and unionpay_12): SM2 keys, certificates and SM2-with-SM3 signatures
(user id 1234567812345678 unless a case says otherwise) by the `openssl` command line
(`pkeyutl -rawin -digest sm3 -pkeyopt distid:...`), SM3 and SM4-GCM by Python's
`cryptography`. OpenSSL's SM2 signatures are randomised, so no sign_* case is SM2: the
other direction (paysign signs, OpenSSL verifies) is a live test (sdk-core/tests/sm.rs).
"""
import base64, hashlib, hmac, json, os, re, shutil, subprocess
from urllib.parse import quote

import warnings

from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "platforms")
KEYS = os.path.join(OUT, "keys")
T = 1795190400  # 2026-11-21T00:00:00+08:00
NOW = T + 10


def rel(path):
    return os.path.relpath(path, HERE)


def sh(*args, data=None):
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout


# ---------------------------------------------------------------- keys and certificates

def key_file(name):
    return os.path.join(KEYS, name)


def ensure_rsa(name):
    path = key_file(name)
    if not os.path.exists(path):
        sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    return path


def ensure_public(private, name):
    path = key_file(name)
    if not os.path.exists(path):
        sh("openssl", "pkey", "-in", private, "-pubout", "-out", path)
    return path


def ensure_self_signed(private, name, subject, serial, digest="-sha256", extra=()):
    path = key_file(name)
    if not os.path.exists(path):
        sh("openssl", "req", "-x509", "-new", "-key", private, "-subj", subject, "-set_serial", str(serial),
           "-days", "7300", digest, *extra, "-out", path)
    return path


def ensure_issued(private, name, subject, serial, ca_cert, ca_key, digest="-sha256"):
    path = key_file(name)
    if not os.path.exists(path):
        csr = sh("openssl", "req", "-new", "-key", private, "-subj", subject)
        sh("openssl", "x509", "-req", "-CA", ca_cert, "-CAkey", ca_key, "-set_serial", str(serial),
           "-days", "7300", digest, "-out", path, data=csr)
    return path


def write_text(name, text):
    path = key_file(name)
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(text)
    return path


def cert_fields(path_or_pem):
    """Issuer (RFC 2253), serial (int) and signature algorithm, as openssl prints them."""
    pem = open(path_or_pem, "rb").read() if os.path.exists(path_or_pem) else path_or_pem.encode()
    out = sh("openssl", "x509", "-noout", "-issuer", "-nameopt", "RFC2253", "-serial", "-text", data=pem).decode()
    lines = out.splitlines()
    issuer = lines[0].split("=", 1)[1]
    serial_text = lines[1].split("=", 1)[1]
    serial = -int(serial_text[1:], 16) if serial_text.startswith("-") else int(serial_text, 16)
    algorithm = re.search(r"Signature Algorithm: (\S+)", out).group(1)
    return issuer, serial, algorithm


def serial_hex(serial):
    """Whole bytes of uppercase hex, as `openssl x509 -serial` prints a positive serial."""
    text = format(serial, "X")
    return "0" + text if len(text) % 2 else text


def alipay_sn(path_or_pem):
    issuer, serial, _ = cert_fields(path_or_pem)
    return hashlib.md5((issuer + str(serial)).encode()).hexdigest()


def pem_blocks(path):
    return re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", open(path).read(), re.S)


def der_length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der_tlv(data, at):
    """(tag, header length, content length) of the element at `at`."""
    tag, first = data[at], data[at + 1]
    if first < 0x80:
        return tag, 2, first
    count = first & 0x7F
    return tag, 2 + count, int.from_bytes(data[at + 2:at + 2 + count], "big")


def strip_rsa_null(der):
    """The certificate with `NULL` removed from its RSA SubjectPublicKeyInfo algorithm
    (as some platform certificates come); the outer lengths are re-encoded. The signature no
    longer matches the TBS, which paysign never checks (trust comes from the file)."""
    with_null = bytes.fromhex("300d06092a864886f70d0101010500")
    without = bytes.fromhex("300b06092a864886f70d010101")
    at = der.index(with_null)
    # Certificate > TBSCertificate > SubjectPublicKeyInfo > AlgorithmIdentifier: rebuild
    # each enclosing element that contains `at` with its length shortened by 2.
    def rebuild(data, offset):
        tag, head, length = der_tlv(data, offset)
        content = data[offset + head: offset + head + length]
        if data[offset:offset + len(with_null)] == with_null:
            return without
        pos, parts = 0, []
        while pos < len(content):
            _, h, l = der_tlv(content, pos)
            start = offset + head + pos
            if start <= at < start + h + l and tag in (0x30, 0xA0):
                parts.append(rebuild(data, start))
            else:
                parts.append(content[pos:pos + h + l])
            pos += h + l
        body = b"".join(parts)
        return bytes([tag]) + der_length(len(body)) + body
    return rebuild(der, 0)


def keys():
    os.makedirs(KEYS, exist_ok=True)
    k = {}
    # WeChat Pay v3: a platform certificate (serial in hex) and a platform public key
    # (PUB_KEY_ID_…), both in use during a migration; the APIv3 key.
    k["wx_cert_key"] = ensure_rsa("wechatpay_platform_private.pem")
    k["wx_cert"] = ensure_self_signed(k["wx_cert_key"], "wechatpay_platform_cert.pem",
                                      "/C=CN/O=paysign tests/OU=WeChat Pay platform/CN=Tenpay.com Test CA",
                                      "0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
    k["wx_pub_key"] = ensure_rsa("wechatpay_pubkey_private.pem")
    k["wx_pub"] = ensure_public(k["wx_pub_key"], "wechatpay_pubkey_public.pem")
    k["apiv3"] = write_text("apiv3_key.txt", "paysignTestApiV3Key0123456789abc\n")
    k["apiv3_wrong"] = write_text("apiv3_key_wrong.txt", "paysignTestApiV3Key0123456789xyz\n")
    # UnionPay: the platform's signing certificate (certId = decimal serial), the
    # merchant's, and a secure key.
    k["up_key"] = ensure_rsa("unionpay_platform_private.pem")
    k["up_cert"] = ensure_self_signed(k["up_key"], "unionpay_platform_cert.pem",
                                      "/C=CN/O=China UnionPay Test/OU=CUP/CN=UnionPay Test Signing", 69042905377)
    k["up_merchant_key"] = ensure_rsa("unionpay_merchant_private.pem")
    k["up_merchant_cert"] = ensure_self_signed(k["up_merchant_key"], "unionpay_merchant_cert.pem",
                                               "/C=CN/O=paysign tests/CN=777290058110048", 68759663125)
    k["up_secure"] = write_text("unionpay_secure_key.txt", "88888888\n")
    # Standard Webhooks: the published secret and the one it rotates from.
    k["whsec"] = write_text("whsec_published.txt", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
    k["whsec_old"] = write_text("whsec_previous.txt", "whsec_" + base64.b64encode(b"paysign previous webhook secret!").decode() + "\n")
    # WeChat Pay v2 refunds: the published example's API key.
    k["refund_published_key"] = write_text("wechat_v2_refund_published_api_key.txt", "ziR0QKsTUfMOuochC9RfCdmfHECorQAP\n")
    # Alipay certificate mode: a test root (sha256WithRSA), a second RSA root signed with
    # SHA-1, an ECDSA root (skipped in the root SN), the application certificate and
    # Alipay's certificate carrying the gateway test key.
    k["ali_root_key"] = ensure_rsa("alipay_test_root_private.pem")
    k["ali_root"] = ensure_self_signed(k["ali_root_key"], "alipay_test_root.pem",
                                       "/C=CN/O=Ant Financial Test/OU=Certification Authority/CN=Ant Financial Test Certification Authority R1",
                                       "0x1FCFA18D6A480D11")
    k["ali_sha1_key"] = ensure_rsa("alipay_test_root_sha1_private.pem")
    k["ali_sha1_root"] = ensure_self_signed(k["ali_sha1_key"], "alipay_test_root_sha1.pem",
                                            "/C=CN/O=iTrusChina Test/OU=China Trust Network/CN=iTrusChina Test Class 2 Root CA - G3",
                                            "0x10C764E9D560384212D9C08FD10E373FDD0FB396", digest="-sha1")
    ec_key = key_file("alipay_test_root_ec_private.pem")
    if not os.path.exists(ec_key):
        sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", ec_key)
    k["ali_ec_root"] = ensure_self_signed(ec_key, "alipay_test_root_ec.pem",
                                          "/C=CN/O=Ant Financial Test/OU=Certification Authority/CN=Ant Financial Test Certification Authority E1",
                                          "0x417EFA52C07FDF4A", digest="-sha384")
    bundle = key_file("alipay_test_root_bundle.crt")
    if not os.path.exists(bundle):
        with open(bundle, "w") as f:
            for part in (k["ali_ec_root"], k["ali_root"], k["ali_sha1_root"]):
                f.write(open(part).read().strip() + "\n\n")
    k["ali_bundle"] = bundle
    k["ali_app_key"] = ensure_rsa("alipay_app_private.pem")
    k["ali_app"] = ensure_issued(k["ali_app_key"], "alipay_app_cert.pem",
                                 "/C=CN/O=paysign tests/OU=Alipay/CN=2088000000000001-2021000000000001",
                                 "0x202611214AF3873221D6E75A3FB58C80", k["ali_root"], k["ali_root_key"])
    k["ali_public"] = ensure_issued(os.path.join(HERE, "keys", "gateway_private_pkcs8.pem"), "alipay_public_cert.pem",
                                    "/C=CN/O=paysign tests/OU=Alipay/CN=Alipay Test Public Certificate",
                                    "0x20261121000000000000000000000042", k["ali_root"], k["ali_root_key"])
    # The same certificate without NULL in its RSA key algorithm (strict parsers refuse it).
    lenient = key_file("alipay_public_cert_no_null.der")
    if not os.path.exists(lenient):
        der = sh("openssl", "x509", "-in", k["ali_public"], "-outform", "DER")
        open(lenient, "wb").write(strip_rsa_null(der))
    k["ali_public_no_null"] = lenient
    # A serial of 25 bytes: valid for openssl, over RFC 5280's 20 (x509-cert refuses it).
    k["long_serial"] = ensure_issued(k["ali_app_key"], "long_serial_cert.pem",
                                     "/C=CN/O=paysign tests/CN=long serial",
                                     "0x" + "7E" + "2026112100000000000000000000000000000000000000AB", k["ali_root"], k["ali_root_key"])
    # Published: Alipay's root bundle and an application certificate (gopay's test data).
    k["ali_published_root"] = key_file("alipay_root_bundle_published.crt")
    k["ali_published_app"] = key_file("alipay_app_cert_published.pem")
    for path in (k["ali_published_root"], k["ali_published_app"]):
        assert os.path.exists(path), f"{path}: published certificate missing (see keys/README.md)"
    return k


# ------------------------------------------------------------------------ primitives

def rsa_sign(key, data, digest="-sha256"):
    return base64.b64encode(sh("openssl", "dgst", digest, "-sign", key, data=data)).decode()


def secret_of(path):
    return open(path, "rb").read().rstrip(b"\n")


def form(pairs):
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode("ascii")


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


CASES = {}


def case(name, files, request=None, expect=None):
    CASES[name] = (files, request, expect)


def request(profile, headers=(), keys=(), secrets=(), accept=(), content_type=None, app_id=None,
            now=NOW, expected_amount=None, merchant_id=None, sm=False):
    out = {"profile": profile, "content_type": content_type, "headers": [list(h) for h in headers],
           "keys": [{"id": i, "file": rel(f)} for i, f in keys], "secrets": [rel(s) for s in secrets],
           "accept": list(accept), "app_id": app_id, "now": now, "expected_amount": expected_amount}
    if merchant_id is not None:
        out["merchant_id"] = merchant_id
    if sm:
        # The case needs the national algorithms: a build without them (paysign-core
        # without `sm`) answers ALGORITHM_UNAVAILABLE instead of the expectation.
        out["sm"] = True
    return out


ok = lambda n: {"ok": True, "notification": n}
fail = lambda code, message=None: {"ok": False, "code": code, **({"message_contains": message} if message else {})}


# ------------------------------------------------------------------------ WeChat Pay v3

def wechat_v3(k):
    serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    pub_id = "PUB_KEY_ID_0112345678902026112100218700000001"
    keyset = [(serial, k["wx_cert"]), (pub_id, k["wx_pub"])]
    apiv3 = secret_of(k["apiv3"])

    def envelope(resource_plain, original_type, event_type, summary, nonce, aad="", tamper=None):
        ct = AESGCM(apiv3).encrypt(nonce.encode(), resource_plain.encode(), aad.encode() if aad else None)
        if tamper:
            ct = tamper(ct)
        resource = {"original_type": original_type, "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(ct).decode(), "associated_data": aad, "nonce": nonce}
        return compact({"id": "EV-2026112100000000000" + nonce[-4:], "create_time": "2026-11-21T00:00:00+08:00",
                        "resource_type": "encrypt-resource", "event_type": event_type, "summary": summary,
                        "resource": resource})

    transaction = compact({
        "mchid": "1230000109", "appid": "wxd678efh567hg6787", "out_trade_no": "M20261120000001",
        "transaction_id": "4200002026112100000000000042", "trade_type": "JSAPI", "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功", "bank_type": "CMC", "attach": "bill=SHW2026110042",
        "success_time": "2026-11-21T00:00:02+08:00", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 6754, "payer_total": 6754, "currency": "CNY", "payer_currency": "CNY"},
        "promotion_detail": []})
    refund = compact({
        "mchid": "1230000109", "out_trade_no": "M20261120000001", "transaction_id": "4200002026112100000000000042",
        "out_refund_no": "R20261121000001", "refund_id": "50300002026112100000000000001", "refund_status": "SUCCESS",
        "success_time": "2026-11-21T00:00:01+08:00", "user_received_account": "支付用户零钱",
        "amount": {"total": 6754, "refund": 1000, "payer_total": 6754, "payer_refund": 1000}})

    def signed(body, signer=k["wx_cert_key"], serial_header=serial, ts=T, nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS"):
        message = f"{ts}\n{nonce}\n{body}\n"
        headers = [("Wechatpay-Timestamp", str(ts)), ("Wechatpay-Nonce", nonce),
                   ("Wechatpay-Signature", rsa_sign(signer, message.encode())), ("Wechatpay-Serial", serial_header)]
        return headers, message

    def req(headers, secrets=(k["apiv3"],), **kw):
        return request("wechat-v3", headers, keyset, secrets, ["RSA2"], content_type="application/json", **kw)

    ok_tx = {"notify_id": "EV-2026112100000000000abcd", "app_id": "wxd678efh567hg6787", "out_trade_no": "M20261120000001",
             "trade_no": "4200002026112100000000000042", "bill_no": None, "status": "SUCCESS", "total_amount": 6754,
             "refund_amount": None, "notify_time": T, "sign_type": "RSA2", "event_type": "TRANSACTION.SUCCESS",
             "payload": transaction}
    body = envelope(transaction, "transaction", "TRANSACTION.SUCCESS", "支付成功", "0123456fabcd", "transaction")
    headers, message = signed(body)
    case("notify_wechat_v3_transaction", {"body.bin": body, "string_to_sign.txt": message, "plaintext.json": transaction},
         req(headers, app_id="wxd678efh567hg6787"), ok(ok_tx))

    pub_body = envelope(transaction, "transaction", "TRANSACTION.SUCCESS", "支付成功", "pubkeyid0001", "transaction")
    pub_headers, pub_message = signed(pub_body, k["wx_pub_key"], pub_id)
    case("notify_wechat_v3_public_key_id", {"body.bin": pub_body, "string_to_sign.txt": pub_message, "plaintext.json": transaction},
         req(pub_headers), ok(dict(ok_tx, notify_id="EV-20261121000000000000001")))

    refund_body = envelope(refund, "refund", "REFUND.SUCCESS", "退款成功", "refundnonce1", "refund")
    refund_headers, refund_message = signed(refund_body)
    case("notify_wechat_v3_refund", {"body.bin": refund_body, "string_to_sign.txt": refund_message, "plaintext.json": refund},
         req(refund_headers),
         ok({"notify_id": "EV-2026112100000000000nce1", "app_id": None, "out_trade_no": "M20261120000001",
             "trade_no": "4200002026112100000000000042", "bill_no": None, "status": "REFUNDED", "total_amount": 6754,
             "refund_amount": 1000, "notify_time": T, "sign_type": "RSA2", "event_type": "REFUND.SUCCESS", "payload": refund}))

    # Refund events carry mchid and no appid: with an app id configured they need the
    # merchant id too, which every event carries and which is always checked.
    case("notify_wechat_v3_refund_app_and_merchant_id",
         {"body.bin": refund_body, "string_to_sign.txt": refund_message, "plaintext.json": refund},
         req(refund_headers, app_id="wxd678efh567hg6787", merchant_id="1230000109"),
         ok({"notify_id": "EV-2026112100000000000nce1", "app_id": None, "out_trade_no": "M20261120000001",
             "trade_no": "4200002026112100000000000042", "bill_no": None, "status": "REFUNDED", "total_amount": 6754,
             "refund_amount": 1000, "notify_time": T, "sign_type": "RSA2", "event_type": "REFUND.SUCCESS", "payload": refund}))
    case("fail_notify_wechat_v3_refund_app_id_only", {"body.bin": refund_body},
         req(refund_headers, app_id="wxd678efh567hg6787"), fail("APP_ID_ABSENT"))
    case("fail_notify_wechat_v3_wrong_mch_id", {"body.bin": body},
         req(headers, app_id="wxd678efh567hg6787", merchant_id="1900000001"), fail("MERCHANT_ID_MISMATCH"))

    def replace_header(headers, name, value):
        return [(n, value if n == name else v) for n, v in headers]

    case("fail_notify_wechat_v3_tampered_body", {"body.bin": body.replace("支付成功", "支付失败", 1)}, req(headers), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_tampered_timestamp", {"body.bin": body},
         req(replace_header(headers, "Wechatpay-Timestamp", str(T + 1))), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_tampered_nonce", {"body.bin": body},
         req(replace_header(headers, "Wechatpay-Nonce", "5K8264ILTKCH16CQ2502SI8ZNMTM67VT")), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_serial_of_the_other_key", {"body.bin": body},
         req(replace_header(headers, "Wechatpay-Serial", pub_id)), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_unknown_serial", {"body.bin": body},
         req(replace_header(headers, "Wechatpay-Serial", "7132D72A03E93CDDF8C03BBD1F37EEDF2B4A4B33")), fail("KEY_UNKNOWN_SERIAL"))
    case("fail_notify_wechat_v3_missing_serial", {"body.bin": body},
         req([h for h in headers if h[0] != "Wechatpay-Serial"]), fail("FIELD_MISSING"))
    probe = "WECHATPAY/SIGNTEST/" + base64.b64encode(b"paysign signature probe").decode()
    case("fail_notify_wechat_v3_signature_probe", {"body.bin": body},
         req(replace_header(headers, "Wechatpay-Signature", probe)), fail("SIGNATURE_PROBE"))
    wrong_headers, _ = signed(body, os.path.join(HERE, "keys", "merchant_private_pkcs8.pem"))
    case("fail_notify_wechat_v3_wrong_key", {"body.bin": body}, req(wrong_headers), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_expired", {"body.bin": body}, req(headers, now=T + 301), fail("TIMESTAMP_OUT_OF_WINDOW"))
    case("fail_notify_wechat_v3_from_the_future", {"body.bin": body}, req(headers, now=T - 301), fail("TIMESTAMP_OUT_OF_WINDOW"))
    case("fail_notify_wechat_v3_wrong_apiv3_key", {"body.bin": body}, req(headers, secrets=(k["apiv3_wrong"],)), fail("DECRYPTION_FAILED"))
    # Validly signed (as if by the platform) but the ciphertext or its AAD was altered
    # before signing: only the AEAD tag catches it.
    flipped = envelope(transaction, "transaction", "TRANSACTION.SUCCESS", "支付成功", "0123456fabcd", "transaction",
                       tamper=lambda ct: bytes([ct[0] ^ 1]) + ct[1:])
    flipped_headers, _ = signed(flipped)
    case("fail_notify_wechat_v3_tampered_ciphertext", {"body.bin": flipped}, req(flipped_headers), fail("DECRYPTION_FAILED"))
    aad = body.replace('"associated_data":"transaction"', '"associated_data":"refund"')
    assert aad != body
    aad_headers, _ = signed(aad)
    case("fail_notify_wechat_v3_tampered_associated_data", {"body.bin": aad}, req(aad_headers), fail("DECRYPTION_FAILED"))
    case("fail_notify_wechat_v3_wrong_app_id", {"body.bin": body}, req(headers, app_id="wx0000000000000000"), fail("APP_ID_MISMATCH"))

    # Types too loose: WeChat Pay v3 documents its fields' JSON types (text strings, amounts
    # integers in fen). A documented field of another type, `null` included, is a malformed
    # body naming it, in the envelope or in the decrypted resource, even when signed.
    def retyped(name, text, value, nonce):
        plain = json.loads(text)
        target = plain
        *path, last = name.split(".")
        for part in path:
            target = target[part]
        target[last] = value
        return compact(plain), nonce
    for name, value, nonce, message in [
        ("out_trade_no", None, "nulltradeno1", "field `out_trade_no` is null, not a string"),
        ("amount.total", "6754", "stringamount", "field `amount.total` is a string, not an integer"),
        ("amount.total", 6754.0, "floatamount1", "field `amount.total` is the number 6754.0, not an integer"),
    ]:
        plain, nonce = retyped(name, transaction, value, nonce)
        typed_body = envelope(plain, "transaction", "TRANSACTION.SUCCESS", "支付成功", nonce, "transaction")
        typed_headers, _ = signed(typed_body)
        label = {"out_trade_no": "null_out_trade_no", "amount.total": "amount_as_string" if value == "6754" else "amount_as_float"}[name]
        case(f"fail_notify_wechat_v3_{label}", {"body.bin": typed_body, "plaintext.json": plain}, req(typed_headers),
             fail("BODY_MALFORMED", message))
    for label, old, new, message in [
        ("null_id", '"id":"EV-2026112100000000000abcd"', '"id":null', "field `id` is null, not a string"),
        ("number_id", '"id":"EV-2026112100000000000abcd"', '"id":20261121', "field `id` is the number 20261121, not a string"),
        ("null_resource", body[body.index('"resource":'):-1], '"resource":null', "field `resource` is null, not an object"),
    ]:
        changed = body.replace(old, new, 1)
        assert changed != body
        changed_headers, _ = signed(changed)
        case(f"fail_notify_wechat_v3_{label}", {"body.bin": changed}, req(changed_headers), fail("BODY_MALFORMED", message))

    # A request: the signing guide's string (GET /v3/certificates), signed with the
    # merchant key; a POST with a Chinese (UTF-8) body; a GET with a query string (the
    # path and query exactly as sent, not re-encoded).
    merchant = os.path.join(HERE, "keys", "merchant_private_pkcs8.pem")
    for name, method, url, ts, nonce, req_body in [
        ("sign_wechat_v3_request_guide", "GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", ""),
        ("sign_wechat_v3_request_get_query", "GET",
         "/v3/pay/transactions/out-trade-no/M20261120000001?mchid=1230000109", T + 60, "Q8dTz3Kv0mXw6bLr9NcYe2Hj5Ug7Pa1s", ""),
        ("sign_wechat_v3_request_post", "POST", "/v3/pay/transactions/jsapi", T, "n0nce-5f2c9a1e7b",
         compact({"appid": "wxd678efh567hg6787", "mchid": "1230000109", "description": "上海自来水 11月",
                  "out_trade_no": "M20261120000001", "notify_url": "https://merchant.example/notify",
                  "amount": {"total": 6754, "currency": "CNY"}, "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}})),
    ]:
        message = f"{method}\n{url}\n{ts}\n{nonce}\n{req_body}\n"
        signature = rsa_sign(merchant, message.encode())
        serial_no = "3775B6A45ACD588826D15E583A95F5DD05EE3B0A"
        authorization = (f'WECHATPAY2-SHA256-RSA2048 mchid="1230000109",nonce_str="{nonce}",timestamp="{ts}",'
                         f'serial_no="{serial_no}",signature="{signature}"')
        case(name, {"input.json": json.dumps({"mchid": "1230000109", "serial_no": serial_no,
                                              "method": method, "url": url, "timestamp": ts, "nonce": nonce, "body": req_body,
                                              "key": rel(merchant)}, ensure_ascii=False, indent=1) + "\n",
                    "body.bin": req_body, "string_to_sign.txt": message, "signature.txt": signature + "\n",
                    "authorization.txt": authorization + "\n"})
    # Mistakes every surface refuses: the full URL instead of the path, a lowercase method.
    for name, method, url, code in [
        ("fail_sign_wechat_v3_full_url", "GET", "https://api.mch.weixin.qq.com/v3/certificates", "FIELD_INVALID"),
        ("fail_sign_wechat_v3_lowercase_method", "get", "/v3/certificates", "FIELD_INVALID"),
    ]:
        case(name, {"input.json": json.dumps({"mchid": "1230000109", "serial_no": "3775B6A45ACD588826D15E583A95F5DD05EE3B0A",
                                              "method": method, "url": url, "timestamp": T, "nonce": "n0nce-5f2c9a1e7b",
                                              "body": "", "key": rel(merchant)}, indent=1) + "\n"},
             expect=fail(code))


# ------------------------------------------------------------------------------ UnionPay

def unionpay(k):
    def canonical(pairs):
        return "&".join(f"{key}={value}" for key, value in sorted(pairs, key=lambda kv: kv[0].encode()) if key != "signature")

    def sign01(pairs, key, cert_id, digest_first=True, drop_empty=False):
        pairs = [(a, b) for a, b in pairs if a not in ("signMethod", "certId")] + [("signMethod", "01"), ("certId", cert_id)]
        text = canonical([(a, b) for a, b in pairs if not (drop_empty and b == "")])
        data = hashlib.sha256(text.encode()).hexdigest().encode() if digest_first else text.encode()
        return pairs + [("signature", rsa_sign(key, data))], text

    def sign11(pairs, secure_key):
        pairs = pairs + [("signMethod", "11")]
        text = canonical(pairs)
        hashed = hashlib.sha256(secure_key).hexdigest()
        return pairs + [("signature", hashlib.sha256((text + "&" + hashed).encode()).hexdigest())], text

    _, up_serial, _ = cert_fields(k["up_cert"])
    cert_id = str(up_serial)
    notify = [
        ("accessType", "0"), ("bizType", "000201"), ("currencyCode", "156"), ("encoding", "UTF-8"),
        ("merId", "777290058110048"), ("orderId", "M20261120000001"), ("queryId", "792611210000020000421"),
        ("reqReserved", ""), ("respCode", "00"), ("respMsg", "成功[0000000]"), ("settleAmt", "6754"),
        ("settleCurrencyCode", "156"), ("settleDate", "1121"), ("traceNo", "000042"), ("traceTime", "1121000002"),
        ("txnAmt", "6754"), ("txnSubType", "01"), ("txnTime", "20261121000000"), ("txnType", "01"), ("version", "5.1.0"),
        ("signPubKeyCert", open(k["up_cert"]).read().strip()),
    ]
    content_type = "application/x-www-form-urlencoded;charset=UTF-8"
    keyed = [(cert_id, k["up_cert"])]

    def req(keys=keyed, secrets=(), accept=("RSA2",), **kw):
        return request("unionpay", (), keys, secrets, accept, content_type=content_type, **kw)

    ok_n = {"notify_id": "792611210000020000421", "app_id": "777290058110048", "out_trade_no": "M20261120000001",
            "trade_no": "792611210000020000421", "bill_no": None, "status": "SUCCESS", "total_amount": 6754,
            "refund_amount": None, "notify_time": None, "sign_type": "RSA2", "event_type": None, "payload": None}
    signed, text = sign01(notify, k["up_key"], cert_id)
    case("notify_unionpay_01", {"body.bin": form(signed), "canonical.txt": text}, req(app_id="777290058110048"), ok(ok_n))
    case("notify_unionpay_01_single_key", {"body.bin": form(signed), "canonical.txt": text}, req(keys=[(None, k["up_cert"])]), ok(ok_n))
    refund = [(a, "04" if a == "txnType" else b) for a, b in notify] + [("origQryId", "792611200000020000001")]
    refund_signed, refund_text = sign01(refund, k["up_key"], cert_id)
    case("notify_unionpay_01_refund", {"body.bin": form(refund_signed), "canonical.txt": refund_text}, req(),
         ok(dict(ok_n, status="REFUNDED", refund_amount=6754)))
    secure = secret_of(k["up_secure"])
    signed11, text11 = sign11([kv for kv in notify if kv[0] != "signPubKeyCert"], secure)
    case("notify_unionpay_11", {"body.bin": form(signed11), "canonical.txt": text11},
         req(keys=(), secrets=(k["up_secure"],), accept=("SHA256",)), ok(dict(ok_n, sign_type="SHA256")))

    tampered = [(a, "1" if a == "txnAmt" else b) for a, b in signed]
    case("fail_notify_unionpay_tampered_amount", {"body.bin": form(tampered)}, req(), fail("SIGNATURE_MISMATCH"))
    dropped, _ = sign01(notify, k["up_key"], cert_id, drop_empty=True)
    case("fail_notify_unionpay_empty_value_dropped_by_signer", {"body.bin": form(dropped)}, req(), fail("SIGNATURE_MISMATCH"))
    direct, _ = sign01(notify, k["up_key"], cert_id, digest_first=False)
    case("fail_notify_unionpay_string_signed_not_digest", {"body.bin": form(direct)}, req(), fail("SIGNATURE_MISMATCH"))
    wrong, _ = sign01(notify, k["up_merchant_key"], cert_id)
    case("fail_notify_unionpay_wrong_key", {"body.bin": form(wrong)}, req(), fail("SIGNATURE_MISMATCH"))
    unknown, _ = sign01(notify, k["up_key"], "12345")
    case("fail_notify_unionpay_unknown_cert_id", {"body.bin": form(unknown)}, req(), fail("KEY_UNKNOWN_SERIAL"))
    wrong11, _ = sign11([kv for kv in notify if kv[0] != "signPubKeyCert"], b"87654321")
    case("fail_notify_unionpay_11_wrong_secure_key", {"body.bin": form(wrong11)},
         req(keys=(), secrets=(k["up_secure"],), accept=("SHA256",)), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_unionpay_11_not_accepted", {"body.bin": form(signed11)}, req(), fail("SIGN_TYPE_NOT_ALLOWED"))

    # Requests: the merchant signs with its certificate (certId added before signing).
    order = [("version", "5.1.0"), ("encoding", "UTF-8"), ("txnType", "01"), ("txnSubType", "01"), ("bizType", "000201"),
             ("channelType", "07"), ("accessType", "0"), ("merId", "777290058110048"), ("orderId", "M20261120000001"),
             ("txnTime", "20261121000000"), ("txnAmt", "6754"), ("currencyCode", "156"), ("reqReserved", ""),
             ("frontUrl", "https://merchant.example/return"), ("backUrl", "https://merchant.example/notify")]
    _, merchant_serial, _ = cert_fields(k["up_merchant_cert"])
    signed_order, order_text = sign01(order, k["up_merchant_key"], str(merchant_serial))
    case("sign_unionpay_01_request", {
        "params.json": json.dumps(order, ensure_ascii=False, indent=1) + "\n", "canonical.txt": order_text,
        "digest.txt": hashlib.sha256(order_text.encode()).hexdigest() + "\n",
        "signature.txt": dict(signed_order)["signature"] + "\n",
        "expect.json": json.dumps({"profile": "unionpay", "sign_type": "RSA2", "cert_id": str(merchant_serial),
                                   "key": rel(k["up_merchant_key"]), "cert": rel(k["up_merchant_cert"])}, indent=1) + "\n"})
    signed_order11, order_text11 = sign11(order, secure)
    case("sign_unionpay_11_request", {
        "params.json": json.dumps(order, ensure_ascii=False, indent=1) + "\n", "canonical.txt": order_text11,
        "signature.txt": dict(signed_order11)["signature"] + "\n",
        "expect.json": json.dumps({"profile": "unionpay", "sign_type": "SHA256", "secret": rel(k["up_secure"])}, indent=1) + "\n"})


# --------------------------------------------------------------------- Standard Webhooks

def standard_webhooks(k):
    def key(path):
        return base64.b64decode(secret_of(path).decode().removeprefix("whsec_"))

    def sign(secret_path, msg_id, ts, payload):
        mac = hmac.new(key(secret_path), f"{msg_id}.{ts}.{payload}".encode(), hashlib.sha256).digest()
        return "v1," + base64.b64encode(mac).decode()

    # The specification's test vector.
    msg_id, ts, payload = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert sign(k["whsec"], msg_id, ts, payload) == expected

    def headers(mid, t, sig):
        return [("webhook-id", mid), ("webhook-timestamp", str(t)), ("webhook-signature", sig)]

    def req(h, secrets=(k["whsec"],), now=ts + 10):
        return request("standard-webhooks", h, (), secrets, ["HMAC-SHA256"], content_type="application/json", now=now)

    n = {"notify_id": msg_id, "app_id": None, "out_trade_no": "", "trade_no": None, "bill_no": None, "status": "",
         "total_amount": 0, "refund_amount": None, "notify_time": ts, "sign_type": "HMAC-SHA256", "event_type": None,
         "payload": payload}
    case("notify_standard_webhooks_published", {"body.bin": payload, "string_to_sign.txt": f"{msg_id}.{ts}.{payload}",
                                                "signature.txt": expected + "\n"},
         req(headers(msg_id, ts, expected), now=ts), ok(n))
    several = f"v1,Zm9yZ2VkIHNpZ25hdHVyZSBvZiB0aGlydHktdHdvIGI= v1a,aGVsbG8= {expected}"
    case("notify_standard_webhooks_several_signatures", {"body.bin": payload}, req(headers(msg_id, ts, several)), ok(n))
    event = compact({"type": "invoice.paid", "timestamp": "2026-11-21T00:00:00Z",
                     "data": {"invoice_id": "inv_2026112100001", "amount": 6754, "currency": "CNY"}})
    old_sig = sign(k["whsec_old"], "msg_2026112100000000000001", T, event)
    case("notify_standard_webhooks_rotated_secret", {"body.bin": event},
         request("standard-webhooks", headers("msg_2026112100000000000001", T, old_sig), (), (k["whsec"], k["whsec_old"]),
                 ["HMAC-SHA256"], content_type="application/json"),
         ok(dict(n, notify_id="msg_2026112100000000000001", notify_time=T, status="invoice.paid",
                 event_type="invoice.paid", payload=event)))
    # Signing: the specification's vector, and a UTF-8 body; headers.txt is exactly what
    # `paysign sign --profile standard-webhooks` prints.
    for name, secret_path, mid, t, body in [
        ("sign_standard_webhooks_published", k["whsec"], msg_id, ts, payload),
        ("sign_standard_webhooks_utf8", k["whsec_old"], "msg_2026112100000000000002", T,
         compact({"type": "bill.paid", "data": {"subject": "上海自来水 11月", "amount": 6754}})),
    ]:
        sig = sign(secret_path, mid, t, body)
        case(name, {"input.json": json.dumps({"secret": rel(secret_path), "id": mid, "timestamp": t, "body": body},
                                             ensure_ascii=False, indent=1) + "\n",
                    "string_to_sign.txt": f"{mid}.{t}.{body}",
                    "headers.txt": f"webhook-id: {mid}\nwebhook-timestamp: {t}\nwebhook-signature: {sig}\n"})
    assert CASES["sign_standard_webhooks_published"][0]["headers.txt"].endswith(expected + "\n")
    bad_secret = write_text("whsec_not_base64.txt", "whsec_not base64!\n")
    case("fail_sign_standard_webhooks_secret_not_base64",
         {"input.json": json.dumps({"secret": rel(bad_secret), "id": msg_id, "timestamp": ts, "body": payload}, indent=1) + "\n"},
         expect=fail("KEY_INVALID"))
    good = headers(msg_id, ts, expected)
    case("fail_notify_standard_webhooks_tampered_body", {"body.bin": payload.replace("2432232314", "2432232315")}, req(good), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_standard_webhooks_tampered_timestamp", {"body.bin": payload}, req(headers(msg_id, ts + 1, expected)), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_standard_webhooks_tampered_id", {"body.bin": payload}, req(headers("msg_p5jXN8AQM9LWM0D4loKWxJel", ts, expected)), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_standard_webhooks_wrong_secret", {"body.bin": payload}, req(good, secrets=(k["whsec_old"],)), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_standard_webhooks_expired", {"body.bin": payload}, req(good, now=ts + 301), fail("TIMESTAMP_OUT_OF_WINDOW"))
    case("fail_notify_standard_webhooks_from_the_future", {"body.bin": payload}, req(good, now=ts - 301), fail("TIMESTAMP_OUT_OF_WINDOW"))
    case("fail_notify_standard_webhooks_no_v1_signature", {"body.bin": payload}, req(headers(msg_id, ts, "v1a," + expected[3:])), fail("SIGNATURE_MALFORMED"))
    case("fail_notify_standard_webhooks_missing_signature", {"body.bin": payload},
         req([h for h in good if h[0] != "webhook-signature"]), fail("SIGNATURE_MISSING"))


# ------------------------------------------------------------- WeChat Pay v2 refunds

def wechat_v2_refund(k):
    def xml(pairs, root="xml"):
        return f"<{root}>" + "".join(f"<{a}><![CDATA[{b}]]></{a}>" for a, b in pairs) + f"</{root}>"

    def encrypt(api_key, text):
        aes_key = hashlib.md5(api_key).hexdigest().encode().hex()
        return base64.b64encode(sh("openssl", "enc", "-aes-256-ecb", "-K", aes_key, data=text.encode())).decode()

    def decrypts(api_key, b64):
        aes_key = hashlib.md5(api_key).hexdigest().encode().hex()
        try:
            sh("openssl", "enc", "-d", "-aes-256-ecb", "-K", aes_key, data=base64.b64decode(b64))
            return True
        except subprocess.CalledProcessError:
            return False

    outer = [("return_code", "SUCCESS"), ("appid", "wx2421b1c4370ec43b"), ("mch_id", "10000100"),
             ("nonce_str", "TeqClE3i0mvn3DrK")]

    def req(secret, **kw):
        return request("wechat-v2", (), (), (secret,), ["MD5"], content_type="text/xml", **kw)

    # Published: payutil's test suite (a real notification's req_info and its API key).
    published = ("YYwp8C48th0wnQzTqeI+41pflB26v+smFj9z6h9RPBgxTyZyxc+4YNEz7QEgZNWj/6rIb2MfyWMZmCc41CfjKSssoSZPXxOhUayb6KvNSZ1p6frOX1PDWzhyruXK7ouNND+gDsG4yZ0XXzsL4/pYNwLLba/71QrnkJ/BHcByk4EXnglju5DLup9pJQSnTxjomI9Rxu57m9jg5lLQFxMWXyeASZJNvof0ulnHlWJswS4OxKOkmW7VEyKyLGV6npoOm03Qsx2wkRxLsSa9gPpg4hdaReeUqh1FMbm7aWjyrVYT/MEZWg98p4GomEIYvz34XfDncTezX4bf/ZiSLXt79aE1/YTZrYfymXeCrGjlbe0rg/T2ezJHAC870u2vsVbY1/KcE2A443N+DEnAziXlBQ1AeWq3Rqk/O6/TMM0lomzgctAOiAMg+bh5+Gu1ubA9O3E+vehULydD5qx2o6i3+qA9ORbH415NyRrQdeFq5vmCiRikp5xYptWiGZA0tkoaLKMPQ4ndE5gWHqiBbGPfULZWokI+QjjhhBmwgbd6J0VqpRorwOuzC/BHdkP72DCdNcm7IDUpggnzBIy0+seWIkcHEryKjge3YDHpJeQCqrAH0CgxXHDt1xtbQbST1VqFyuhPhUjDXMXrknrGPN/oE1t0rLRq+78cI+k8xe5E6seeUXQsEe8r3358mpcDYSmXWSXVZxK6er9EF98APqHwcndyEJD2YyCh/mMVhERuX+7kjlRXSiNUWa/Cv/XAKFQuvUYA5ea2eYWtPRHa4DpyuF1SNsaqVKfgqKXZrJHfAgslVpSVqUpX4zkKszHF4kwMZO3M7J1P94Mxa7Tm9mTOJePOoHPXeEB+m9rX6pSfoi3mJDQ5inJ+Vc4gOkg/Wd/lqiy6TTyP/dHDN6/v+AuJx5AXBo/2NDD3fWhHjkqEKIuARr2ClZt9ZRQO4HkXdZo7CN06sGCHk48Tg8PmxnxKcMZm7Aoquv5yMIM2gWSWIRJhwJ8cUpafIHc+GesDlbF6Zbt+/KXkafJAQq2RklEN+WvZ/zFz113EPgWPjp16TwBoziq96MMekvWKY/vdhjol8VFtGH9F61Oy1Xwf6DJtPw==")
    published_key = secret_of(k["refund_published_key"])
    aes_hex = hashlib.md5(published_key).hexdigest().encode().hex()
    plaintext = sh("openssl", "enc", "-d", "-aes-256-ecb", "-K", aes_hex, data=base64.b64decode(published)).decode()
    case("notify_wechat_v2_refund_published", {"body.bin": xml(outer + [("req_info", published)]), "plaintext.xml": plaintext},
         req(k["refund_published_key"]),
         ok({"notify_id": "50000404922017112502468056157", "app_id": "wx2421b1c4370ec43b",
             "out_trade_no": "4893e76d8c8b434cb64e9cd536338e33", "trade_no": "4200000015201711256947025404", "bill_no": None,
             "status": "REFUNDED", "total_amount": 6, "refund_amount": 6, "notify_time": 1511595377, "sign_type": "MD5",
             "event_type": "REFUND", "payload": plaintext}))

    secret = os.path.join(HERE, "keys", "secret.txt")
    details = xml([("transaction_id", "1004400740201411221000000001"), ("out_trade_no", "1409811653"),
                   ("refund_id", "50000408942026112100000000001"), ("out_refund_no", "R20261121000001"),
                   ("total_fee", "6754"), ("settlement_total_fee", "6754"), ("refund_fee", "1000"),
                   ("settlement_refund_fee", "1000"), ("refund_status", "SUCCESS"), ("success_time", "2026-11-21 00:00:01"),
                   ("refund_recv_accout", "支付用户的零钱"), ("refund_account", "REFUND_SOURCE_RECHARGE_FUNDS"),
                   ("refund_request_source", "API")], root="root")
    own = encrypt(secret_of(secret), details)
    case("notify_wechat_v2_refund", {"body.bin": xml(outer + [("req_info", own)]), "plaintext.xml": details},
         req(secret, app_id="wx2421b1c4370ec43b"),
         ok({"notify_id": "50000408942026112100000000001", "app_id": "wx2421b1c4370ec43b", "out_trade_no": "1409811653",
             "trade_no": "1004400740201411221000000001", "bill_no": None, "status": "REFUNDED", "total_amount": 6754,
             "refund_amount": 1000, "notify_time": T + 1, "sign_type": "MD5", "event_type": "REFUND", "payload": details}))
    assert not decrypts(b"wrong API key", own), "pick another wrong key: this one happens to unpad"
    wrong = os.path.join(KEYS, "wechat_v2_wrong_api_key.txt")
    write_text("wechat_v2_wrong_api_key.txt", "wrong API key\n")
    case("fail_notify_wechat_v2_refund_wrong_api_key", {"body.bin": xml(outer + [("req_info", own)])}, req(wrong), fail("DECRYPTION_FAILED"))
    raw = bytearray(base64.b64decode(own))
    raw[-1] ^= 0x55  # the last block: the padding no longer checks
    tampered = base64.b64encode(bytes(raw)).decode()
    assert not decrypts(secret_of(secret), tampered)
    case("fail_notify_wechat_v2_refund_tampered", {"body.bin": xml(outer + [("req_info", tampered)])}, req(secret), fail("DECRYPTION_FAILED"))


# --------------------------------------------------------------------- Alipay certificates

def alipay_cert(k):
    def cert_case(name, file, kind, expected_sn, extra=None):
        data = {"file": rel(file), "kind": kind, "sn": expected_sn}
        data.update(extra or {})
        case(name, {"expect.json": json.dumps(data, indent=1) + "\n"})

    published_root = "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"
    blocks = pem_blocks(k["ali_published_root"])
    rsa_sns = [alipay_sn(b) for b in blocks if cert_fields(b)[2] in ("sha1WithRSAEncryption", "sha256WithRSAEncryption")]
    assert "_".join(rsa_sns) == published_root
    listed = []
    for b in blocks:
        issuer, serial, algorithm = cert_fields(b)
        listed.append({"issuer": issuer, "serial": str(serial), "algorithm": algorithm, "sn": alipay_sn(b)})
    cert_case("cert_alipay_root_bundle_published", k["ali_published_root"], "root", published_root, {"certificates": listed})
    assert alipay_sn(k["ali_published_app"]) == "4498aaa8ab0c8986c15c41b36186db7d"
    cert_case("cert_alipay_app_published", k["ali_published_app"], "app", "4498aaa8ab0c8986c15c41b36186db7d")
    test_blocks = pem_blocks(k["ali_bundle"])
    cert_case("cert_alipay_root_bundle_test", k["ali_bundle"], "root",
              "_".join(alipay_sn(b) for b in test_blocks if "RSA" in cert_fields(b)[2]))
    for name, file in [("cert_alipay_app_test", k["ali_app"]), ("cert_alipay_public_test", k["ali_public"])]:
        issuer, serial, _ = cert_fields(file)
        cert_case(name, file, "app", alipay_sn(file), {"issuer": issuer, "serial_decimal": str(serial),
                                                        "serial_hex": serial_hex(serial)})
    issuer, serial, _ = cert_fields(k["long_serial"])
    cert_case("cert_long_serial", k["long_serial"], "app", alipay_sn(k["long_serial"]),
              {"issuer": issuer, "serial_decimal": str(serial), "serial_hex": serial_hex(serial), "lenient": True})
    der_pem = sh("openssl", "x509", "-inform", "DER", "-in", k["ali_public_no_null"]).decode()
    issuer, serial, _ = cert_fields(der_pem)
    cert_case("cert_rsa_key_without_null", k["ali_public_no_null"], "app", alipay_sn(der_pem),
              {"issuer": issuer, "serial_decimal": str(serial)})

    # A certificate-mode request: both SNs computed here with Python's `cryptography`
    # (independently of the openssl-based alipay_sn above, which checks them), added to
    # the request and signed by openssl with the application key.
    def sn_cryptography(cert):
        # Alipay's SDKs: md5(issuer as Java's X500Principal.getName() prints it, i.e.
        # RFC 2253 with the RDNs reversed, + the serial in decimal), lowercase hex.
        return hashlib.md5((cert.issuer.rfc4514_string() + str(cert.serial_number)).encode()).hexdigest()

    def root_sn_cryptography(path):
        certs = x509.load_pem_x509_certificates(open(path, "rb").read())
        rsa = [c for c in certs if c.signature_algorithm_oid.dotted_string.startswith("1.2.840.113549.1.1.")]
        if not rsa:
            return None
        return "_".join(sn_cryptography(c) for c in rsa)

    app_sn = sn_cryptography(x509.load_pem_x509_certificate(open(k["ali_app"], "rb").read()))
    root_sn = root_sn_cryptography(k["ali_bundle"])
    assert app_sn == alipay_sn(k["ali_app"])
    assert root_sn == "_".join(alipay_sn(b) for b in test_blocks if "RSA" in cert_fields(b)[2])
    assert root_sn_cryptography(k["ali_published_root"]) == published_root
    query = [("app_id", "2021000000000001"), ("method", "alipay.trade.query"), ("format", "JSON"),
             ("charset", "utf-8"), ("sign_type", "RSA2"), ("timestamp", "2026-11-21 00:00:00"), ("version", "1.0"),
             ("biz_content", compact({"out_trade_no": "6823789339978249", "query_options": ["trade_settle_info"]}))]
    with_sns = query + [("app_cert_sn", app_sn), ("alipay_root_cert_sn", root_sn)]
    text = "&".join(f"{a}={b}" for a, b in sorted(with_sns, key=lambda kv: kv[0].encode()) if b)
    signature = rsa_sign(k["ali_app_key"], text.encode())
    inputs = {"profile": "alipay", "sign_type": "RSA2", "key": rel(k["ali_app_key"]), "app_cert": rel(k["ali_app"]),
              "alipay_root_cert": rel(k["ali_bundle"]), "params": [list(p) for p in query]}
    case("sign_alipay_cert_mode_request",
         {"input.json": json.dumps(inputs, ensure_ascii=False, indent=1) + "\n", "canonical.txt": text,
          "body.txt": form(query).decode() + "\n",
          "signature.txt": signature + "\n"},
         expect={"ok": True, "app_cert_sn": app_sn, "alipay_root_cert_sn": root_sn,
                 "signed": [list(p) for p in with_sns + [("sign", signature)]]})
    # A "root bundle" holding only the ECDSA root: no RSA certificate to name.
    assert root_sn_cryptography(k["ali_ec_root"]) is None
    case("fail_sign_alipay_cert_mode_no_rsa_root",
         {"input.json": json.dumps(dict(inputs, alipay_root_cert=rel(k["ali_ec_root"])), ensure_ascii=False, indent=1) + "\n"},
         expect=fail("KEY_INVALID"))

    # Notifications verified with the public key from Alipay's certificate.
    alipay = [
        ("gmt_create", "2026-11-21 00:00:01"), ("charset", "utf-8"), ("seller_email", "biller@example.com"),
        ("subject", "电费 十一月"), ("buyer_id", "2088102122524333"), ("invoice_amount", "67.54"),
        ("notify_id", "2026112100222000001000000000009"), ("notify_type", "trade_status_sync"),
        ("trade_status", "TRADE_SUCCESS"), ("receipt_amount", "67.54"), ("app_id", "2021000000000001"),
        ("buyer_pay_amount", "67.54"), ("seller_id", "2088102119685838"), ("gmt_payment", "2026-11-21 00:00:02"),
        ("notify_time", "2026-11-21 00:00:00"), ("version", "1.0"), ("out_trade_no", "6823789339978249"),
        ("total_amount", "67.54"), ("trade_no", "2026112122001405101000000009"), ("auth_app_id", "2021000000000001"),
        ("sign_type", "RSA2"),
    ]
    text = "&".join(f"{a}={b}" for a, b in sorted(alipay, key=lambda kv: kv[0].encode()) if a not in ("sign", "sign_type") and b)
    signed = alipay + [("sign", rsa_sign(os.path.join(HERE, "keys", "gateway_private_pkcs8.pem"), text.encode()))]
    n = {"notify_id": "2026112100222000001000000000009", "app_id": "2021000000000001", "out_trade_no": "6823789339978249",
         "trade_no": "2026112122001405101000000009", "bill_no": None, "status": "SUCCESS", "total_amount": 6754,
         "refund_amount": None, "notify_time": T, "sign_type": "RSA2", "event_type": None, "payload": None}
    for name, cert in [("notify_alipay_cert_mode", k["ali_public"]), ("notify_alipay_cert_mode_key_without_null", k["ali_public_no_null"])]:
        case(name, {"body.bin": form(signed), "canonical.txt": text},
             request("alipay", (), [(None, cert)], (), ["RSA2"], content_type="application/x-www-form-urlencoded",
                     app_id="2021000000000001"), ok(n))
    other = [(a, "67.55" if a == "total_amount" else b) for a, b in signed]
    case("fail_notify_alipay_cert_mode_tampered", {"body.bin": form(other)},
         request("alipay", (), [(None, k["ali_public"])], (), ["RSA2"], content_type="application/x-www-form-urlencoded"),
         fail("SIGNATURE_MISMATCH"))


# ------------------------------------------------------------------------ 国密 (ShangMi)

SM2_USER_ID = "1234567812345678"


def ensure_sm2(name):
    path = key_file(name)
    if not os.path.exists(path):
        sh("openssl", "genpkey", "-algorithm", "SM2", "-out", path)
    return path


def sm2_sign(key, data, user_id=SM2_USER_ID):
    """Base64 DER SM2-with-SM3 signature by openssl (randomised k)."""
    import tempfile
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        raw = sh("openssl", "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", key,
                 "-pkeyopt", f"distid:{user_id}", "-in", f.name)
    return base64.b64encode(raw).decode()


def sm3(data):
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm4_gcm(key, nonce, plaintext, aad):
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def sm2_point_hex(private_or_public, public=True):
    """The SM2 key as Chinese SDKs exchange it: 04||X||Y or the 32-byte scalar, hex, from
    `openssl pkey -text`."""
    args = ["openssl", "pkey", "-in", private_or_public, "-noout", "-text"]
    if private_or_public.endswith("_public.pem"):
        args.insert(4, "-pubin")
    text = sh(*args).decode()
    block = re.search(r"(pub|priv):\s*\n((?:\s+[0-9a-f:]+\n)+)", text[text.index("pub:" if public else "priv:"):]).group(2)
    return block.replace(":", "").replace(" ", "").replace("\n", "")


def shangmi(k):
    platform_key = ensure_sm2("sm2_platform_private.pem")
    platform_cert = key_file("sm2_platform_cert.pem")
    if not os.path.exists(platform_cert):
        sh("openssl", "req", "-x509", "-new", "-key", platform_key, "-sm3", "-sigopt", f"distid:{SM2_USER_ID}",
           "-subj", "/C=CN/O=paysign tests/OU=WeChat Pay SM platform/CN=Tenpay.com SM Test CA",
           "-set_serial", "0x6A2B1C3D4E5F60718293A4B5C6D7E8F901234567", "-days", "7300", "-out", platform_cert)
    platform_public = ensure_public(platform_key, "sm2_platform_public.pem")
    hex_public = write_text("sm2_platform_public.hex", sm2_point_hex(platform_public) + "\n")
    merchant_key = ensure_sm2("sm2_merchant_private.pem")
    ensure_public(merchant_key, "sm2_merchant_public.pem")
    sec1 = key_file("sm2_merchant_private_sec1.pem")
    if not os.path.exists(sec1):
        sh("openssl", "ec", "-in", merchant_key, "-out", sec1)
    write_text("sm2_merchant_private.hex", sm2_point_hex(merchant_key, public=False) + "\n")
    p256 = key_file("p256_private.pem")
    if not os.path.exists(p256):
        sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p256)
    ensure_public(p256, "p256_public.pem")
    _, serial_int, sig_alg = cert_fields(platform_cert)
    assert "SM2" in sig_alg.upper() or "1.2.156.10197.1.501" in sig_alg, sig_alg
    serial = serial_hex(serial_int)
    apiv3 = secret_of(k["apiv3"])
    sm4_key = sm3(apiv3)[:16]

    # WeChat Pay v3 for 国密 merchants: SM2-signed headers, an AEAD_SM4_GCM resource.
    transaction = compact({
        "mchid": "1230000109", "appid": "wxd678efh567hg6787", "out_trade_no": "M20261120000002",
        "transaction_id": "4200002026112100000000000043", "trade_type": "NATIVE", "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功", "bank_type": "ICBC_DEBIT", "attach": "",
        "success_time": "2026-11-21T00:00:02+08:00", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 12800, "payer_total": 12800, "currency": "CNY", "payer_currency": "CNY"}})
    nonce = "sm4gcmnonce1"
    ct = sm4_gcm(sm4_key, nonce.encode(), transaction.encode(), b"transaction")
    body = compact({"id": "EV-2026112100000000000sm01", "create_time": "2026-11-21T00:00:00+08:00",
                    "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
                    "resource": {"original_type": "transaction", "algorithm": "AEAD_SM4_GCM",
                                 "ciphertext": base64.b64encode(ct).decode(), "associated_data": "transaction",
                                 "nonce": nonce}})
    header_nonce = "SM2NONCE8264ILTKCH16CQ2502SI8ZNM"
    message = f"{T}\n{header_nonce}\n{body}\n"

    def headers(signature, scheme="WECHATPAY2-SM2-WITH-SM3", serial_header=serial):
        out = [("Wechatpay-Timestamp", str(T)), ("Wechatpay-Nonce", header_nonce),
               ("Wechatpay-Signature", signature), ("Wechatpay-Serial", serial_header)]
        if scheme is not None:
            out.append(("Wechatpay-Signature-Type", scheme))
        return out

    signature = sm2_sign(platform_key, message.encode())
    rsa_serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    mixed = [(serial, platform_cert), (rsa_serial, k["wx_cert"])]

    def req(h, keys=((serial, platform_cert),), accept=("SM2",), secrets=(k["apiv3"],)):
        return request("wechat-v3", h, keys, secrets, accept, content_type="application/json", app_id="wxd678efh567hg6787",
                       sm=True)

    ok_tx = {"notify_id": "EV-2026112100000000000sm01", "app_id": "wxd678efh567hg6787", "out_trade_no": "M20261120000002",
             "trade_no": "4200002026112100000000000043", "bill_no": None, "status": "SUCCESS", "total_amount": 12800,
             "refund_amount": None, "notify_time": T, "sign_type": "SM2", "event_type": "TRANSACTION.SUCCESS",
             "payload": transaction}
    files = {"body.bin": body, "string_to_sign.txt": message, "plaintext.json": transaction}
    case("notify_wechat_v3_sm_transaction", files, req(headers(signature)), ok(ok_tx))
    # During a migration the merchant configures both platform keys and accepts both schemes.
    case("notify_wechat_v3_sm_beside_rsa", files, req(headers(signature), mixed, ("RSA2", "SM2")), ok(ok_tx))
    # The signature as 64 bytes r||s instead of DER (some SDKs exchange that form).
    der = base64.b64decode(signature)
    def der_int(data, at):
        length = data[at + 1]
        return int.from_bytes(data[at + 2: at + 2 + length], "big"), at + 2 + length
    r, after = der_int(der, 2)
    s_, _ = der_int(der, after)
    raw = base64.b64encode(r.to_bytes(32, "big") + s_.to_bytes(32, "big")).decode()
    case("notify_wechat_v3_sm_raw_signature", files, req(headers(raw)), ok(ok_tx))
    case("fail_notify_wechat_v3_sm_other_user_id", {"body.bin": body},
         req(headers(sm2_sign(platform_key, message.encode(), "ALICE123@YAHOO.COM"))), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_sm_tampered_body", {"body.bin": body.replace("支付成功", "支付失败", 1)},
         req(headers(signature)), fail("SIGNATURE_MISMATCH"))
    case("fail_notify_wechat_v3_sm_truncated_signature", {"body.bin": body},
         req(headers(base64.b64encode(der[:-3]).decode())), fail("SIGNATURE_MALFORMED"))
    # s + n: the same signature with s out of [1, n-1] (GB/T 32918.2 step B2).
    n = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
    big_s = base64.b64encode(r.to_bytes(32, "big") + (s_ + n).to_bytes(33, "big")[1:]).decode() if s_ + n < 2**256 else None
    if big_s is not None:
        case("fail_notify_wechat_v3_sm_s_not_reduced", {"body.bin": body}, req(headers(big_s)), fail("SIGNATURE_MALFORMED"))
    # An SM2 signature presented as RSA (no Signature-Type header means RSA2): the SM2 key
    # it names cannot check an RSA2 signature, and nothing falls back to SM2.
    case("fail_notify_wechat_v3_sm_scheme_stripped", {"body.bin": body},
         req(headers(signature, scheme=None), mixed, ("RSA2", "SM2")), fail("CREDENTIAL_MISMATCH"))
    # A verifier that accepts only RSA2 refuses the SM2 scheme, whatever key is named.
    case("fail_notify_wechat_v3_sm_not_accepted", {"body.bin": body},
         req(headers(signature), mixed, ("RSA2",)), fail("SIGN_TYPE_NOT_ALLOWED"))
    # Configuration mistakes (a P-256 key passed off as SM2, accepting RSA2 with an SM2 key)
    # are refused when the verifier is built, before any message: sdk-core/tests/sm.rs.

    # Alipay sign_type=SM2 over the usual canonical string (sign and sign_type left out),
    # with Alipay's SM2 public key given as the hex point its console shows.
    alipay_pairs = [
        ("app_id", "2021000122600001"), ("auth_app_id", "2021000122600001"), ("buyer_id", "2088102177846880"),
        ("buyer_pay_amount", "128.00"), ("charset", "utf-8"), ("gmt_create", "2026-11-21 00:00:00"),
        ("gmt_payment", "2026-11-21 00:00:02"), ("notify_id", "2026112100222000002177846880sm2"),
        ("notify_time", "2026-11-21 00:00:05"), ("notify_type", "trade_status_sync"),
        ("out_trade_no", "M20261120000002"), ("receipt_amount", "128.00"), ("seller_id", "2088102177296610"),
        ("subject", "上海电费 11月"), ("total_amount", "128.00"), ("trade_no", "2026112122001446880500000043"),
        ("trade_status", "TRADE_SUCCESS"), ("version", "1.0"),
    ]
    alipay_text = "&".join(f"{a}={b}" for a, b in sorted(alipay_pairs))
    alipay_sig = sm2_sign(platform_key, alipay_text.encode())
    alipay_body = form(alipay_pairs + [("sign_type", "SM2"), ("sign", alipay_sig)])
    ali_req = lambda key=hex_public, accept=("SM2",): request(
        "alipay", (), ((None, key),), (), accept, content_type="application/x-www-form-urlencoded;charset=utf-8",
        app_id="2021000122600001", now=T + 15, sm=True)
    ok_ali = {"notify_id": "2026112100222000002177846880sm2", "app_id": "2021000122600001",
              "out_trade_no": "M20261120000002", "trade_no": "2026112122001446880500000043", "bill_no": None,
              "status": "SUCCESS", "total_amount": 12800, "refund_amount": None, "notify_time": T + 5,
              "sign_type": "SM2", "event_type": None, "payload": None}
    case("notify_alipay_sm2", {"body.bin": alipay_body, "canonical.txt": alipay_text}, ali_req(), ok(ok_ali))
    case("notify_alipay_sm2_pem_key", {"body.bin": alipay_body, "canonical.txt": alipay_text},
         ali_req(platform_public), ok(ok_ali))

    # UnionPay signMethod 12: SM3 over the string, "&" and the hex SM3 of the secure key.
    up_pairs = [
        ("accessType", "0"), ("bizType", "000201"), ("currencyCode", "156"), ("encoding", "UTF-8"),
        ("merId", "777290058110048"), ("orderId", "M20261120000002"), ("queryId", "792611210000020000422"),
        ("reqReserved", ""), ("respCode", "00"), ("respMsg", "成功[0000000]"), ("settleAmt", "12800"),
        ("settleCurrencyCode", "156"), ("settleDate", "1121"), ("traceNo", "000043"), ("traceTime", "1121000002"),
        ("txnAmt", "12800"), ("txnSubType", "01"), ("txnTime", "20261121000000"), ("txnType", "01"),
        ("version", "5.1.0"), ("signMethod", "12"),
    ]
    up_text = "&".join(f"{a}={b}" for a, b in sorted(up_pairs, key=lambda kv: kv[0].encode()))
    secure = secret_of(k["up_secure"])
    up_sig = sm3((up_text + "&" + sm3(secure).hex()).encode()).hex()
    # Refusing SM3 by configuration needs no SM3: only the cases that compute it are `sm`.
    up_req = lambda accept=("SM3",): request("unionpay", (), (), (k["up_secure"],), accept,
                                             content_type="application/x-www-form-urlencoded;charset=UTF-8",
                                             app_id="777290058110048", sm="SM3" in accept)
    ok_up = {"notify_id": "792611210000020000422", "app_id": "777290058110048", "out_trade_no": "M20261120000002",
             "trade_no": "792611210000020000422", "bill_no": None, "status": "SUCCESS", "total_amount": 12800,
             "refund_amount": None, "notify_time": None, "sign_type": "SM3", "event_type": None, "payload": None}
    up_body = form(up_pairs + [("signature", up_sig)])
    case("notify_unionpay_12", {"body.bin": up_body, "canonical.txt": up_text}, up_req(), ok(ok_up))
    case("fail_notify_unionpay_12_not_accepted", {"body.bin": up_body}, up_req(("SHA256",)), fail("SIGN_TYPE_NOT_ALLOWED"))
    case("fail_notify_unionpay_12_sha256_secure_key", {"body.bin": form(up_pairs + [(
        "signature", sm3((up_text + "&" + hashlib.sha256(secure).hexdigest()).encode()).hex())])},
         up_req(), fail("SIGNATURE_MISMATCH"))


def main():
    # Alipay's published root bundle has a NULL in a signature algorithm's parameters,
    # which `cryptography` still reads but warns about.
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    k = keys()
    wechat_v3(k)
    unionpay(k)
    standard_webhooks(k)
    wechat_v2_refund(k)
    alipay_cert(k)
    shangmi(k)
    for old in os.listdir(OUT):
        if old != "keys" and os.path.isdir(os.path.join(OUT, old)):
            shutil.rmtree(os.path.join(OUT, old))
    for name, (files, req, expect) in CASES.items():
        folder = os.path.join(OUT, name)
        os.makedirs(folder)
        for fname, data in files.items():
            mode = "wb" if isinstance(data, bytes) else "w"
            with open(os.path.join(folder, fname), mode) as f:
                f.write(data)
        for fname, data in (("request.json", req), ("expect.json", expect)):
            if data is not None:
                with open(os.path.join(folder, fname), "w") as f:
                    json.dump(data, f, ensure_ascii=False, indent=1)
                    f.write("\n")
    print(f"wrote {len(CASES)} platform vectors")


if __name__ == "__main__":
    main()
