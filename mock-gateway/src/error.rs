//! Errors: the protocol's stable codes ([`Code`], docs/protocol.md §11), the error every
//! request path returns ([`ApiError`]), and what can go wrong starting the gateway
//! ([`Error`]).
//!
//! Codes shared with the SDK come from [`paysign_core::Error::code`]; the gateway-only
//! ones (`APP_ID_UNKNOWN`, `ORDER_CONFLICT`, ...) are added here. A response never
//! carries a stack trace: unexpected failures are logged and answered `INTERNAL_ERROR`.

use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A stable error code of the gateway protocol (docs/protocol.md §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `sign` absent or empty.
    SignatureMissing,
    /// The signature does not verify.
    SignatureMismatch,
    /// `sign` is not valid base64/hex or of the wrong length.
    SignatureMalformed,
    /// `sign_type` absent or empty.
    SignTypeMissing,
    /// A known sign type the merchant did not register.
    SignTypeNotAllowed,
    /// Not one of `RSA2`, `RSA`, `HMAC-SHA256`, `MD5`.
    UnsupportedSignType,
    /// No merchant with this `app_id`.
    AppIdUnknown,
    /// The merchant is `PENDING` or `REJECTED`.
    MerchantNotApproved,
    /// `timestamp` is not a decimal Unix time.
    TimestampInvalid,
    /// `timestamp` is more than 300 s from the gateway clock.
    TimestampOutOfWindow,
    /// `(app_id, nonce)` was seen in the last 600 s.
    ReplayDetected,
    /// A required field is absent or empty.
    FieldMissing,
    /// A field has a bad format or value.
    FieldInvalid,
    /// An amount is not a fen integer string, or out of range.
    AmountInvalid,
    /// `total_amount` differs from the bill's `amount_due`.
    AmountMismatch,
    /// A key occurs twice in the body.
    ParamDuplicate,
    /// The body exceeds 65,536 bytes (read, or declared by `Content-Length`).
    BodyTooLarge,
    /// The body's HTTP framing is broken: a chunk size that is not hexadecimal or
    /// overflows, chunk data not followed by CRLF, a body cut short of its length.
    BodyFramingInvalid,
    /// The request body did not arrive within the body timeout.
    RequestTimeout,
    /// Every connection slot is taken; retry after `Retry-After` seconds.
    ServerBusy,
    /// No route has this path.
    PathUnknown,
    /// The path exists but not with this HTTP method (`Allow` lists the methods).
    HttpMethodNotAllowed,
    /// No statement discrepancy with this id (admin API).
    DiscrepancyNotFound,
    /// An admin request without `Authorization: Bearer <admin token>`, or with another token.
    AdminTokenInvalid,
    /// No notification with this `notify_id` (admin API).
    NotificationNotFound,
    /// A console request without a live session (log in with the admin token).
    ConsoleSessionInvalid,
    /// A state-changing console request without its session's CSRF token.
    ConsoleCsrfInvalid,
    /// Unparseable body, wrong media type, non-string JSON value.
    BodyMalformed,
    /// Declared charset not UTF-8, or bytes not valid UTF-8.
    CharsetUnsupported,
    /// The Content-Type charset and the body's `charset` field disagree.
    CharsetConflict,
    /// No such `item_id`.
    ItemNotFound,
    /// No such `bill_no` under the item.
    BillNotFound,
    /// The bill is already paid.
    BillAlreadyPaid,
    /// No such order for this merchant.
    OrderNotFound,
    /// `out_trade_no` / `out_refund_no` reused with different fields.
    OrderConflict,
    /// The operation is not allowed in the order's status.
    OrderStateInvalid,
    /// `refund_amount` exceeds what is left to refund.
    RefundExceedsPaid,
    /// No such agreement for this merchant.
    AgreementNotFound,
    /// `out_agreement_no` reused with different fields.
    AgreementConflict,
    /// The operation is not allowed in the agreement's status.
    AgreementStateInvalid,
    /// The confirmation code does not match.
    SmsCodeInvalid,
    /// The confirmation code's time ran out: sign again.
    SmsCodeExpired,
    /// No such deduction for this merchant.
    DeductionNotFound,
    /// `out_deduction_no` reused with different fields.
    DeductionConflict,
    /// No channel with this id (admin API).
    ChannelNotFound,
    /// No such repayment plan for this merchant.
    PlanNotFound,
    /// `out_plan_no` reused with different fields.
    PlanConflict,
    /// No such payout for this merchant.
    PayoutNotFound,
    /// `out_payout_no` reused with different fields.
    PayoutConflict,
    /// Unknown `{method}`.
    MethodUnknown,
    /// Unexpected failure; retry with a fresh nonce.
    InternalError,
}

impl Code {
    /// Every code, in the order of their declaration.
    pub const ALL: [Code; 51] = [
        Code::SignatureMissing,
        Code::SignatureMismatch,
        Code::SignatureMalformed,
        Code::SignTypeMissing,
        Code::SignTypeNotAllowed,
        Code::UnsupportedSignType,
        Code::AppIdUnknown,
        Code::MerchantNotApproved,
        Code::TimestampInvalid,
        Code::TimestampOutOfWindow,
        Code::ReplayDetected,
        Code::FieldMissing,
        Code::FieldInvalid,
        Code::AmountInvalid,
        Code::AmountMismatch,
        Code::ParamDuplicate,
        Code::BodyTooLarge,
        Code::BodyFramingInvalid,
        Code::RequestTimeout,
        Code::ServerBusy,
        Code::PathUnknown,
        Code::HttpMethodNotAllowed,
        Code::DiscrepancyNotFound,
        Code::AdminTokenInvalid,
        Code::NotificationNotFound,
        Code::ConsoleSessionInvalid,
        Code::ConsoleCsrfInvalid,
        Code::BodyMalformed,
        Code::CharsetUnsupported,
        Code::CharsetConflict,
        Code::ItemNotFound,
        Code::BillNotFound,
        Code::BillAlreadyPaid,
        Code::OrderNotFound,
        Code::OrderConflict,
        Code::OrderStateInvalid,
        Code::RefundExceedsPaid,
        Code::AgreementNotFound,
        Code::AgreementConflict,
        Code::AgreementStateInvalid,
        Code::SmsCodeInvalid,
        Code::SmsCodeExpired,
        Code::DeductionNotFound,
        Code::DeductionConflict,
        Code::ChannelNotFound,
        Code::PlanNotFound,
        Code::PlanConflict,
        Code::PayoutNotFound,
        Code::PayoutConflict,
        Code::MethodUnknown,
        Code::InternalError,
    ];

    /// The code with this wire string, if the gateway has it.
    pub fn from_wire(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The wire string, e.g. `"SIGNATURE_MISMATCH"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SignatureMissing => "SIGNATURE_MISSING",
            Code::SignatureMismatch => "SIGNATURE_MISMATCH",
            Code::SignatureMalformed => "SIGNATURE_MALFORMED",
            Code::SignTypeMissing => "SIGN_TYPE_MISSING",
            Code::SignTypeNotAllowed => "SIGN_TYPE_NOT_ALLOWED",
            Code::UnsupportedSignType => "UNSUPPORTED_SIGN_TYPE",
            Code::AppIdUnknown => "APP_ID_UNKNOWN",
            Code::MerchantNotApproved => "MERCHANT_NOT_APPROVED",
            Code::TimestampInvalid => "TIMESTAMP_INVALID",
            Code::TimestampOutOfWindow => "TIMESTAMP_OUT_OF_WINDOW",
            Code::ReplayDetected => "REPLAY_DETECTED",
            Code::FieldMissing => "FIELD_MISSING",
            Code::FieldInvalid => "FIELD_INVALID",
            Code::AmountInvalid => "AMOUNT_INVALID",
            Code::AmountMismatch => "AMOUNT_MISMATCH",
            Code::ParamDuplicate => "PARAM_DUPLICATE",
            Code::BodyTooLarge => "BODY_TOO_LARGE",
            Code::BodyFramingInvalid => "BODY_FRAMING_INVALID",
            Code::RequestTimeout => "REQUEST_TIMEOUT",
            Code::ServerBusy => "SERVER_BUSY",
            Code::PathUnknown => "PATH_UNKNOWN",
            Code::HttpMethodNotAllowed => "HTTP_METHOD_NOT_ALLOWED",
            Code::DiscrepancyNotFound => "DISCREPANCY_NOT_FOUND",
            Code::AdminTokenInvalid => "ADMIN_TOKEN_INVALID",
            Code::NotificationNotFound => "NOTIFICATION_NOT_FOUND",
            Code::ConsoleSessionInvalid => "CONSOLE_SESSION_INVALID",
            Code::ConsoleCsrfInvalid => "CONSOLE_CSRF_INVALID",
            Code::BodyMalformed => "BODY_MALFORMED",
            Code::CharsetUnsupported => "CHARSET_UNSUPPORTED",
            Code::CharsetConflict => "CHARSET_CONFLICT",
            Code::ItemNotFound => "ITEM_NOT_FOUND",
            Code::BillNotFound => "BILL_NOT_FOUND",
            Code::BillAlreadyPaid => "BILL_ALREADY_PAID",
            Code::OrderNotFound => "ORDER_NOT_FOUND",
            Code::OrderConflict => "ORDER_CONFLICT",
            Code::OrderStateInvalid => "ORDER_STATE_INVALID",
            Code::RefundExceedsPaid => "REFUND_EXCEEDS_PAID",
            Code::AgreementNotFound => "AGREEMENT_NOT_FOUND",
            Code::AgreementConflict => "AGREEMENT_CONFLICT",
            Code::AgreementStateInvalid => "AGREEMENT_STATE_INVALID",
            Code::SmsCodeInvalid => "SMS_CODE_INVALID",
            Code::SmsCodeExpired => "SMS_CODE_EXPIRED",
            Code::DeductionNotFound => "DEDUCTION_NOT_FOUND",
            Code::DeductionConflict => "DEDUCTION_CONFLICT",
            Code::ChannelNotFound => "CHANNEL_NOT_FOUND",
            Code::PlanNotFound => "PLAN_NOT_FOUND",
            Code::PlanConflict => "PLAN_CONFLICT",
            Code::PayoutNotFound => "PAYOUT_NOT_FOUND",
            Code::PayoutConflict => "PAYOUT_CONFLICT",
            Code::MethodUnknown => "METHOD_UNKNOWN",
            Code::InternalError => "INTERNAL_ERROR",
        }
    }

    /// The HTTP status this code is answered with (docs/protocol.md §5, §11).
    pub fn http_status(self) -> StatusCode {
        match self {
            Code::SignatureMissing
            | Code::SignatureMismatch
            | Code::SignatureMalformed
            | Code::SignTypeMissing
            | Code::SignTypeNotAllowed
            | Code::UnsupportedSignType
            | Code::AppIdUnknown
            | Code::MerchantNotApproved
            | Code::TimestampOutOfWindow
            | Code::ReplayDetected
            | Code::AdminTokenInvalid
            | Code::ConsoleSessionInvalid => StatusCode::UNAUTHORIZED,
            Code::ConsoleCsrfInvalid => StatusCode::FORBIDDEN,
            Code::TimestampInvalid
            | Code::FieldMissing
            | Code::FieldInvalid
            | Code::AmountInvalid
            | Code::AmountMismatch
            | Code::ParamDuplicate
            | Code::BodyTooLarge
            | Code::BodyFramingInvalid
            | Code::BodyMalformed
            | Code::CharsetUnsupported
            | Code::CharsetConflict
            | Code::SmsCodeInvalid
            | Code::SmsCodeExpired => StatusCode::BAD_REQUEST,
            Code::ItemNotFound
            | Code::BillNotFound
            | Code::OrderNotFound
            | Code::MethodUnknown
            | Code::PathUnknown
            | Code::DiscrepancyNotFound
            | Code::NotificationNotFound
            | Code::AgreementNotFound
            | Code::DeductionNotFound
            | Code::ChannelNotFound
            | Code::PlanNotFound
            | Code::PayoutNotFound => StatusCode::NOT_FOUND,
            Code::HttpMethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Code::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
            Code::BillAlreadyPaid
            | Code::OrderConflict
            | Code::OrderStateInvalid
            | Code::RefundExceedsPaid
            | Code::AgreementConflict
            | Code::AgreementStateInvalid
            | Code::DeductionConflict
            | Code::PlanConflict
            | Code::PayoutConflict => StatusCode::CONFLICT,
            Code::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The gateway code for an SDK error (same string where the protocol has it).
    ///
    /// Codes the protocol folds together: an invalid byte in the charset is
    /// `CHARSET_UNSUPPORTED`; nesting and bad parameter names are `BODY_MALFORMED`; key
    /// problems (admin API) are `FIELD_INVALID`.
    pub fn from_core(err: &paysign_core::Error) -> Code {
        match err.code() {
            "PARAM_DUPLICATE" => Code::ParamDuplicate,
            "SIGNATURE_MISSING" => Code::SignatureMissing,
            "SIGNATURE_MISMATCH" => Code::SignatureMismatch,
            "SIGNATURE_MALFORMED" => Code::SignatureMalformed,
            "SIGN_TYPE_MISSING" => Code::SignTypeMissing,
            "SIGN_TYPE_NOT_ALLOWED" => Code::SignTypeNotAllowed,
            "UNSUPPORTED_SIGN_TYPE" => Code::UnsupportedSignType,
            "BODY_TOO_LARGE" => Code::BodyTooLarge,
            "BODY_MALFORMED" | "NESTING_TOO_DEEP" | "PARAM_NAME_INVALID" => Code::BodyMalformed,
            "CHARSET_UNSUPPORTED" | "CHARSET_INVALID" => Code::CharsetUnsupported,
            "CHARSET_CONFLICT" => Code::CharsetConflict,
            "FIELD_MISSING" => Code::FieldMissing,
            "FIELD_INVALID"
            | "KEY_INVALID"
            | "KEY_TOO_SMALL"
            | "KEY_ENCRYPTED"
            | "KEY_KIND_MISMATCH"
            | "SECRET_EMPTY"
            | "CREDENTIAL_MISMATCH" => Code::FieldInvalid,
            "AMOUNT_INVALID" => Code::AmountInvalid,
            "AMOUNT_MISMATCH" => Code::AmountMismatch,
            "TIMESTAMP_INVALID" => Code::TimestampInvalid,
            "TIMESTAMP_OUT_OF_WINDOW" => Code::TimestampOutOfWindow,
            "REPLAY_DETECTED" => Code::ReplayDetected,
            _ => Code::InternalError,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed request: a stable [`Code`] and a human message (never a stack trace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The stable code.
    pub code: Code,
    /// English text for humans; not stable.
    pub message: String,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `FIELD_MISSING` naming the field.
    pub fn field_missing(field: &str) -> Self {
        Self::new(
            Code::FieldMissing,
            format!("required field `{field}` is missing"),
        )
    }

    /// `FIELD_INVALID` naming the field and saying why.
    pub fn field_invalid(field: &str, reason: impl fmt::Display) -> Self {
        Self::new(
            Code::FieldInvalid,
            format!("field `{field}` is invalid: {reason}"),
        )
    }

    /// `INTERNAL_ERROR`: logs the cause, answers a generic message.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            Code::InternalError,
            "internal error; retry with a fresh nonce",
        )
    }
}

impl ApiError {
    /// Whether the connection cannot carry another request after this error: the rest
    /// of the body was not read (too large, broken framing, too slow), so where the next
    /// request starts is unknown. The answer says `Connection: close`.
    pub fn closes_connection(&self) -> bool {
        matches!(
            self.code,
            Code::BodyTooLarge | Code::BodyFramingInvalid | Code::RequestTimeout | Code::ServerBusy
        )
    }

    /// The unsigned error shape (`{"code","message"}`, docs/protocol.md §12) with the
    /// code's HTTP status: the admin API's errors and the HTTP layer's own answers outside
    /// `/gateway/v1/` (unknown paths, disallowed methods). The signed API answers with the
    /// signed envelope instead (§5).
    pub fn plain_response(&self) -> Response {
        self.plain_response_with_status(self.code.http_status())
    }

    /// [`plain_response`](Self::plain_response) with another status (the admin API's
    /// `404 APP_ID_UNKNOWN`).
    pub(crate) fn plain_response_with_status(&self, status: StatusCode) -> Response {
        let body = serde_json::json!({"code": self.code.as_str(), "message": self.message});
        let mut response = (status, axum::Json(body)).into_response();
        if self.closes_connection() {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<paysign_core::Error> for ApiError {
    fn from(err: paysign_core::Error) -> Self {
        match Code::from_core(&err) {
            Code::InternalError => ApiError::internal(err),
            code => ApiError::new(code, err.message_in(http_words)),
        }
    }
}

/// The words of the gateway's HTTP answers for what a core error tells the caller to use:
/// the tool that ships with the gateway (`paysign explain`) for the diagnosis; the Rust
/// API's names otherwise (a merchant's request names no option of ours).
fn http_words(term: paysign_core::ApiTerm) -> &'static str {
    match term {
        paysign_core::ApiTerm::Explain => "`paysign explain`",
        other => other.rust(),
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        ApiError::internal(format_args!("database: {err}"))
    }
}

/// Why the gateway could not start (or its state could not be opened).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the listener or another I/O operation failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The SQLite database could not be opened or migrated.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The gateway key could not be loaded or generated.
    #[error("gateway key: {0}")]
    Key(#[from] paysign_core::Error),
    /// The configuration is inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The HTTP client for notifications could not be built.
    #[error("HTTP client: {0}")]
    Http(String),
}

impl Error {
    /// A stable code for the CLI's `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io(_) => "IO_ERROR",
            Error::Database(_) => "DATABASE_ERROR",
            Error::Key(e) => e.code(),
            Error::Config(_) => "CONFIG_INVALID",
            Error::Http(_) => "HTTP_CLIENT_ERROR",
        }
    }
}
