//! The pure core: a roster row, the policy and the decision for one row. No I/O here,
//! so every rule can be tested exhaustively and run in parallel without locks.

pub mod arrears;
pub mod category;
pub mod column;
pub mod date;
pub mod decision;
pub mod detail;
pub mod divisions;
pub mod glossary;
pub mod id;
pub mod lang;
pub mod money;
pub mod month;
pub mod payment;
pub mod policy;
pub mod reason;
pub mod record;
pub mod text;
pub mod transfer_id;
pub mod vocabulary;
