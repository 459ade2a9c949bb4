#!/usr/bin/env python3
"""Regenerates the notification vectors tests/vectors/notify_*/ and fail_notify_*/.

Independent of paysign: bodies are encoded by Python's urllib/json/xml code, canonical
strings built by a few lines here, signatures made by the `openssl` command line with
keys/gateway_private_pkcs8.pem (standing in for each platform's key).

Each case folder holds:
  body.bin      the raw HTTP body, byte for byte
  request.json  how to verify it: profile, content_type (or null to sniff), accept
                (sign types), key ("gateway" → keys/gateway_public_spki.pem, or a
                secret file name), app_id (or null), now (Unix seconds), expected_amount
  expect.json   {"ok": true, "notification": {...typed fields...}}
                or {"ok": false, "code": "STABLE_ERROR_CODE"}, with "message_contains"
                where the message must name something (the field of a malformed body)
"""
import base64, hashlib, hmac, json, os, shutil, subprocess
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = os.path.join(HERE, "keys", "gateway_private_pkcs8.pem")
SECRET = open(os.path.join(HERE, "keys", "secret.txt"), "rb").read()
PUBLIC_PEM = open(os.path.join(HERE, "keys", "gateway_public_spki.pem"), "rb").read()
T = 1795190400  # 2026-11-21T00:00:00+08:00, a notify_time

def canonical(pairs, excluded):
    kept = sorted(((k, v) for k, v in pairs if k not in excluded and v != ""), key=lambda kv: kv[0].encode())
    return "&".join(f"{k}={v}" for k, v in kept)

def rsa2(text, charset="utf-8"):
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=text.encode(charset),
                         capture_output=True, check=True).stdout
    return base64.b64encode(out).decode()

def digest(kind, text, secret=SECRET):
    data = text.encode() + b"&key=" + secret
    h = hashlib.md5(data) if kind == "MD5" else hmac.new(secret, data, hashlib.sha256)
    return h.hexdigest().upper()

def form(pairs, charset="utf-8"):
    return "&".join(f"{quote(k, safe='', encoding=charset)}={quote(v, safe='', encoding=charset)}"
                    for k, v in pairs).encode("ascii")

def json_body(pairs):
    return json.dumps(dict(pairs), ensure_ascii=False).encode()

def raw_json(value):
    """A value as a sender's JSON library writes it, and so as a verifier that keeps
    non-strings as their raw text would have read (and checked the signature over) it."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

def paysign_typed(pairs, typed, sign_type="RSA2", drop_nulls=True):
    """`pairs` signed with some values replaced by JSON values of other types (`typed`:
    name → value): the signature covers their raw JSON text, a `null` left out of the
    string (what a sender that drops absent fields signs). Returns (key, JSON value) pairs."""
    extra = [(k, v) for k, v in typed.items() if k not in dict(pairs) and k != "sign"]
    pairs = [(k, typed.get(k, v)) for k, v in pairs] + extra
    signed_pairs = [(k, raw_json(v)) for k, v in pairs if not (drop_nulls and v is None)]
    signed_pairs = paysign_signed(signed_pairs, sign_type)
    sig = dict(signed_pairs)["sign"]
    return pairs + [("sign_type", sign_type), ("sign", typed.get("sign", sig))]

def xml_body(pairs):
    return ("<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in pairs) + "</xml>").encode()

PAYSIGN = [
    ("notify_id", "N20261121000000000001"), ("notify_type", "trade_status_sync"), ("notify_time", str(T)),
    ("app_id", "2026000000000001"), ("version", "1.0"), ("out_trade_no", "M20261120000001"),
    ("trade_no", "T20261120000000000042"), ("bill_no", "SHW2026110042"), ("trade_status", "SUCCESS"),
    ("total_amount", "6754"), ("passback_params", "order%3D7+x&y=1"), ("nonce", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
]

def paysign_signed(pairs, sign_type="RSA2"):
    pairs = pairs + [("sign_type", sign_type)]
    text = canonical(pairs, ["sign"])
    sig = rsa2(text) if sign_type == "RSA2" else digest(sign_type, text)
    return pairs + [("sign", sig)]

def replace(pairs, key, value):
    return [(k, value if k == key else v) for k, v in pairs]

ALIPAY = [
    ("gmt_create", "2026-11-21 00:00:01"), ("charset", "utf-8"), ("seller_email", "biller@example.com"),
    ("subject", "电费 十一月"), ("buyer_id", "2088102122524333"), ("invoice_amount", "67.54"),
    ("notify_id", "2026112100222000001000000000001"), ("notify_type", "trade_status_sync"),
    ("trade_status", "TRADE_SUCCESS"), ("receipt_amount", "67.54"), ("app_id", "2014072300007148"),
    ("buyer_pay_amount", "67.54"), ("seller_id", "2088102119685838"), ("gmt_payment", "2026-11-21 00:00:02"),
    ("notify_time", "2026-11-21 00:00:00"), ("passback_params", "order%3D7+x"), ("version", "1.0"),
    ("out_trade_no", "6823789339978248"), ("total_amount", "67.54"),
    ("trade_no", "2026112122001405101000000001"), ("auth_app_id", "2014072300007148"), ("body", ""),
]

def alipay_signed(pairs, include_sign_type_in_string=False, signed_charset=None):
    """Alipay signs the canonical string in the message's declared charset (its SDKs call
    getBytes(charset)); `signed_charset` overrides it to build a wrongly signed copy."""
    pairs = pairs + [("sign_type", "RSA2")]
    excluded = ["sign"] if include_sign_type_in_string else ["sign", "sign_type"]
    charset = signed_charset or dict(pairs).get("charset", "utf-8")
    return pairs + [("sign", rsa2(canonical(pairs, excluded), charset))]

WECHAT = [
    ("return_code", "SUCCESS"), ("appid", "wx2421b1c4370ec43b"), ("mch_id", "10000100"),
    ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"), ("result_code", "SUCCESS"),
    ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"), ("is_subscribe", "Y"), ("trade_type", "JSAPI"),
    ("bank_type", "CFT"), ("total_fee", "6754"), ("fee_type", "CNY"),
    ("transaction_id", "1004400740201411221000000001"), ("out_trade_no", "1409811653"),
    ("attach", "支付测试 <&>"), ("time_end", "20261121000002"),
]

def wechat_signed(pairs, sign_type="MD5"):
    if sign_type != "MD5":
        pairs = pairs + [("sign_type", sign_type)]
    return pairs + [("sign", digest(sign_type, canonical(pairs, ["sign"])))]

def gateway(profile, content_type, accept=("RSA2",), app_id="2026000000000001", now=T + 10, key="gateway", expected_amount=None):
    return {"profile": profile, "content_type": content_type, "accept": list(accept), "key": key,
            "app_id": app_id, "now": now, "expected_amount": expected_amount}

FORM = "application/x-www-form-urlencoded"
PAYSIGN_OK = {"notify_id": "N20261121000000000001", "app_id": "2026000000000001", "out_trade_no": "M20261120000001",
              "trade_no": "T20261120000000000042", "bill_no": "SHW2026110042", "status": "SUCCESS",
              "total_amount": 6754, "refund_amount": None, "notify_time": T, "sign_type": "RSA2",
              "passback_params": "order%3D7+x&y=1"}

CASES = {}
ok = lambda n: {"ok": True, "notification": n}
fail = lambda code, message=None: {"ok": False, "code": code, **({"message_contains": message} if message else {})}

CASES["notify_paysign_form"] = (form(paysign_signed(PAYSIGN)), gateway("paysign", FORM + "; charset=utf-8"), ok(PAYSIGN_OK))
CASES["notify_paysign_form_sniffed"] = (form(paysign_signed(PAYSIGN)), gateway("paysign", None), ok(PAYSIGN_OK))
refund = replace(PAYSIGN, "trade_status", "REFUNDED") + [("refund_amount", "1000"), ("out_refund_no", "R20261121000001")]
CASES["notify_paysign_json_refund"] = (json_body(paysign_signed(refund)), gateway("paysign", "application/json"),
    ok(dict(PAYSIGN_OK, status="REFUNDED", refund_amount=1000)))
failed = replace(PAYSIGN, "trade_status", "FAIL") + [("fail_code", "INSUFFICIENT_FUNDS")]
CASES["notify_paysign_xml_fail"] = (xml_body(paysign_signed(failed)), gateway("paysign", "text/xml"),
    ok(dict(PAYSIGN_OK, status="FAIL")))
CASES["notify_paysign_hmac_expected_amount"] = (form(paysign_signed(PAYSIGN, "HMAC-SHA256")),
    gateway("paysign", FORM, accept=["HMAC-SHA256"], key="secret", expected_amount=6754), ok(dict(PAYSIGN_OK, sign_type="HMAC-SHA256")))
ALIPAY_OK = {"notify_id": "2026112100222000001000000000001", "app_id": "2014072300007148", "out_trade_no": "6823789339978248",
             "trade_no": "2026112122001405101000000001", "bill_no": None, "status": "SUCCESS", "total_amount": 6754,
             "refund_amount": None, "notify_time": T, "sign_type": "RSA2", "passback_params": "order%3D7+x"}
CASES["notify_alipay_form_utf8"] = (form(alipay_signed(ALIPAY)), gateway("alipay", FORM, app_id="2014072300007148"), ok(ALIPAY_OK))
gbk = replace(ALIPAY, "charset", "gbk")
CASES["notify_alipay_form_gbk"] = (form(alipay_signed(gbk), "gbk"), gateway("alipay", FORM, app_id="2014072300007148"), ok(ALIPAY_OK))
# The same GBK message signed over the UTF-8 bytes of its string: Alipay refuses it, so must we.
CASES["fail_notify_alipay_gbk_signed_as_utf8"] = (form(alipay_signed(gbk, signed_charset="utf-8"), "gbk"),
    gateway("alipay", FORM, app_id="2014072300007148"), fail("SIGNATURE_MISMATCH"))
WECHAT_OK = {"notify_id": "1004400740201411221000000001", "app_id": "wx2421b1c4370ec43b", "out_trade_no": "1409811653",
             "trade_no": "1004400740201411221000000001", "bill_no": None, "status": "SUCCESS", "total_amount": 6754,
             "refund_amount": None, "notify_time": None, "sign_type": "MD5", "passback_params": None}
CASES["notify_wechat_xml_md5"] = (xml_body(wechat_signed(WECHAT)), gateway("wechat-v2", "text/xml", accept=["MD5"], key="secret", app_id="wx2421b1c4370ec43b"), ok(WECHAT_OK))
CASES["notify_wechat_xml_hmac"] = (xml_body(wechat_signed(WECHAT, "HMAC-SHA256")), gateway("wechat-v2", None, accept=["HMAC-SHA256"], key="secret", app_id="wx2421b1c4370ec43b"), ok(dict(WECHAT_OK, sign_type="HMAC-SHA256")))

good = paysign_signed(PAYSIGN)
CASES["fail_notify_tampered_amount"] = (form(replace(good, "total_amount", "1")), gateway("paysign", FORM), fail("SIGNATURE_MISMATCH"))
CASES["fail_notify_missing_sign"] = (form([kv for kv in good if kv[0] != "sign"]), gateway("paysign", FORM), fail("SIGNATURE_MISSING"))
CASES["fail_notify_empty_sign"] = (form(replace(good, "sign", "")), gateway("paysign", FORM), fail("SIGNATURE_MISSING"))
md5_forgery = PAYSIGN + [("sign_type", "MD5")]
md5_forgery = md5_forgery + [("sign", digest("MD5", canonical(md5_forgery, ["sign"]), PUBLIC_PEM))]
CASES["fail_notify_downgrade_to_md5"] = (form(md5_forgery), gateway("paysign", FORM), fail("SIGN_TYPE_NOT_ALLOWED"))
# Older than the 26-hour retry/de-duplication window (a retry may resend the same body for ~25 h).
CASES["fail_notify_expired"] = (form(good), gateway("paysign", FORM, now=T + 27 * 3600), fail("TIMESTAMP_OUT_OF_WINDOW"))
CASES["fail_notify_from_the_future"] = (form(good), gateway("paysign", FORM, now=T - 3600), fail("TIMESTAMP_OUT_OF_WINDOW"))
CASES["fail_notify_wrong_app_id"] = (form(good), gateway("paysign", FORM, app_id="2026000000000002"), fail("APP_ID_MISMATCH"))
CASES["fail_notify_exponent_amount"] = (form(paysign_signed(replace(PAYSIGN, "total_amount", "6.754e3"))), gateway("paysign", FORM), fail("AMOUNT_INVALID"))
CASES["fail_notify_three_decimals"] = (form(paysign_signed(replace(PAYSIGN, "total_amount", "67.540"))), gateway("paysign", FORM), fail("AMOUNT_INVALID"))
CASES["fail_notify_unexpected_amount"] = (form(good), gateway("paysign", FORM, expected_amount=6755), fail("AMOUNT_MISMATCH"))
CASES["fail_notify_duplicate_key"] = (form(good + [("total_amount", "1")]), gateway("paysign", FORM), fail("PARAM_DUPLICATE"))
double = form(good).replace(b"order%253D7%2Bx", b"order%25253D7%252Bx")
assert double != form(good)
CASES["fail_notify_double_encoded"] = (double, gateway("paysign", FORM), fail("SIGNATURE_MISMATCH"))
CASES["fail_notify_trailing_crlf"] = (form(good) + b"\r\n", gateway("paysign", FORM), fail("SIGNATURE_MALFORMED"))
CASES["fail_notify_alipay_signed_sign_type"] = (form(alipay_signed(ALIPAY, include_sign_type_in_string=True)), gateway("alipay", FORM, app_id="2014072300007148"), fail("SIGNATURE_MISMATCH"))
CASES["fail_notify_wechat_md5_not_accepted"] = (xml_body(wechat_signed(WECHAT)), gateway("wechat-v2", "text/xml", accept=["HMAC-SHA256"], key="secret", app_id="wx2421b1c4370ec43b"), fail("SIGN_TYPE_NOT_ALLOWED"))
CASES["fail_notify_wechat_doctype"] = (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + xml_body(wechat_signed(WECHAT)).replace(b"<appid>", b"<appid>&x;", 1),
    gateway("wechat-v2", "text/xml", accept=["MD5"], key="secret", app_id="wx2421b1c4370ec43b"), fail("BODY_MALFORMED"))

# Types too loose (docs/protocol.md §1): the paysign protocol's JSON values are strings, so a
# `null`, a number, a boolean or an object is a malformed body naming the field, however it
# was signed; a form field needs its `=`. Each body below is otherwise a good notification.
JSON = "application/json"
CASES["fail_notify_json_null_sign"] = (json_body(paysign_typed(PAYSIGN, {"sign": None})), gateway("paysign", JSON),
    fail("BODY_MALFORMED", "field `sign` is null"))
CASES["fail_notify_json_null_notify_id"] = (json_body(paysign_typed(PAYSIGN, {"notify_id": None})), gateway("paysign", JSON),
    fail("BODY_MALFORMED", "field `notify_id` is null"))
CASES["fail_notify_json_number_amount"] = (json_body(paysign_typed(PAYSIGN, {"total_amount": 6754})), gateway("paysign", JSON),
    fail("BODY_MALFORMED", "field `total_amount` is the number 6754"))
CASES["fail_notify_json_number_notify_time"] = (json_body(paysign_typed(PAYSIGN, {"notify_time": T})), gateway("paysign", JSON),
    fail("BODY_MALFORMED", f"field `notify_time` is the number {T}"))
CASES["fail_notify_json_boolean"] = (json_body(paysign_typed(PAYSIGN, {"test": True})), gateway("paysign", JSON),
    fail("BODY_MALFORMED", "field `test` is the boolean true"))
CASES["fail_notify_json_nested_object"] = (json_body(paysign_typed(PAYSIGN, {"passback_params": {"order": 7, "x": "y"}})),
    gateway("paysign", JSON), fail("BODY_MALFORMED", "field `passback_params` is an object"))
CASES["fail_notify_json_array"] = (json_body(paysign_typed(PAYSIGN, {"passback_params": ["order", 7]})),
    gateway("paysign", JSON), fail("BODY_MALFORMED", "field `passback_params` is an array"))
# A bare key is a field without a value: `sign` (was SIGNATURE_MISSING), and an optional
# field the signer left out of its string as empty.
CASES["fail_notify_form_bare_sign"] = (form([kv for kv in good if kv[0] != "sign"]) + b"&sign", gateway("paysign", FORM),
    fail("BODY_MALFORMED", "field `sign` at byte"))
no_passback = paysign_signed([kv for kv in PAYSIGN if kv[0] != "passback_params"])
CASES["fail_notify_form_bare_key"] = (form(no_passback[:3]) + b"&passback_params&" + form(no_passback[3:]), gateway("paysign", FORM),
    fail("BODY_MALFORMED", "field `passback_params` at byte"))
# Alipay posts HTML forms, which the WHATWG parser reads a bare key of as an empty value.
bare_body = form(alipay_signed(ALIPAY)).replace(b"&body=&", b"&body&")
assert b"&body&" in bare_body
CASES["notify_alipay_form_bare_key"] = (bare_body, gateway("alipay", FORM, app_id="2014072300007148"), ok(ALIPAY_OK))
# XML (WeChat Pay v2): values are element text; an attribute is unsigned data, a character
# XML 1.0 does not allow is not XML, a child element is not a flat document.
wechat_good = xml_body(wechat_signed(WECHAT))
WECHAT_REQ = gateway("wechat-v2", "text/xml", accept=["MD5"], key="secret", app_id="wx2421b1c4370ec43b")
with_attribute = wechat_good.replace(b"<total_fee>", b'<total_fee currency="CNY">', 1)
assert with_attribute != wechat_good
CASES["fail_notify_wechat_attribute"] = (with_attribute, WECHAT_REQ,
    fail("BODY_MALFORMED", "element <total_fee> has attribute `currency`"))
CASES["fail_notify_wechat_control_character"] = (xml_body(wechat_signed(replace(WECHAT, "attach", "支付测试\x01"))), WECHAT_REQ,
    fail("BODY_MALFORMED", "the text of <attach> contains U+0001"))
nested = wechat_good.replace(b"<attach><![CDATA[", b"<attach><b>1</b><![CDATA[", 1)
assert nested != wechat_good
CASES["fail_notify_wechat_nested_element"] = (nested, WECHAT_REQ, fail("BODY_MALFORMED", "nested element <b> inside <attach>"))
# docs/protocol.md §1, "Charset: UTF-8 only": a paysign notification in GBK is
# CHARSET_UNSUPPORTED, wherever the charset is named (Alipay's GBK stays accepted, above).
# Signed over its GBK bytes as a GBK sender would, so the charset alone is refused.
def paysign_gbk(pairs):
    pairs = pairs + [("sign_type", "RSA2")]
    return pairs + [("sign", rsa2(canonical(pairs, ["sign"]), "gbk"))]
PAYSIGN_GBK = replace(PAYSIGN, "passback_params", "水费 11月")
CASES["fail_notify_paysign_gbk"] = (form(paysign_gbk(PAYSIGN_GBK), "gbk"), gateway("paysign", FORM + "; charset=GBK"),
    fail("CHARSET_UNSUPPORTED"))
CASES["fail_notify_paysign_gbk_charset_field"] = (form(paysign_gbk(PAYSIGN_GBK + [("charset", "GBK")]), "gbk"),
    gateway("paysign", FORM), fail("CHARSET_UNSUPPORTED"))

def write_cases(cases, root, prefixes):
    """Replaces the case folders of `root` whose names start with `prefixes` by `cases`:
    name → (body, request, expect)."""
    os.makedirs(root, exist_ok=True)
    for old in os.listdir(root):
        if old.startswith(prefixes):
            shutil.rmtree(os.path.join(root, old))
    for name, (body, request, expect) in cases.items():
        folder = os.path.join(root, name)
        os.makedirs(folder)
        open(os.path.join(folder, "body.bin"), "wb").write(body)
        for fname, data in (("request.json", request), ("expect.json", expect)):
            with open(os.path.join(folder, fname), "w") as f:
                json.dump(data, f, ensure_ascii=False, indent=1)
                f.write("\n")


if __name__ == "__main__":
    # Imported by generate_explain.py for its helpers: writes only when run.
    write_cases(CASES, HERE, ("notify_", "fail_notify_"))
    print(f"wrote {len(CASES)} notification vectors")
