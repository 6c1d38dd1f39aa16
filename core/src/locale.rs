//! The 16 locales the endpoint accepts, with their exact wire tags.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Language of the SMS text. Serialised to the exact tag the API expects (`pt-br`, `de-DE`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Locale {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "es")]
    Es,
    #[serde(rename = "pt-br")]
    PtBr,
    #[serde(rename = "fr")]
    Fr,
    #[serde(rename = "it")]
    It,
    #[serde(rename = "de-DE")]
    DeDe,
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "ca-ES")]
    CaEs,
    #[serde(rename = "ja")]
    Ja,
    #[serde(rename = "ru")]
    Ru,
    #[serde(rename = "nl")]
    Nl,
    #[serde(rename = "pl")]
    Pl,
    #[serde(rename = "tr")]
    Tr,
    #[serde(rename = "fa")]
    Fa,
    #[serde(rename = "vi")]
    Vi,
    #[serde(rename = "cs")]
    Cs,
}

impl Locale {
    /// Every locale, in the order the API documents them.
    pub const ALL: [Locale; 16] = [
        Locale::En,
        Locale::Es,
        Locale::PtBr,
        Locale::Fr,
        Locale::It,
        Locale::DeDe,
        Locale::ZhHans,
        Locale::CaEs,
        Locale::Ja,
        Locale::Ru,
        Locale::Nl,
        Locale::Pl,
        Locale::Tr,
        Locale::Fa,
        Locale::Vi,
        Locale::Cs,
    ];

    /// The exact tag sent on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::PtBr => "pt-br",
            Locale::Fr => "fr",
            Locale::It => "it",
            Locale::DeDe => "de-DE",
            Locale::ZhHans => "zh-Hans",
            Locale::CaEs => "ca-ES",
            Locale::Ja => "ja",
            Locale::Ru => "ru",
            Locale::Nl => "nl",
            Locale::Pl => "pl",
            Locale::Tr => "tr",
            Locale::Fa => "fa",
            Locale::Vi => "vi",
            Locale::Cs => "cs",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Locale {
    type Err = Error;

    /// Parses the exact tag. The spelling is not corrected (`pt-BR` is rejected) because the
    /// service rejects it too; the error lists the accepted tags.
    fn from_str(tag: &str) -> Result<Self, Error> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.as_str() == tag)
            .ok_or_else(|| {
                let accepted: Vec<&str> = Locale::ALL.iter().map(|l| l.as_str()).collect();
                let hint = Locale::ALL
                    .iter()
                    .find(|l| l.as_str().eq_ignore_ascii_case(tag))
                    .map(|l| format!(" (did you mean \"{l}\"? tags are case-sensitive)"))
                    .unwrap_or_default();
                Error::validation(
                    "locale",
                    format!("must be one of {}{hint}", accepted.join(", ")),
                )
            })
    }
}
