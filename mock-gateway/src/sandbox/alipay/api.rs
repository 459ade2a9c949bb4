//! `POST /alipay/gateway.do`: Alipay's open-platform gateway as its SDKs call it. The
//! common parameters (`app_id`, `method`, `charset`, `sign_type`, `sign`, `timestamp`,
//! `version`, `notify_url`) arrive in the query string, `biz_content` and the rest in the
//! form body; the sorted `k=v` string of all of them but `sign` is signed with the
//! application's RSA2 key. The answer is `{"<method>_response":{…},"sign":"…"}`, its
//! signature over the exact text of the `<method>_response` value, with the sandbox's
//! Alipay key (the gateway's RSA2 key).

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use paysign_core::message::parse::{BodyFormat, Charset, ParseOptions, parse_body};
use paysign_core::params::Params;
use paysign_core::{
    KeyAlgorithm, MessageKind, Profile, PublicKey, SignType, VerificationCredential, Verifier,
};
use serde_json::{Value, json};

use super::{AlipayError, Answer, Biz, Call};
use crate::api::envelope::MAX_BODY_BYTES;
use crate::merchants::store as merchant_q;
use crate::request_body;
use crate::state::AppState;

/// The Alipay gateway route.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/alipay/gateway.do", post(gateway_do).get(gateway_do))
        .route("/alipay/downloadBillFile.resource", get(download_bill))
        .merge(super::cashier::routes())
}

/// The link `alipay.data.dataservice.bill.downloadurl.query` answered: the bill's zip while
/// the link's token holds and it has not expired; else `404`, naming no reason.
async fn download_bill(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let get = |name: &str| {
        crate::sandbox::query_param(&query, name)
            .unwrap_or_default()
            .to_owned()
    };
    let (app_id, dates, token) = (get("appId"), get("bizDates"), get("token"));
    let expires: i64 = get("expires").parse().unwrap_or(0);
    let now = state.now();
    let day = (dates.len() == 8)
        .then(|| format!("{}-{}-{}", &dates[..4], &dates[4..6], &dates[6..]))
        .and_then(|d| crate::sandbox::NaturalDay::parse(&d));
    let file = day.map(|day| {
        let valid = crate::sandbox::token_valid(
            state.store(),
            &["alipay bill", &app_id, &day.compact()],
            expires,
            &token,
            now,
        )?;
        if valid {
            super::bill::zip(&state, &app_id, &day, now).map(Some)
        } else {
            Ok(None)
        }
    });
    match file {
        Some(Ok(Some((name, zip)))) => {
            let mut response = (StatusCode::OK, zip).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Some(Err(e)) => {
            tracing::error!(error = %e.message, "alipay sandbox: cannot make a bill");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            "the link is not valid or has expired",
        )
            .into_response(),
    }
}

/// One method's rule.
type Rule = fn(&AppState, &Call<'_>, &Biz<'_>) -> Answer;

/// The methods the sandbox answers, each with its rule.
const METHODS: [(&str, Rule); 7] = [
    ("alipay.trade.precreate", super::precreate),
    ("alipay.trade.app.pay", super::app_pay),
    (
        "alipay.data.dataservice.bill.downloadurl.query",
        super::bill_download_url,
    ),
    ("alipay.trade.query", super::query),
    ("alipay.trade.close", super::close),
    ("alipay.trade.refund", super::refund),
    ("alipay.trade.fastpay.refund.query", super::refund_query),
];

async fn gateway_do(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    request: Request<Body>,
) -> Response {
    let now = state.now();
    let body = request_body::read(request.into_body(), MAX_BODY_BYTES, state.body_timeout()).await;
    let params = body
        .map_err(AlipayError::from)
        .and_then(|body| parameters(query.as_deref().unwrap_or_default(), &headers, &body));
    let method = params
        .as_ref()
        .ok()
        .and_then(|p| p.get("method"))
        .filter(|m| METHODS.iter().any(|(name, _)| name == m))
        .map(str::to_owned);
    let origin = format!(
        "http://{}",
        headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("127.0.0.1")
    );
    // Page and wap pay come from the payer's browser: the answer is the cashier page (or
    // the refusal Alipay's cashier shows), not JSON.
    if let Ok(p) = &params {
        let page_method = p
            .get("method")
            .filter(|m| super::cashier::PAGE_METHODS.contains(m))
            .map(str::to_owned);
        if let Some(page_method) = page_method {
            return match with_call(&state, p, now, &origin, |call, biz| {
                super::page_pay(&state, call, biz)
            }) {
                Ok(trade) => super::cashier::page(&state, &trade, &page_method),
                Err(e) => super::cashier::refusal(&e),
            };
        }
    }
    let cert_mode = params
        .as_ref()
        .is_ok_and(|p| p.non_empty("app_cert_sn").is_some());
    let params_app_id = params
        .as_ref()
        .ok()
        .and_then(|p| p.non_empty("app_id"))
        .map(str::to_owned);
    let declared = params.as_ref().map_or(Charset::Utf8, declared_charset);
    let answer = params.and_then(|p| answer(&state, &p, now, &origin));
    // Alipay answers a call whose method it does not know under `error_response`.
    let key = match &method {
        Some(m) => format!("{}_response", m.replace('.', "_")),
        None => "error_response".to_owned(),
    };
    let reply = Reply {
        key,
        app_id: params_app_id.unwrap_or_default(),
        cert_mode,
        charset: declared,
    };
    respond(&state, &reply, answer, now)
}

/// The charset a call declares (`charset`), which its answer is written and signed in.
fn declared_charset(params: &Params) -> Charset {
    match params.non_empty("charset") {
        Some(c) if c.eq_ignore_ascii_case("gbk") => Charset::Gbk,
        _ => Charset::Utf8,
    }
}

/// How an answer is written: under which key, to whom (its algorithm), whether it names the
/// Alipay public key certificate, in which charset.
struct Reply {
    key: String,
    app_id: String,
    cert_mode: bool,
    charset: Charset,
}

/// The query string's and the form body's parameters together (a name in both is refused).
fn parameters(query: &str, headers: &HeaderMap, body: &[u8]) -> Result<Params, AlipayError> {
    let options = ParseOptions {
        format: Some(BodyFormat::Form),
        rules: Profile::Alipay.body_rules(),
        ..ParseOptions::default()
    };
    let malformed = |e: paysign_core::Error| {
        if e.code() == "CHARSET_UNSUPPORTED" {
            AlipayError::invalid("isv.invalid-charset", "字符集不合法: utf-8 或 GBK")
        } else {
            AlipayError::invalid("isv.invalid-parameter", format!("参数格式错误: {e}"))
        }
    };
    // The query's percent-escapes are in the call's `charset` (a field of the query).
    let mut params = parse_body(
        query.as_bytes(),
        Some("application/x-www-form-urlencoded"),
        &options,
    )
    .map_err(malformed)?
    .params;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // A GBK call declares it in the query (`charset=GBK`): its body's escapes are GBK too,
    // whether or not the Content-Type says so.
    let declared = declared_charset(&params);
    let content_type = match content_type {
        Some(ct) if ct.to_ascii_lowercase().contains("charset") => ct.to_owned(),
        Some(ct) if declared == Charset::Gbk => format!("{ct}; charset=GBK"),
        Some(ct) => ct.to_owned(),
        None if declared == Charset::Gbk => {
            "application/x-www-form-urlencoded; charset=GBK".to_owned()
        }
        None => "application/x-www-form-urlencoded".to_owned(),
    };
    if !body.is_empty() {
        let form = parse_body(body, Some(&content_type), &options).map_err(malformed)?;
        params.extend_from(&form.params).map_err(malformed)?;
    }
    Ok(params)
}

/// Checks the common parameters and the signature, then runs the method.
fn answer(state: &AppState, params: &Params, now: i64, origin: &str) -> Answer {
    let method = params
        .non_empty("method")
        .ok_or_else(|| AlipayError::missing("isv.missing-method", "缺少方法名参数"))?;
    let run = METHODS
        .iter()
        .find(|(name, _)| *name == method)
        .map(|(_, run)| *run)
        .ok_or_else(|| {
            AlipayError::invalid("isv.invalid-method", format!("不存在的方法名: {method}"))
        })?;
    with_call(state, params, now, origin, |call, biz| {
        run(state, call, biz)
    })
}

/// Checks the common parameters and the signature, then runs `run` with the call and its
/// business parameters.
fn with_call<T>(
    state: &AppState,
    params: &Params,
    now: i64,
    origin: &str,
    run: impl FnOnce(&Call<'_>, &Biz<'_>) -> Result<T, AlipayError>,
) -> Result<T, AlipayError> {
    let app_id = params
        .non_empty("app_id")
        .ok_or_else(|| AlipayError::missing("isv.missing-app-id", "缺少AppID参数"))?;
    // Alipay's two charsets: the signature covers the string encoded in the one declared.
    match params.non_empty("charset") {
        None => {}
        Some(c) if c.eq_ignore_ascii_case("utf-8") || c.eq_ignore_ascii_case("gbk") => {}
        Some(other) => {
            return Err(AlipayError::invalid(
                "isv.invalid-charset",
                format!("字符集不合法: {other} (utf-8 或 GBK)"),
            ));
        }
    }
    if params.non_empty("version").is_some_and(|v| v != "1.0") {
        return Err(AlipayError::invalid(
            "isv.invalid-version",
            "版本号不合法, 应为 1.0",
        ));
    }
    let timestamp = params
        .non_empty("timestamp")
        .ok_or_else(|| AlipayError::missing("isv.missing-timestamp", "缺少时间戳参数"))?;
    if paysign_core::message::time::parse_timestamp(
        timestamp,
        Some(paysign_core::message::time::CHINA_STANDARD_TIME),
    )
    .is_err()
        || timestamp.len() != 19
    {
        return Err(AlipayError::invalid(
            "isv.invalid-timestamp",
            "非法的时间戳参数, 格式为 yyyy-MM-dd HH:mm:ss",
        ));
    }
    verify(state, app_id, params)?;
    let biz_text = params.non_empty("biz_content").unwrap_or("{}");
    let biz_value: Value = serde_json::from_str(biz_text).map_err(|e| {
        AlipayError::invalid(
            "isv.invalid-parameter",
            format!("biz_content 不是合法的 JSON: {e}"),
        )
    })?;
    let Value::Object(biz) = biz_value else {
        return Err(AlipayError::invalid(
            "isv.invalid-parameter",
            "biz_content 必须是 JSON 对象",
        ));
    };
    let call = Call {
        app_id,
        notify_url: params.non_empty("notify_url"),
        now,
        origin,
        return_url: params.non_empty("return_url"),
        charset: if declared_charset(params) == Charset::Gbk {
            "GBK"
        } else {
            "utf-8"
        },
    };
    run(&call, &Biz::new(&biz))
}

/// The application's signature, with the public key its merchant registered (RSA2 or SM2).
fn verify(state: &AppState, app_id: &str, params: &Params) -> Result<(), AlipayError> {
    let unknown =
        || AlipayError::invalid("isv.invalid-app-id", format!("无效的AppID参数: {app_id}"));
    let merchant = state
        .store()
        .read(|c| Ok(merchant_q::get(c, app_id)?))?
        .filter(|m| m.status == "APPROVED")
        .ok_or_else(unknown)?;
    let pem = merchant.public_key.ok_or_else(unknown)?;
    let key = PublicKey::parse(pem.as_bytes()).map_err(|e| AlipayError::system(&e.into()))?;
    check_certificates(state, app_id, &key, params)?;
    // An application signs with the algorithm of the key it registered: RSA2, or SM2 (国密).
    let accepted = match key.algorithm() {
        KeyAlgorithm::Sm2 => [SignType::Sm2],
        KeyAlgorithm::Rsa => [SignType::Rsa2],
    };
    let verifier = Verifier::new(Profile::Alipay, VerificationCredential::Key(key), &accepted)
        .map_err(|e| AlipayError::system(&e.into()))?
        .message_kind(MessageKind::Request);
    match verifier.verify(params) {
        Ok(_) => Ok(()),
        Err(paysign_core::Error::SignatureMissing { .. }) => Err(AlipayError::missing(
            "isv.missing-signature",
            "缺少签名参数",
        )),
        Err(e) if e.code() == "SIGN_TYPE_UNSUPPORTED" || e.code() == "SIGN_TYPE_NOT_ACCEPTED" => {
            Err(AlipayError::invalid(
                "isv.invalid-signature-type",
                format!("无效的签名类型: {e}"),
            ))
        }
        Err(_) => {
            // As Alipay does: the string the gateway verified, for the developer to compare.
            let canonical = verifier.canonical(params).unwrap_or_default();
            Err(AlipayError::invalid(
                "isv.invalid-signature",
                format!(
                    "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{canonical}"
                ),
            ))
        }
    }
}

/// Certificate mode (docs/sandbox-alipay.md §1): a call naming `app_cert_sn` must name the
/// certificate the sandbox issued for the application's registered key
/// (`isv.app-cert-not-exist` otherwise) and the sandbox's root (`alipay_root_cert_sn`,
/// `isv.invalid-alipay-root-cert-sn` otherwise), as Alipay checks them.
fn check_certificates(
    state: &AppState,
    app_id: &str,
    key: &PublicKey,
    params: &Params,
) -> Result<(), AlipayError> {
    let Some(given) = params.non_empty("app_cert_sn") else {
        return Ok(());
    };
    if super::certs::app_cert_sn(state, app_id, key)?.as_deref() != Some(given) {
        return Err(AlipayError::invalid(
            "isv.app-cert-not-exist",
            format!(
                "应用公钥证书不存在: app_cert_sn {given} (GET /admin/alipay/certificates/{app_id} gives the application's)"
            ),
        ));
    }
    let root = params.non_empty("alipay_root_cert_sn").unwrap_or_default();
    if super::certs::root_cert_sn(state)?.as_deref() != Some(root) {
        return Err(AlipayError::invalid(
            "isv.invalid-alipay-root-cert-sn",
            format!("无效支付宝根证书序列号: {root}"),
        ));
    }
    Ok(())
}

/// `{"<key>":{…},"sign":"…"}`, the signature over the exact text between the braces (in the
/// call's charset), with the application's algorithm (RSA2 or SM2); in certificate mode
/// `alipay_cert_sn` names the certificate of the key that signed, between the two (as
/// Alipay places it).
fn respond(state: &AppState, reply: &Reply, answer: Answer, now: i64) -> Response {
    let mut object = serde_json::Map::new();
    match answer {
        Ok(fields) => {
            object.insert("code".into(), json!("10000"));
            object.insert("msg".into(), json!("Success"));
            object.extend(fields);
        }
        Err(e) => {
            object.insert("code".into(), json!(e.code));
            object.insert("msg".into(), json!(e.msg));
            object.insert("sub_code".into(), json!(e.sub_code));
            object.insert("sub_msg".into(), json!(e.sub_msg));
        }
    }
    let rendered = serde_json::to_string(&Value::Object(object))
        .map_err(|e| e.to_string())
        .and_then(|inner| {
            let sign = state
                .alipay_signer(&reply.app_id, now)
                .sign_canonical_in(&inner, reply.charset)
                .map_err(|e| e.to_string())?;
            let key = serde_json::to_string(&reply.key).map_err(|e| e.to_string())?;
            let cert_sn = if reply.cert_mode {
                super::certs::alipay_cert_sn(state)
                    .map_err(|e| e.message)?
                    .map(|sn| format!(",\"alipay_cert_sn\":\"{sn}\""))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let text = format!("{{{key}:{inner}{cert_sn},\"sign\":\"{sign}\"}}");
            reply
                .charset
                .encode(&text)
                .map(|bytes| bytes.into_owned())
                .map_err(|e| e.to_string())
        });
    match rendered {
        Ok(body) => {
            let mut response = (StatusCode::OK, body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(if reply.charset == Charset::Gbk {
                    "application/json;charset=GBK"
                } else {
                    "application/json;charset=utf-8"
                }),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "alipay sandbox: cannot sign an answer");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
