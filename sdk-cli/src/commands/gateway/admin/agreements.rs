//! `agreement`: a collection agreement as the gateway holds it, with the confirmation code
//! it texted while it waits for one (docs/collection.md §6).

use super::print::{print_fields, report};
use crate::commands::gateway::client::AdminClient;
use crate::error::{CliError, Status};
use crate::output::Output;

/// Show an agreement: status, masked card and mobile, limits, the pending code
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The mock gateway stores no card or mobile number, only masks. While the agreement is
PENDING_CONFIRM, sms_code is the code it texted the payer (the simulated SMS): pass it to
`paysign payload agreement-confirm --sms-code`.

Example:
  $ paysign gateway admin --url http://127.0.0.1:8080 agreement A202611200000000001")]
pub(super) struct AgreementArgs {
    /// The gateway's agreement number
    #[arg(value_name = "AGREEMENT_NO")]
    agreement_no: String,
}

pub(super) fn agreement(
    client: &AdminClient,
    args: &AgreementArgs,
    out: &Output,
) -> Result<Status, CliError> {
    let answer = client.get(&["agreements", &args.agreement_no], &[])?;
    report(out, &answer.body, |v| print_fields(out, v, &[]));
    Ok(Status::Success)
}
