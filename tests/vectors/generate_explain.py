#!/usr/bin/env python3
"""Regenerates tests/vectors/explain/: one mis-signed or mis-handled message per usual cause
of "signature verification failed", each made the way the mistake is made in the wild.

Independent of paysign: values are URL-encoded and decoded by Python's urllib.parse (quote,
quote_plus, unquote_plus standing in for the senders' encodeURIComponent, URLEncoder,
urldecode), strings built by the few lines of generate_notifications.py, signatures made by
the `openssl` command line with keys/gateway_private_pkcs8.pem (standing in for each
platform's key) or by Python's hmac. Run generate_notifications.py and generate_platforms.py
first: the WeChat Pay v3 case starts from a platform vector.

Rust (sdk-core/tests/explain_vectors.rs), the CLI (sdk-cli/tests/cli/explain.rs) and the npm
package (tests/node/explain-vectors.test.mjs) run every case. Each folder holds:

  body.bin      the raw HTTP body as it reaches the verifier, byte for byte
  request.json  what explain is given, as a verifier is configured: profile, message
                (notification or request), content_type (or null), headers [[name, value]],
                keys [{"id": label and key id, "file": path under tests/vectors/}] (the
                first is the one configured, the others candidates), secrets [paths],
                decryption_key (path or null), accept (sign types), app_id, now
  expect.json   cause (in words), verified (explain's verdict with every candidate), findings
                (the codes, in order), verify (the code a verifier configured with the first
                key or secret refuses it with, or null)
"""
import json, os
from urllib.parse import quote, quote_plus, unquote_plus

import generate_notifications as n

HERE = n.HERE
OUT = os.path.join(HERE, "explain")
FORM = "application/x-www-form-urlencoded"


def request(profile, keys=(("gateway", "keys/gateway_public_spki.pem"),), secrets=(), accept=("RSA2",),
            message="notification", content_type=FORM, headers=(), decryption_key=None, app_id=None,
            now=n.T + 10):
    return {"profile": profile, "message": message, "content_type": content_type,
            "headers": [list(h) for h in headers],
            "keys": [{"id": label, "file": path} for label, path in keys], "secrets": list(secrets),
            "decryption_key": decryption_key, "accept": list(accept), "app_id": app_id, "now": now}


def expect(cause, findings, verify, verified=False):
    return {"cause": cause, "verified": verified, "findings": findings, "verify": verify}


def encode_values(pairs, encode):
    return [(k, encode(v)) for k, v in pairs]


def uri_component(v):
    """JavaScript's encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( )."""
    return quote(v, safe="-_.!~*'()")


# An Alipay notification with a subject a JavaScript encoder leaves partly as it is.
ALIPAY = n.replace(n.ALIPAY, "body", "水费(11月)!")
ALIPAY_ID = "2014072300007148"
ALIPAY_EXCLUDED = ["sign", "sign_type"]


def alipay_signed_over(pairs, text):
    """`pairs` with sign_type and a signature over `text` (what the sender signed)."""
    return pairs + [("sign_type", "RSA2"), ("sign", n.rsa2(text))]


CASES = {}

# Values signed after encodeURIComponent (a JavaScript sender), the body encoded as usual.
with_type = ALIPAY + [("sign_type", "RSA2")]
CASES["values_signed_uri_component"] = (
    n.form(alipay_signed_over(ALIPAY, n.canonical(encode_values(with_type, uri_component), ALIPAY_EXCLUDED))),
    request("alipay", app_id=ALIPAY_ID),
    expect("the sender signed each value after encodeURIComponent", ["SIGNED_ENCODED_VALUES"], "SIGNATURE_MISMATCH"))

# Values signed after form encoding (Java's URLEncoder: a space as +), an HMAC notification.
paysign = n.PAYSIGN + [("subject", "水费 11月")]
typed = paysign + [("sign_type", "HMAC-SHA256")]
hmac_over_encoded = n.digest("HMAC-SHA256", n.canonical(encode_values(typed, quote_plus), ["sign"]))
CASES["values_signed_form_encoded"] = (
    n.form(typed + [("sign", hmac_over_encoded)]),
    request("paysign", keys=(), secrets=["keys/secret.txt"], accept=["HMAC-SHA256"], app_id="2026000000000001"),
    expect("the sender signed each value form-encoded (URLEncoder, quote_plus)", ["SIGNED_ENCODED_VALUES"],
           "SIGNATURE_MISMATCH"))

# A body URL-decoded once before it reached the verifier (urldecode of the raw body), which
# decodes it again: `order%3D7+x` becomes `order=7 x`, the signature's + a space.
alipay_good = n.alipay_signed(ALIPAY)
CASES["body_decoded_twice"] = (
    unquote_plus(n.form(alipay_good).decode()).encode(),
    request("alipay", app_id=ALIPAY_ID),
    expect("the receiver URL-decoded the body before the verifier decoded it again", ["DECODED_TWICE"],
           "SIGNATURE_MALFORMED"))

# A body encoded twice, signature included: every value quoted twice.
paysign_good = n.paysign_signed(n.PAYSIGN)
CASES["body_encoded_twice"] = (
    "&".join(f"{k}={quote(quote(v, safe=''), safe='')}" for k, v in paysign_good).encode(),
    request("paysign", app_id="2026000000000001"),
    expect("the sender URL-encoded the whole body twice", ["DOUBLE_ENCODED"], "SIGNATURE_MALFORMED"))

# One value encoded twice (the notifications' vector fail_notify_double_encoded).
CASES["value_encoded_twice"] = (
    n.form(paysign_good).replace(b"order%253D7%2Bx", b"order%25253D7%252Bx"),
    request("paysign", app_id="2026000000000001"),
    expect("the sender URL-encoded one value twice", ["DOUBLE_ENCODED"], "SIGNATURE_MISMATCH"))

# Values encoded, signed as encoded, then the form encoded again: the signature verifies over
# what one decoding gives, but the time still reads `2026-11-21+00%3A00%3A00`.
encoded = encode_values(ALIPAY, quote_plus)
CASES["encoded_values_signed_then_encoded_again"] = (
    n.form(alipay_signed_over(encoded, n.canonical(encoded + [("sign_type", "RSA2")], ALIPAY_EXCLUDED))),
    request("alipay", app_id=ALIPAY_ID),
    expect("the sender form-encoded the values, signed them so, and encoded the body again",
           ["DOUBLE_ENCODED", "TIMESTAMP_INVALID"], "TIMESTAMP_INVALID"))

# Wrong charset: a GBK message signed over the UTF-8 bytes of its string; a GBK body declared UTF-8.
gbk = n.replace(ALIPAY, "charset", "gbk")
CASES["gbk_signed_as_utf8"] = (
    n.form(n.alipay_signed(gbk, signed_charset="utf-8"), "gbk"),
    request("alipay", app_id=ALIPAY_ID),
    expect("the sender signed the UTF-8 bytes of a GBK message's string", ["SIGNED_CHARSET"], "SIGNATURE_MISMATCH"))
CASES["gbk_body_declared_utf8"] = (
    n.form(n.alipay_signed(gbk), "gbk"),
    request("alipay", app_id=ALIPAY_ID, content_type=FORM + "; charset=utf-8"),
    expect("the Content-Type declares UTF-8 for a GBK body", ["CHARSET"], "CHARSET_CONFLICT"))

# sign_type included where it is excluded (an Alipay notification), left out where it is
# signed (an Alipay request).
CASES["sign_type_included"] = (
    n.form(n.alipay_signed(ALIPAY, include_sign_type_in_string=True)),
    request("alipay", app_id=ALIPAY_ID),
    expect("the sender signed sign_type, which Alipay notifications leave out", ["SIGN_TYPE_SIGNED"],
           "SIGNATURE_MISMATCH"))
alipay_request = [("app_id", ALIPAY_ID), ("method", "alipay.trade.query"), ("charset", "utf-8"),
                  ("timestamp", "2026-11-21 00:00:00"), ("version", "1.0"),
                  ("biz_content", '{"out_trade_no":"6823789339978248"}'), ("sign_type", "RSA2")]
CASES["sign_type_left_out"] = (
    n.form(alipay_request + [("sign", n.rsa2(n.canonical(alipay_request, ALIPAY_EXCLUDED)))]),
    request("alipay", message="request"),
    expect("the sender left sign_type out, which Alipay requests sign", ["SIGN_TYPE_SIGNED"], "SIGNATURE_MISMATCH"))

# A trailing newline: after a form body, and after a WeChat Pay v3 JSON body.
CASES["trailing_newline"] = (
    n.form(paysign_good) + b"\n",
    request("paysign", app_id="2026000000000001"),
    expect("a newline was added after the body", ["WHITESPACE"], "SIGNATURE_MALFORMED"))
v3 = os.path.join(HERE, "platforms", "notify_wechat_v3_transaction")
v3_request = json.load(open(os.path.join(v3, "request.json")))
CASES["trailing_newline_wechat_v3"] = (
    open(os.path.join(v3, "body.bin"), "rb").read() + b"\n",
    request("wechat-v3", keys=[(k["id"], k["file"]) for k in v3_request["keys"]], content_type="application/json",
            headers=v3_request["headers"], decryption_key=v3_request["secrets"][0], app_id=v3_request["app_id"],
            now=v3_request["now"]),
    expect("a newline was added after the JSON body", ["BODY_ALTERED"], "SIGNATURE_MISMATCH"))

# A WeChat Pay v3 notification explained without the APIv3 key: its signature verifies, but a
# verifier without the key refuses every notification.
CASES["wechat_v3_without_apiv3_key"] = (
    open(os.path.join(v3, "body.bin"), "rb").read(),
    request("wechat-v3", keys=[(k["id"], k["file"]) for k in v3_request["keys"]], content_type="application/json",
            headers=v3_request["headers"], app_id=v3_request["app_id"], now=v3_request["now"]),
    expect("the key that decrypts the payload is not configured", ["NOT_DECRYPTED"], "CREDENTIAL_MISMATCH"))

# The wrong key: the merchant's own key configured, the platform's among the candidates; the
# merchant's alone.
CASES["other_key_signed"] = (
    n.form(paysign_good),
    request("paysign", keys=[("merchant", "keys/merchant_public_spki.pem"), ("gateway", "keys/gateway_public_spki.pem")],
            app_id="2026000000000001"),
    expect("the merchant's own key configured instead of the platform's", ["OTHER_KEY_MATCHES"],
           "SIGNATURE_MISMATCH", verified=True))
CASES["wrong_key"] = (
    n.form(paysign_good),
    request("paysign", keys=[("merchant", "keys/merchant_public_spki.pem")], app_id="2026000000000001"),
    expect("a key that did not sign it, and no other candidate", ["NO_KNOWN_CAUSE"], "SIGNATURE_MISMATCH"))

# A key of the wrong kind: the private key for the public one; a secret for an RSA message.
CASES["private_key_given"] = (
    n.form(paysign_good),
    request("paysign", keys=[("gateway", "keys/gateway_private_pkcs8.pem")], app_id="2026000000000001"),
    expect("the platform's private key given where its public key goes", ["KEY_KIND_MISMATCH"], "KEY_KIND_MISMATCH"))
CASES["secret_for_rsa"] = (
    n.form(paysign_good),
    request("paysign", keys=(), secrets=["keys/secret.txt"], app_id="2026000000000001"),
    expect("a shared secret given for an RSA2 message", ["CREDENTIAL_MISMATCH"], "CREDENTIAL_MISMATCH"))

if __name__ == "__main__":
    n.write_cases(CASES, OUT, ("",))
    print(f"wrote {len(CASES)} explain vectors")
