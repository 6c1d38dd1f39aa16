//! Proxies from the environment are honoured (and NO_PROXY bypasses them). Alone in its own
//! test binary, since it changes process environment variables.
#![allow(clippy::unwrap_used)]

mod support;

use support::{builder, request, Behaviour, Hostile};

#[tokio::test]
async fn proxy_variables_are_honoured() {
    let proxy = Hostile::start(vec![Behaviour::ok()]).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{closed}");
    for name in [
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
    ] {
        std::env::remove_var(name);
    }
    std::env::set_var("HTTP_PROXY", proxy.url());
    // Through the proxy: it answers, although nothing listens on the target port.
    let client = builder(&target).max_retries(0).build().unwrap();
    client.otps.sms.send(request()).await.unwrap();
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].path,
        format!("{target}/v1/otps/sms/send"),
        "absolute-form request to the proxy"
    );
    // NO_PROXY bypasses it: the closed port refuses.
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let client = builder(&target).max_retries(0).build().unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.after_send()),
        ("network_error", Some(false))
    );
    assert_eq!(proxy.seen(), 1);
    std::env::remove_var("HTTP_PROXY");
    std::env::remove_var("NO_PROXY");
}
