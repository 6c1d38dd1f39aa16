//! `normalize_phone_number` never builds the `phonenumber` crate's whole database (about
//! 70 ms in a release build, a second in a debug one, on a process's first normalisation):
//! it loads only the calling codes a number needs (`src/phone_metadata.rs`). Its own process,
//! so that no other test has built the database first.

use once_cell::sync::Lazy;
use sms_otp::normalize_phone_number;

#[test]
fn normalising_never_builds_the_whole_database() {
    for (text, region) in [
        ("(202) 555-0162", "US"),
        ("+44 20 7946 0958", "US"),
        ("011 44 20 7946 0958", "US"),
        ("020 7946 0958", "GB"),
        ("33 1 42 68 53 00", "FR"),
        ("+7 800 555 35 35", "US"),
        ("hello", "US"),
        ("+999 123", "US"),
        ("202 555 0162", "XX"),
    ] {
        let _ = normalize_phone_number(text, region);
    }
    assert!(
        Lazy::get(&phonenumber::metadata::DATABASE).is_none(),
        "phonenumber's whole database was built"
    );
}
