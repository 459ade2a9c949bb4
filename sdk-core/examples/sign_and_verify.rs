//! Run with: `cargo run -p paysign-core --features aws-lc --example sign_and_verify`
//!
//! A channel company signs a bill-payment order with RSA2; the gateway side verifies it,
//! then rejects a tampered copy.

use paysign_core::{
    MessageKind, Params, PrivateKey, Profile, SignType, Signer, SigningCredential,
    VerificationCredential, Verifier,
};

fn main() -> Result<(), paysign_core::Error> {
    let key = PrivateKey::generate(2048)?;
    let public = key.public_key().clone();
    println!(
        "generated a {}-bit key, fingerprint {}",
        key.bits(),
        public.fingerprint()
    );

    let mut order = Params::from_pairs([
        ("app_id", "2026000000000001"),
        ("method", "order.create"),
        ("version", "1.0"),
        ("timestamp", "1764036003"),
        ("nonce", "5f2c9a1e7b3d4a60"),
        ("out_trade_no", "M20261125000001"),
        ("item_id", "SH-WATER-01"),
        ("bill_no", "SHW2026110007"),
        ("total_amount", "1959"),
        ("notify_url", "https://merchant.example/notify"),
    ])?;
    let signer = Signer::new(
        Profile::Paysign,
        SignType::Rsa2,
        SigningCredential::Key(key),
    )?;
    signer.sign_params(&mut order)?;
    println!("canonical string: {}", signer.canonical(&order)?);
    println!("sign: {}", order.get("sign").unwrap_or_default());

    let verifier = Verifier::new(
        Profile::Paysign,
        VerificationCredential::Key(public),
        &[SignType::Rsa2],
    )?
    .message_kind(MessageKind::Request);
    println!("verified with {}", verifier.verify(&order)?);

    order.set("total_amount", "1")?;
    match verifier.verify(&order) {
        Err(e) => println!("tampered copy rejected: {} ({})", e.code(), e),
        Ok(_) => println!("BUG: tampered copy accepted"),
    }
    Ok(())
}
