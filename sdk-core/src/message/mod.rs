//! Messages of the paysign gateway protocol and the platforms' notifications
//! (docs/protocol.md): parsing raw bodies, amounts and timestamps, building signed
//! requests, the typed notification and the acknowledgement bodies.

pub mod ack;
pub mod amount;
pub mod build;
pub mod collection;
pub mod fields;
pub mod headers;
pub mod notification;
pub mod parse;
pub mod time;
pub mod write;

pub use ack::{AckFormat, Acknowledgement};
pub use amount::Amount;
pub use build::{
    BillQuery, Envelope, GatewayMethod, ItemsList, OrderCreate, OrderPay, OrderQuery, OrderRef,
    OrderRefund, OrderReverse, SignedRequest, StatementDownload, StatementType, build_request,
    unsigned_request,
};
pub use collection::{
    AgreementConfirm, AgreementQuery, AgreementRef, AgreementResume, AgreementSign,
    AgreementSuspend, AgreementTerminate, DeductionCreate, DeductionQuery, DeductionRef,
    Instalment, PayoutCreate, PayoutQuery, PayoutRef, PlanCreate, PlanQuery, PlanRef,
};
pub use notification::{Notification, TradeStatus};
pub use parse::{
    BodyFormat, ParseOptions, ParsedBody, encode_form, encode_form_in, parse_body, parse_request,
};
pub use write::write_body;
