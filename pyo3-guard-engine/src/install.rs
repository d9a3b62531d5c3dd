//! Who installed a loaded extension, and what the interpreter that loads it tells about its
//! environment: the evidence [`crate::diagnose`] decides the cause and the rebuild command from.

use std::path::{Path, PathBuf};

/// What the installed distribution that owns a loaded extension says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Installation {
    /// The `*.dist-info` directory of the install, if any.
    pub dist_info: Option<PathBuf>,
    /// Its `INSTALLER` (`uv`, `pip`, ...).
    pub installer: Option<String>,
    /// `uv_build.json` is there: uv built this wheel itself (PEP 517) and cached it.
    pub built_by_uv: bool,
    /// `direct_url.json` says the install is editable.
    pub editable: bool,
    /// The dist-info does not list the file: it is an editable install of the project whose
    /// source tree holds the file (a mixed layout's extension, found through `direct_url.json`).
    pub through_sources: bool,
}

impl Installation {
    /// Finds the distribution that installed `file` (an extension module inside site-packages).
    pub fn of(file: &Path) -> Installation {
        find_dist_info(file).map_or_else(Installation::default, |d| Installation::read(d, false))
    }

    /// [`Installation::of`], and for a file in `project` (the directory of its pyproject.toml)
    /// that no dist-info lists, the editable install of that project in one of `site_dirs`.
    pub fn find(file: &Path, project: Option<&Path>, site_dirs: &[PathBuf]) -> Installation {
        let owner = Installation::of(file);
        if owner.dist_info.is_some() {
            return owner;
        }
        let Some(project) = project.filter(|p| file.starts_with(p)) else {
            return owner;
        };
        site_dirs
            .iter()
            .find_map(|site| editable_install_of(site, project, file))
            .map_or(owner, |d| Installation::read(d, true))
    }

    fn read(owner: PathBuf, through_sources: bool) -> Installation {
        let read = |name: &str| std::fs::read_to_string(owner.join(name)).ok();
        Installation {
            installer: read("INSTALLER")
                .map(|s| s.trim_ascii().to_owned())
                .filter(|s| !s.is_empty()),
            built_by_uv: owner.join("uv_build.json").is_file(),
            editable: read("direct_url.json").is_some_and(|s| is_editable(&s)),
            dist_info: Some(owner),
            through_sources,
        }
    }

    /// The distribution name, from the dist-info directory (`demo-0.1.0.dist-info` → `demo`).
    pub fn distribution(&self) -> Option<String> {
        let name = self.dist_info.as_deref()?.file_name()?.to_string_lossy();
        name.split('-').next().map(str::to_owned)
    }
}

fn is_editable(direct_url: &str) -> bool {
    direct_url.replace(' ', "").contains("\"editable\":true")
}

/// The `*.dist-info` next to the package directory whose `RECORD` lists `file`.
fn find_dist_info(file: &Path) -> Option<PathBuf> {
    for site in file.ancestors().skip(1).take(3) {
        let Ok(entries) = std::fs::read_dir(site) else {
            continue;
        };
        let rel = file
            .strip_prefix(site)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "dist-info") {
                continue;
            }
            let Ok(record) = std::fs::read_to_string(path.join("RECORD")) else {
                continue;
            };
            if record
                .lines()
                .any(|line| line.split(',').next() == Some(rel.as_str()))
            {
                return Some(path);
            }
        }
    }
    None
}

/// The dist-info in `site` of an editable install whose `direct_url.json` points at `project`
/// and whose `.pth` file puts `file` on `sys.path`: inside a package of a directory it lists
/// (a build left at the top of such a directory, or in a pure-Rust layout's project, which
/// no `.pth` lists, is not the install's).
fn editable_install_of(site: &Path, project: &Path, file: &Path) -> Option<PathBuf> {
    let want = project.canonicalize().ok()?;
    std::fs::read_dir(site).ok()?.flatten().find_map(|entry| {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "dist-info") {
            return None;
        }
        let text = std::fs::read_to_string(path.join("direct_url.json")).ok()?;
        let dir = file_url_path(&text)?;
        let linked = is_editable(&text) && dir.canonicalize().ok()? == want;
        (linked && pth_dirs(site, &path).iter().any(|d| in_package_of(file, d))).then_some(path)
    })
}

/// The directories the `.pth` files a dist-info's `RECORD` lists add to `sys.path`.
fn pth_dirs(site: &Path, dist_info: &Path) -> Vec<PathBuf> {
    let record = std::fs::read_to_string(dist_info.join("RECORD")).unwrap_or_default();
    record
        .lines()
        .filter_map(|line| line.split(',').next())
        .filter(|rel| rel.ends_with(".pth"))
        .filter_map(|rel| std::fs::read_to_string(site.join(rel)).ok())
        .flat_map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("import"))
                .map(PathBuf::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether `file` is below `dir`, in a package (not at its top).
fn in_package_of(file: &Path, dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    file.starts_with(&dir) && file.parent() != Some(dir.as_path())
}

/// The directory a `direct_url.json`'s `"url": "file://..."` names (percent-decoded).
fn file_url_path(direct_url: &str) -> Option<PathBuf> {
    let after = direct_url.split("\"url\"").nth(1)?;
    let value = after.split('"').nth(1)?;
    let path = value.strip_prefix("file://")?;
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex =
            || u8::from_str_radix(std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?, 16).ok();
        match (bytes[i], hex()) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// The interpreter that loads (or will load) the module: where a rebuild installs, with which
/// tools, and where installed distributions are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PythonEnv {
    /// `sys.executable`.
    pub executable: Option<PathBuf>,
    /// Its virtual environment (`sys.prefix` when it differs from `sys.base_prefix`).
    pub venv: Option<PathBuf>,
    /// Directories that may hold `*.dist-info` (its `sys.path`).
    pub site_dirs: Vec<PathBuf>,
}

impl PythonEnv {
    /// `name` from the environment's scripts directory (`.venv/bin/maturin`), else from `PATH`.
    pub fn tool(&self, name: &str) -> Option<PathBuf> {
        let scripts = self.venv.as_deref().map(|v| v.join(SCRIPTS));
        scripts
            .into_iter()
            .chain(
                std::env::var_os("PATH")
                    .iter()
                    .flat_map(std::env::split_paths),
            )
            .map(|dir| dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
            .find(|path| path.is_file())
    }

    /// The venv's own copy of `name`, if it has one.
    pub fn venv_tool(&self, name: &str) -> Option<PathBuf> {
        let path = self
            .venv
            .as_deref()?
            .join(SCRIPTS)
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        path.is_file().then_some(path)
    }
}

/// Where a venv keeps its executables.
const SCRIPTS: &str = if cfg!(windows) { "Scripts" } else { "bin" };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_urls_name_their_directory() {
        let maturin = r#"{"dir_info": {"editable": true}, "url": "file:///p/my%20proj"}"#;
        assert_eq!(file_url_path(maturin), Some(PathBuf::from("/p/my proj")));
        assert!(is_editable(maturin));
        let wheel = r#"{"archive_info": {}, "url": "file:///p/w.whl"}"#;
        assert!(!is_editable(wheel));
        assert_eq!(file_url_path(r#"{"url": "https://x"}"#), None);
    }
}
