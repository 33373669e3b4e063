//! The command line, as clap reads it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Run Tencent SCF and Alibaba FC functions behind a local API Gateway.
#[derive(Parser, Debug)]
#[command(name = "cargo-apigw", bin_name = "cargo apigw", version, about)]
pub(crate) struct Cli {
    /// Only warnings and errors on stderr.
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Send one request through the gateway and print the response like `curl -i`.
    Invoke(InvokeArgs),
    /// Serve the gateway on 127.0.0.1, rebuilding when the sources change.
    Serve(ServeArgs),
    /// Print the event the gateway would send the function for a request.
    Event(EventArgs),
    /// Build the function in release mode and zip it as the platform takes it.
    Build(BuildArgs),
    /// Make a new function crate: a handler, its test, `apigw.toml` and a README.
    New(NewArgs),
}

impl Command {
    /// Passes the global `-q` on to the cargo builds the command runs.
    pub(crate) fn quiet_builds(&mut self, quiet: bool) {
        match self {
            Command::Invoke(a) => a.function.quiet = quiet,
            Command::Serve(a) => a.function.quiet = quiet,
            Command::Build(a) => a.quiet = quiet,
            Command::Event(_) | Command::New(_) => {}
        }
    }
}

/// Which function to build and run.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct FunctionArgs {
    /// The function of `apigw.toml` to run (`[functions.NAME]`); without
    /// it, every function.
    #[arg(long, short = 'f', value_name = "NAME")]
    pub(crate) function: Option<String>,
    /// Run this binary of the package.
    #[arg(long, conflicts_with = "example")]
    pub(crate) bin: Option<String>,
    /// Run this example (a cargo example, or a package under `examples/`).
    #[arg(long)]
    pub(crate) example: Option<String>,
    /// The gateway configuration (default: `apigw.toml` if present).
    #[arg(long, short)]
    pub(crate) config: Option<PathBuf>,
    /// Build in release mode.
    #[arg(long)]
    pub(crate) release: bool,
    /// Pass `--quiet` to cargo (set from the global `-q`).
    #[arg(skip)]
    pub(crate) quiet: bool,
}

/// The request to send.
#[derive(Args, Debug, Clone)]
pub(crate) struct RequestArgs {
    /// The HTTP method.
    #[arg(short = 'X', long = "request", default_value = "GET")]
    pub(crate) method: String,
    /// A header, `Name: value`; repeat for more.
    #[arg(short = 'H', long = "header")]
    pub(crate) headers: Vec<String>,
    /// The request body; `@FILE` reads it from FILE (`@-` from stdin)
    /// without its carriage returns and newlines, as curl does.
    #[arg(short = 'd', long = "data", conflicts_with = "data_file")]
    pub(crate) data: Option<String>,
    /// Read the request body from a file, byte for byte.
    #[arg(long)]
    pub(crate) data_file: Option<PathBuf>,
    /// The path and query, e.g. `/release/users/7?name=ada`.
    #[arg(default_value = "/")]
    pub(crate) path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProviderArg {
    Tencent,
    Aliyun,
    Web,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FlavourArg {
    Tencent,
    Aliyun,
    FunctionUrl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeArg {
    Integration,
    Passthrough,
}

/// Overrides for every route.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct RouteOverrides {
    /// The platform and event flavour (overrides the configuration).
    #[arg(long, value_enum)]
    pub(crate) provider: Option<ProviderArg>,
    /// The event every route sends, and whose rules answer (overrides the
    /// configuration and `--provider`); `function-url` is a Tencent function URL.
    #[arg(long, value_enum)]
    pub(crate) flavour: Option<FlavourArg>,
    /// The response mode (overrides the configuration).
    #[arg(long, value_enum)]
    pub(crate) mode: Option<ModeArg>,
    /// The function timeout, e.g. `3s` (overrides the configuration).
    #[arg(long)]
    pub(crate) timeout: Option<String>,
    /// The gateway timeout, e.g. `15s` (overrides the configuration).
    #[arg(long)]
    pub(crate) gateway_timeout: Option<String>,
}

#[derive(Args, Debug)]
pub(crate) struct InvokeArgs {
    #[command(flatten)]
    pub(crate) function: FunctionArgs,
    #[command(flatten)]
    pub(crate) overrides: RouteOverrides,
    /// Exit 22 when the response status is 400 or above.
    #[arg(long)]
    pub(crate) fail: bool,
    /// Sign the request for its route's auth as a client would, with the credentials in
    /// apigw.toml: a Tencent key pair, an Alibaba app signature or AppCode, or, for a Tencent
    /// OAuth business API, a token signed with --private-key.
    #[arg(long, conflicts_with = "event")]
    pub(crate) sign: bool,
    /// The `[[keys]]` entry (key id or AppKey) --sign uses [default: the first].
    #[arg(long, value_name = "ID", requires = "sign")]
    pub(crate) key: Option<String>,
    /// The RSA private key (PEM) that signs --sign's OAuth token.
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub(crate) private_key: Option<PathBuf>,
    /// Skip the front door: send this event file to the function as it is.
    #[arg(long, conflicts_with_all = ["data", "data_file"])]
    pub(crate) event: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) request: RequestArgs,
}

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) function: FunctionArgs,
    #[command(flatten)]
    pub(crate) overrides: RouteOverrides,
    /// The port on 127.0.0.1.
    #[arg(long, short, default_value_t = 3000)]
    pub(crate) port: u16,
    /// Do not rebuild when the sources change.
    #[arg(long)]
    pub(crate) no_watch: bool,
}

#[derive(Args, Debug)]
pub(crate) struct EventArgs {
    /// The gateway configuration (default: `apigw.toml` if present).
    #[arg(long, short)]
    pub(crate) config: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) overrides: RouteOverrides,
    #[command(flatten)]
    pub(crate) request: RequestArgs,
}

/// The platform a bundle is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum BundleProvider {
    Tencent,
    Aliyun,
}

/// How a bundle is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LinkerArg {
    Musl,
    Zig,
    Host,
}

#[derive(Args, Debug)]
pub(crate) struct BuildArgs {
    /// Pass `--quiet` to cargo (set from the global `-q`).
    #[arg(skip)]
    pub(crate) quiet: bool,
    /// Bundle this function of `apigw.toml` (`[functions.NAME]`).
    #[arg(long, short = 'f', value_name = "NAME")]
    pub(crate) function: Option<String>,
    /// Bundle this binary of the package.
    #[arg(long, conflicts_with = "example")]
    pub(crate) bin: Option<String>,
    /// Bundle this example (a cargo example, or a package under `examples/`).
    #[arg(long)]
    pub(crate) example: Option<String>,
    /// The platform: it sets the size limits [default: apigw.toml's, else tencent].
    #[arg(long, value_enum)]
    pub(crate) provider: Option<BundleProvider>,
    /// A Tencent web function: the executable is named `scf_bootstrap`.
    #[arg(long)]
    pub(crate) web: bool,
    /// How to link so the bundle starts on the platform: `musl` (a static
    /// binary), `zig` (against glibc 2.17), or `host` (this machine's own
    /// toolchain and glibc) [default: musl when its target is installed,
    /// else zig when found].
    #[arg(long, value_enum)]
    pub(crate) linker: Option<LinkerArg>,
    /// Build for this target triple; with zig it may end in a glibc
    /// version, e.g. `x86_64-unknown-linux-gnu.2.28`.
    #[arg(long, value_name = "TRIPLE")]
    pub(crate) target: Option<String>,
    /// Build for 64-bit ARM; the zip is `<name>-arm64.zip`.
    #[arg(long, conflicts_with = "target")]
    pub(crate) arm64: bool,
    /// Keep the executable's symbols (by default they are stripped).
    #[arg(long)]
    pub(crate) no_strip: bool,
    /// A file or folder to put beside the executable, under its path relative
    /// to the current directory; repeat for more.
    #[arg(long, value_name = "PATH")]
    pub(crate) include: Vec<PathBuf>,
    /// The folder to write `<name>.zip` in [default: cargo's target directory + `/apigw`].
    #[arg(long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct NewArgs {
    /// The crate's directory; its last component is the crate's name.
    pub(crate) path: PathBuf,
    /// How the function is run: a Tencent event function, an Alibaba
    /// custom runtime, or a Tencent web function.
    #[arg(long, value_enum, default_value = "tencent")]
    pub(crate) provider: ProviderArg,
    /// The response mode: an integration response, or any JSON value
    /// passed through as the body.
    #[arg(long, value_enum, default_value = "integration")]
    pub(crate) mode: ModeArg,
    /// The SDK checkout to depend on by path [default: the one this
    /// cargo-apigw was built from].
    #[arg(long, value_name = "DIR")]
    pub(crate) sdk_path: Option<PathBuf>,
}
