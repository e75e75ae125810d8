//! One https request with rustls: `smll-rustls-check HOST:PORT SERVER_NAME PATH`.
//! Trusts what rustls-native-certs loads (SSL_CERT_FILE when set), verifies the server's
//! certificate for SERVER_NAME (a DNS name or an IP address), prints the response's status line.
//! Exits 1 with rustls's error (e.g. `invalid peer certificate: ...`) when the handshake fails.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::ServerName;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: smll-rustls-check HOST:PORT SERVER_NAME PATH");
        std::process::exit(2);
    }
    match request(&args[1], &args[2], &args[3]) {
        Ok(status_line) => println!("{status_line}"),
        Err(message) => {
            println!("error: {message}");
            std::process::exit(1);
        }
    }
}

fn request(address: &str, server_name: &str, path: &str) -> Result<String, String> {
    let native = rustls_native_certs::load_native_certs();
    if let Some(err) = native.errors.first() {
        return Err(format!("loading trust roots: {err}"));
    }
    let mut roots = rustls::RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        return Err(format!("no usable trust root ({ignored} ignored)"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| err.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(server_name.to_owned()).map_err(|err| err.to_string())?;
    let mut connection = rustls::ClientConnection::new(Arc::new(config), name).map_err(|err| err.to_string())?;
    let mut socket = TcpStream::connect(address).map_err(|err| err.to_string())?;
    let mut tls = rustls::Stream::new(&mut connection, &mut socket);
    let host = if server_name.contains(':') { format!("[{server_name}]") } else { server_name.to_owned() };
    tls.write_all(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .map_err(|err| err.to_string())?;
    let mut response = Vec::new();
    // S3 servers may close without close_notify; what arrived before that is the answer.
    if let Err(err) = tls.read_to_end(&mut response) {
        if response.is_empty() {
            return Err(err.to_string());
        }
    }
    let text = String::from_utf8_lossy(&response);
    Ok(text.lines().next().unwrap_or("").to_owned())
}
