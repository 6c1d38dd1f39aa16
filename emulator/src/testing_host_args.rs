//! The testing API's arguments from a binding's host values (`sms_otp::host::Value`: what the
//! Python or Node binding made of its language's arguments, with the one generic conversion
//! the client's calls use too), as the JSON data [`crate::testing::TestEmulator`] reads, by
//! the core's one walk of host values into JSON (`sms_otp::host::to_json`). Refuses what
//! JSON cannot carry, naming the argument.

use serde_json::Value;
use sms_otp::host::{to_json, JsonRefusal, Value as Host};

use crate::testing::{EmulatorError, ErrorKind, Language};

const UNPAIRED: &str = "is not valid Unicode (it contains unpaired surrogates)";

/// `value` (the arguments of `method`, a map whose keys name them) as JSON; `field` names the
/// whole in messages (`inject_fault options`). JavaScript's whole numbers are integers.
pub fn json_from_host(
    language: Language,
    method: &str,
    field: &str,
    value: Option<Host>,
) -> Result<Value, EmulatorError> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    to_json(value, field, false, language == Language::Node).map_err(|refusal| match refusal {
        JsonRefusal::NotFinite { path } => {
            EmulatorError::bad_value(method, &path, "must be a finite number")
        }
        JsonRefusal::Unpaired { path } => EmulatorError::bad_value(method, &path, UNPAIRED),
        JsonRefusal::KeyNotText { path, .. } => {
            let message = format!("{path} keys must be str");
            EmulatorError::new(ErrorKind::Type, message, Some(&path))
        }
        JsonRefusal::TooDeep { path } => {
            EmulatorError::not_data(&path, "nested too deep (a cycle?)")
        }
        JsonRefusal::NotData { path, value } => {
            let type_name = match value {
                Host::Object { class, .. } | Host::Other(class) => class,
                _ => "object".to_owned(),
            };
            EmulatorError::not_data(&path, &type_name)
        }
    })
}
