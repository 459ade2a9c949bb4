//! The collection requests of `paysign payload` (docs/collection.md): `agreement`
//! (agreement.sign), `agreement-confirm` (agreement.confirm) and `deduction`
//! (deduction.create), built by the core's typed methods like the payment requests.

use paysign_core::Amount;
use paysign_core::Signer;
use paysign_core::message::{
    AgreementConfirm, AgreementRef, AgreementSign, DeductionCreate, Envelope, SignedRequest,
    build_request,
};

use crate::error::CliError;

/// The request kinds this module builds.
pub(super) const KINDS: [&str; 3] = ["agreement", "agreement-confirm", "deduction"];

/// The flags only collection requests take.
#[derive(Debug, Clone, Default, clap::Args)]
pub(super) struct CollectionArgs {
    /// agreement, agreement-confirm, deduction: the merchant's agreement number
    /// [default: A followed by the message time]
    #[arg(long, value_name = "N")]
    out_agreement_no: Option<String>,

    /// agreement-confirm, deduction: the gateway's agreement number, instead of
    /// --out-agreement-no
    #[arg(long, value_name = "N", conflicts_with = "out_agreement_no")]
    agreement_no: Option<String>,

    /// agreement: the card holder's name
    #[arg(long, value_name = "NAME")]
    payer_name: Option<String>,

    /// agreement: the card number (13-19 digits, Luhn-valid; the last two digits choose
    /// the mock gateway's answer, docs/collection.md)
    #[arg(long, value_name = "DIGITS")]
    card_no: Option<String>,

    /// agreement: the bank's short code [default: ICBC]
    #[arg(long, value_name = "CODE")]
    bank_code: Option<String>,

    /// agreement: the mobile number the confirmation code goes to [default: 13800138000]
    #[arg(long, value_name = "DIGITS")]
    mobile: Option<String>,

    /// agreement: the most one deduction may take, in yuan [default: 500.00]
    #[arg(long, value_name = "YUAN")]
    per_debit_limit: Option<String>,

    /// agreement: the most one business day's deductions may take, in yuan [default: 1000.00]
    #[arg(long, value_name = "YUAN")]
    daily_limit: Option<String>,

    /// agreement-confirm: the six digits the payer received (the mock gateway shows them:
    /// `paysign gateway admin agreement AGREEMENT_NO`)
    #[arg(long, value_name = "DIGITS")]
    sms_code: Option<String>,

    /// deduction: the merchant's deduction number [default: D followed by the message time]
    #[arg(long, value_name = "N")]
    out_deduction_no: Option<String>,
}

impl CollectionArgs {
    /// The flags given, by name, to refuse them for a kind that does not take them.
    pub(super) fn given(&self) -> Vec<&'static str> {
        [
            ("--out-agreement-no", self.out_agreement_no.is_some()),
            ("--agreement-no", self.agreement_no.is_some()),
            ("--payer-name", self.payer_name.is_some()),
            ("--card-no", self.card_no.is_some()),
            ("--bank-code", self.bank_code.is_some()),
            ("--mobile", self.mobile.is_some()),
            ("--per-debit-limit", self.per_debit_limit.is_some()),
            ("--daily-limit", self.daily_limit.is_some()),
            ("--sms-code", self.sms_code.is_some()),
            ("--out-deduction-no", self.out_deduction_no.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    /// Refuses a flag that `kind` does not take (`None`: a request that is not a
    /// collection request takes none of them).
    pub(super) fn check_for(&self, kind: Option<&str>) -> Result<(), CliError> {
        let takes: &[&str] = match kind {
            Some("agreement") => &[
                "--out-agreement-no",
                "--payer-name",
                "--card-no",
                "--bank-code",
                "--mobile",
                "--per-debit-limit",
                "--daily-limit",
            ],
            Some("agreement-confirm") => &["--out-agreement-no", "--agreement-no", "--sms-code"],
            Some("deduction") => &["--out-agreement-no", "--agreement-no", "--out-deduction-no"],
            _ => &[],
        };
        match self.given().into_iter().find(|flag| !takes.contains(flag)) {
            Some(flag) => Err(CliError::usage(format!(
                "{flag} is not used by {}",
                kind.unwrap_or("this kind of payload")
            ))),
            None => Ok(()),
        }
    }

    fn agreement(&self, now: i64) -> AgreementRef {
        match &self.agreement_no {
            Some(no) => AgreementRef::AgreementNo(no.clone()),
            None => AgreementRef::OutAgreementNo(self.out_agreement_no(now)),
        }
    }

    fn out_agreement_no(&self, now: i64) -> String {
        self.out_agreement_no
            .clone()
            .unwrap_or_else(|| format!("A{now}"))
    }

    fn yuan(value: Option<&str>, default: &str) -> Result<Amount, CliError> {
        Ok(Amount::parse_yuan(value.unwrap_or(default))?)
    }
}

/// Builds and signs the collection request `kind` (one of [`KINDS`]); `amount` and
/// `notify_url` are the shared flags' values.
pub(super) fn request(
    kind: &str,
    args: &CollectionArgs,
    amount: Amount,
    notify_url: &str,
    envelope: &Envelope,
    signer: &Signer,
) -> Result<SignedRequest, CliError> {
    args.check_for(Some(kind))?;
    let now = envelope.timestamp;
    let request = match kind {
        "agreement" => {
            let card_no = args.card_no.clone().ok_or_else(|| {
                CliError::usage("agreement: give --card-no (13-19 digits, Luhn-valid)")
            })?;
            build_request(
                &AgreementSign {
                    out_agreement_no: args.out_agreement_no(now),
                    payer_name: args.payer_name.clone().unwrap_or_else(|| "李娜".to_owned()),
                    card_no,
                    bank_code: args.bank_code.clone().unwrap_or_else(|| "ICBC".to_owned()),
                    mobile: args
                        .mobile
                        .clone()
                        .unwrap_or_else(|| "13800138000".to_owned()),
                    per_debit_limit: CollectionArgs::yuan(
                        args.per_debit_limit.as_deref(),
                        "500.00",
                    )?,
                    daily_limit: CollectionArgs::yuan(args.daily_limit.as_deref(), "1000.00")?,
                    notify_url: notify_url.to_owned(),
                },
                envelope,
                signer,
            )?
        }
        "agreement-confirm" => {
            let sms_code = args.sms_code.clone().ok_or_else(|| {
                CliError::usage("agreement-confirm: give --sms-code (the six digits texted)")
            })?;
            build_request(
                &AgreementConfirm {
                    agreement: args.agreement(now),
                    sms_code,
                },
                envelope,
                signer,
            )?
        }
        _ => build_request(
            &DeductionCreate {
                out_deduction_no: args
                    .out_deduction_no
                    .clone()
                    .unwrap_or_else(|| format!("D{now}")),
                agreement: args.agreement(now),
                amount,
                subject: None,
                passback_params: None,
            },
            envelope,
            signer,
        )?,
    };
    Ok(request)
}
