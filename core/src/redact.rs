//! Removing the client's credentials from text the server sent back, before it reaches an
//! error. A hostile or broken server may echo the Authorization header, or the secret in
//! whatever encoding its framework uses: a JSON string (`\"`, `\/`, `\u00e9`), a URL
//! (`%2F`), base64. JSON bodies are also redacted string by string after decoding (see
//! `response.rs`), which covers every JSON escaping; the forms below cover the same text
//! when it arrives outside JSON (an HTML page, a redirect target, a plain-text body).

use std::cell::OnceCell;

use base64::Engine as _;

/// Redacts the client's secret and the base64 of `project_id:secret` (the Authorization
/// value without `Basic `), in every form listed in [`forms`]. The forms are computed on the
/// first use only: the success path never pays for them.
pub(crate) struct Redactor<'a> {
    // A fixed array, not a Vec: every attempt makes a redactor, and the success path should
    // not allocate for it.
    secrets: [&'a str; MAX_SECRETS],
    forms: OnceCell<Vec<String>>,
}

/// The secret, the Authorization value, and a call's passcode, session token and JWT.
const MAX_SECRETS: usize = 5;

impl<'a> Redactor<'a> {
    /// Redacts each of `secrets` (the credentials, and a call's own secrets: the passcode,
    /// session tokens and JWTs); empty ones are ignored.
    pub(crate) fn new(secrets: impl IntoIterator<Item = &'a str>) -> Redactor<'a> {
        let mut slots = [""; MAX_SECRETS];
        for (slot, secret) in slots.iter_mut().zip(secrets) {
            *slot = secret;
        }
        Redactor {
            secrets: slots,
            forms: OnceCell::new(),
        }
    }

    pub(crate) fn clean(&self, text: &str) -> String {
        let forms = self.forms.get_or_init(|| {
            let mut all: Vec<String> = self.secrets.iter().flat_map(|s| forms(s)).collect();
            // Longest first, so that a form containing a shorter one is replaced whole.
            all.sort_by_key(|f| std::cmp::Reverse(f.len()));
            all.dedup();
            all
        });
        let mut out = text.to_owned();
        for form in forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), "[redacted]");
            }
        }
        out
    }
}

/// The encodings of `secret` a server could echo, none shorter than 4 characters (shorter
/// ones would redact ordinary words; credentials are never that short in practice).
fn forms(secret: &str) -> Vec<String> {
    if secret.len() < 4 {
        return Vec::new();
    }
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(secret);
    let mut out = vec![
        secret.to_owned(),
        // JSON string escapes: serde's (only `"`, `\` and controls), with `/` escaped too
        // (PHP, some Java encoders), and everything non-ASCII as `\uXXXX` (Python's default).
        json_escaped(secret, false, false),
        json_escaped(secret, true, false),
        json_escaped(secret, false, true),
        json_escaped(secret, true, true),
        upper_hex_escapes(&json_escaped(secret, false, true)),
        upper_hex_escapes(&json_escaped(secret, true, true)),
        // Percent-encoding of everything but the unreserved characters, either hex case,
        // and the form variant (space as `+`).
        percent_encoded(secret, false, false),
        percent_encoded(secret, false, true),
        percent_encoded(secret, true, false),
        // Base64 without padding is a prefix of the padded form: redacting it covers both.
        b64.clone(),
        b64.replace('+', "-").replace('/', "_"),
    ];
    out.retain(|f| f.len() >= 4);
    // Every run of 8 or more letters and digits: whatever a server did to the secret's
    // other characters (escaped it twice inside a broken JSON body, quoted it as a repr),
    // these pass through unchanged, and a run that long is random text, not a word.
    out.extend(
        secret
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|run| run.len() >= MIN_RUN)
            .map(str::to_owned),
    );
    out
}

/// The shortest alphanumeric run of a secret that is redacted on its own.
const MIN_RUN: usize = 8;

fn json_escaped(text: &str, slash: bool, ascii: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if slash => out.push_str("\\/"),
            c if (c as u32) < 0x20 || (ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `\u00e9` as `\u00E9` (Java and .NET encoders write upper-case hex).
fn upper_hex_escapes(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find("\\u") {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let end = tail.len().min(6);
        out.push_str(&tail[..end].to_uppercase().replacen("\\U", "\\u", 1));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn percent_encoded(text: &str, form: bool, lower_hex: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            b' ' if form => out.push('+'),
            _ if lower_hex => out.push_str(&format!("%{byte:02x}")),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "secret-test-Qz7MARKERx/+%\"\\&=\u{e9} k2";

    #[test]
    fn every_echoed_encoding_is_redacted() {
        let redact = Redactor::new([SECRET, "cHJvamVjdDpzZWNyZXQ"]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET);
        for echo in [
            SECRET.to_owned(),
            serde_json::to_string(SECRET).unwrap_or_default(),
            r#"secret-test-Qz7MARKERx\/+%\"\\&=\u00e9 k2"#.to_owned(),
            r#"secret-test-Qz7MARKERx/+%\"\\&=\u00E9 k2"#.to_owned(),
            "secret-test-Qz7MARKERx%2F%2B%25%22%5C%26%3D%C3%A9%20k2".to_owned(),
            "secret-test-Qz7MARKERx%2f%2b%25%22%5c%26%3d%c3%a9%20k2".to_owned(),
            "secret-test-Qz7MARKERx%2F%2B%25%22%5C%26%3D%C3%A9+k2".to_owned(),
            b64.clone(),
            b64.trim_end_matches('=')
                .replace('+', "-")
                .replace('/', "_"),
            "Basic cHJvamVjdDpzZWNyZXQ=".to_owned(),
        ] {
            let cleaned = redact.clean(&format!("<p>you sent {echo}.</p>"));
            assert!(
                !cleaned.contains("Qz7MARKERx")
                    && !cleaned.contains("qz7markerx")
                    && !cleaned.contains(&b64[..20])
                    && !cleaned.contains("cHJvamVjdDpzZWNyZXQ"),
                "{echo} -> {cleaned}"
            );
        }
    }

    /// The sweep found it: a server that echoes the JSON-escaped secret inside a JSON body
    /// that then breaks off escapes it twice (`\\\"`), a form no list of encodings has.
    #[test]
    fn a_secret_escaped_twice_in_a_broken_body_loses_its_long_runs() {
        let redact = Redactor::new([SECRET, ""]);
        let twice = serde_json::to_string(&serde_json::to_string(SECRET).unwrap_or_default())
            .unwrap_or_default();
        let cleaned = redact.clean(&format!("{{\"echo\":{twice}"));
        assert!(!cleaned.contains("Qz7MARKERx"), "{cleaned}");
        assert_eq!(
            redact.clean("Qz7MARKE and secret-test"),
            "Qz7MARKE and secret-test"
        );
    }

    #[test]
    fn short_or_empty_secrets_redact_nothing() {
        let redact = Redactor::new(["", "abc"]);
        assert_eq!(redact.clean("abc abcd"), "abc abcd");
    }
}
