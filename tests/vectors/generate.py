#!/usr/bin/env python3
"""Regenerates the signing vectors in tests/vectors/sign_*/ (run from anywhere).

Independent of paysign on purpose: the canonical string is built here in a few lines of
Python and every signature comes from the `openssl` command line, so the Rust, Node and
CLI tests that read these files check paysign against another implementation.

Each case folder holds:
  params.json    ordered [name, value] pairs (arrival order, unsorted)
  canonical.txt  the exact string that is signed (no trailing newline)
  signature.txt  the expected `sign` value
  signed.bin     the bytes the signature covers, only where they are not the UTF-8 of
                 canonical.txt (Alipay with charset=GBK signs the GBK bytes)
  expect.json    {"profile", "message", "sign_type", "key"} where key is "merchant"
                 (keys/merchant_*.pem) or "secret" (keys/secret.txt)
RSA signatures are deterministic (PKCS#1 v1.5), so regenerating gives identical files.
"""
import base64, hashlib, hmac, json, os, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = os.path.join(HERE, "keys", "merchant_private_pkcs8.pem")
SECRET = open(os.path.join(HERE, "keys", "secret.txt"), "rb").read()

def canonical(params, excluded, skip_empty=True):
    kept = [(k, v) for k, v in params if k not in excluded and not (skip_empty and v == "")]
    kept.sort(key=lambda kv: kv[0].encode())
    return "&".join(f"{k}={v}" for k, v in kept)

def rsa(digest, data):
    out = subprocess.run(["openssl", "dgst", f"-{digest}", "-sign", KEY],
                         input=data, capture_output=True, check=True).stdout
    return base64.b64encode(out).decode()

def signed_charset(profile, params):
    """Alipay signs the string in the message's declared charset (its SDKs call
    getBytes(charset)); every other platform here signs UTF-8."""
    declared = dict(params).get("charset", "utf-8") if profile == "alipay" else "utf-8"
    return declared or "utf-8"

def sign(profile, sign_type, text, secret=SECRET, charset="utf-8"):
    encoded = text.encode(charset)
    if sign_type == "RSA2":
        return rsa("sha256", encoded)
    if sign_type == "RSA":
        return rsa("sha1", encoded)
    data = encoded + (secret if profile == "alipay" else b"&key=" + secret)
    if sign_type == "MD5":
        h = hashlib.md5(data).hexdigest()
    else:
        h = hmac.new(secret, data, hashlib.sha256).hexdigest()
    return h if profile == "alipay" else h.upper()

PAYSIGN_REQUEST = [
    ("app_id", "2026000000000001"), ("method", "order.create"), ("version", "1.0"),
    ("timestamp", "1764000000"), ("nonce", "n0nce-5f2c9a1e7b"), ("out_trade_no", "M20261125000001"),
    ("item_id", "SH-WATER-01"), ("bill_no", "SHW2026110007"), ("total_amount", "1959"),
    ("notify_url", "https://merchant.example/notify?from=paysign"), ("subject", "上海自来水 11月"),
    ("passback_params", "a%20b+c&d=e"), ("memo", ""),
]
ALIPAY_NOTIFY = [
    ("gmt_create", "2026-11-25 10:00:01"), ("charset", "utf-8"), ("seller_email", "biller@example.com"),
    ("subject", "电费"), ("buyer_id", "2088102122524333"), ("invoice_amount", "19.59"),
    ("notify_id", "2026112500222100001000000000001"), ("fund_bill_list", '[{"amount":"19.59","fundChannel":"ALIPAYACCOUNT"}]'),
    ("notify_type", "trade_status_sync"), ("trade_status", "TRADE_SUCCESS"), ("receipt_amount", "19.59"),
    ("app_id", "2014072300007148"), ("buyer_pay_amount", "19.59"), ("sign_type", "RSA2"),
    ("seller_id", "2088102119685838"), ("gmt_payment", "2026-11-25 10:00:02"),
    ("notify_time", "2026-11-25 10:00:03"), ("passback_params", "order%3D7+x"), ("version", "1.0"),
    ("out_trade_no", "6823789339978248"), ("total_amount", "19.59"), ("trade_no", "2026112522001405101000000001"),
    ("auth_app_id", "2014072300007148"), ("buyer_logon_id", "csq***@sandbox.com"), ("point_amount", "0.00"),
    ("body", ""),
]
WECHAT_GUIDE = [
    ("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("device_info", "1000"),
    ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA"),
]
WECHAT_NOTIFY = [
    ("appid", "wx2421b1c4370ec43b"), ("attach", "支付测试"), ("bank_type", "CFT"), ("fee_type", "CNY"),
    ("is_subscribe", "Y"), ("mch_id", "10000100"), ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
    ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"), ("out_trade_no", "1409811653"), ("result_code", "SUCCESS"),
    ("return_code", "SUCCESS"), ("sub_mch_id", "10000100"), ("time_end", "20261125103501"),
    ("total_fee", "1959"), ("coupon_fee", ""), ("trade_type", "JSAPI"),
    ("transaction_id", "1004400740201409030005092168"), ("x_extension_field", "kept"),
]

CASES = {
    "sign_paysign_rsa2_request": ("paysign", "request", "RSA2", PAYSIGN_REQUEST + [("sign_type", "RSA2")]),
    "sign_paysign_rsa_request": ("paysign", "request", "RSA", PAYSIGN_REQUEST + [("sign_type", "RSA")]),
    "sign_paysign_hmac_request": ("paysign", "request", "HMAC-SHA256", PAYSIGN_REQUEST + [("sign_type", "HMAC-SHA256")]),
    "sign_paysign_md5_request": ("paysign", "request", "MD5", PAYSIGN_REQUEST + [("sign_type", "MD5")]),
    "sign_alipay_rsa2_notification": ("alipay", "notification", "RSA2", ALIPAY_NOTIFY),
    "sign_alipay_rsa2_request": ("alipay", "request", "RSA2", [
        ("app_id", "2014072300007148"), ("method", "alipay.trade.page.pay"), ("format", "JSON"),
        ("charset", "utf-8"), ("sign_type", "RSA2"), ("timestamp", "2026-11-25 10:00:00"), ("version", "1.0"),
        ("notify_url", "https://merchant.example/alipay/notify"),
        ("biz_content", '{"out_trade_no":"6823789339978248","total_amount":"19.59","subject":"电费","product_code":"FAST_INSTANT_TRADE_PAY"}'),
    ]),
    # charset=GBK: the signature covers the GBK bytes of the string, not its UTF-8.
    "sign_alipay_rsa2_request_gbk": ("alipay", "request", "RSA2", [
        ("app_id", "2014072300007148"), ("method", "alipay.trade.page.pay"), ("format", "JSON"),
        ("charset", "GBK"), ("sign_type", "RSA2"), ("timestamp", "2026-11-25 10:00:00"), ("version", "1.0"),
        ("notify_url", "https://merchant.example/alipay/notify"),
        ("biz_content", '{"out_trade_no":"6823789339978249","total_amount":"19.59","subject":"上海电费 十一月","product_code":"FAST_INSTANT_TRADE_PAY"}'),
    ]),
    "sign_alipay_md5_notification_gbk": ("alipay", "notification", "MD5",
        [(k, {"sign_type": "MD5", "charset": "gbk"}.get(k, v)) for k, v in ALIPAY_NOTIFY]),
    "sign_alipay_md5_notification": ("alipay", "notification", "MD5",
        [(k, "MD5" if k == "sign_type" else v) for k, v in ALIPAY_NOTIFY]),
    "sign_wechat_md5_guide": ("wechat-v2", "notification", "MD5", WECHAT_GUIDE),
    "sign_wechat_md5_notification": ("wechat-v2", "notification", "MD5", WECHAT_NOTIFY),
    "sign_wechat_hmac_notification": ("wechat-v2", "notification", "HMAC-SHA256", WECHAT_NOTIFY + [("sign_type", "HMAC-SHA256")]),
}

for name, (profile, message, sign_type, params) in CASES.items():
    excluded = ["sign", "sign_type"] if (profile, message) == ("alipay", "notification") else ["sign"]
    text = canonical(params, excluded)
    secret = b"192006250b4c09247ec02edce69f6a2d" if name == "sign_wechat_md5_guide" else SECRET
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "params.json"), "w") as f:
        json.dump([[k, v] for k, v in params], f, ensure_ascii=False, indent=1)
        f.write("\n")
    open(os.path.join(folder, "canonical.txt"), "w").write(text)
    charset = signed_charset(profile, params)
    open(os.path.join(folder, "signature.txt"), "w").write(sign(profile, sign_type, text, secret, charset))
    if text.encode(charset) != text.encode():
        open(os.path.join(folder, "signed.bin"), "wb").write(text.encode(charset))
    key = "guide_secret" if name == "sign_wechat_md5_guide" else ("merchant" if sign_type.startswith("RSA") else "secret")
    with open(os.path.join(folder, "expect.json"), "w") as f:
        json.dump({"profile": profile, "message": message, "sign_type": sign_type, "key": key}, f, indent=1)
        f.write("\n")
print(f"wrote {len(CASES)} signing vectors")
