//! Fuzz the bank-profile loader: any bytes as a profile's TOML. A profile that loads
//! must keep its promises: every file name it can make is checked after its
//! placeholders are filled, so loading never panics and never accepts a name that
//! escapes the profile's folder.
#![no_main]

use libfuzzer_sys::fuzz_target;

use disburse::output::bank::BankProfile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(profile) = BankProfile::from_toml(text, "fuzz.toml") {
        if let Some(name) = &profile.file_name {
            assert!(!name.contains('/') && !name.contains('\\') && !name.contains(".."), "{name:?}");
        }
    }
});
