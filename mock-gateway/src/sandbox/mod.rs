//! Platform sandboxes (issue 20, docs/sandbox-alipay.md, docs/sandbox-wechatpay.md): the gateway speaks a payment
//! platform's own API, so a merchant's integration built on that platform's official SDK
//! runs against it offline, unhappy paths included.

pub(crate) mod alipay;
pub(crate) mod wechatpay;
