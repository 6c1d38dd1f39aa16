//! Small pieces with no dependencies: the virtual clock, RFC 3339 timestamps, UUIDs from a
//! seedable generator, query-string decoding and the SMS text in each locale.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sms_otp::Locale;

/// The emulator's clock: wall time when it started, plus real time elapsed since, plus every
/// `advance`. It never goes backwards.
#[derive(Debug)]
pub(crate) struct Clock {
    start_ms: i64,
    started: Instant,
    offset_ms: i64,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        let start_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4));
        Clock {
            start_ms,
            started: Instant::now(),
            offset_ms: 0,
        }
    }

    /// Milliseconds since the Unix epoch, on the virtual clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX / 4);
        self.start_ms
            .saturating_add(elapsed)
            .saturating_add(self.offset_ms)
    }

    /// Moves the clock forward by `ms` milliseconds.
    pub(crate) fn advance_ms(&mut self, ms: i64) {
        self.offset_ms = self.offset_ms.saturating_add(ms.max(0));
    }

    /// How far the clock has been moved in total, in milliseconds.
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms
    }
}

/// `2024-05-01T12:34:56Z` for a time in milliseconds since the epoch (seconds precision, as
/// the service writes its timestamps).
pub(crate) fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // d is 1..=31 and m 1..=12 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// A random (version 4) UUID in lowercase canonical form, drawn from `rng`.
pub(crate) fn uuid(rng: &mut fastrand::Rng) -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&rng.u64(..).to_be_bytes());
    b[8..].copy_from_slice(&rng.u64(..).to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Whether `s` is a UUID in lowercase canonical form (`8-4-4-4-12` lowercase hex digits).
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// The value of `name` in a query string, percent-decoded. `+` stays a plus sign (query
/// values here are phone numbers, and `?phone_number=+1202…` is what people type); `%2B` works
/// too. `None` when absent; `Err` when the value is not valid percent-encoded UTF-8.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Result<Option<String>, String> {
    let Some(query) = query else {
        return Ok(None);
    };
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == name {
            return percent_decode(value).map(Some).ok_or_else(|| {
                format!("query parameter {name} is not valid percent-encoded UTF-8")
            });
        }
    }
    Ok(None)
}

pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The SMS body in `locale`. English, Spanish, French, Brazilian Portuguese, Italian, German,
/// Catalan and Dutch are translated; the other locales fall back to English.
pub(crate) fn sms_text(locale: Locale, code: &str, minutes: i64) -> String {
    let one = minutes == 1;
    let pick = |singular: &'static str, plural: &'static str| if one { singular } else { plural };
    match locale {
        Locale::Es => format!(
            "Tu código de verificación es {code}. Caduca en {minutes} {}.",
            pick("minuto", "minutos")
        ),
        Locale::Fr => format!(
            "Votre code de vérification est {code}. Il expire dans {minutes} {}.",
            pick("minute", "minutes")
        ),
        Locale::PtBr => format!(
            "Seu código de verificação é {code}. Ele expira em {minutes} {}.",
            pick("minuto", "minutos")
        ),
        Locale::It => format!(
            "Il tuo codice di verifica è {code}. Scade tra {minutes} {}.",
            pick("minuto", "minuti")
        ),
        Locale::DeDe => format!(
            "Ihr Bestätigungscode lautet {code}. Er läuft in {minutes} {} ab.",
            pick("Minute", "Minuten")
        ),
        Locale::CaEs => format!(
            "El teu codi de verificació és {code}. Caduca d'aquí a {minutes} {}.",
            pick("minut", "minuts")
        ),
        Locale::Nl => format!(
            "Je verificatiecode is {code}. Deze verloopt over {minutes} {}.",
            pick("minuut", "minuten")
        ),
        _ => format!(
            "Your verification code is {code}. It expires in {minutes} {}.",
            pick("minute", "minutes")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_714_566_896_999), "2024-05-01T12:34:56Z");
        assert_eq!(rfc3339(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn uuids_are_canonical_v4_and_seedable() {
        let mut a = fastrand::Rng::with_seed(7);
        let mut b = fastrand::Rng::with_seed(7);
        let id = uuid(&mut a);
        assert!(is_uuid(&id), "{id}");
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(id, uuid(&mut b));
        assert_ne!(id, uuid(&mut a));
        assert!(!is_uuid("00000000-0000-0000-0000-00000000000"));
        assert!(!is_uuid("ABCDEF00-0000-0000-0000-000000000000"));
        assert!(!is_uuid("00000000x0000-0000-0000-000000000000"));
        assert!(is_uuid("00000000-0000-0000-0000-000000000000"));
    }

    #[test]
    fn query_values_keep_plus_and_decode_percent() {
        let q = Some("a=1&phone_number=+12025550162&x");
        assert_eq!(
            query_param(q, "phone_number"),
            Ok(Some("+12025550162".into()))
        );
        assert_eq!(
            query_param(Some("phone_number=%2B1202"), "phone_number"),
            Ok(Some("+1202".into()))
        );
        assert_eq!(query_param(q, "x"), Ok(Some(String::new())));
        assert_eq!(query_param(q, "missing"), Ok(None));
        assert_eq!(query_param(None, "missing"), Ok(None));
        assert!(query_param(Some("p=%zz"), "p").is_err());
        assert!(query_param(Some("p=%f0"), "p").is_err());
        assert!(query_param(Some("p=%4"), "p").is_err());
        assert!(query_param(Some("p=%é"), "p").is_err());
        assert!(query_param(Some("p=%+1"), "p").is_err());
    }

    #[test]
    fn sms_text_is_translated_and_pluralised() {
        assert_eq!(
            sms_text(Locale::En, "123456", 2),
            "Your verification code is 123456. It expires in 2 minutes."
        );
        assert_eq!(
            sms_text(Locale::En, "123456", 1),
            "Your verification code is 123456. It expires in 1 minute."
        );
        assert!(sms_text(Locale::PtBr, "1", 5).starts_with("Seu código"));
        assert!(sms_text(Locale::Ja, "1", 5).starts_with("Your verification"));
    }
}
