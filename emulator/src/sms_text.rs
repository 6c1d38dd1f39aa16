//! The text of the SMS the emulator "sends", in each locale.

use sms_otp::Locale;

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
