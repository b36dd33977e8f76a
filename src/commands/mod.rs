//! One module per command, each small: the CLI calls these with validated settings.

pub mod audit;
pub mod explain;
pub mod ledger;
pub mod progress;
pub mod reconcile;
pub mod run;
pub mod run_dirs;
pub mod verify;
