//! Proxies from the environment are honoured (and NO_PROXY bypasses them): absolute-form
//! requests for `http://`, a `CONNECT` tunnel with TLS inside for `https://`, credentials of
//! the proxy URL as `Proxy-Authorization`. Alone in its own test binary, since it changes
//! process environment variables; its tests take turns through [`ENV`].
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use support::{builder, pki, request, Behaviour, Hostile};

trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Stream for T {}

static ENV: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const PROXY_VARIABLES: [&str; 8] = [
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
];

fn clear_proxy_variables() {
    for name in PROXY_VARIABLES {
        std::env::remove_var(name);
    }
}

/// A `CONNECT` proxy (over TLS with `tls`): it records each request head, then either
/// refuses with `refuse_with` or tunnels to the named host and port.
struct TunnelProxy {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
}

impl TunnelProxy {
    async fn start(
        refuse_with: Option<&'static str>,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> TunnelProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (seen, tls) = (seen.clone(), tls.clone());
                tokio::spawn(async move {
                    let mut client: Box<dyn Stream> = match tls {
                        Some(tls) => Box::new(tls.accept(tcp).await.unwrap()),
                        None => Box::new(tcp),
                    };
                    let mut head = Vec::new();
                    while !head.ends_with(b"\r\n\r\n") {
                        let Ok(byte) = client.read_u8().await else {
                            return;
                        };
                        head.push(byte);
                    }
                    let head = String::from_utf8(head).unwrap();
                    seen.lock().unwrap().push(head.clone());
                    if let Some(status) = refuse_with {
                        let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
                        client.write_all(answer.as_bytes()).await.unwrap();
                        return;
                    }
                    let target = head.split(' ').nth(1).unwrap().to_owned();
                    let mut upstream = TcpStream::connect(target).await.unwrap();
                    client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await
                        .unwrap();
                    tokio::io::copy_bidirectional(&mut client, &mut upstream)
                        .await
                        .ok();
                });
            }
        });
        TunnelProxy { port, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn proxy_variables_are_honoured() {
    let _env = ENV.lock().await;
    let proxy = Hostile::start(vec![Behaviour::ok()]).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("http://127.0.0.1:{closed}");
    clear_proxy_variables();
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
    clear_proxy_variables();
}

#[tokio::test]
async fn an_http_proxy_gets_the_credentials_of_its_url() {
    let _env = ENV.lock().await;
    clear_proxy_variables();
    let proxy = Hostile::start(vec![Behaviour::ok()]).await;
    let proxy_url = format!("http://proxy-user:proxy%20pass@127.0.0.1:{}", proxy.port);
    std::env::set_var("http_proxy", &proxy_url);
    // Nothing listens at the target: only the proxy can answer.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = builder(&format!("http://localhost:{closed}"))
        .build()
        .unwrap();
    client.otps.sms.send(request()).await.unwrap();
    let seen = proxy.requests();
    assert_eq!(
        seen[0].path,
        format!("http://localhost:{closed}/v1/otps/sms/send")
    );
    // base64("proxy-user:proxy pass")
    assert_eq!(
        seen[0].header("proxy-authorization"),
        Some("Basic cHJveHktdXNlcjpwcm94eSBwYXNz")
    );
    assert!(seen[0].header("authorization").is_some());
    clear_proxy_variables();
}

#[tokio::test]
async fn https_goes_through_a_connect_tunnel_with_tls_inside() {
    let _env = ENV.lock().await;
    clear_proxy_variables();
    let pki = pki();
    let dir = std::env::temp_dir().join(format!("sms-otp-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    let server = Hostile::start_tls(vec![Behaviour::ok()], pki.acceptor.clone()).await;
    let proxy = TunnelProxy::start(None, None).await;
    std::env::set_var(
        "HTTPS_PROXY",
        format!("http://tunnel:secret@127.0.0.1:{}", proxy.port),
    );
    let url = format!("https://localhost:{}", server.port);
    let client = builder(&url).ca_file(&ca_file).build().unwrap();
    let resp = client.otps.sms.send(request()).await.unwrap();
    assert_eq!(resp.status_code, 200);
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1);
    assert!(
        heads[0].starts_with(&format!("CONNECT localhost:{} HTTP/1.1\r\n", server.port)),
        "{heads:?}"
    );
    // base64("tunnel:secret"), on the CONNECT only: the request inside is encrypted.
    let proxy_authorization = heads[0].lines().find_map(|line| {
        let (name, value) = line.split_once(": ")?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then_some(value)
    });
    assert_eq!(proxy_authorization, Some("Basic dHVubmVsOnNlY3JldA=="));
    let inside = server.requests();
    assert_eq!(inside[0].path, "/v1/otps/sms/send");
    assert_eq!(inside[0].header("proxy-authorization"), None);

    // A proxy that refuses the tunnel: nothing reached the service.
    let refusing = TunnelProxy::start(Some("407 Proxy Authentication Required"), None).await;
    std::env::set_var("HTTPS_PROXY", format!("http://127.0.0.1:{}", refusing.port));
    let client = builder(&url)
        .ca_file(&ca_file)
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.otps.sms.send(request()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.after_send()),
        ("network_error", Some(false)),
        "{err}"
    );
    assert!(
        err.to_string().contains("proxy authorization required"),
        "{err}"
    );
    assert_eq!(server.seen(), 1);

    // An https:// proxy: TLS to the proxy (trusted through ca_file too), the tunnel inside it.
    let tls_proxy = TunnelProxy::start(None, Some(pki.acceptor.clone())).await;
    std::env::set_var(
        "HTTPS_PROXY",
        format!("https://localhost:{}", tls_proxy.port),
    );
    let client = builder(&url).ca_file(&ca_file).build().unwrap();
    assert_eq!(
        client.otps.sms.send(request()).await.unwrap().status_code,
        200
    );
    assert_eq!(tls_proxy.heads().len(), 1);
    assert_eq!(server.seen(), 2);
    clear_proxy_variables();
    std::fs::remove_dir_all(&dir).ok();
}
