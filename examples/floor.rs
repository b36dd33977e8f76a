//! The floor for the comparison: read every record of a CSV file once with a reused
//! `csv::ByteRecord` and count its bytes. Nothing can decide a roster faster than this.
//! `cargo run --release --example floor -- roster.csv`

fn main() {
    let path = std::env::args().nth(1).expect("usage: floor FILE");
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(&path).expect("open");
    let mut rec = csv::ByteRecord::new();
    let (mut records, mut bytes) = (0u64, 0u64);
    while rdr.read_byte_record(&mut rec).expect("read") {
        records += 1;
        bytes += rec.as_slice().len() as u64;
    }
    println!("{records} records, {bytes} field bytes");
}
