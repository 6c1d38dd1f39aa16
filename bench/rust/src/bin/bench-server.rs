//! A minimal loopback server for the benchmarks: answers every request with the documented
//! 200 body in one write, keep-alive, on a single thread. It does no work per request, so the
//! clients, not the server, are what is measured. Prints `PORT` on stdout.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const BODY: &str = r#"{"request_id":"request-id-test-8b2f6b1e-1d4c-4f7e-9a8a-5b3c2d1e0f9a","user_id":"user-test-2e63d77f-ae8b-4d08-89bd-041707138b0d","phone_id":"phone-number-test-ff2ce89c-e11c-4330-9a5e-69ebb3c595a6","status_code":200}"#;

async fn answer(request: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    use http_body_util::BodyExt as _;
    // Read the body in full, as a real server would.
    let _ = request.into_body().collect().await;
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(BODY.as_bytes())))
        .unwrap_or_default())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}
