//! The collection requests of `paysign payload` (docs/collection.md): `agreement`
//! (agreement.sign), `agreement-confirm` (agreement.confirm), `deduction`
//! (deduction.create), `plan` (plan.create) and `payout` (payout.create), built by the core's typed methods like the
//! payment requests.

use paysign_core::Amount;
use paysign_core::Signer;
use paysign_core::message::{
    AgreementConfirm, AgreementRef, AgreementSign, DeductionCreate, Envelope, Instalment,
    PayoutCreate, PlanCreate, SignedRequest, build_request,
};

use crate::error::CliError;

/// The request kinds this module builds.
pub(super) const KINDS: [&str; 5] = [
    "agreement",
    "agreement-confirm",
    "deduction",
    "plan",
    "payout",
];

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

    /// agreement, payout: the bank's short code [default: ICBC]
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

    /// plan: the merchant's plan number [default: P followed by the message time]
    #[arg(long, value_name = "N")]
    out_plan_no: Option<String>,

    /// plan: the instalments, DUE_DATE:YUAN comma-separated, due dates ascending
    /// (e.g. 2026-11-20:120.00,2026-12-20:120.00)
    #[arg(long, value_name = "LIST")]
    instalments: Option<String>,

    /// plan: the times of day the deductions run, HH:MM at +08:00, ascending
    /// [default: the gateway's, 12:00,18:00]
    #[arg(long, value_name = "HH:MM,...")]
    debit_times: Option<String>,

    /// plan: deductions per instalment per business day, 1-6 [default: the gateway's, 2]
    #[arg(long, value_name = "N")]
    daily_attempts: Option<u8>,

    /// payout: the merchant's payout number [default: O followed by the message time]
    #[arg(long, value_name = "N")]
    out_payout_no: Option<String>,

    /// payout: the account paid, 10-30 digits (the last two choose the mock gateway's
    /// answer, docs/collection.md)
    #[arg(long, value_name = "DIGITS")]
    account_no: Option<String>,

    /// payout: the account holder's name [default: 张伟]
    #[arg(long, value_name = "NAME")]
    payee_name: Option<String>,
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
            ("--out-plan-no", self.out_plan_no.is_some()),
            ("--instalments", self.instalments.is_some()),
            ("--debit-times", self.debit_times.is_some()),
            ("--daily-attempts", self.daily_attempts.is_some()),
            ("--out-payout-no", self.out_payout_no.is_some()),
            ("--account-no", self.account_no.is_some()),
            ("--payee-name", self.payee_name.is_some()),
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
            Some("plan") => &[
                "--out-agreement-no",
                "--agreement-no",
                "--out-plan-no",
                "--instalments",
                "--debit-times",
                "--daily-attempts",
            ],
            Some("payout") => &[
                "--out-payout-no",
                "--account-no",
                "--payee-name",
                "--bank-code",
            ],
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
        "payout" => {
            let account_no = args
                .account_no
                .clone()
                .ok_or_else(|| CliError::usage("payout: give --account-no (10-30 digits)"))?;
            build_request(
                &PayoutCreate {
                    out_payout_no: args
                        .out_payout_no
                        .clone()
                        .unwrap_or_else(|| format!("O{now}")),
                    payee_name: args.payee_name.clone().unwrap_or_else(|| "张伟".to_owned()),
                    account_no,
                    bank_code: args.bank_code.clone().unwrap_or_else(|| "ICBC".to_owned()),
                    amount,
                    purpose: None,
                    notify_url: notify_url.to_owned(),
                },
                envelope,
                signer,
            )?
        }
        "plan" => {
            let list = args.instalments.as_deref().ok_or_else(|| {
                CliError::usage(
                    "plan: give --instalments DUE_DATE:YUAN,... (e.g. 2026-11-20:120.00)",
                )
            })?;
            build_request(
                &PlanCreate {
                    out_plan_no: args
                        .out_plan_no
                        .clone()
                        .unwrap_or_else(|| format!("P{now}")),
                    agreement: args.agreement(now),
                    instalments: instalments(list)?,
                    debit_times: args.debit_times.clone(),
                    daily_attempts: args.daily_attempts,
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

/// `2026-11-20:120.00,2026-12-20:120.00` → instalments (the core checks the dates).
fn instalments(list: &str) -> Result<Vec<Instalment>, CliError> {
    list.split(',')
        .map(|item| {
            let (due_date, yuan) = item.split_once(':').ok_or_else(|| {
                CliError::usage(format!(
                    "--instalments: {item:?} is not DUE_DATE:YUAN (e.g. 2026-11-20:120.00)"
                ))
            })?;
            Ok(Instalment {
                due_date: due_date.to_owned(),
                amount: Amount::parse_yuan(yuan)?,
            })
        })
        .collect()
}
