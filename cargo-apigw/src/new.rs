//! `cargo apigw new PATH`: a function crate that builds, tests and answers
//! `cargo apigw invoke` as it comes. Until the SDK is published it depends
//! on the SDK checkout by path; its README shows the one line to change.

use crate::cli::{ModeArg, NewArgs, ProviderArg};
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The checkout this cargo-apigw was built from: the parent of its crate.
const BUILT_FROM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

pub(crate) fn run(args: NewArgs) -> anyhow::Result<ExitCode> {
    let name = crate_name(&args.path)?;
    check_empty(&args.path)?;
    let sdk = sdk(args.sdk_path.as_deref())?;
    let files = files(name, args.provider, args.mode, sdk.as_deref());
    for (file, text) in &files {
        let path = args.path.join(file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    // The SDK's own lock: the new crate starts on the versions it was tested with.
    if let Some(lock) = sdk.as_ref().map(|s| s.join("Cargo.lock")).filter(|l| l.is_file()) {
        std::fs::copy(&lock, args.path.join("Cargo.lock"))
            .with_context(|| format!("copying {}", lock.display()))?;
    }
    eprintln!("created function crate `{name}` in {}", args.path.display());
    eprintln!("next: cd {} && cargo test && cargo apigw invoke '/?name=ada'", args.path.display());
    Ok(ExitCode::SUCCESS)
}

/// The crate's name, `path`'s last component, if cargo would take it.
fn crate_name(path: &Path) -> anyhow::Result<&str> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        bail!("`{}` does not end in a crate name", path.display())
    };
    let why = match name.chars().next() {
        None => Some("it is empty"),
        Some(c) if !c.is_ascii_alphabetic() => Some("it must start with an ASCII letter"),
        _ if name.len() > 64 => Some("it is longer than 64 characters"),
        _ if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => {
            Some("only ASCII letters, digits, `-` and `_` are allowed")
        }
        _ if RESERVED.contains(&name) => Some("it is a Rust keyword or a name cargo reserves"),
        _ => None,
    };
    match why {
        Some(why) => bail!("`{name}` is not a valid crate name: {why}"),
        None => Ok(name),
    }
}

/// Rust's keywords and the names cargo refuses or warns about.
const RESERVED: &[&str] = &[
    "abstract",
    "alloc",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "core",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "proc_macro",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "std",
    "struct",
    "super",
    "test",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// Refuses a file, or a directory with anything in it.
fn check_empty(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    if !path.is_dir() {
        bail!("`{}` already exists and is not a directory", path.display());
    }
    let mut entries = std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))?;
    if entries.next().is_some() {
        bail!("`{}` already exists and is not empty: pick a new path", path.display());
    }
    Ok(())
}

/// The SDK checkout to depend on: `--sdk-path`, else the one this binary
/// was built from when it is still there, else none (the published crate).
fn sdk(flag: Option<&Path>) -> anyhow::Result<Option<PathBuf>> {
    let is_sdk = |d: &Path| d.join("apigw-runtime/Cargo.toml").is_file();
    match flag {
        Some(dir) if is_sdk(dir) => {
            Ok(Some(dir.canonicalize().with_context(|| format!("--sdk-path {}", dir.display()))?))
        }
        Some(dir) => bail!("--sdk-path {}: no apigw-runtime/Cargo.toml in it", dir.display()),
        None if is_sdk(Path::new(BUILT_FROM)) => Ok(Path::new(BUILT_FROM).canonicalize().ok()),
        None => Ok(None),
    }
}

/// The published SDK's version requirement, e.g. `0.1`.
fn published() -> String {
    let version = env!("CARGO_PKG_VERSION");
    version.rsplit_once('.').map_or(version, |(major_minor, _)| major_minor).to_owned()
}

/// Each file of the new crate, by its path in it.
fn files(
    name: &str,
    provider: ProviderArg,
    mode: ModeArg,
    sdk: Option<&Path>,
) -> Vec<(&'static str, String)> {
    let published = format!("apigw-runtime = \"{}\"", published());
    let runtime = match sdk {
        Some(dir) => {
            let dir = dir.join("apigw-runtime").display().to_string();
            format!("apigw-runtime = {{ path = \"{}\" }}", dir.replace('\\', "\\\\").replace('"', "\\\""))
        }
        None => published.clone(),
    };
    let (provider, platform) = match provider {
        ProviderArg::Tencent => ("tencent", "Tencent Cloud SCF (an event function)"),
        ProviderArg::Aliyun => ("aliyun", "Alibaba Cloud Function Compute (a custom runtime)"),
        ProviderArg::Web => ("web", "Tencent Cloud SCF (a web function)"),
    };
    let (mode, main) = match mode {
        ModeArg::Integration => ("integration", INTEGRATION_MAIN),
        ModeArg::Passthrough => ("passthrough", PASSTHROUGH_MAIN),
    };
    let fill = |t: &str| {
        t.replace("{name}", name)
            .replace("{runtime}", &runtime)
            .replace("{published}", &published)
            .replace("{provider}", provider)
            .replace("{platform}", platform)
            .replace("{mode}", mode)
    };
    let sdk_note = match sdk {
        Some(dir) => format!(
            "`Cargo.toml` depends on the SDK checkout it was made from, by path:\n\n```toml\n{runtime}\n```\n\nOnce the SDK is published, change that one line to:\n\n```toml\n{published}\n```\n\n`cargo apigw` itself: `cargo install --locked --path {}`.\n",
            dir.join("cargo-apigw").display()
        ),
        None => format!(
            "`Cargo.toml` depends on the published SDK:\n\n```toml\n{published}\n```\n\nTo work against a checkout of it, make that line `apigw-runtime = {{ path = \"…/apigw-runtime\" }}`.\n"
        ),
    };
    vec![
        ("Cargo.toml", fill(CARGO_TOML)),
        (".gitignore", "/target\n".to_owned()),
        ("apigw.toml", fill(APIGW_TOML)),
        ("src/main.rs", fill(main)),
        ("README.md", fill(README).replace("{sdk_note}", &sdk_note)),
    ]
}

const CARGO_TOML: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
{runtime}
serde_json = "1"

# A workspace of its own, so the crate builds wherever it sits.
[workspace]
"#;

const APIGW_TOML: &str = r#"# The local gateway: `cargo apigw invoke`, `serve` and `event` read this file.

[function]
# How the function process is run: tencent | aliyun | web.
provider = "{provider}"
timeout = "3s"

# Every path (a prefix) to the function.
[[routes]]
path = "/"
# What the function answers: integration (statusCode, headers, body) | passthrough (the body).
mode = "{mode}"
"#;

const INTEGRATION_MAIN: &str = r##"//! `{name}`: answers `{"hello": <the query parameter name, or "world">}`; run it behind the local gateway with `cargo apigw invoke '/?name=ada'`.

use apigw_runtime::{IntoResponse, Request};
use serde_json::json;
use std::convert::Infallible;

/// Greets whoever the `name` query parameter names.
#[apigw_runtime::handler]
async fn hello(req: Request) -> Result<impl IntoResponse, Infallible> {
    Ok(json!({ "hello": req.query("name").unwrap_or("world") }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use apigw_runtime::testing;

    #[test]
    fn greets_the_named_caller_or_the_world() {
        let res = testing::invoke(hello, Request::default()).response().unwrap();
        assert_eq!(res.body, r#"{"hello":"world"}"#);
        let res = testing::invoke(hello, Request::default().with_query("name=ada")).response().unwrap();
        assert_eq!(res.body, r#"{"hello":"ada"}"#);
        assert_eq!(res.header("content-type"), Some("application/json"));
    }
}
"##;

const PASSTHROUGH_MAIN: &str = r#"//! `{name}`: answers `{"hello": <the query parameter name, or "world">}`, passed through as the body; run it behind the local gateway with `cargo apigw invoke '/?name=ada'`.

use apigw_runtime::Request;
use serde_json::{Value, json};
use std::convert::Infallible;

/// Greets whoever the `name` query parameter names.
#[apigw_runtime::handler(mode = "passthrough")]
async fn hello(req: Request) -> Result<Value, Infallible> {
    Ok(json!({ "hello": req.query("name").unwrap_or("world") }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use apigw_runtime::{passthrough, testing};

    #[test]
    fn greets_the_named_caller_or_the_world() {
        let value = testing::invoke(passthrough(hello), Request::default()).passthrough();
        assert_eq!(value, Some(json!({ "hello": "world" })));
        let value = testing::invoke(passthrough(hello), Request::default().with_query("name=ada")).passthrough();
        assert_eq!(value, Some(json!({ "hello": "ada" })));
    }
}
"#;

const README: &str = r#"# {name}

A function behind API Gateway on {platform},
in {mode} mode, made with `cargo apigw new`.

```sh
cargo test                          # the handler's unit test
cargo apigw invoke '/?name=ada'     # one request through the local gateway, printed like curl -i
cargo apigw serve --port 3000       # the gateway on 127.0.0.1:3000; rebuilds when src/ changes
cargo apigw event '/?name=ada'      # the event the function is sent
cargo apigw build                   # the zip to upload, under target/apigw/
```

`apigw.toml` holds the local gateway's routes and the function's settings.

## The SDK

{sdk_note}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cargo_would_refuse_are_refused_with_the_reason() {
        assert_eq!(crate_name(Path::new("/tmp/my-fn_2")).unwrap(), "my-fn_2");
        for (name, why) in [
            ("2fast", "must start with an ASCII letter"),
            ("my fn", "only ASCII letters, digits"),
            ("héllo", "only ASCII letters"),
            ("fn", "keyword"),
            ("test", "reserves"),
        ] {
            let err = crate_name(Path::new(name)).unwrap_err().to_string();
            assert!(err.starts_with(&format!("`{name}` is not a valid crate name: ")), "{err}");
            assert!(err.contains(why), "{name}: {err}");
        }
        assert!(crate_name(Path::new("/")).unwrap_err().to_string().contains("does not end in a crate name"));
    }

    #[test]
    fn the_manifest_depends_on_the_checkout_and_the_readme_shows_the_published_line() {
        let files = files("f", ProviderArg::Aliyun, ModeArg::Passthrough, Some(Path::new("/sdk")));
        let get = |n: &str| files.iter().find(|(p, _)| *p == n).map(|(_, t)| t.as_str()).unwrap();
        assert!(get("Cargo.toml").contains("apigw-runtime = { path = \"/sdk/apigw-runtime\" }\n"));
        assert!(get("Cargo.toml").ends_with("[workspace]\n"));
        assert!(get("README.md").contains(&format!("apigw-runtime = \"{}\"", published())));
        assert!(get("apigw.toml").contains("provider = \"aliyun\""));
        assert!(get("apigw.toml").contains("mode = \"passthrough\""));
        assert!(get("src/main.rs").contains("#[apigw_runtime::handler(mode = \"passthrough\")]"));
        let published_only = super::files("f", ProviderArg::Tencent, ModeArg::Integration, None);
        assert!(published_only[0].1.contains(&format!("apigw-runtime = \"{}\"\n", published())));
    }
}
