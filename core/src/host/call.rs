//! Every call a binding makes, by name: the arguments read into the call's typed request,
//! run by the typed client, and the reply handed back. A binding has one native entry for
//! all calls, so a new call costs it nothing but its stub and its method.

use super::{Language, Refusal, Value};
use crate::response::{from_object, Unreadable};
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

/// What a call returns: a send's typed response (the bindings' hot path reads its fields),
/// or for the login calls the text of the whole body, a JSON object whose documented fields
/// the typed response's reading has checked. The bindings make host objects of the text
/// (JavaScript with `JSON.parse`), with no JSON map in between.
#[derive(Debug)]
pub enum Reply {
    Send(SendResponse),
    Body(String),
}

impl Reply {
    /// The whole response body as JSON text.
    pub fn into_text(self) -> String {
        match self {
            Reply::Send(response) => serde_json::Value::Object(response.raw).to_string(),
            Reply::Body(text) => text,
        }
    }
}

/// The text of a body whose documented fields `check` accepted.
fn checked_text(body: &[u8], check: Result<(), Unreadable>) -> Result<String, Unreadable> {
    check?;
    String::from_utf8(body.to_vec()).map_err(|_| Unreadable::NotAnObject)
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
            Request::Send(r) => client.otps.sms.send(r).await.map(Reply::Send),
            Request::LoginOrCreate(r) => {
                let text = |body: &[u8]| {
                    checked_text(
                        body,
                        from_object(body, LoginOrCreateResponse::from_json).map(drop),
                    )
                };
                client
                    .otps
                    .sms
                    .login_or_create_as(r, text)
                    .await
                    .map(Reply::Body)
            }
            Request::Authenticate(r) => {
                let text = |body: &[u8]| checked_text(body, AuthenticateResponse::check(body));
                client.otps.authenticate_as(r, text).await.map(Reply::Body)
            }
        }
    }
}
