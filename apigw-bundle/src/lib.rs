//! Function bundles for Tencent SCF and Alibaba FC that start on the
//! platform, built from any machine: the executable linked statically with
//! musl, or against glibc 2.17 with zig; its ELF checked for the platform's
//! processor and glibc; zipped as the platform takes it, byte for byte the
//! same for the same code.
//!
//! ```no_run
//! use apigw_bundle::toolchain::{Request, ThisMachine};
//! use apigw_bundle::{Arch, BundleSpec, Platform, build_bundle};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // zig links by starting this program again as its linker wrapper.
//!     apigw_bundle::zig::run_if_wrapper();
//!     let bundle = build_bundle(
//!         &BundleSpec {
//!             dir: std::env::current_dir()?,
//!             bin: Some("hello".into()),
//!             example: None,
//!             platform: Platform::Tencent,
//!             request: Request { arch: Arch::X86_64, ..Request::default() },
//!             strip: true,
//!             include: vec![],
//!             output_dir: None,
//!             timestamp: apigw_bundle::archive::ZIP_EPOCH,
//!             quiet: false,
//!         },
//!         &ThisMachine::probe()?,
//!     )?;
//!     // target/apigw/hello.zip, linked by musl, static
//!     println!("{}, linked by {}, {}", bundle.info.path.display(), bundle.toolchain.linker, bundle.info.elf.linkage);
//!     Ok(())
//! }
//! ```
//!
//! The pieces are public too: [`toolchain`] chooses how to link,
//! [`cargo`] builds, [`elf`] checks the executable, [`archive`] writes the
//! zip, [`zig`] runs zig for `cargo-zigbuild`.
//!
//! # Feature flags
//!
//! None.

#![warn(clippy::unwrap_used, clippy::expect_used)]
// The examples are about what `main` must do first.
#![allow(clippy::needless_doctest_main)]

pub mod archive;
pub mod cargo;
pub mod elf;
mod make;
mod platform;
pub mod toolchain;
pub mod zig;

pub use make::{Bundle, BundleSpec, Error, build_bundle};
pub use platform::{Arch, Platform};
