//! The UUIDs inside the emulator's IDs (`phone-number-test-<uuid>`, …), drawn from a
//! seedable generator, and their check.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
