//! The Rust example runs as documented (it is compiled here as a module and its `run` called).
#![allow(clippy::unwrap_used)]

#[path = "../examples/login_flow.rs"]
mod login_flow;

#[tokio::test]
async fn the_login_flow_example_passes() {
    login_flow::run().await.unwrap();
}
