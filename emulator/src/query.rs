//! Query-string decoding for the admin API (`?phone_number=+1202…`).

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
