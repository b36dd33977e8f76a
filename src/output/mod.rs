//! The files a run leaves behind, written at the edge of the program. Each format is
//! its own file here, so a new one (a bank template, a workbook) is a new writer.

pub mod bank;
pub mod changes;
pub mod csvline;
pub mod manifest;
pub mod monthly;
pub mod out_path;
pub mod report;
pub mod results_book;
pub mod sink;
pub mod spill;
pub mod staged;
pub mod transfer_file;
