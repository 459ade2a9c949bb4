//! Collection requests (代收, docs/collection.md): binding a payer's card to a merchant by
//! an agreement (签约绑卡) and debiting it (代扣). Typed like the payment methods of
//! [`super::build`]: each struct checks its fields against [`super::fields`] and is signed
//! by [`super::build_request`].

use crate::error::Result;
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
}
