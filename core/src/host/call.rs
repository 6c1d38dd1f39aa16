//! Every call a binding makes, by name: the arguments read into the call's typed request,
//! run by the typed client, and the reply handed back. A binding has one native entry for
//! all calls, so a new call costs it nothing but its stub and its method.

use serde_json::{Map, Value as Json};

use super::{Language, Refusal, Value};
use crate::{AuthenticateRequest, Client, Error, LoginOrCreateRequest, SendRequest, SendResponse};

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
/// or for the login calls the whole body, checked by the typed response's parse.
#[derive(Debug)]
pub enum Reply {
    Send(SendResponse),
    Body(Map<String, Json>),
}

impl Reply {
    /// The whole response body.
    pub fn into_body(self) -> Map<String, Json> {
        match self {
            Reply::Send(response) => response.raw,
            Reply::Body(body) => body,
        }
    }
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
                let response = client.otps.sms.login_or_create(r).await?;
                Ok(Reply::Body(response.raw))
            }
            Request::Authenticate(r) => {
                let response = client.otps.authenticate(r).await?;
                Ok(Reply::Body(response.raw))
            }
        }
    }
}
