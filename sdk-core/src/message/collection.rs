//! Collection requests (代收, docs/collection.md): binding a payer's card to a merchant by
//! an agreement (签约绑卡), debiting it (代扣), once or by a repayment plan; and paying out
//! (代付). Typed like the payment methods of
//! [`super::build`]: each struct checks its fields against [`super::fields`] and is signed
//! by [`super::build_request`].

use crate::error::{Error, Result};
use crate::message::amount::Amount;
use crate::message::build::{GatewayMethod, MAX_PAYMENT_FEN, non_empty};
use crate::message::fields;

/// Identifies an agreement by the merchant's or the gateway's number.
#[derive(Debug, Clone)]
pub enum AgreementRef {
    /// The merchant's `out_agreement_no`.
    OutAgreementNo(String),
    /// The gateway's `agreement_no`.
    AgreementNo(String),
}

impl AgreementRef {
    fn field(&self) -> Result<(&'static str, String)> {
        match self {
            AgreementRef::OutAgreementNo(no) => {
                fields::merchant_no("out_agreement_no", no)?;
                Ok(("out_agreement_no", no.clone()))
            }
            AgreementRef::AgreementNo(no) => {
                fields::gateway_no("agreement_no", no)?;
                Ok(("agreement_no", no.clone()))
            }
        }
    }
}

/// `agreement.sign`: ask to bind a payer's card (idempotent on `out_agreement_no`). The
/// gateway texts the payer a code; [`AgreementConfirm`] completes the binding.
#[derive(Debug, Clone)]
pub struct AgreementSign {
    /// The merchant's agreement number, 6-64 of `[A-Za-z0-9_-]`.
    pub out_agreement_no: String,
    /// The card holder's name, up to 64 characters.
    pub payer_name: String,
    /// The card number, 13-19 digits with a valid Luhn check digit.
    pub card_no: String,
    /// The bank's short code, e.g. `ICBC`.
    pub bank_code: String,
    /// The mobile number the confirmation code is sent to.
    pub mobile: String,
    /// The most one deduction may take.
    pub per_debit_limit: Amount,
    /// The most all deductions of one business day may take (at least `per_debit_limit`).
    pub daily_limit: Amount,
    /// Where the gateway posts deduction results.
    pub notify_url: String,
}

impl GatewayMethod for AgreementSign {
    const METHOD: &'static str = "agreement.sign";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::merchant_no("out_agreement_no", &self.out_agreement_no)?;
        fields::text("payer_name", &self.payer_name, 64)?;
        fields::card_no(&self.card_no)?;
        fields::bank_code(&self.bank_code)?;
        fields::mobile(&self.mobile)?;
        fields::range(self.per_debit_limit, 1, MAX_PAYMENT_FEN)?;
        fields::range(
            self.daily_limit,
            self.per_debit_limit.fen(),
            MAX_PAYMENT_FEN * 10,
        )?;
        fields::notify_url("notify_url", &self.notify_url)?;
        Ok(vec![
            ("out_agreement_no", self.out_agreement_no.clone()),
            ("payer_name", self.payer_name.clone()),
            ("card_no", self.card_no.clone()),
            ("bank_code", self.bank_code.clone()),
            ("mobile", self.mobile.clone()),
            ("per_debit_limit", self.per_debit_limit.to_string()),
            ("daily_limit", self.daily_limit.to_string()),
            ("notify_url", self.notify_url.clone()),
        ])
    }
}

/// `agreement.confirm`: the code the payer received, which makes the agreement `ACTIVE`.
#[derive(Debug, Clone)]
pub struct AgreementConfirm {
    /// The agreement.
    pub agreement: AgreementRef,
    /// Six digits.
    pub sms_code: String,
}

impl GatewayMethod for AgreementConfirm {
    const METHOD: &'static str = "agreement.confirm";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::sms_code(&self.sms_code)?;
        Ok(vec![
            self.agreement.field()?,
            ("sms_code", self.sms_code.clone()),
        ])
    }
}

/// The methods that take only an agreement: one struct each, so the method name comes
/// with the type as for every other request.
macro_rules! agreement_change {
    ($(#[$doc:meta])* $name:ident, $method:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            /// The agreement.
            pub agreement: AgreementRef,
        }

        impl GatewayMethod for $name {
            const METHOD: &'static str = $method;
            fn fields(&self) -> Result<Vec<(&'static str, String)>> {
                Ok(vec![self.agreement.field()?])
            }
        }
    };
}

agreement_change!(
    /// `agreement.query`: the agreement as the gateway holds it.
    AgreementQuery,
    "agreement.query"
);
agreement_change!(
    /// `agreement.suspend`: refuse deductions until resumed.
    AgreementSuspend,
    "agreement.suspend"
);
agreement_change!(
    /// `agreement.resume`: allow deductions on a suspended agreement again.
    AgreementResume,
    "agreement.resume"
);
agreement_change!(
    /// `agreement.terminate`: unbind the card for good (idempotent).
    AgreementTerminate,
    "agreement.terminate"
);

/// `deduction.create`: debit a bound card once (idempotent on `out_deduction_no`: the same
/// number never debits twice).
#[derive(Debug, Clone)]
pub struct DeductionCreate {
    /// The merchant's deduction number, 6-64 of `[A-Za-z0-9_-]`.
    pub out_deduction_no: String,
    /// The agreement whose card is debited.
    pub agreement: AgreementRef,
    /// The amount, at most the agreement's `per_debit_limit`.
    pub amount: Amount,
    /// Optional description, up to 128 characters.
    pub subject: Option<String>,
    /// Optional opaque data returned in the notification, up to 512 bytes.
    pub passback_params: Option<String>,
}

impl GatewayMethod for DeductionCreate {
    const METHOD: &'static str = "deduction.create";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::merchant_no("out_deduction_no", &self.out_deduction_no)?;
        fields::range(self.amount, 1, MAX_PAYMENT_FEN)?;
        let mut out = vec![
            ("out_deduction_no", self.out_deduction_no.clone()),
            self.agreement.field()?,
            ("amount", self.amount.to_string()),
        ];
        if let Some(subject) = non_empty(&self.subject) {
            fields::text("subject", subject, 128)?;
            out.push(("subject", subject.to_owned()));
        }
        if let Some(passback) = non_empty(&self.passback_params) {
            fields::passback(passback)?;
            out.push(("passback_params", passback.to_owned()));
        }
        Ok(out)
    }
}

/// Identifies a deduction by the merchant's or the gateway's number.
#[derive(Debug, Clone)]
pub enum DeductionRef {
    /// The merchant's `out_deduction_no`.
    OutDeductionNo(String),
    /// The gateway's `deduction_no`.
    DeductionNo(String),
}

/// `deduction.query`: the current state of a deduction.
#[derive(Debug, Clone)]
pub struct DeductionQuery {
    /// The deduction.
    pub deduction: DeductionRef,
}

impl GatewayMethod for DeductionQuery {
    const METHOD: &'static str = "deduction.query";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![match &self.deduction {
            DeductionRef::OutDeductionNo(no) => {
                fields::merchant_no("out_deduction_no", no)?;
                ("out_deduction_no", no.clone())
            }
            DeductionRef::DeductionNo(no) => {
                fields::gateway_no("deduction_no", no)?;
                ("deduction_no", no.clone())
            }
        }])
    }
}

/// One instalment of a repayment plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalment {
    /// `YYYY-MM-DD`: the business day from which it is debited.
    pub due_date: String,
    /// The amount, at most the agreement's `per_debit_limit`.
    pub amount: Amount,
}

/// `plan.create`: a repayment plan the gateway debits on its own, at the plan's times of
/// day, once each instalment is due (idempotent on `out_plan_no`).
#[derive(Debug, Clone)]
pub struct PlanCreate {
    /// The merchant's plan number, 6-64 of `[A-Za-z0-9_-]`.
    pub out_plan_no: String,
    /// The agreement whose card is debited.
    pub agreement: AgreementRef,
    /// 1-60 instalments, due dates strictly ascending.
    pub instalments: Vec<Instalment>,
    /// Times of day the deductions run, `HH:MM` at +08:00, ascending, comma-separated
    /// (`None`: the gateway's default, `12:00,18:00`).
    pub debit_times: Option<String>,
    /// Deductions per instalment per business day, 1-6 (`None`: 2).
    pub daily_attempts: Option<u8>,
}

impl GatewayMethod for PlanCreate {
    const METHOD: &'static str = "plan.create";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::merchant_no("out_plan_no", &self.out_plan_no)?;
        if !(1..=60).contains(&self.instalments.len()) {
            return Err(Error::field_invalid(
                "instalments",
                "expected 1-60 instalments",
            ));
        }
        let mut previous: Option<&str> = None;
        let mut list = Vec::with_capacity(self.instalments.len());
        for i in &self.instalments {
            fields::date("due_date", &i.due_date)?;
            fields::range(i.amount, 1, MAX_PAYMENT_FEN)?;
            if previous.is_some_and(|p| p >= i.due_date.as_str()) {
                return Err(Error::field_invalid(
                    "instalments",
                    "due dates must be strictly ascending",
                ));
            }
            previous = Some(&i.due_date);
            // Built by hand in this key order: the gateway signs the text as sent.
            list.push(format!(
                "{{\"due_date\":\"{}\",\"amount\":\"{}\"}}",
                i.due_date, i.amount
            ));
        }
        let mut out = vec![
            ("out_plan_no", self.out_plan_no.clone()),
            self.agreement.field()?,
            ("instalments", format!("[{}]", list.join(","))),
        ];
        if let Some(times) = non_empty(&self.debit_times) {
            out.push(("debit_times", times.to_owned()));
        }
        if let Some(n) = self.daily_attempts {
            if !(1..=6).contains(&n) {
                return Err(Error::field_invalid("daily_attempts", "expected 1-6"));
            }
            out.push(("daily_attempts", n.to_string()));
        }
        Ok(out)
    }
}

/// Identifies a plan by the merchant's or the gateway's number.
#[derive(Debug, Clone)]
pub enum PlanRef {
    /// The merchant's `out_plan_no`.
    OutPlanNo(String),
    /// The gateway's `plan_no`.
    PlanNo(String),
}

/// `plan.query`: a plan with its instalments as their deductions now stand.
#[derive(Debug, Clone)]
pub struct PlanQuery {
    /// The plan.
    pub plan: PlanRef,
}

impl GatewayMethod for PlanQuery {
    const METHOD: &'static str = "plan.query";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![match &self.plan {
            PlanRef::OutPlanNo(no) => {
                fields::merchant_no("out_plan_no", no)?;
                ("out_plan_no", no.clone())
            }
            PlanRef::PlanNo(no) => {
                fields::gateway_no("plan_no", no)?;
                ("plan_no", no.clone())
            }
        }])
    }
}

/// `payout.create`: pay money out to an account from a channel's position (代付; idempotent
/// on `out_payout_no`). The gateway queues a payout no channel can cover yet.
#[derive(Debug, Clone)]
pub struct PayoutCreate {
    /// The merchant's payout number, 6-64 of `[A-Za-z0-9_-]`.
    pub out_payout_no: String,
    /// The account holder's name, up to 64 characters.
    pub payee_name: String,
    /// The account number, 10-30 digits.
    pub account_no: String,
    /// The bank's short code, e.g. `ICBC`.
    pub bank_code: String,
    /// The amount.
    pub amount: Amount,
    /// Optional purpose, up to 128 characters.
    pub purpose: Option<String>,
    /// Where the gateway posts the result.
    pub notify_url: String,
}

impl GatewayMethod for PayoutCreate {
    const METHOD: &'static str = "payout.create";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        fields::merchant_no("out_payout_no", &self.out_payout_no)?;
        fields::text("payee_name", &self.payee_name, 64)?;
        fields::account_no(&self.account_no)?;
        fields::bank_code(&self.bank_code)?;
        fields::range(self.amount, 1, MAX_PAYMENT_FEN)?;
        fields::notify_url("notify_url", &self.notify_url)?;
        let mut out = vec![
            ("out_payout_no", self.out_payout_no.clone()),
            ("payee_name", self.payee_name.clone()),
            ("account_no", self.account_no.clone()),
            ("bank_code", self.bank_code.clone()),
            ("amount", self.amount.to_string()),
            ("notify_url", self.notify_url.clone()),
        ];
        if let Some(purpose) = non_empty(&self.purpose) {
            fields::text("purpose", purpose, 128)?;
            out.push(("purpose", purpose.to_owned()));
        }
        Ok(out)
    }
}

/// Identifies a payout by the merchant's or the gateway's number.
#[derive(Debug, Clone)]
pub enum PayoutRef {
    /// The merchant's `out_payout_no`.
    OutPayoutNo(String),
    /// The gateway's `payout_no`.
    PayoutNo(String),
}

/// `payout.query`: the current state of a payout.
#[derive(Debug, Clone)]
pub struct PayoutQuery {
    /// The payout.
    pub payout: PayoutRef,
}

impl GatewayMethod for PayoutQuery {
    const METHOD: &'static str = "payout.query";
    fn fields(&self) -> Result<Vec<(&'static str, String)>> {
        Ok(vec![match &self.payout {
            PayoutRef::OutPayoutNo(no) => {
                fields::merchant_no("out_payout_no", no)?;
                ("out_payout_no", no.clone())
            }
            PayoutRef::PayoutNo(no) => {
                fields::gateway_no("payout_no", no)?;
                ("payout_no", no.clone())
            }
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign() -> AgreementSign {
        AgreementSign {
            out_agreement_no: "AG-0001".into(),
            payer_name: "李娜".into(),
            card_no: "6222021234567890128".into(),
            bank_code: "ICBC".into(),
            mobile: "13800138000".into(),
            per_debit_limit: Amount::from_fen(50_000).unwrap(),
            daily_limit: Amount::from_fen(100_000).unwrap(),
            notify_url: "https://merchant.example/notify".into(),
        }
    }

    #[test]
    fn agreement_sign_checks_every_field_it_sends() {
        let fields = sign().fields().unwrap();
        let names: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "out_agreement_no",
                "payer_name",
                "card_no",
                "bank_code",
                "mobile",
                "per_debit_limit",
                "daily_limit",
                "notify_url"
            ]
        );
        let mistyped = AgreementSign {
            card_no: "6222021234567890127".into(),
            ..sign()
        };
        assert_eq!(mistyped.fields().unwrap_err().code(), "FIELD_INVALID");
        let daily_below_single = AgreementSign {
            daily_limit: Amount::from_fen(49_999).unwrap(),
            ..sign()
        };
        assert_eq!(
            daily_below_single.fields().unwrap_err().code(),
            "AMOUNT_INVALID"
        );
    }

    #[test]
    fn references_name_their_field() {
        let by_merchant = DeductionCreate {
            out_deduction_no: "D-0001".into(),
            agreement: AgreementRef::OutAgreementNo("AG-0001".into()),
            amount: Amount::from_fen(100).unwrap(),
            subject: Some(String::new()),
            passback_params: None,
        };
        let fields = by_merchant.fields().unwrap();
        assert_eq!(fields[1], ("out_agreement_no", "AG-0001".to_owned()));
        assert_eq!(fields.len(), 3, "an empty subject is left out");
        let short = AgreementQuery {
            agreement: AgreementRef::OutAgreementNo("AG1".into()),
        };
        let err = short.fields().unwrap_err().to_string();
        assert!(err.contains("out_agreement_no"), "{err}");
        assert_eq!(AgreementTerminate::METHOD, "agreement.terminate");
    }

    #[test]
    fn a_plan_sends_its_instalments_as_json_text_in_order() {
        let instalment = |due: &str, fen: i64| Instalment {
            due_date: due.into(),
            amount: Amount::from_fen(fen).unwrap(),
        };
        let plan = PlanCreate {
            out_plan_no: "PL-0001".into(),
            agreement: AgreementRef::AgreementNo("A202611200000000001".into()),
            instalments: vec![
                instalment("2026-11-20", 12_000),
                instalment("2026-12-20", 12_000),
            ],
            debit_times: Some("12:00,18:00".into()),
            daily_attempts: Some(2),
        };
        let fields = plan.fields().unwrap();
        assert_eq!(
            fields[2].1,
            r#"[{"due_date":"2026-11-20","amount":"12000"},{"due_date":"2026-12-20","amount":"12000"}]"#
        );
        let unordered = PlanCreate {
            instalments: vec![instalment("2026-12-20", 1), instalment("2026-11-20", 1)],
            ..plan.clone()
        };
        assert_eq!(unordered.fields().unwrap_err().code(), "FIELD_INVALID");
        let too_many_tries = PlanCreate {
            daily_attempts: Some(7),
            ..plan
        };
        assert_eq!(too_many_tries.fields().unwrap_err().code(), "FIELD_INVALID");
    }
}
