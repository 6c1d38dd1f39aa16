//! Phone numbers: the strict E.164 check every send goes through, and the forgiving
//! normaliser that turns what people type into E.164. Both lean on libphonenumber's metadata
//! (the `phonenumber` crate) rather than a hand-kept table, so new ranges arrive with updates.

use std::str::FromStr;
use std::sync::OnceLock;

use phonenumber::metadata::Database;
use phonenumber::Metadata;

use crate::phone_metadata::{self, Loader};
use crate::Error;

/// The region `normalize_phone_number` assumes in every surface when none is given.
pub const DEFAULT_REGION: &str = "US";

/// The sandbox number of the test environment: always accepted, never texted, code `000000`.
pub const SANDBOX_PHONE_NUMBER: &str = "+10000000000";

/// The country calling codes libphonenumber knows (geographic and non-geographic), sorted.
/// A table, not a set built from phonenumber's database on first use: that first use parsed
/// the whole database (half a second in a debug build) inside a process-wide once-lock, and a
/// fork taken meanwhile by another thread left the child waiting on it forever (found by
/// the Python fork stress test). `calling_codes_match_the_database` keeps it in step.
/// (phonenumber's `DATABASE.iter()` yields one entry per region id and every
/// non-geographic code shares the id "001", so the test looks codes up one by one.)
const ASSIGNED_CALLING_CODES: [u16; 215] = [
    1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54,
    55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98, 211,
    212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234,
    235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253,
    254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290, 291, 297, 298,
    299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377,
    378, 380, 381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506,
    507, 508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676,
    677, 678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 800, 808, 850, 852,
    853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888, 960, 961, 962, 963, 964, 965, 966, 967,
    968, 970, 971, 972, 973, 974, 975, 976, 977, 979, 992, 993, 994, 995, 996, 998,
];

/// Whether `code` (digits without `+`) is an assigned country calling code.
pub fn is_assigned_calling_code(code: &str) -> bool {
    (1..=3).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && !code.starts_with('0')
        && code
            .parse::<u16>()
            .is_ok_and(|n| ASSIGNED_CALLING_CODES.binary_search(&n).is_ok())
}

/// The country calling code of a number in E.164 form (`"+442079460958"` → `"44"`), or `None`
/// when no prefix of it is an assigned code. Calling codes are prefix-free, so at most one
/// of the 1-, 2- and 3-digit prefixes matches.
pub fn calling_code(e164: &str) -> Option<&str> {
    let digits = e164.strip_prefix('+')?;
    (1..=3)
        .filter_map(|len| digits.get(..len))
        .find(|prefix| is_assigned_calling_code(prefix))
}

/// Checks that `phone_number` is E.164: `+`, then 2 to 15 ASCII digits, the first 1–9, starting
/// with an assigned calling code. Returns the calling code. Errors name the field
/// `phone_number`, say how to fix the input, and never repeat the number (it is personal data).
pub fn validate_phone_number(phone_number: &str) -> Result<&str, Error> {
    let invalid = |reason: String| Error::validation("phone_number", reason);
    const EXAMPLE: &str = "E.164 format, e.g. +12025550162";
    if phone_number.trim().is_empty() {
        return Err(invalid(format!("is required ({EXAMPLE})")));
    }
    let has_formatting = phone_number
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.' | '/'));
    if has_formatting {
        return Err(invalid(format!(
            "must be in {EXAMPLE}: '+' and digits only, without spaces, dashes, dots or \
             brackets; normalize_phone_number() converts what users type"
        )));
    }
    let Some(digits) = phone_number.strip_prefix('+') else {
        let hint = if phone_number.starts_with("00") {
            " (replace the leading 00 with +)"
        } else {
            " (add + and the country calling code, or use normalize_phone_number())"
        };
        return Err(invalid(format!("must start with '+' ({EXAMPLE}){hint}")));
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(format!(
            "must contain only the digits 0-9 after '+' ({EXAMPLE})"
        )));
    }
    if !(2..=15).contains(&digits.len()) {
        return Err(invalid(format!(
            "must have 2 to 15 digits after '+', it has {} ({EXAMPLE})",
            digits.len()
        )));
    }
    if digits.starts_with('0') {
        return Err(invalid(format!(
            "country calling codes never start with 0 ({EXAMPLE})"
        )));
    }
    calling_code(phone_number).ok_or_else(|| {
        invalid(format!(
            "starts with +{}, which is not an assigned country calling code ({EXAMPLE})",
            &digits[..digits.len().min(3)]
        ))
    })
}

/// Turns a number as people type it (`(202) 555-0162`, `+44 20 7946 0958`, `020 7946 0958`
/// with region `GB`) into E.164, or fails with a validation error naming `phone_number`
/// (or `default_region` when the region is not an ISO 3166 code).
///
/// It never changes the digits someone typed beyond what reading a number drops (`+` or an
/// international prefix, a national trunk prefix such as the `0` of `020`, an extension): an
/// input it cannot read that way is refused rather than turned into another number.
pub fn normalize_phone_number(text: &str, default_region: &str) -> Result<String, Error> {
    normalize_with(&phone_metadata::LOADER, text, default_region)
}

/// `normalize_phone_number` with the metadata of `loader`: the default region's calling code
/// to read the number, then the number's code (and Norway's for the literal reading) to
/// check the reading. Nothing else of libphonenumber's metadata is read (`phone_metadata`).
fn normalize_with(loader: &Loader, text: &str, default_region: &str) -> Result<String, Error> {
    use phonenumber::country::Source;

    let region =
        phonenumber::country::Id::from_str(&default_region.to_ascii_uppercase()).map_err(|_| {
            Error::validation(
                "default_region",
                "must be a two-letter ISO 3166 region code such as \"US\" or \"GB\"",
            )
        })?;
    // libphonenumber caps its own input, but refuse absurd text before it is even scanned.
    if text.len() > 250 {
        return Err(Error::validation(
            "phone_number",
            "is too long to be a phone number",
        ));
    }
    let unreadable = || {
        Error::validation(
            "phone_number",
            format!(
                "could not be read as a phone number (for region {}; give an international \
                 number starting with + for other countries)",
                region.as_ref()
            ),
        )
    };
    // Read with the default region's metadata, checked with the number's code's (the same
    // database when they are one code).
    let region_code = phone_metadata::region_code(region.as_ref());
    let regional = loader.database_for(region_code)?;
    let first = phonenumber::parse_with(&regional, Some(region), text).map_err(|_| unreadable())?;
    let code = first.code().value();
    let source = first.code().source();
    // Its international prefix (`011` from the US) is read from that metadata.
    let regional_metadata = regional.by_id(region.as_ref());
    let database = &*loader.database_for(Some(code))?;
    // phonenumber 0.3 strips the *default region's* national prefix from a number written
    // with another country code ("+86 131 2345 6789" with region US lost the "1" of "131"),
    // and sometimes a trunk prefix twice ("+7 800 555 35 35" lost its "8"). So a number
    // written with its country code is also read without the region, and literally (with a
    // region that has no national prefix: nothing stripped), and a reading is kept only if
    // it accounts for every digit typed.
    let international = match source {
        Source::Plus => Some(text.to_owned()),
        Source::Idd => idd_to_plus(regional_metadata, text),
        Source::Number | Source::Default => None,
    };
    let mut readings = Vec::with_capacity(3);
    if let Some(international) = international
        .as_deref()
        .filter(|_| region_code != Some(code))
    {
        readings.extend(
            phonenumber::parse_with(database, None, international)
                .ok()
                .map(|p| (p, false)),
        );
    }
    readings.push((first, false));
    if let Some(international) = &international {
        let literal =
            phonenumber::parse_with(database, Some(phonenumber::country::Id::NO), international);
        readings.extend(literal.ok().map(|p| (p, true)));
    }
    let mut refusal = None;
    for (parsed, literal) in readings {
        if parsed.code().value() != code {
            continue;
        }
        // E.164 is `+`, the code and the national number (its leading zeros kept), as
        // phonenumber's E164 mode writes it; its formatter is not used because it builds the
        // crate's whole database (`unwrap_or(&DATABASE)` is eager), see `phone_metadata`.
        let e164 = format!("+{}{}", parsed.code().value(), parsed.national());
        if let Err(e) = validate_phone_number(&e164) {
            refusal.get_or_insert(e);
        } else if keeps_typed_digits(
            database,
            regional_metadata,
            text,
            &e164,
            &parsed,
            source,
            literal,
        ) {
            return Ok(e164);
        }
    }
    Err(refusal.unwrap_or_else(|| {
        Error::validation(
            "phone_number",
            "could not be converted to E.164 without changing its digits; write it as + then \
             the country calling code and the number (e.g. +12025550162)",
        )
    }))
}

/// Whether `regex` (a libphonenumber metadata pattern, written with insignificant
/// whitespace) matches the whole of `digits`. phonenumber's own `is_match` only anchors the
/// start ("89123456789" "matches" Russia's 10-digit pattern).
fn matches_whole(regex: &str, digits: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, PoisonError};
    // Compiled once each: the patterns come from the metadata (a few hundred), never from
    // the input.
    static ANCHORED: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let mut cache = ANCHORED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    cache
        .entry(regex.to_owned())
        .or_insert_with(|| {
            regex::RegexBuilder::new(&format!("^(?:{regex})$"))
                .ignore_whitespace(true)
                .build()
                .ok()
        })
        .as_ref()
        .is_some_and(|re| re.is_match(digits))
}

/// The decimal digits of `text` in order (ASCII, fullwidth and Arabic-Indic forms), letters
/// read as on a phone keypad when `letters` (vanity numbers) and skipped otherwise (an
/// extension's `ext.`); `None` when `text` holds digits of another script.
fn typed_digits(text: &str, letters: bool) -> Option<String> {
    const KEYPAD: &[u8; 26] = b"22233344455566677778889999";
    let mut digits = String::new();
    for c in text.chars() {
        let zero = match c {
            '0'..='9' => '0',
            '\u{FF10}'..='\u{FF19}' => '\u{FF10}',
            '\u{0660}'..='\u{0669}' => '\u{0660}',
            '\u{06F0}'..='\u{06F9}' => '\u{06F0}',
            'a'..='z' | 'A'..='Z' if letters => {
                let index = usize::from(c.to_ascii_uppercase() as u8 - b'A');
                digits.push(char::from(KEYPAD[index]));
                continue;
            }
            c if c.is_numeric() => return None,
            _ => continue,
        };
        let value = u32::from(c) - u32::from(zero);
        digits.push(char::from_digit(value, 10)?);
    }
    Some(digits)
}

/// `text` with the international prefix of the default region (`regional`: `011` from the
/// US, `00` from most countries) replaced by `+`; `None` unless `text` is digits and
/// punctuation only.
fn idd_to_plus(regional: Option<&Metadata>, text: &str) -> Option<String> {
    if text.chars().any(char::is_alphabetic) {
        return None;
    }
    let digits = typed_digits(text, false)?;
    let idd = regional?
        .international_prefix()?
        .find(&digits)
        .filter(|m| m.start() == 0)?;
    Some(format!("+{}", &digits[idd.end()..]))
}

/// Whether the digits typed in `text` are exactly what reading it as `parsed` (`e164`)
/// accounts for: a lead that is, by `source`, nothing, the country code after `+` or after
/// the international prefix of the default region (`regional`), or the country code alone;
/// then maybe a national trunk prefix; the national number; the extension's digits.
/// phonenumber 0.3 sometimes drops digits that belong to the number (it strips a trunk prefix
/// twice, or the wrong country's), so a dropped trunk prefix also needs a valid result that
/// could not have kept it. `database` has the metadata of the number's calling code.
fn keeps_typed_digits(
    database: &Database,
    regional: Option<&Metadata>,
    text: &str,
    e164: &str,
    parsed: &phonenumber::PhoneNumber,
    source: phonenumber::country::Source,
    literal: bool,
) -> bool {
    use phonenumber::country::Source;
    let code = parsed.code().value();
    let regions = database.by_code(&code).unwrap_or_default();
    let code = code.to_string();
    let Some(national) = e164.strip_prefix('+').and_then(|d| d.strip_prefix(&*code)) else {
        return false;
    };
    let extension = parsed.extension().map_or("", |e| e.as_ref());
    // A national trunk prefix of the country, as its metadata spells it (`0`, `8`, `80`, …).
    let is_trunk = |digits: &str| {
        regions.iter().any(|m| {
            m.national_prefix() == Some(digits)
                || m.national_prefix_for_parsing()
                    .is_some_and(|re| matches_whole(re.as_str(), digits))
        })
    };
    // Whether `digits` could be a national number of the country as typed.
    let could_be_national = |digits: &str| {
        regions
            .iter()
            .any(|m| matches_whole(m.descriptors().general().national_number().as_str(), digits))
    };
    // Reading may drop a trunk prefix only if the number is valid without it and could not
    // be a number with it.
    let trunk_ok = |trunk: &str| {
        trunk.is_empty()
            || (is_trunk(trunk)
                && parsed.is_valid_with(database)
                && !could_be_national(&format!("{trunk}{national}")))
    };
    // A literal reading keeps a written trunk prefix ("+44 (0)20…" as +44020…): trust it
    // only for a valid number or one that does not start with a trunk prefix.
    if literal
        && !parsed.is_valid_with(database)
        && regions
            .iter()
            .any(|m| m.national_prefix().is_some_and(|p| national.starts_with(p)))
    {
        return false;
    }
    [false, true].into_iter().any(|letters| {
        let Some(typed) = typed_digits(text, letters) else {
            return false;
        };
        let Some(lead) = typed
            .strip_suffix(extension)
            .and_then(|t| t.strip_suffix(national))
        else {
            return false;
        };
        match source {
            // National format: at most a trunk prefix before the national number.
            Source::Default => trunk_ok(lead),
            // `+`, the country code, maybe a trunk prefix.
            Source::Plus => lead.strip_prefix(&*code).is_some_and(trunk_ok),
            // The country code without `+` ("33 1 42 68 53 00" in region FR), maybe a trunk
            // prefix: dropping the code is right only if all the digits could not be a
            // national number ("250 123 456" is a number of Rwanda, +250).
            Source::Number => {
                lead.strip_prefix(&*code).is_some_and(trunk_ok)
                    && parsed.is_valid_with(database)
                    && !could_be_national(&format!("{lead}{national}"))
            }
            // The default region's international prefix (`011` from the US), the country
            // code, maybe a trunk prefix.
            Source::Idd => {
                let idd = regional.and_then(|m| m.international_prefix());
                lead.match_indices(&*code).any(|(at, _)| {
                    idd.is_some_and(|re| matches_whole(re.as_str(), &lead[..at]))
                        && trunk_ok(&lead[at + code.len()..])
                })
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calling_codes_match_the_database() {
        let from_database: Vec<u16> = (1..1000u16)
            .filter(|code| phonenumber::metadata::DATABASE.by_code(code).is_some())
            .collect();
        assert_eq!(ASSIGNED_CALLING_CODES.to_vec(), from_database);
    }

    fn reason(number: &str) -> String {
        let err = validate_phone_number(number).expect_err(number);
        assert_eq!(err.code(), "validation_error");
        assert_eq!(err.field(), Some("phone_number"));
        err.reason().unwrap_or_default().to_owned()
    }

    #[test]
    fn accepts_e164_from_several_countries() {
        for (number, code) in [
            ("+12025550162", "1"),
            ("+442079460958", "44"),
            ("+33142685300", "33"),
            ("+5511987654321", "55"),
            ("+8613800138000", "86"),
            ("+97150123456", "971"),
            (SANDBOX_PHONE_NUMBER, "1"),
            ("+12", "1"),
            ("+123456789012345", "1"),
        ] {
            assert_eq!(validate_phone_number(number).ok(), Some(code), "{number}");
        }
    }

    /// Found by the property test against the ITU list: non-geographic codes were refused.
    #[test]
    fn accepts_non_geographic_calling_codes() {
        for code in [
            "800", "808", "870", "878", "881", "882", "883", "888", "979",
        ] {
            assert!(is_assigned_calling_code(code), "{code}");
        }
        assert_eq!(validate_phone_number("+881612345678").ok(), Some("881"));
        assert_eq!(validate_phone_number("+8821612345678").ok(), Some("882"));
        assert_eq!(
            normalize_phone_number("+882 16 1234 5678", "US")
                .ok()
                .as_deref(),
            Some("+8821612345678")
        );
    }

    #[test]
    fn rejects_each_broken_form_with_a_fix() {
        assert!(reason("").contains("required"));
        assert!(reason("   ").contains("required"));
        assert!(reason("+1 202 555 0162").contains("normalize_phone_number"));
        assert!(reason("+1-202-555-0162").contains("without spaces, dashes"));
        assert!(reason("(202)5550162").contains("brackets"));
        assert!(reason("12025550162").contains("must start with '+'"));
        assert!(reason("0012025550162").contains("replace the leading 00"));
        assert!(reason("+1202555016a").contains("only the digits"));
        assert!(reason("+１２０２５５５０１６２").contains("only the digits"));
        assert!(reason("+1").contains("2 to 15 digits"));
        assert!(reason("+1234567890123456").contains("it has 16"));
        assert!(reason("+0123456789").contains("never start with 0"));
        assert!(reason("+").contains("2 to 15"));
        assert!(reason("+999123456").contains("not an assigned"));
        assert!(reason("+2141234567").contains("+214, which is not an assigned"));
    }

    #[test]
    fn errors_never_repeat_the_number() {
        let err = validate_phone_number("+9991234567890").expect_err("unassigned");
        assert!(!err.to_string().contains("1234567890"), "{err}");
    }

    #[test]
    fn calling_codes_are_found_by_prefix() {
        assert_eq!(calling_code("+12025550162"), Some("1"));
        assert_eq!(calling_code("+442079460958"), Some("44"));
        assert_eq!(calling_code("+3545511234"), Some("354"));
        assert_eq!(calling_code("+999"), None);
        assert_eq!(calling_code("12025550162"), None);
        assert!(is_assigned_calling_code("44"));
        assert!(!is_assigned_calling_code("044"));
        assert!(!is_assigned_calling_code("+44"));
        assert!(!is_assigned_calling_code("9999"));
    }

    #[test]
    fn normalizes_what_people_type() {
        for (text, region, expected) in [
            ("(202) 555-0162", "US", "+12025550162"),
            ("202.555.0162", "us", "+12025550162"),
            ("+1 202-555-0162", "GB", "+12025550162"),
            ("+44 20 7946 0958", "US", "+442079460958"),
            ("020 7946 0958", "GB", "+442079460958"),
            ("01 42 68 53 00", "FR", "+33142685300"),
            ("(11) 98765-4321", "BR", "+5511987654321"),
            ("030 123456", "DE", "+4930123456"),
            ("090-1234-5678", "JP", "+819012345678"),
        ] {
            assert_eq!(
                normalize_phone_number(text, region).ok().as_deref(),
                Some(expected),
                "{text} in {region}"
            );
        }
    }

    /// A reading made with only the metadata of the codes it needs (every other code a stub)
    /// is the reading made with all of it: for every input of the libphonenumber reference
    /// table (every region's example numbers in national, international and E.164 form, read
    /// with their own region, US and GB, and the hand-picked cases), and every region's example
    /// numbers written with `+` and with the international prefix, read with regions whose
    /// metadata the reading would not otherwise load (NO, the literal reading's, among them).
    /// Each input starts from a loader that had loaded only what an input with the same
    /// region calling code and number calling code needs.
    #[test]
    fn per_code_metadata_reads_as_the_whole_metadata() {
        use std::collections::HashMap;
        let whole = Loader::new();
        for code in phone_metadata::all_codes() {
            whole.database_for(Some(code)).expect("load");
        }
        assert_eq!(whole.loaded(), None, "everything loaded");
        let all = whole.database_for(None).expect("load all");
        let mut inputs: Vec<(String, String)> =
            include_str!("../tests/data/normalize-libphonenumber.tsv")
                .lines()
                .filter_map(|line| {
                    let mut cols = line.split('\t');
                    Some((cols.next()?.to_owned(), cols.next()?.to_owned()))
                })
                .collect();
        for code in phone_metadata::all_codes() {
            let regions = all.by_code(&code).unwrap_or_default();
            let examples = regions.iter().flat_map(|m| {
                let d = m.descriptors();
                [d.mobile(), d.fixed_line(), d.toll_free()]
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d.example())
            });
            for example in examples.take(1) {
                for region in ["NO", "RU", "AR"] {
                    inputs.push((format!("+{code} {example}"), region.to_owned()));
                }
                inputs.push((format!("011 {code} {example}"), "US".to_owned()));
                inputs.push((format!("00{code}{example}"), "FR".to_owned()));
            }
        }
        let mut loaders: HashMap<(Option<u16>, Option<u16>), Loader> = HashMap::new();
        let (mut checked, mut read) = (0, 0);
        for (text, region) in &inputs {
            let expected = normalize_with(&whole, text, region).map_err(|e| e.to_string());
            let code = phonenumber::country::Id::from_str(region)
                .ok()
                .and_then(|id| phonenumber::parse_with(&all, Some(id), text).ok())
                .map(|p| p.code().value());
            let region_code = phone_metadata::region_code(&region.to_ascii_uppercase());
            let loader = loaders
                .entry((region_code, code))
                .or_insert_with(Loader::new);
            let got = normalize_with(loader, text, region);
            let loaded = loader.loaded();
            assert!(
                loaded.as_ref().is_some_and(|codes| codes.len() <= 2),
                "{text:?} in {region}: {loaded:?}"
            );
            let got = got.map_err(|e| e.to_string());
            assert_eq!(got, expected, "{text:?} in {region}");
            checked += 1;
            read += usize::from(expected.is_ok());
        }
        assert!(
            checked > 4400 && read > 4000,
            "{checked} inputs, {read} read"
        );
    }

    #[test]
    fn normalize_rejects_junk_and_bad_regions() {
        let err = normalize_phone_number("hello", "US").expect_err("junk");
        assert_eq!(err.field(), Some("phone_number"));
        let err = normalize_phone_number("202 555 0162", "XX").expect_err("region");
        assert_eq!(err.field(), Some("default_region"));
        let err = normalize_phone_number(&"1".repeat(10_000), "US").expect_err("huge");
        assert_eq!(err.field(), Some("phone_number"));
    }
}
