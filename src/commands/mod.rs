//! One module per command, each small: the CLI calls these with validated settings.

pub mod ledger;
pub mod run;
pub mod verify;
