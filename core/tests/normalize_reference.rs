//! `normalize_phone_number` against Google's libphonenumber: 3,455 inputs (every region's
//! example numbers in national, international and E.164 form, read with their own region,
//! US and GB, plus hand-picked trunk, international-prefix, extension and vanity cases),
//! whose readings were recorded with the Python port (data/normalize-libphonenumber.py).
//!
//! The rule: never a *different* number from libphonenumber's. Refusing is allowed (it
//! raises a ValidationError the caller sees), but only for the few inputs listed here.
#![allow(clippy::unwrap_used)]

use sms_otp::normalize_phone_number;

/// Inputs libphonenumber reads but we refuse: a national-prefix transformation (AR), a
/// national number that begins with the country code (RW), a trunk prefix followed by a
/// number starting with the same digit (RU 8 800), and digits phonenumber 0.3 cannot read.
const REFUSED: &[&str] = &[
    "011 15-2345-6789",
    "250 123 456",
    "8 800 555 35 35",
    "+１ ２０２ ５５５ ０１６２",
    "٠٢٠ ٧٩٤٦ ٠٩٥٨",
];

#[test]
fn never_a_different_number_than_libphonenumber() {
    let table = include_str!("data/normalize-libphonenumber.tsv");
    let (mut same, mut refused, mut wrong) = (0, Vec::new(), Vec::new());
    for line in table.lines() {
        let mut cols = line.split('\t');
        let (text, region, want) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap(),
        );
        match (normalize_phone_number(text, region), want) {
            (Ok(got), want) if got == want => same += 1,
            (Ok(got), want) => wrong.push(format!("{text:?} in {region}: {got}, not {want}")),
            (Err(e), "-") => {
                assert_eq!(e.code(), "validation_error");
                same += 1;
            }
            (Err(e), _) => {
                assert_eq!(e.field(), Some("phone_number"), "{e}");
                refused.push(text);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} different numbers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    refused.sort_unstable();
    refused.dedup();
    for text in &refused {
        assert!(REFUSED.contains(text), "refused {text:?}");
    }
    assert!(same > 3400, "{same}");
}

/// The numbers that went wrong with phonenumber 0.3 and region US (the default): each lost
/// its first national digit(s) and would have texted someone else.
#[test]
fn foreign_numbers_keep_every_digit_with_the_default_region() {
    for (text, want) in [
        ("+86 131 2345 6789", "+8613123456789"),
        ("+8613123456789", "+8613123456789"),
        ("+33 1 42 68 53 00", "+33142685300"),
        ("+49 1512 3456789", "+4915123456789"),
        ("+55 11 96123-4567", "+5511961234567"),
        ("+2011114612", "+2011114612"),
        ("+7 800 555 35 35", "+78005553535"),
        ("011 86 131 2345 6789", "+8613123456789"),
        ("+44 (0) 20 7946 0958", "+442079460958"),
    ] {
        assert_eq!(normalize_phone_number(text, "US").unwrap(), want, "{text}");
    }
    // Region GB strips a leading 0 it has no business touching.
    assert_eq!(
        normalize_phone_number("+229 01 95 12 34 56", "GB").unwrap(),
        "+2290195123456"
    );
}

/// Normalising its own output changes nothing (found by the `phone` fuzz target: Brazil's
/// "0900765-4322" became +559007654322, which a second pass then refused).
#[test]
fn normalizing_twice_is_normalizing_once() {
    assert_eq!(
        normalize_phone_number("0900765-4322", "BR").unwrap(),
        "+559007654322"
    );
    assert_eq!(
        normalize_phone_number("+559007654322", "BR").unwrap(),
        "+559007654322"
    );
    let table = include_str!("data/normalize-libphonenumber.tsv");
    for line in table.lines() {
        let mut cols = line.split('\t');
        let (text, region) = (cols.next().unwrap(), cols.next().unwrap());
        if let Ok(once) = normalize_phone_number(text, region) {
            for region in [region, "US", "GB"] {
                let twice = normalize_phone_number(&once, region);
                assert_eq!(twice.ok().as_deref(), Some(&*once), "{text:?} {region}");
            }
        }
    }
}

/// Found by the `phone` fuzz target: any digits before the country code passed for an
/// international prefix, so "(01(111-(111-06958" in region US became +11106958 (and a second
/// pass refused it; libphonenumber reads +1111106958). Only the region's own international
/// prefix may precede the code.
#[test]
fn only_the_regions_international_prefix_is_dropped() {
    for text in ["\u{fffd}(01(111-(111-06958", "01111 1 1106958"] {
        let err = normalize_phone_number(text, "US").expect_err(text);
        assert_eq!(err.field(), Some("phone_number"), "{text}");
    }
    assert_eq!(
        normalize_phone_number("011 44 20 7946 0958", "US").unwrap(),
        "+442079460958"
    );
    assert_eq!(
        normalize_phone_number("00 44 20 7946 0958", "FR").unwrap(),
        "+442079460958"
    );
    // 011, the code 1, the trunk prefix 1: as libphonenumber reads it.
    assert_eq!(
        normalize_phone_number("0 1 1 1 1 202 555 0162", "US").unwrap(),
        "+12025550162"
    );
}
