//! Roster input at the edge of the program: a new input format (xlsx, ods) is a new
//! file here that yields the same `RawRow`s, not a change to the rules.

pub mod columns;
pub mod encoding;
pub mod input_file;
pub mod ods_bound;
pub mod profile;
pub mod reader;
pub mod sparse;
pub mod workbook;
pub mod xml_bound;

pub use columns::ColumnMap;
pub use encoding::{Detected, Encoding, EncodingChoice};
pub use reader::{RawRow, RosterFile, RosterReader};
