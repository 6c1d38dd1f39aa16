//! Every call a binding makes, by name: the arguments read into the call's typed request,
//! run by the typed client, and the reply handed back. A binding has one native entry for
//! all calls, so a new call costs it nothing but its stub and its method.

use super::{Language, Refusal, Value};
use crate::response::{body_text, from_object, opens_an_object, Unreadable};
use crate::{
    AuthenticateRequest, AuthenticateResponse, Client, Error, LoginOrCreateRequest,
    LoginOrCreateResponse, SendRequest, SendResponse,
};

/// A call's typed request, read from host values.
#[derive(Debug)]
pub enum Request {
    /// `client.otps.sms.send`
    Send(SendRequest),
    /// `client.otps.sms.login_or_create`
    LoginOrCreate(LoginOrCreateRequest),
    /// `client.otps.authenticate`
    Authenticate(AuthenticateRequest),
}

/// What a call returns: the text of the whole body, a JSON object whose documented fields
/// have been checked, and for a send those fields too (Python's hot path reads them). The
/// bindings make host objects of the text (JavaScript with `JSON.parse`), with no JSON map
/// in between.
#[derive(Debug)]
pub enum Reply {
    Send(Sent),
    Body(String),
}

impl Reply {
    /// The whole response body as JSON text.
    pub fn into_text(self) -> String {
        match self {
            Reply::Send(sent) => sent.text,
            Reply::Body(text) => text,
        }
    }
}

/// A send's answer as the bindings take it: the documented fields of [`SendResponse`], read
/// straight from the body's text, and the text itself in place of `raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub request_id: String,
    pub user_id: String,
    pub phone_id: String,
    pub status_code: u16,
    /// The whole body, a JSON object.
    pub text: String,
}

impl Sent {
    /// Reads a send's body, refusing it as [`SendResponse::from_json`] does (the same
    /// messages, which name the field at fault).
    pub fn from_text(text: String) -> Result<Sent, String> {
        Sent::read(text.as_bytes()).map_err(|problem| match problem {
            Unreadable::NotAnObject => "not a JSON object".to_owned(),
            Unreadable::Lacks(reason) => reason,
        })
    }

    fn read(body: &[u8]) -> Result<Sent, Unreadable> {
        #[derive(serde::Deserialize)]
        struct Fields {
            request_id: String,
            user_id: String,
            phone_id: String,
            status_code: u16,
        }
        // UTF-8 checked once, for the whole text, which the fields are then read from.
        let text = body_text(body)?;
        let fields = match serde_json::from_str::<Fields>(&text) {
            Ok(fields) if opens_an_object(body) => fields,
            // Anything else (a refusal, a duplicate key) as the typed response reads it.
            _ => {
                let r = from_object(body, SendResponse::from_json)?;
                Fields {
                    request_id: r.request_id,
                    user_id: r.user_id,
                    phone_id: r.phone_id,
                    status_code: r.status_code,
                }
            }
        };
        Ok(Sent {
            request_id: fields.request_id,
            user_id: fields.user_id,
            phone_id: fields.phone_id,
            status_code: fields.status_code,
            text,
        })
    }
}

/// The text of a body whose documented fields `check` accepts: UTF-8 is checked once, here,
/// and `check` reads the text without checking each string again.
fn checked_text(
    body: &[u8],
    check: impl FnOnce(&str) -> Result<(), Unreadable>,
) -> Result<String, Unreadable> {
    let text = body_text(body)?;
    check(&text)?;
    Ok(text)
}

impl Request {
    /// Reads the arguments of the call `name` (`send`, `login_or_create`, `authenticate`):
    /// `positional` (Python's) and `named` (Python's keywords, JavaScript's request object).
    pub fn read(
        language: Language,
        name: &str,
        positional: Vec<Value>,
        named: Option<Value>,
    ) -> Result<Request, Refusal> {
        Ok(match name {
            "send" => Request::Send(super::request(language, positional, named)?),
            "login_or_create" => {
                Request::LoginOrCreate(super::request(language, positional, named)?)
            }
            "authenticate" => Request::Authenticate(super::request(language, positional, named)?),
            _ => {
                return Err(Refusal::Invalid(Error::internal(format!(
                    "no call named {name:?}"
                ))))
            }
        })
    }

    /// Runs the request on `client` (validation first, then the HTTP call and its retries).
    pub async fn run(self, client: Client) -> Result<Reply, Error> {
        match self {
            Request::Send(r) => client
                .otps
                .sms
                .send_as(r, Sent::read)
                .await
                .map(Reply::Send),
            Request::LoginOrCreate(r) => {
                let text = |body: &[u8]| {
                    checked_text(body, |text| {
                        from_object(text.as_bytes(), LoginOrCreateResponse::from_json).map(drop)
                    })
                };
                client
                    .otps
                    .sms
                    .login_or_create_as(r, text)
                    .await
                    .map(Reply::Body)
            }
            Request::Authenticate(r) => {
                let text = |body: &[u8]| checked_text(body, AuthenticateResponse::check);
                client.otps.authenticate_as(r, text).await.map(Reply::Body)
            }
        }
    }
}
