//! The zip the platforms take: the built executable at the root as
//! `bootstrap` (`scf_bootstrap` for a Tencent web function), mode 755, with
//! chosen files and folders beside it. Entries are sorted and carry one fixed
//! time, so the same inputs give the same bytes. Everything is checked before
//! the zip is written (the executable with [`crate::elf`]), and the zip
//! appears whole or not at all.
//!
//! ```no_run
//! use apigw_bundle::archive::{BundleOptions, ZIP_EPOCH, write_bundle};
//! use apigw_bundle::{Arch, Platform};
//!
//! let info = write_bundle(&BundleOptions {
//!     exe: "target/x86_64-unknown-linux-musl/release/hello".into(),
//!     platform: Platform::Tencent,
//!     arch: Arch::X86_64,
//!     base: std::env::current_dir()?,
//!     include: vec!["static".into()],
//!     output: "target/apigw/hello.zip".into(),
//!     timestamp: ZIP_EPOCH,
//!     limits: Platform::Tencent.limits(),
//! })?;
//! assert_eq!(info.entries[0], "bootstrap");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::elf::{self, ElfInfo, NotElf, Refusal};
use crate::{Arch, Platform};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

mod include;
pub use include::resolve_includes;

/// 1980-01-01 00:00:00 UTC, the earliest time a zip entry can carry, in
/// seconds since the Unix epoch: the default entry time.
pub const ZIP_EPOCH: u64 = 315_532_800;

/// One decimal megabyte: the vendors' limits are read in these, the stricter reading.
const MB: u64 = 1_000_000;

/// A platform's size limits, in bytes; `None` is no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The files' total size once unpacked.
    pub unpacked: Option<u64>,
    /// The zip's own size.
    pub zipped: Option<u64>,
}

impl Limits {
    /// The provider's limits, in decimal megabytes: Tencent SCF (web
    /// functions too) 500 MB unpacked; Alibaba FC 100 MB of zip, the most
    /// its API takes in one upload.
    pub fn of(platform: Platform) -> Limits {
        match platform {
            Platform::Tencent | Platform::TencentWeb => Limits { unpacked: Some(500 * MB), zipped: None },
            Platform::Aliyun => Limits { unpacked: None, zipped: Some(100 * MB) },
        }
    }
}

/// What goes into a bundle, and where it is written.
#[derive(Clone, Debug)]
pub struct BundleOptions {
    /// The built executable.
    pub exe: PathBuf,
    /// The platform: it names the executable in the zip and sets the
    /// glibc the executable may need.
    pub platform: Platform,
    /// The architecture the executable must be built for.
    pub arch: Arch,
    /// The directory `include` paths are relative to and must stay inside.
    pub base: PathBuf,
    /// Files and folders to put beside the executable, under the same
    /// paths relative to `base`.
    pub include: Vec<PathBuf>,
    /// The zip to write; its folder is created when missing.
    pub output: PathBuf,
    /// Every entry's modification time, in seconds since the Unix epoch,
    /// clamped to what a zip holds (1980 to 2107).
    pub timestamp: u64,
    /// The sizes not to exceed.
    pub limits: Limits,
}

/// A bundle that was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleInfo {
    /// Where the zip is.
    pub path: PathBuf,
    /// The zip's size in bytes.
    pub size: u64,
    /// The files' total size unpacked, in bytes.
    pub unpacked: u64,
    /// The executable's name in the zip.
    pub entry: &'static str,
    /// Every entry's name, in the zip's (sorted) order.
    pub entries: Vec<String>,
    /// What the executable needs to start.
    pub elf: ElfInfo,
}

/// A file to bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its name in the zip: the path relative to the base, `/`-separated.
    pub name: String,
    /// Where it is on disk.
    pub source: PathBuf,
    /// Its unix mode in the zip: 0o755 when executable on disk, else 0o644.
    pub mode: u32,
    /// Its size in bytes.
    pub size: u64,
}

/// Why no bundle was written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The executable is not a Linux executable.
    #[error("{} is not a Linux executable for {arch}: {why}", path.display())]
    NotElf {
        /// The executable.
        path: PathBuf,
        /// The architecture asked for.
        arch: Arch,
        /// What is wrong with it.
        why: NotElf,
    },
    /// The executable would not start on the platform.
    #[error("{} would not start on {}: {why}", path.display(), platform.system())]
    WouldNotStart {
        /// The executable.
        path: PathBuf,
        /// The platform.
        platform: Platform,
        /// Why not.
        why: Refusal,
    },
    /// An include names nothing.
    #[error("cannot include `{}`: no such file or folder", .0.display())]
    IncludeMissing(PathBuf),
    /// An include is, or leads (through `..` or a symlink), outside the base.
    #[error("cannot include `{}`: it is outside {}", path.display(), base.display())]
    IncludeOutside {
        /// The include, as given (or the file inside it that leads out).
        path: PathBuf,
        /// The directory includes must stay in.
        base: PathBuf,
    },
    /// An include that cannot go into the zip.
    #[error("cannot include `{}`: {why}", path.display())]
    IncludeUnsupported {
        /// The include, or the file inside it.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// Over one of the platform's size limits.
    #[error("the bundle is {} {what}, over the platform's limit of {}", mb_text(*.size), mb_text(*.limit))]
    TooBig {
        /// `unpacked` or `zipped`.
        what: &'static str,
        /// The size, in bytes.
        size: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The zip library failed.
    #[error("writing the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
}

/// Checks `size` against `limit`.
pub fn check_limit(what: &'static str, size: u64, limit: Option<u64>) -> Result<(), BundleError> {
    match limit {
        Some(limit) if size > limit => Err(BundleError::TooBig { what, size, limit }),
        _ => Ok(()),
    }
}

/// Checks the executable, gathers the includes, checks the sizes, then
/// writes the zip to a temporary file beside `output` and renames it into
/// place. On any error nothing is left at `output` or beside it.
pub fn write_bundle(opts: &BundleOptions) -> Result<BundleInfo, BundleError> {
    let exe = fs::read(&opts.exe).map_err(io_at(&opts.exe))?;
    let (path, arch, platform) = (opts.exe.clone(), opts.arch, opts.platform);
    let info = elf::inspect(&exe).map_err(|why| BundleError::NotElf { path: path.clone(), arch, why })?;
    elf::check(&info, arch, platform).map_err(|why| BundleError::WouldNotStart { path, platform, why })?;
    let entry = platform.entry_name();
    let size = exe.len() as u64;
    let mut files = BTreeMap::new();
    files.insert(entry.to_owned(), Entry { name: entry.into(), source: opts.exe.clone(), mode: 0o755, size });
    for file in resolve_includes(&opts.base, &opts.include)? {
        if file.name == entry {
            let why = format!("`{entry}` is the executable's name in the bundle");
            return Err(BundleError::IncludeUnsupported { path: file.name.into(), why });
        }
        files.insert(file.name.clone(), file);
    }
    let unpacked = files.values().map(|f| f.size).sum();
    check_limit("unpacked", unpacked, opts.limits.unpacked)?;

    let dir = opts.output.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_at(dir))?;
    let file_name = opts.output.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = TempFile(Some(dir.join(format!(".{file_name}.{}.tmp", std::process::id()))));
    let temp_path = temp.path();
    let out = File::create(&temp_path).map_err(io_at(&temp_path))?;
    let mut zip = zip::ZipWriter::new(BufWriter::new(out));
    let time = zip_time(opts.timestamp);
    for f in files.values() {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .system(zip::System::Unix)
            .last_modified_time(time)
            .unix_permissions(f.mode);
        zip.start_file(f.name.as_str(), options)?;
        if f.name == entry {
            io::Write::write_all(&mut zip, &exe).map_err(io_at(&f.source))?;
        } else {
            let mut source = File::open(&f.source).map_err(io_at(&f.source))?;
            io::copy(&mut source, &mut zip).map_err(io_at(&f.source))?;
        }
    }
    let out = zip.finish()?.into_inner().map_err(|e| io_at(&temp_path)(e.into_error()))?;
    out.sync_all().map_err(io_at(&temp_path))?;
    let size = out.metadata().map_err(io_at(&temp_path))?.len();
    drop(out);
    check_limit("zipped", size, opts.limits.zipped)?;
    fs::rename(&temp_path, &opts.output).map_err(io_at(&opts.output))?;
    temp.keep();
    let entries = files.into_keys().collect();
    Ok(BundleInfo { path: opts.output.clone(), size, unpacked, entry, entries, elf: info })
}

/// A file removed when dropped, unless kept.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> PathBuf {
        self.0.clone().unwrap_or_default()
    }

    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(path);
        }
    }
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> BundleError + '_ {
    move |source| BundleError::Io { path: path.to_owned(), source }
}

/// `bytes` for people: `412.3 KiB`, `12.0 MiB`.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// `bytes` in decimal megabytes, as the vendors write their limits.
fn mb_text(bytes: u64) -> String {
    if bytes < MB { format!("{bytes} bytes") } else { format!("{:.1} MB", bytes as f64 / MB as f64) }
}

/// The zip time for `unix` seconds, clamped to 1980-01-01 .. 2107-12-31.
fn zip_time(unix: u64) -> zip::DateTime {
    let secs = unix.max(ZIP_EPOCH);
    let (year, month, day) = civil_from_days(secs / 86_400);
    let rem = secs % 86_400;
    let (hour, minute, second) = ((rem / 3600) as u8, (rem % 3600 / 60) as u8, (rem % 60) as u8);
    match u16::try_from(year) {
        Ok(year) if year <= 2107 => zip::DateTime::from_date_and_time(year, month, day, hour, minute, second),
        _ => zip::DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58),
    }
    .unwrap_or_default()
}

/// The (year, month, day) of `days` since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (yoe + era * 400 + u64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests;
