//! `GET /v1/sessions/jwks/<project_id>`: the public key of the session JWTs, as the
//! official SDKs fetch it to verify a JWT locally. Like the service's, it needs no
//! credentials (the Python and Node SDKs send none).

use std::sync::Arc;

use serde_json::json;

use crate::api_errors::ApiError;
use crate::query::percent_decode;
use crate::server::{error, json, Resp, Shared};

/// The path prefix; the project ID follows (percent-encoded or not).
pub(crate) const JWKS_PREFIX: &str = "/v1/sessions/jwks/";

/// `{"keys": [JWK], "request_id", "status_code": 200}` for the emulator's project; 404
/// `project_not_found` for another.
pub(crate) async fn process(shared: &Arc<Shared>, path: &str) -> Resp {
    let project = path.strip_prefix(JWKS_PREFIX).and_then(percent_decode);
    if project.as_deref() != Some(shared.project_id.as_str()) {
        return error(shared, &ApiError::of("project_not_found"));
    }
    let keys = match shared.keys.get().await {
        Ok(keys) => keys,
        Err(err) => return error(shared, &err),
    };
    let request_id = shared.state().request_id();
    json(
        200,
        &json!({"keys": [keys.jwk()], "request_id": request_id, "status_code": 200}),
    )
}
