//! Acknowledgements: the exact response bodies platforms expect from a merchant.
//!
//! A platform keeps retrying a notification until it reads its acknowledgement, so the
//! body must be byte-exact (docs/protocol.md, "Acknowledgement"). Acknowledge every
//! verified copy, duplicates included; answer failure only when you want a retry.

/// Form of an acknowledgement body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckFormat {
    /// `success` / `fail` as `text/plain` (paysign, Alipay).
    Text,
    /// WeChat Pay v2's `<xml><return_code>…</return_code>…</xml>`.
    Xml,
    /// `{"code":"SUCCESS","message":"OK"}`.
    Json,
    /// WeChat Pay v3: the HTTP status decides (2xx received, 4xx/5xx retry); success is
    /// `200` with `{"code":"SUCCESS","message":"成功"}`, failure `500` with
    /// `{"code":"FAIL","message":…}`.
    WechatV3,
    /// The HTTP status alone decides (UnionPay, Standard Webhooks): `200` with an empty body
    /// is success, `500` asks for a retry.
    Status,
}

/// An acknowledgement: HTTP status, content type and body to send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// HTTP status code (200 for the body-reading platforms; WeChat Pay v3, UnionPay and
    /// Standard Webhooks read the status: 500 asks for a retry).
    pub status: u16,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Acknowledgement {
    /// "Received, stop retrying."
    pub fn success(format: AckFormat) -> Self {
        Self::build(format, true, "OK")
    }

    /// "Not processed, retry later", with a reason for the platform's logs.
    pub fn failure(format: AckFormat, reason: &str) -> Self {
        Self::build(format, false, reason)
    }

    /// "Refused": a message that is not a genuine, current notification for this merchant
    /// (forged, altered, expired, misaddressed, malformed). Status `400` with the format's
    /// failure body and the error code as the reason. No platform here has an answer that
    /// stops its retries short of success: they retry a refused message on their schedule
    /// and give up at its end (docs/replay.md), and every copy is refused alike.
    pub fn refusal(format: AckFormat, reason: &str) -> Self {
        Self {
            status: 400,
            ..Self::build(format, false, reason)
        }
    }

    /// The answer to a notification that `error` stopped: [`failure`](Self::failure) (retry
    /// later) when the same notification may pass later ([`Error::is_transient`](crate::Error::is_transient): another
    /// delivery is booking it, the replay store did not answer), else
    /// [`refusal`](Self::refusal). The reason is the error's code, never its details.
    pub fn for_error(format: AckFormat, error: &crate::Error) -> Self {
        Self::for_code(format, error.code())
    }

    /// [`for_error`](Self::for_error) from an error's code alone.
    pub fn for_code(format: AckFormat, code: &str) -> Self {
        if crate::Error::TRANSIENT_CODES.contains(&code) {
            Self::failure(format, code)
        } else {
            Self::refusal(format, code)
        }
    }

    fn build(format: AckFormat, ok: bool, message: &str) -> Self {
        match format {
            AckFormat::Text => Self {
                status: 200,
                content_type: "text/plain; charset=utf-8",
                body: if ok { "success" } else { "fail" }.to_owned(),
            },
            AckFormat::Xml => Self {
                status: 200,
                content_type: "text/xml; charset=utf-8",
                body: format!(
                    "<xml><return_code><![CDATA[{}]]></return_code><return_msg><![CDATA[{}]]></return_msg></xml>",
                    if ok { "SUCCESS" } else { "FAIL" },
                    cdata_safe(message)
                ),
            },
            AckFormat::Json => Self {
                status: 200,
                content_type: "application/json",
                body: serde_json::json!({
                    "code": if ok { "SUCCESS" } else { "FAIL" },
                    "message": message,
                })
                .to_string(),
            },
            AckFormat::WechatV3 => Self {
                status: if ok { 200 } else { 500 },
                content_type: "application/json",
                body: serde_json::json!({
                    "code": if ok { "SUCCESS" } else { "FAIL" },
                    "message": if ok { "成功" } else { message },
                })
                .to_string(),
            },
            AckFormat::Status => Self {
                status: if ok { 200 } else { 500 },
                content_type: "text/plain; charset=utf-8",
                body: if ok {
                    String::new()
                } else {
                    message.to_owned()
                },
            },
        }
    }

    /// Whether an HTTP response acknowledges a notification in `format` — the one
    /// acknowledgement rule of every sender (the mock gateway, `paysign notify`):
    ///
    /// - the body-reading formats ([`AckFormat::Text`], [`AckFormat::Xml`],
    ///   [`AckFormat::Json`]) need status **exactly 200** and the success body
    ///   (docs/protocol.md §9: a `204` or `202` has no body to read, and a redirect is
    ///   never followed);
    /// - the status-reading formats ([`AckFormat::WechatV3`], [`AckFormat::Status`]) need a
    ///   2xx status alone, as those platforms document.
    pub fn is_success_response(format: AckFormat, status: u16, body: &str) -> bool {
        match format {
            AckFormat::WechatV3 | AckFormat::Status => (200..300).contains(&status),
            AckFormat::Text | AckFormat::Xml | AckFormat::Json => {
                status == 200 && Self::is_success_body(format, body)
            }
        }
    }

    /// [`Acknowledgement::is_success_response`] for a sender that accepts several formats
    /// (the gateway of docs/protocol.md §9 accepts `success`, the WeChat `<xml>` and the
    /// JSON body alike). A body that is not UTF-8 acknowledges nothing.
    pub fn is_success_response_any(formats: &[AckFormat], status: u16, body: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(body) else {
            return false;
        };
        formats
            .iter()
            .any(|&format| Self::is_success_response(format, status, text))
    }

    /// Whether `body` is the success acknowledgement of `format` (used by the gateway
    /// and `paysign notify` to decide whether to retry). Each format is read by its own
    /// standard, with the core's strict parsers (the ones that read notifications), so a
    /// `SUCCESS` that is not the acknowledgement's own field counts for nothing:
    ///
    /// - [`AckFormat::Text`]: `success`, with surrounding ASCII whitespace tolerated —
    ///   merchants print `success\n` and the platforms (Alipay, paysign) accept it; no
    ///   other character (a BOM, a no-break space, `SUCCESS`).
    /// - [`AckFormat::Xml`] (WeChat Pay v2): a well-formed, flat `<xml>` document whose
    ///   `return_code` element appears exactly once with the text `SUCCESS` (as text or
    ///   CDATA: XML reads both as the same characters). `return_msg` is WeChat's free-text
    ///   reason, optional and not read; other flat elements are ignored, as WeChat does. A
    ///   DTD, an attribute, a nested element, a second root or text outside the root make
    ///   the document not an acknowledgement.
    /// - [`AckFormat::Json`]: one object with exactly one `code` key whose value is the
    ///   string `SUCCESS` (a key given twice is no acknowledgement: serde_json would take
    ///   the last); other keys (`message`) are not read.
    /// - The status-reading formats: an empty body counts as success
    ///   ([`AckFormat::WechatV3`] also its JSON body); use
    ///   [`Acknowledgement::is_success_response`] with the status.
    pub fn is_success_body(format: AckFormat, body: &str) -> bool {
        use super::parse::{BodyRules, JsonType, JsonValues, ParseOptions};
        match format {
            AckFormat::Status => true,
            AckFormat::WechatV3 => body.is_empty() || Self::is_success_body(AckFormat::Json, body),
            AckFormat::Text => body.trim_matches(|c: char| c.is_ascii_whitespace()) == "success",
            AckFormat::Xml => {
                super::parse::parse_xml_document(body.as_bytes(), &ParseOptions::default())
                    .is_ok_and(|(root, params)| {
                        root == "xml" && params.get("return_code") == Some("SUCCESS")
                    })
            }
            AckFormat::Json => {
                let options = ParseOptions {
                    rules: BodyRules {
                        json: JsonValues::Typed(&[("code", JsonType::String)]),
                        ..BodyRules::STRICT
                    },
                    ..ParseOptions::default()
                };
                super::parse::parse_json(body.as_bytes(), &options)
                    .is_ok_and(|params| params.get("code") == Some("SUCCESS"))
            }
        }
    }
}

/// A CDATA section cannot contain `]]>`; split it so the reason cannot break the XML.
fn cdata_safe(text: &str) -> String {
    text.replace("]]>", "]]]]><![CDATA[>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn bodies_are_exact() {
        assert_eq!(Acknowledgement::success(AckFormat::Text).body, "success");
        assert_eq!(Acknowledgement::failure(AckFormat::Text, "x").body, "fail");
        assert_eq!(
            Acknowledgement::success(AckFormat::Xml).body,
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
        assert_eq!(
            Acknowledgement::success(AckFormat::Json).body,
            r#"{"code":"SUCCESS","message":"OK"}"#
        );
    }

    #[test]
    fn success_detection_matches_only_success() {
        for f in [AckFormat::Text, AckFormat::Xml, AckFormat::Json] {
            assert!(Acknowledgement::is_success_body(
                f,
                &Acknowledgement::success(f).body
            ));
            assert!(!Acknowledgement::is_success_body(
                f,
                &Acknowledgement::failure(f, "no").body
            ));
        }
        assert!(!Acknowledgement::is_success_body(
            AckFormat::Text,
            "SUCCESS"
        ));
        assert!(!Acknowledgement::is_success_body(
            AckFormat::Text,
            "<html>success</html>"
        ));
    }

    #[test]
    fn errors_are_answered_with_a_retry_or_a_refusal() {
        let in_progress = crate::Error::NotificationInProgress {
            notify_id: "N1".into(),
        };
        let forged = crate::Error::SignatureMismatch;
        for format in [
            AckFormat::Text,
            AckFormat::Xml,
            AckFormat::Json,
            AckFormat::WechatV3,
            AckFormat::Status,
        ] {
            let retry = Acknowledgement::for_error(format, &in_progress);
            assert_eq!(
                retry,
                Acknowledgement::failure(format, "NOTIFICATION_IN_PROGRESS")
            );
            let refused = Acknowledgement::for_error(format, &forged);
            assert_eq!(refused.status, 400);
            assert!(!Acknowledgement::is_success_response(
                format,
                refused.status,
                &refused.body
            ));
            assert_eq!(
                refused.body,
                Acknowledgement::failure(format, "SIGNATURE_MISMATCH").body
            );
        }
        let down = crate::Error::ReplayStoreUnavailable {
            reason: "redis: connection refused".into(),
        };
        assert!(down.is_transient() && in_progress.is_transient() && !forged.is_transient());
        // The reason sent to the platform is the code, never the store's details.
        assert!(
            !Acknowledgement::for_error(AckFormat::Json, &down)
                .body
                .contains("redis")
        );
    }

    #[test]
    fn status_reading_platforms() {
        let ok = Acknowledgement::success(AckFormat::WechatV3);
        assert_eq!(ok.status, 200);
        assert_eq!(ok.body, r#"{"code":"SUCCESS","message":"成功"}"#);
        let retry = Acknowledgement::failure(AckFormat::WechatV3, "busy");
        assert_eq!(retry.status, 500);
        assert_eq!(retry.body, r#"{"code":"FAIL","message":"busy"}"#);
        assert!(Acknowledgement::is_success_response(
            AckFormat::WechatV3,
            204,
            ""
        ));
        assert!(!Acknowledgement::is_success_response(
            AckFormat::WechatV3,
            500,
            &ok.body
        ));
        let status = Acknowledgement::success(AckFormat::Status);
        assert_eq!((status.status, status.body.as_str()), (200, ""));
        assert_eq!(Acknowledgement::failure(AckFormat::Status, "x").status, 500);
        assert_eq!(AckFormat::for_profile(Profile::UnionPay), AckFormat::Status);
        assert_eq!(
            AckFormat::for_profile(Profile::StandardWebhooks),
            AckFormat::Status
        );
        assert!(!Acknowledgement::is_success_response(
            AckFormat::Text,
            200,
            "fail"
        ));
    }

    #[test]
    fn body_reading_formats_need_exactly_200() {
        let any = [AckFormat::Text, AckFormat::Xml, AckFormat::Json];
        for ok in [
            &b"success"[..],
            b"  success\r\n",
            b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>",
            b"<xml><return_code>SUCCESS</return_code></xml>",
            br#"{"code":"SUCCESS"}"#,
        ] {
            let text = String::from_utf8_lossy(ok);
            assert!(Acknowledgement::is_success_response_any(&any, 200, ok), "{text}");
            for status in [201, 202, 204, 302, 500] {
                assert!(
                    !Acknowledgement::is_success_response_any(&any, status, ok),
                    "{status} {text}"
                );
            }
        }
        for bad in [
            &b"SUCCESS"[..],
            b"fail",
            b"",
            b"success!",
            br#"{"code":"FAIL"}"#,
            b"<xml><return_code>FAIL</return_code></xml>",
            b"<xml><return_code>SUCCESS</return_code>",
            b"\xff",
        ] {
            assert!(
                !Acknowledgement::is_success_response_any(&any, 200, bad),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(Acknowledgement::is_success_response(
            AckFormat::Status,
            204,
            ""
        ));
    }

    /// Issue 23 item 4: the acknowledgement is read by each format's standard, not by
    /// substrings or by serde_json's last-key-wins.
    #[test]
    fn success_is_the_formats_own_field_exactly_once() {
        let yes =
            |f, body: &str| assert!(Acknowledgement::is_success_body(f, body), "{f:?} {body:?}");
        let no =
            |f, body: &str| assert!(!Acknowledgement::is_success_body(f, body), "{f:?} {body:?}");
        use AckFormat::{Json, Text, Xml};

        // Text: ASCII whitespace around `success` is what merchants write and platforms accept.
        for ok in ["success", "success\n", "success\r\n", " \tsuccess \n"] {
            yes(Text, ok);
        }
        for bad in [
            "Success",
            "SUCCESS",
            "success success",
            "\u{feff}success",
            "success\u{a0}",
            "\u{3000}success",
            "succ\0ess",
            "success\n\nfail",
            "\"success\"",
        ] {
            no(Text, bad);
        }

        // XML: one `return_code`, text or CDATA exactly SUCCESS, in a well-formed <xml>.
        for ok in [
            "<xml><return_code>SUCCESS</return_code></xml>",
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>",
            "<xml><return_msg>成功</return_msg><return_code>SUCCESS</return_code></xml>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  <return_code>SUCCESS</return_code>\n</xml>\n",
            "\u{feff}<xml><return_code>SUCCESS</return_code></xml>",
            "<xml><!-- ok --><return_code>SUCCESS</return_code></xml><!-- end -->",
            // XML reads a split CDATA section and a character reference as the same text.
            "<xml><return_code>SUC<![CDATA[CESS]]></return_code></xml>",
            "<xml><return_code>&#83;UCCESS</return_code></xml>",
        ] {
            yes(Xml, ok);
        }
        for bad in [
            // Twice, in either order: no answer rather than the first or the last.
            "<xml><return_code>SUCCESS</return_code><return_code>FAIL</return_code></xml>",
            "<xml><return_code>FAIL</return_code><return_code>SUCCESS</return_code></xml>",
            "<xml><return_code>SUCCESS</return_code><return_code>SUCCESS</return_code></xml>",
            // SUCCESS somewhere else than the element's text.
            "<xml><!--<return_code>SUCCESS</return_code>--><return_code>FAIL</return_code></xml>",
            "<xml><return_msg><![CDATA[<return_code>SUCCESS</return_code>]]></return_msg></xml>",
            "<xml><return_msg>SUCCESS</return_msg></xml>",
            "<xml><result_code>SUCCESS</result_code></xml>",
            "<xml><wrap><return_code>SUCCESS</return_code></wrap></xml>",
            "<root><return_code>SUCCESS</return_code></root>",
            "<xml><return_code attr=\"1\">SUCCESS</return_code></xml>",
            // Not exactly SUCCESS.
            "<xml><return_code> SUCCESS </return_code></xml>",
            "<xml><return_code><![CDATA[ SUCCESS]]></return_code></xml>",
            "<xml><return_code>success</return_code></xml>",
            "<xml><return_code></return_code></xml>",
            "<xml><return_code/></xml>",
            // Not a well-formed document.
            "<xml><return_code>SUCCESS</return_code>",
            "<xml><return_code>SUCCESS</return_code></xml>trailing",
            "<xml><return_code>SUCCESS</return_code></xml><xml></xml>",
            "<!DOCTYPE xml [<!ENTITY s \"SUCCESS\">]><xml><return_code>&s;</return_code></xml>",
            "<xml><return_code>SUCCESS</return_code></XML>",
            "<xml>SUCCESS<return_code>SUCCESS</return_code></xml>",
        ] {
            no(Xml, bad);
        }

        // JSON: one object, exactly one `code`, the string SUCCESS.
        for ok in [
            r#"{"code":"SUCCESS"}"#,
            r#"{"code":"SUCCESS","message":"OK"}"#,
            " {\"message\":\"成功\",\n \"code\" : \"SUCCESS\"}\n",
            r#"{"code":"SUCC\u0045SS"}"#,
            // RFC 8259 §8.1 lets a parser ignore a BOM, and the notification parser does.
            "\u{feff}{\"code\":\"SUCCESS\"}",
        ] {
            yes(Json, ok);
        }
        for bad in [
            r#"{"code":"SUCCESS","code":"FAIL"}"#,
            r#"{"code":"FAIL","code":"SUCCESS"}"#,
            r#"{"code":"SUCCESS","code":"SUCCESS"}"#,
            r#"{"code":"success"}"#,
            r#"{"code":" SUCCESS"}"#,
            r#"{"code":["SUCCESS"]}"#,
            r#"{"code":{"code":"SUCCESS"}}"#,
            r#"{"data":{"code":"SUCCESS"}}"#,
            r#"{"Code":"SUCCESS"}"#,
            r#"{"code":null}"#,
            r#"[{"code":"SUCCESS"}]"#,
            r#""SUCCESS""#,
            r#"{"code":"SUCCESS"} trailing"#,
            r#"{"code":"SUCCESS"}{"code":"FAIL"}"#,
            r#"{"code":"SUCCESS""#,
        ] {
            no(Json, bad);
        }
    }

    #[test]
    fn failure_reason_cannot_break_the_xml() {
        let body = Acknowledgement::failure(AckFormat::Xml, "bad]]><x>").body;
        assert!(!body.contains("]]><x>"));
    }
}
