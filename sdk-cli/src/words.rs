//! The CLI's words for what the core's messages tell the caller to pass or call
//! ([`ApiTerm`]): flags and commands. Every core error and `explain` finding is printed
//! through [`flag`], so a hint names `--key`, never a builder method or a JavaScript option.

use paysign_core::ApiTerm;

/// `term` as a flag or command of this CLI (or, for what the CLI has no flag for, in plain
/// words).
pub(crate) fn flag(term: ApiTerm) -> &'static str {
    match term {
        ApiTerm::PublicKey => "--key FILE (the platform's public key or certificate)",
        ApiTerm::PublicKeysById => "--key ID=FILE for each key",
        ApiTerm::PrivateKey => "--key FILE (your private key)",
        ApiTerm::RsaKey | ApiTerm::Sm2Key => "--key FILE",
        ApiTerm::Secret => "--secret-file (or --secret-env)",
        ApiTerm::DecryptionKey => "--secret-file (the APIv3 key)",
        ApiTerm::EncryptionKey => "--apiv3-key-file",
        ApiTerm::SignaturesOnly => "--message request",
        ApiTerm::SignTypes => "--sign-type",
        ApiTerm::MessageKind => "--message",
        ApiTerm::AppId => "--app-id",
        ApiTerm::MerchantId => "--mch-id",
        ApiTerm::MaxAge => "--max-age",
        ApiTerm::Tolerance => "--tolerance",
        ApiTerm::LeaseSecs => "the claim lease",
        ApiTerm::ExpectedAmount => "--expect-amount",
        ApiTerm::Headers => "--header 'Name: value'",
        ApiTerm::SignerKeyId => "--serial-no (--cert-id)",
        ApiTerm::AsyncMethods => "the asynchronous calls",
        ApiTerm::Unrecorded => "an unrecorded verification",
        ApiTerm::Explain => "`paysign explain`",
        ApiTerm::SignParams => "`paysign sign`",
        ApiTerm::RequestHeaders => "`paysign sign --profile wechat-v3 --method M --url U`",
        ApiTerm::WebhookHeaders => "`paysign sign --profile standard-webhooks --id ID`",
        ApiTerm::BillDate => "--bill-date",
        ApiTerm::CutoffTolerance => "--cutoff-tolerance",
        ApiTerm::TradeTypeColumn => "--map trade_type=COLUMN",
        ApiTerm::StatementSha256 => "--statement-sha256",
        ApiTerm::EventNotifyId => "--notify-id",
        ApiTerm::EventOutTradeNo => "--out-trade-no",
        ApiTerm::EventTradeNo => "--trade-no",
        ApiTerm::EventNonce => "the nonce",
        ApiTerm::EventTime => "--now",
    }
}

/// A core error's message in the CLI's words.
pub(crate) fn message(error: &paysign_core::Error) -> String {
    error.message_in(flag)
}
