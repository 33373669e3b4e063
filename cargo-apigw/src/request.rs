//! The request the command line describes, and the response printed the
//! way `curl -i` prints it.

use crate::cli::RequestArgs;
use anyhow::{Context, bail};
use bytes::Bytes;
use std::io::Write;

/// Builds the request from `-X`, `-H`, `-d`/`--data-file` and the path.
pub(crate) fn build(args: &RequestArgs) -> anyhow::Result<http::Request<Bytes>> {
    let body = match (&args.data, &args.data_file) {
        (Some(d), _) => data(d)?,
        (None, Some(f)) => {
            Bytes::from(std::fs::read(f).with_context(|| format!("reading --data-file {}", f.display()))?)
        }
        (None, None) => Bytes::new(),
    };
    let path = if args.path.starts_with('/') { args.path.clone() } else { format!("/{}", args.path) };
    let mut req = http::Request::new(body);
    *req.method_mut() = http::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .with_context(|| format!("-X `{}` is not an HTTP method", args.method))?;
    *req.uri_mut() = path.parse().with_context(|| format!("`{path}` is not a valid path and query"))?;
    let headers = req.headers_mut();
    headers.insert(http::header::HOST, http::HeaderValue::from_static("localhost"));
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else { bail!("-H `{h}` is not `Name: value`") };
        let name = http::HeaderName::from_bytes(name.trim().as_bytes())
            .with_context(|| format!("-H `{h}`: bad name"))?;
        let value =
            http::HeaderValue::from_str(value.trim()).with_context(|| format!("-H `{h}`: bad value"))?;
        headers.append(name, value);
    }
    if !req.body().is_empty() && !req.headers().contains_key(http::header::CONTENT_TYPE) {
        req.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
    }
    Ok(req)
}

/// The body `-d` gives: the text itself, or with `@FILE` the file (`@-`
/// stdin) without carriage returns and newlines, as curl reads it.
fn data(arg: &str) -> anyhow::Result<Bytes> {
    let Some(file) = arg.strip_prefix('@') else { return Ok(Bytes::from(arg.to_owned())) };
    let bytes = match file {
        "-" => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .context("reading -d @- from stdin")?;
            bytes
        }
        _ => std::fs::read(file).with_context(|| format!("reading -d @{file}"))?,
    };
    Ok(bytes.into_iter().filter(|b| !matches!(b, b'\r' | b'\n')).collect())
}

/// Writes the status line, the headers, a blank line and the body.
pub(crate) fn print(res: &http::Response<Bytes>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let status = res.status();
    writeln!(out, "HTTP/1.1 {} {}\r", status.as_u16(), status.canonical_reason().unwrap_or(""))?;
    // The length is written once, for the body as printed.
    for (name, value) in res.headers().iter().filter(|(n, _)| *n != http::header::CONTENT_LENGTH) {
        write!(out, "{name}: ")?;
        out.write_all(value.as_bytes())?;
        writeln!(out, "\r")?;
    }
    writeln!(out, "content-length: {}\r\n\r", res.body().len())?;
    out.write_all(res.body())?;
    if !res.body().ends_with(b"\n") {
        writeln!(out)?;
    }
    out.flush()
}
