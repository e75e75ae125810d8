//! The Rust runner: the AWS SDK for Rust (`aws-sdk-s3`, versions pinned by Cargo.lock) configured as
//! its developer guide shows for a custom endpoint (https://docs.aws.amazon.com/sdk-for-rust/latest/dg/endpoints.html):
//! `endpoint_url`, a region, static credentials, and `force_path_style(true)`. For https it trusts the
//! endpoint's CA through SSL_CERT_FILE: the SDK's default HTTPS client (hyper + rustls) builds its trust
//! store from the platform's roots (`TrustStore`, native roots on by default), which rustls-native-certs
//! reads from SSL_CERT_FILE when that is set (https://docs.rs/rustls-native-certs).
//! Writes one JSON result per scenario of fixtures/conformance/scenarios.json to SMLL_RESULTS_DIR.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart, Delete, MetadataDirective, ObjectIdentifier,
};
use aws_sdk_s3::Client;
use sha2::{Digest, Sha256};

type Outcome = Result<String, String>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

/// The SDK error with its whole chain of causes, each said once (the TLS error sits deep inside a DispatchFailure).
fn e<E: std::error::Error>(err: E) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        source = cause.source();
    }
    text
}

/// The S3 error code and HTTP status of a failed call (the whole error when there is no code).
fn code_of<E: ProvideErrorMetadata + std::error::Error + 'static>(err: &SdkError<E, HttpResponse>) -> (String, u16) {
    let status = err.raw_response().map(|r| r.status().as_u16()).unwrap_or(0);
    (err.code().map(str::to_string).unwrap_or_else(|| e(err)), status)
}

fn md5_hex(body: &[u8]) -> String {
    use md5::Md5;
    hex::encode(Md5::digest(body))
}

fn sha256_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Deterministic pseudo-random bytes (xorshift): large bodies without a rand dependency.
fn body_of(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

struct Target {
    endpoint: String,
    region: String,
    bucket: String,
    bucket2: String,
    access_key: String,
    secret_key: String,
    ca_file: Option<String>,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run this runner through 'npm run conformance'"))
}

impl Target {
    fn from_env() -> Self {
        Target {
            endpoint: var("SMLL_ENDPOINT"),
            region: var("SMLL_REGION"),
            bucket: var("SMLL_BUCKET"),
            bucket2: var("SMLL_BUCKET2"),
            access_key: var("SMLL_ACCESS_KEY"),
            secret_key: var("SMLL_SECRET_KEY"),
            ca_file: std::env::var("SSL_CERT_FILE").ok().filter(|v| !v.is_empty()),
        }
    }

    /// A client as the developer guide configures one for a custom endpoint.
    async fn client(&self, access_key: &str, secret_key: &str) -> Client {
        let shared = aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(self.region.clone()))
            .credentials_provider(Credentials::new(access_key, secret_key, None, None, "smll"))
            .load()
            .await;
        Client::from_conf(aws_sdk_s3::config::Builder::from(&shared).force_path_style(true).build())
    }
}

struct Recorder {
    dir: String,
    sdk_version: String,
    transport: String,
    results: HashMap<String, String>,
}

impl Recorder {
    fn write(&mut self, scenario: &str, outcome: &str, detail: &str) {
        let detail: String = detail.chars().take(2000).collect();
        let json = serde_json::json!({
            "sdk": "rust", "sdkVersion": self.sdk_version, "transport": self.transport,
            "scenario": scenario, "outcome": outcome, "detail": detail,
        });
        std::fs::write(format!("{}/{scenario}.json", self.dir), format!("{json:#}\n")).expect("write the result");
        println!("{outcome:<15} {scenario}{}", if detail.is_empty() { String::new() } else { format!(": {}", detail.lines().next().unwrap_or("")) });
        self.results.insert(scenario.to_string(), outcome.to_string());
    }

    async fn run(&mut self, scenario: &str, fut: impl Future<Output = Outcome>) {
        let started = Instant::now();
        match fut.await {
            Ok(detail) => {
                let detail = format!("{detail} ({:.1} s)", started.elapsed().as_secs_f64());
                self.write(scenario, "pass", detail.trim());
            }
            Err(err) => self.write(scenario, "fail", &err),
        }
    }

    fn not_expressible(&mut self, scenario: &str, reason: &str) {
        self.write(scenario, "not-expressible", reason);
    }
}

/// aws-sdk-s3's version as Cargo.lock pins it (and aws-config's, aws-smithy-http-client's).
fn sdk_version() -> String {
    let lock = include_str!("../Cargo.lock");
    let version = |name: &str| {
        lock.split("[[package]]")
            .find(|p| p.contains(&format!("name = \"{name}\"\n")))
            .and_then(|p| p.split("version = \"").nth(1))
            .and_then(|v| v.split('"').next())
            .unwrap_or("unknown")
            .to_string()
    };
    format!(
        "aws-sdk-s3 {} (aws-config {}, aws-smithy-http-client {}, rustls {})",
        version("aws-sdk-s3"),
        version("aws-config"),
        version("aws-smithy-http-client"),
        lock.split("name = \"rustls\"\nversion = \"").last().and_then(|v| v.split('"').next()).unwrap_or("unknown")
    )
}

/// A plain HTTP client (no SDK) for presigned URLs, trusting only the endpoint's CA for https.
fn plain_agent(ca_file: &Option<String>) -> Result<ureq::Agent, String> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut tls = TlsConfig::builder();
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(e)?;
        let cert = Certificate::from_pem(&pem).map_err(e)?.to_owned();
        tls = tls.root_certs(RootCerts::new_with_certs(&[cert]));
    }
    Ok(ureq::Agent::config_builder().tls_config(tls.build()).http_status_as_error(false).build().new_agent())
}

async fn put(c: &Client, bucket: &str, key: &str, body: &[u8]) -> Result<String, String> {
    let out = c.put_object().bucket(bucket).key(key).body(ByteStream::from(body.to_vec())).send().await.map_err(e)?;
    Ok(out.e_tag().unwrap_or_default().to_string())
}

async fn get(c: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let out = c.get_object().bucket(bucket).key(key).send().await.map_err(e)?;
    Ok(out.body.collect().await.map_err(e)?.into_bytes().to_vec())
}

async fn list_keys(c: &Client, bucket: &str, prefix: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    let mut pages = c.list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
    while let Some(page) = pages.next().await {
        keys.extend(page.map_err(e)?.contents().iter().filter_map(|o| o.key().map(str::to_string)));
    }
    Ok(keys)
}

/// CreateMultipartUpload, UploadPart per `part_size` slice, CompleteMultipartUpload: aws-sdk-s3 has no
/// high-level uploader (the transfer manager is a separate crate, aws-s3-transfer-manager, in developer preview).
async fn multipart_upload(c: &Client, bucket: &str, key: &str, body: &[u8], part_size: usize) -> Result<String, String> {
    let created = c.create_multipart_upload().bucket(bucket).key(key).send().await.map_err(e)?;
    let upload_id = created.upload_id().ok_or("no UploadId")?;
    let mut parts = Vec::new();
    for (i, chunk) in body.chunks(part_size).enumerate() {
        let number = i as i32 + 1;
        let out = c
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(chunk.to_vec()))
            .send()
            .await
            .map_err(e)?;
        parts.push(CompletedPart::builder().part_number(number).set_e_tag(out.e_tag().map(str::to_string)).build());
    }
    let done = c
        .complete_multipart_upload()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
        .send()
        .await
        .map_err(e)?;
    Ok(done.e_tag().unwrap_or_default().to_string())
}

#[tokio::main]
async fn main() {
    let t = Target::from_env();
    let transport = if t.endpoint.starts_with("https:") { "https" } else { "http" };
    let mut rec = Recorder { dir: var("SMLL_RESULTS_DIR"), sdk_version: sdk_version(), transport: transport.into(), results: HashMap::new() };
    std::fs::create_dir_all(&rec.dir).expect("results dir");
    let run_id = format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 0xff_ffff_ffff);
    let p = format!("conformance/rust-{transport}-{run_id}/");
    println!("{} against {} (prefix {p})", rec.sdk_version, t.endpoint);
    let c = t.client(&t.access_key, &t.secret_key).await;
    let b = t.bucket.as_str();
    let large = body_of(40 * 1024 * 1024, 40);

    rec.run("native-flow", async {
        let small: Vec<(String, Vec<u8>)> = (0..3).map(|i| (format!("{p}flow/small-{i}.bin"), body_of(1000 + i * 5000, i as u64 + 7))).collect();
        for (key, body) in &small {
            put(&c, b, key, body).await?;
        }
        let etag = multipart_upload(&c, b, &format!("{p}flow/large.bin"), &large, 8 * 1024 * 1024).await?;
        ensure!(etag.ends_with("-5\""), "multipart ETag {etag}");
        let keys = list_keys(&c, b, &format!("{p}flow/")).await?;
        ensure!(keys.len() == 4, "listed {keys:?}");
        for (key, body) in &small {
            ensure!(get(&c, b, key).await? == *body, "{key} came back different");
        }
        ensure!(sha256_hex(&get(&c, b, &format!("{p}flow/large.bin")).await?) == sha256_hex(&large), "the 40 MiB object came back different");
        let ids: Vec<ObjectIdentifier> = keys.iter().map(|k| ObjectIdentifier::builder().key(k).build().unwrap()).collect();
        c.delete_objects().bucket(b).delete(Delete::builder().set_objects(Some(ids)).build().map_err(e)?).send().await.map_err(e)?;
        ensure!(list_keys(&c, b, &format!("{p}flow/")).await?.is_empty(), "objects left after DeleteObjects");
        Ok("PutObject ×3, multipart 40 MiB (5 parts) → ListObjectsV2 → GetObject each (SHA-256 equal) → DeleteObjects → empty".into())
    })
    .await;

    rec.run("object-round-trip", async {
        let body = body_of(1234, 1);
        let key = format!("{p}rt.bin");
        let etag = put(&c, b, &key, &body).await?;
        ensure!(etag == format!("\"{}\"", md5_hex(&body)), "ETag {etag}");
        let head = c.head_object().bucket(b).key(&key).send().await.map_err(e)?;
        ensure!(head.content_length() == Some(1234), "HEAD length {:?}", head.content_length());
        ensure!(get(&c, b, &key).await? == body, "GET returned other bytes");
        c.delete_object().bucket(b).key(&key).send().await.map_err(e)?;
        let err = c.get_object().bucket(b).key(&key).send().await.err().ok_or("GET after delete succeeded")?;
        ensure!(code_of(&err).0 == "NoSuchKey", "GET after delete: {}", e(&err));
        Ok(String::new())
    })
    .await;

    rec.run("zero-byte-object", async {
        let key = format!("{p}empty");
        let etag = put(&c, b, &key, b"").await?;
        ensure!(etag == "\"d41d8cd98f00b204e9800998ecf8427e\"", "ETag {etag}");
        let out = c.get_object().bucket(b).key(&key).send().await.map_err(e)?;
        ensure!(out.content_length() == Some(0), "length {:?}", out.content_length());
        ensure!(out.body.collect().await.map_err(e)?.into_bytes().is_empty(), "body not empty");
        Ok(String::new())
    })
    .await;

    rec.run("metadata-and-content-headers", async {
        let key = format!("{p}meta.txt");
        c.put_object()
            .bucket(b)
            .key(&key)
            .body(ByteStream::from_static(b"meta"))
            .content_type("text/x-smll")
            .cache_control("max-age=60")
            .content_disposition("attachment; filename=\"m.txt\"")
            .content_language("fr")
            .metadata("color", "blue")
            .send()
            .await
            .map_err(e)?;
        let h = c.head_object().bucket(b).key(&key).send().await.map_err(e)?;
        let g = c.get_object().bucket(b).key(&key).send().await.map_err(e)?;
        for (what, head, get, want) in [
            ("Content-Type", h.content_type(), g.content_type(), "text/x-smll"),
            ("Cache-Control", h.cache_control(), g.cache_control(), "max-age=60"),
            ("Content-Disposition", h.content_disposition(), g.content_disposition(), "attachment; filename=\"m.txt\""),
            ("Content-Language", h.content_language(), g.content_language(), "fr"),
        ] {
            ensure!(head == Some(want) && get == Some(want), "{what}: HEAD {head:?}, GET {get:?}");
        }
        let color = |m: Option<&HashMap<String, String>>| m.and_then(|m| m.get("color").cloned());
        ensure!(color(h.metadata()).as_deref() == Some("blue") && color(g.metadata()).as_deref() == Some("blue"), "metadata {:?}", h.metadata());
        Ok(String::new())
    })
    .await;

    for (id, name) in [
        ("key-with-space", "key with space.txt"),
        ("key-with-plus", "a+b=c.txt"),
        ("key-with-percent", "100% of%20.txt"),
        ("key-unicode", "é-日本-🎉.txt"),
        ("key-double-slash", "a//b.txt"),
        ("key-trailing-slash", "folder/"),
    ] {
        rec.run(id, async {
            let key = format!("{p}keys/{name}");
            let body = if name.ends_with('/') { Vec::new() } else { name.as_bytes().to_vec() };
            put(&c, b, &key, &body).await?;
            ensure!(get(&c, b, &key).await? == body, "GET returned other bytes");
            let keys = list_keys(&c, b, &format!("{p}keys/")).await?;
            ensure!(keys.contains(&key), "listing {keys:?} lacks {key}");
            c.delete_object().bucket(b).key(&key).send().await.map_err(e)?;
            Ok(String::new())
        })
        .await;
    }

    let ten_key = format!("{p}range.txt");
    let _ = put(&c, b, &ten_key, b"0123456789").await;
    for (id, range, want) in [("range-get", "bytes=2-5", "2345"), ("range-suffix", "bytes=-4", "6789")] {
        rec.run(id, async {
            let out = c.get_object().bucket(b).key(&ten_key).range(range).send().await.map_err(e)?;
            let content_range = out.content_range().unwrap_or_default().to_string();
            let body = out.body.collect().await.map_err(e)?.into_bytes();
            ensure!(body.as_ref() == want.as_bytes(), "body {body:?}");
            ensure!(content_range == if id == "range-get" { "bytes 2-5/10" } else { "bytes 6-9/10" }, "Content-Range {content_range}");
            Ok(String::new())
        })
        .await;
    }
    rec.run("range-unsatisfiable", async {
        let err = c.get_object().bucket(b).key(&ten_key).range("bytes=100-").send().await.err().ok_or("GET bytes=100- succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "InvalidRange" && status == 416, "got {code} {status}: {}", e(&err));
        Ok(String::new())
    })
    .await;

    rec.run("conditional-get-not-modified", async {
        let etag = c.head_object().bucket(b).key(&ten_key).send().await.map_err(e)?.e_tag().unwrap_or_default().to_string();
        let err = c.get_object().bucket(b).key(&ten_key).if_none_match(&etag).send().await.err().ok_or("GET If-None-Match succeeded")?;
        ensure!(code_of(&err).1 == 304, "got {}", e(&err));
        Ok(String::new())
    })
    .await;
    rec.run("conditional-get-precondition-failed", async {
        let err = c.get_object().bucket(b).key(&ten_key).if_match("\"0000\"").send().await.err().ok_or("GET If-Match succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "PreconditionFailed" && status == 412, "got {code} {status}");
        Ok(String::new())
    })
    .await;
    rec.run("conditional-put-if-none-match", async {
        let key = format!("{p}once.txt");
        c.put_object().bucket(b).key(&key).if_none_match("*").body(ByteStream::from_static(b"first")).send().await.map_err(e)?;
        let err = c.put_object().bucket(b).key(&key).if_none_match("*").body(ByteStream::from_static(b"second")).send().await.err().ok_or("second PUT succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "PreconditionFailed" && status == 412, "got {code} {status}");
        ensure!(get(&c, b, &key).await? == b"first", "the first body was not kept");
        Ok(String::new())
    })
    .await;

    rec.run("list-v2-paginated", async {
        let prefix = format!("{p}many/");
        let mut names: Vec<String> = (0..2500).map(|i| format!("{prefix}k{i:05}")).collect();
        // 16 uploads at a time: the SDK client is cheap to clone and shares its connection pool.
        for chunk in names.chunks(16) {
            let mut tasks = Vec::new();
            for key in chunk {
                let (c, key, b) = (c.clone(), key.clone(), b.to_string());
                tasks.push(tokio::spawn(async move { c.put_object().bucket(b).key(key).body(ByteStream::from_static(b"k")).send().await.map_err(e) }));
            }
            for task in tasks {
                task.await.map_err(e)??;
            }
        }
        let mut pages = c.list_objects_v2().bucket(b).prefix(&prefix).into_paginator().send();
        let (mut listed, mut count) = (Vec::new(), 0);
        while let Some(page) = pages.next().await {
            count += 1;
            listed.extend(page.map_err(e)?.contents().iter().filter_map(|o| o.key().map(str::to_string)));
        }
        names.sort();
        ensure!(listed == names, "listed {} keys, not the 2,500 in order", listed.len());
        ensure!(count == 3, "{count} pages");
        for chunk in names.chunks(1000) {
            let ids: Vec<ObjectIdentifier> = chunk.iter().map(|k| ObjectIdentifier::builder().key(k).build().unwrap()).collect();
            c.delete_objects().bucket(b).delete(Delete::builder().set_objects(Some(ids)).build().map_err(e)?).send().await.map_err(e)?;
        }
        Ok("the paginator: 3 pages".into())
    })
    .await;

    let tree = format!("{p}tree/");
    for k in ["top.txt", "sub1/a.txt", "sub2/b.txt"] {
        let _ = put(&c, b, &format!("{tree}{k}"), b"t").await;
    }
    rec.run("list-delimiter-prefix", async {
        let out = c.list_objects_v2().bucket(b).prefix(&tree).delimiter("/").send().await.map_err(e)?;
        let prefixes: Vec<&str> = out.common_prefixes().iter().filter_map(|cp| cp.prefix()).collect();
        let keys: Vec<&str> = out.contents().iter().filter_map(|o| o.key()).collect();
        ensure!(prefixes == [format!("{tree}sub1/"), format!("{tree}sub2/")], "CommonPrefixes {prefixes:?}");
        ensure!(keys == [format!("{tree}top.txt")], "Contents {keys:?}");
        Ok(String::new())
    })
    .await;
    rec.run("list-v1-marker", async {
        let (mut marker, mut listed, mut pages) = (None::<String>, Vec::new(), 0);
        loop {
            let out = c.list_objects().bucket(b).prefix(&tree).max_keys(2).set_marker(marker.clone()).send().await.map_err(e)?;
            pages += 1;
            let keys: Vec<String> = out.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect();
            listed.extend(keys.clone());
            if !out.is_truncated().unwrap_or(false) {
                break;
            }
            marker = out.next_marker().map(str::to_string).or_else(|| keys.last().cloned());
            ensure!(pages < 10, "no end after {pages} pages");
        }
        ensure!(listed == [format!("{tree}sub1/a.txt"), format!("{tree}sub2/b.txt"), format!("{tree}top.txt")], "listed {listed:?}");
        ensure!(pages == 2, "{pages} pages");
        Ok(String::new())
    })
    .await;

    rec.run("get-bucket-location", async {
        let out = c.get_bucket_location().bucket(b).send().await.map_err(e)?;
        let got = out.location_constraint().map(|l| l.as_str().to_string()).unwrap_or_default();
        let want = if t.region == "us-east-1" { String::new() } else { t.region.clone() };
        ensure!(got == want, "LocationConstraint {got:?}, region {}", t.region);
        Ok(String::new())
    })
    .await;
    rec.run("head-bucket", async {
        c.head_bucket().bucket(b).send().await.map_err(e)?;
        Ok(String::new())
    })
    .await;

    rec.run("delete-objects-batch", async {
        let keys: Vec<String> = ["d1", "d2", "d3", "missing"].iter().map(|n| format!("{p}batch/{n}")).collect();
        for k in &keys[..3] {
            put(&c, b, k, b"d").await?;
        }
        let ids: Vec<ObjectIdentifier> = keys.iter().map(|k| ObjectIdentifier::builder().key(k).build().unwrap()).collect();
        let out = c.delete_objects().bucket(b).delete(Delete::builder().set_objects(Some(ids)).build().map_err(e)?).send().await.map_err(e)?;
        ensure!(out.deleted().len() == 4 && out.errors().is_empty(), "Deleted {:?}, Errors {:?}", out.deleted(), out.errors());
        ensure!(list_keys(&c, b, &format!("{p}batch/")).await?.is_empty(), "objects left");
        Ok(String::new())
    })
    .await;

    let src = format!("{p}copy-src.txt");
    let _ = c.put_object().bucket(b).key(&src).body(ByteStream::from_static(b"copy me")).content_type("text/x-src").metadata("origin", "src").send().await;
    rec.run("copy-object-metadata-copy", async {
        let dst = format!("{p}copy-dst.txt");
        c.copy_object().bucket(b).key(&dst).copy_source(format!("{b}/{src}")).send().await.map_err(e)?;
        let h = c.head_object().bucket(b).key(&dst).send().await.map_err(e)?;
        ensure!(h.content_type() == Some("text/x-src"), "Content-Type {:?}", h.content_type());
        ensure!(h.metadata().and_then(|m| m.get("origin")).map(String::as_str) == Some("src"), "metadata {:?}", h.metadata());
        ensure!(h.e_tag() == Some(format!("\"{}\"", md5_hex(b"copy me")).as_str()), "ETag {:?}", h.e_tag());
        Ok(String::new())
    })
    .await;
    rec.run("copy-object-metadata-replace", async {
        let dst = format!("{p}copy-new.txt");
        c.copy_object()
            .bucket(b)
            .key(&dst)
            .copy_source(format!("{b}/{src}"))
            .metadata_directive(MetadataDirective::Replace)
            .content_type("text/x-new")
            .metadata("fresh", "yes")
            .send()
            .await
            .map_err(e)?;
        let h = c.head_object().bucket(b).key(&dst).send().await.map_err(e)?;
        let m = h.metadata().cloned().unwrap_or_default();
        ensure!(h.content_type() == Some("text/x-new") && m.len() == 1 && m.get("fresh").map(String::as_str) == Some("yes"), "{:?} {m:?}", h.content_type());
        ensure!(get(&c, b, &dst).await? == b"copy me", "body");
        Ok(String::new())
    })
    .await;

    let large_key = format!("{p}large.bin");
    rec.run("multipart-upload-40mib", async {
        let etag = multipart_upload(&c, b, &large_key, &large, 8 * 1024 * 1024).await?;
        ensure!(etag.ends_with("-5\""), "ETag {etag}");
        let h = c.head_object().bucket(b).key(&large_key).send().await.map_err(e)?;
        ensure!(h.content_length() == Some(41943040), "size {:?}", h.content_length());
        Ok("no high-level uploader in aws-sdk-s3: CreateMultipartUpload, UploadPart ×5 (8 MiB), CompleteMultipartUpload".into())
    })
    .await;
    rec.run("multipart-download-40mib", async {
        // No downloader in aws-sdk-s3: one GET per part, as the object's own parts (partNumber).
        let first = c.get_object().bucket(b).key(&large_key).part_number(1).send().await.map_err(e)?;
        let parts = first.parts_count().ok_or("no x-amz-mp-parts-count")?;
        let mut all = first.body.collect().await.map_err(e)?.into_bytes().to_vec();
        for n in 2..=parts {
            let out = c.get_object().bucket(b).key(&large_key).part_number(n).send().await.map_err(e)?;
            all.extend(out.body.collect().await.map_err(e)?.into_bytes());
        }
        ensure!(sha256_hex(&all) == sha256_hex(&large), "downloaded bytes differ");
        Ok(format!("no downloader in aws-sdk-s3: GetObject partNumber 1..{parts}"))
    })
    .await;

    for (id, algorithm) in [
        ("checksum-crc32", ChecksumAlgorithm::Crc32),
        ("checksum-crc32c", ChecksumAlgorithm::Crc32C),
        ("checksum-crc64nvme", ChecksumAlgorithm::Crc64Nvme),
        ("checksum-sha1", ChecksumAlgorithm::Sha1),
        ("checksum-sha256", ChecksumAlgorithm::Sha256),
    ] {
        rec.run(id, async {
            let key = format!("{p}{id}.txt");
            let put = c
                .put_object()
                .bucket(b)
                .key(&key)
                .checksum_algorithm(algorithm.clone())
                .body(ByteStream::from_static(b"checksummed body"))
                .send()
                .await
                .map_err(e)?;
            let sent = [put.checksum_crc32(), put.checksum_crc32_c(), put.checksum_crc64_nvme(), put.checksum_sha1(), put.checksum_sha256()];
            let got = c.get_object().bucket(b).key(&key).checksum_mode(ChecksumMode::Enabled).send().await.map_err(e)?;
            let read = [got.checksum_crc32(), got.checksum_crc32_c(), got.checksum_crc64_nvme(), got.checksum_sha1(), got.checksum_sha256()];
            let index = ["checksum-crc32", "checksum-crc32c", "checksum-crc64nvme", "checksum-sha1", "checksum-sha256"].iter().position(|x| *x == id).unwrap();
            ensure!(sent[index].is_some() && sent[index] == read[index], "PUT echoed {:?}, GET returned {:?}", sent[index], read[index]);
            // Reading the body is where the SDK validates the checksum.
            ensure!(got.body.collect().await.map_err(e)?.into_bytes().as_ref() == b"checksummed body", "body");
            Ok(String::new())
        })
        .await;
    }

    let agent = plain_agent(&t.ca_file);
    rec.run("presigned-get", async {
        let req = c.get_object().bucket(b).key(&ten_key).presigned(PresigningConfig::expires_in(Duration::from_secs(3600)).map_err(e)?).await.map_err(e)?;
        let agent = agent.clone()?;
        let uri = req.uri().to_string();
        let (status, body) = tokio::task::spawn_blocking(move || -> Result<(u16, Vec<u8>), String> {
            let mut res = agent.get(&uri).call().map_err(e)?;
            Ok((res.status().as_u16(), res.body_mut().read_to_vec().map_err(e)?))
        })
        .await
        .map_err(e)??;
        ensure!(status == 200 && body == b"0123456789", "GET {status}");
        Ok(String::new())
    })
    .await;
    rec.run("presigned-put", async {
        let key = format!("{p}presigned-put.txt");
        let req = c.put_object().bucket(b).key(&key).presigned(PresigningConfig::expires_in(Duration::from_secs(3600)).map_err(e)?).await.map_err(e)?;
        let agent = agent.clone()?;
        let uri = req.uri().to_string();
        let headers: Vec<(String, String)> = req.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let status = tokio::task::spawn_blocking(move || -> Result<u16, String> {
            let mut put = agent.put(&uri);
            for (k, v) in &headers {
                put = put.header(k, v);
            }
            Ok(put.send(&b"presigned body"[..]).map_err(e)?.status().as_u16())
        })
        .await
        .map_err(e)??;
        ensure!(status == 200, "PUT {status}");
        ensure!(get(&c, b, &key).await? == b"presigned body", "body");
        Ok(String::new())
    })
    .await;
    rec.not_expressible("presigned-post", "aws-sdk-s3 has no presigned POST (no createPresignedPost equivalent)");

    rec.run("no-such-key", async {
        let key = format!("{p}missing");
        let err = c.get_object().bucket(b).key(&key).send().await.err().ok_or("GET succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "NoSuchKey" && status == 404, "GET {code} {status}");
        let err = c.head_object().bucket(b).key(&key).send().await.err().ok_or("HEAD succeeded")?;
        ensure!(code_of(&err).1 == 404, "HEAD {}", e(&err));
        Ok(String::new())
    })
    .await;

    rec.run("refusal-other-bucket", async {
        let key = format!("{p}x");
        let err = c.put_object().bucket(&t.bucket2).key(&key).body(ByteStream::from_static(b"x")).send().await.err().ok_or("PUT succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "AccessDenied" && status == 403, "PUT {code} {status}");
        let err = c.get_object().bucket(&t.bucket2).key(&key).send().await.err().ok_or("GET succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "AccessDenied" && status == 403, "GET {code} {status}");
        Ok(String::new())
    })
    .await;
    rec.run("refusal-wrong-secret", async {
        let wrong = t.client(&t.access_key, &format!("{}xx", &t.secret_key[..t.secret_key.len() - 2])).await;
        let err = wrong.get_object().bucket(b).key(&ten_key).send().await.err().ok_or("GET succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "SignatureDoesNotMatch" && status == 403, "GET {code} {status}");
        Ok(String::new())
    })
    .await;
    rec.run("refusal-unknown-access-key", async {
        let unknown = t.client("AKIANOSUCHKEY0000000", &t.secret_key).await;
        let err = unknown.get_object().bucket(b).key(&ten_key).send().await.err().ok_or("GET succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "InvalidAccessKeyId" && status == 403, "GET {code} {status}");
        Ok(String::new())
    })
    .await;
    rec.run("refusal-list-buckets", async {
        let err = c.list_buckets().send().await.err().ok_or("ListBuckets succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "AccessDenied" && status == 403, "{code} {status}");
        Ok(String::new())
    })
    .await;
    rec.run("refusal-create-bucket", async {
        let err = c.create_bucket().bucket(format!("rust-{run_id}")).send().await.err().ok_or("CreateBucket succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "AccessDenied" && status == 403, "{code} {status}");
        Ok(String::new())
    })
    .await;
    rec.run("refusal-abort-multipart-upload", async {
        let key = format!("{p}abort.bin");
        let created = c.create_multipart_upload().bucket(b).key(&key).send().await.map_err(e)?;
        let err = c.abort_multipart_upload().bucket(b).key(&key).upload_id(created.upload_id().unwrap_or_default()).send().await.err().ok_or("abort succeeded")?;
        let (code, status) = code_of(&err);
        ensure!(code == "AccessDenied" && status == 403, "{code} {status}");
        Ok(String::new())
    })
    .await;

    // Clean up what the run left (best effort: the emulator's data dir is temporary anyway).
    if let Ok(keys) = list_keys(&c, b, &p).await {
        for chunk in keys.chunks(1000) {
            let ids: Vec<ObjectIdentifier> = chunk.iter().map(|k| ObjectIdentifier::builder().key(k).build().unwrap()).collect();
            if let Ok(delete) = Delete::builder().set_objects(Some(ids)).build() {
                let _ = c.delete_objects().bucket(b).delete(delete).send().await;
            }
        }
    }

    let catalogue: serde_json::Value =
        serde_json::from_str(include_str!("../../../../fixtures/conformance/scenarios.json")).expect("the catalogue");
    for s in catalogue["scenarios"].as_array().expect("scenarios") {
        let id = s["id"].as_str().unwrap_or_default();
        if !rec.results.contains_key(id) {
            rec.write(id, "fail", "the runner reported nothing for this scenario");
        }
    }
    let passed = rec.results.values().filter(|o| *o == "pass").count();
    let failed = rec.results.values().filter(|o| *o == "fail").count();
    println!("{passed} passed, {failed} failed");
    std::process::exit(if failed > 0 { 1 } else { 0 });
}
