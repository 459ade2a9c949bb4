//! Messages: parsing, building and verifying (docs/protocol.md).

pub mod amount;
pub mod time;

pub use amount::Amount;
