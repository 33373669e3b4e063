//! `--include`: the files and folders that go beside the executable, kept
//! inside the crate.

use super::{BundleError, Entry, io_at};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The files `paths` name, sorted by their names in the zip. Each path is
/// relative to `base` (or absolute inside it); folders are walked, and
/// symlinks are followed while they stay inside `base`.
pub fn resolve_includes(base: &Path, paths: &[PathBuf]) -> Result<Vec<Entry>, BundleError> {
    let base = lexical(&std::path::absolute(base).map_err(io_at(base))?);
    let root = fs::canonicalize(&base).map_err(io_at(&base))?;
    let outside = |path: &Path| BundleError::IncludeOutside { path: path.to_owned(), base: base.clone() };
    let mut found = BTreeMap::new();
    for path in paths {
        let full = lexical(&base.join(path));
        let rel =
            full.strip_prefix(&base).or_else(|_| full.strip_prefix(&root)).map_err(|_| outside(path))?;
        if rel.as_os_str().is_empty() {
            let why = "it is the whole directory: name the files and folders to bundle".into();
            return Err(BundleError::IncludeUnsupported { path: path.clone(), why });
        }
        let real = real_path(&full, path)?;
        if !real.starts_with(&root) {
            return Err(outside(path));
        }
        walk(&root, &base, rel, &real, &mut Vec::new(), &mut found)?;
    }
    Ok(found.into_values().collect())
}

/// Adds the file at `real` (named `rel` in the zip), or every file under the
/// folder at `real`, to `found`. `ancestors` are the folders being walked,
/// so a symlink back to one of them is skipped rather than followed forever.
fn walk(
    root: &Path,
    base: &Path,
    rel: &Path,
    real: &Path,
    ancestors: &mut Vec<PathBuf>,
    found: &mut BTreeMap<String, Entry>,
) -> Result<(), BundleError> {
    let meta = fs::metadata(real).map_err(io_at(real))?;
    if meta.is_file() {
        let name = zip_name(rel)?;
        let mode = if executable(&meta) { 0o755 } else { 0o644 };
        found.insert(name.clone(), Entry { name, source: real.to_owned(), mode, size: meta.len() });
        return Ok(());
    }
    if !meta.is_dir() {
        let why = "it is neither a file nor a folder".into();
        return Err(BundleError::IncludeUnsupported { path: rel.to_owned(), why });
    }
    if ancestors.iter().any(|a| a == real) {
        return Ok(());
    }
    let mut children = Vec::new();
    for child in fs::read_dir(real).map_err(io_at(real))? {
        children.push(child.map_err(io_at(real))?.file_name());
    }
    children.sort();
    ancestors.push(real.to_owned());
    for name in children {
        let child_rel = rel.join(&name);
        let child_real = real_path(&real.join(&name), &child_rel)?;
        if !child_real.starts_with(root) {
            return Err(BundleError::IncludeOutside { path: child_rel, base: base.to_owned() });
        }
        walk(root, base, &child_rel, &child_real, ancestors, found)?;
    }
    ancestors.pop();
    Ok(())
}

/// `path` with `.` and `..` resolved by name, without asking the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` with every symlink resolved; `shown` names it in the error.
fn real_path(path: &Path, shown: &Path) -> Result<PathBuf, BundleError> {
    fs::canonicalize(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => BundleError::IncludeMissing(shown.to_owned()),
        _ => BundleError::Io { path: path.to_owned(), source: e },
    })
}

/// `rel`'s components joined with `/`.
fn zip_name(rel: &Path) -> Result<String, BundleError> {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c.as_os_str().to_str() {
            Some(part) if matches!(c, Component::Normal(_)) => parts.push(part),
            _ => {
                let why = "its name is not plain UTF-8".into();
                return Err(BundleError::IncludeUnsupported { path: rel.to_owned(), why });
            }
        }
    }
    Ok(parts.join("/"))
}

#[cfg(unix)]
fn executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &fs::Metadata) -> bool {
    false
}
