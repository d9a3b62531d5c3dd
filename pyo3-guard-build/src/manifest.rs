//! Reading the few facts the fingerprint needs from `Cargo.toml` and `pyproject.toml`:
//! package name, build script, library path, path dependencies and maturin's module name.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use pyo3_guard_engine::error::{Error, Result};

/// A parsed TOML file, kept with its path so errors can name file and line.
pub(crate) struct TomlFile {
    pub path: PathBuf,
    text: String,
}

impl TomlFile {
    pub fn read(path: &Path) -> Result<TomlFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))?;
        let text = String::from_utf8(bytes).map_err(|_| Error::at(path, "is not valid UTF-8"))?;
        Ok(TomlFile {
            path: path.to_path_buf(),
            text,
        })
    }

    /// Parses the file; a syntax error names the file and the line it is on.
    pub fn parse(&self) -> Result<DeTable<'_>> {
        match DeTable::parse(&self.text) {
            Ok(table) => Ok(table.into_inner()),
            Err(err) => {
                let offset = err.span().map_or(0, |s| s.start);
                let line = 1 + self.text[..offset.min(self.text.len())]
                    .matches('\n')
                    .count();
                let message = format!("malformed TOML: {}", err.message().trim_end());
                Err(Error::at(&self.path, message).with_line(line))
            }
        }
    }
}

/// `table[key]`, if present.
pub(crate) fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeValue<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v.get_ref())
}

/// `table[a][b]...`, following tables only.
pub(crate) fn get_path<'a, 'i>(table: &'a DeTable<'i>, keys: &[&str]) -> Option<&'a DeValue<'i>> {
    let (last, parents) = keys.split_last()?;
    let mut current = table;
    for key in parents {
        current = get(current, key)?.as_table()?;
    }
    get(current, last)
}

pub(crate) fn get_str<'a>(table: &'a DeTable<'_>, keys: &[&str]) -> Option<&'a str> {
    get_path(table, keys)?.as_str()
}

/// What one crate's `Cargo.toml` says about its build inputs.
pub(crate) struct CrateManifest {
    pub name: Option<String>,
    pub version: Option<String>,
    /// The `[lib] name`, which maturin prefers over the package name.
    pub lib_name: Option<String>,
    /// The build script, when there is one (explicit `package.build` or a `build.rs` that exists).
    pub build_script: Option<PathBuf>,
    /// An explicit `[lib] path`.
    pub lib_path: Option<PathBuf>,
    /// Directories of path dependencies (normal and build; dev-dependencies never reach the binary).
    pub path_deps: Vec<PathBuf>,
    /// Dependencies declared `workspace = true`, to be resolved against the workspace root.
    pub workspace_deps: Vec<String>,
    /// Normal dependencies renamed with `package = "..."` (in `[dependencies]` or a
    /// `[target.*.dependencies]` table): the key and the package name, as written.
    pub renames: Vec<(String, String)>,
    /// Normal dependencies declared `workspace = true` (a rename may come from the workspace).
    pub inherited: Vec<String>,
    /// `[workspace.dependencies]` entries renamed with `package = "..."`: key and package.
    pub workspace_renames: Vec<(String, String)>,
    /// Whether this manifest is a workspace root.
    pub is_workspace_root: bool,
    /// `package.workspace`: the path to this package's workspace root, when it names one.
    pub package_workspace: Option<String>,
    /// `[workspace] members` and `exclude`, as written.
    pub workspace_members: Option<Vec<String>>,
    pub workspace_exclude: Vec<String>,
    /// `[workspace.dependencies]` entries that are path dependencies: name and directory.
    pub workspace_path_deps: Vec<(String, PathBuf)>,
}

const DEP_TABLES: [&str; 2] = ["dependencies", "build-dependencies"];

impl CrateManifest {
    pub fn read(manifest_path: &Path) -> Result<CrateManifest> {
        let file = TomlFile::read(manifest_path)?;
        let doc = file.parse()?;
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        let string = |keys: &[&str]| get_str(&doc, keys).map(str::to_owned);

        let build_script = match get_path(&doc, &["package", "build"]) {
            Some(DeValue::String(s)) => Some(dir.join(s.as_ref())),
            Some(DeValue::Boolean(false)) => None,
            _ => Some(dir.join("build.rs")).filter(|p| p.is_file()),
        };

        let mut manifest = CrateManifest {
            name: string(&["package", "name"]),
            version: string(&["package", "version"]),
            lib_name: string(&["lib", "name"]),
            build_script,
            lib_path: string(&["lib", "path"]).map(|p| dir.join(p)),
            path_deps: Vec::new(),
            workspace_deps: Vec::new(),
            renames: Vec::new(),
            inherited: Vec::new(),
            workspace_renames: Vec::new(),
            is_workspace_root: get(&doc, "workspace").is_some(),
            package_workspace: string(&["package", "workspace"]),
            workspace_members: get_path(&doc, &["workspace", "members"]).map(strings),
            workspace_exclude: get_path(&doc, &["workspace", "exclude"])
                .map(strings)
                .unwrap_or_default(),
            workspace_path_deps: Vec::new(),
        };

        // (table, whether it holds normal dependencies: only those are linked into the library)
        let mut dep_tables: Vec<(&DeTable, bool)> = DEP_TABLES
            .iter()
            .filter_map(|t| Some((get(&doc, t)?.as_table()?, *t == "dependencies")))
            .collect();
        if let Some(targets) = get(&doc, "target").and_then(DeValue::as_table) {
            for (_, target) in targets.iter() {
                let Some(target) = target.get_ref().as_table() else {
                    continue;
                };
                dep_tables.extend(
                    DEP_TABLES
                        .iter()
                        .filter_map(|t| Some((get(target, t)?.as_table()?, *t == "dependencies"))),
                );
            }
        }
        for (table, normal) in dep_tables {
            for (name, spec) in table.iter() {
                let Some(spec) = spec.get_ref().as_table() else {
                    continue;
                };
                let key = name.get_ref().to_string();
                if normal {
                    if let Some(package) = get(spec, "package").and_then(DeValue::as_str) {
                        manifest.renames.push((key.clone(), package.to_owned()));
                    } else if get(spec, "workspace").and_then(DeValue::as_bool) == Some(true) {
                        manifest.inherited.push(key.clone());
                    }
                }
                if let Some(path) = get(spec, "path").and_then(DeValue::as_str) {
                    manifest.path_deps.push(dir.join(path));
                } else if get(spec, "workspace").and_then(DeValue::as_bool) == Some(true) {
                    manifest.workspace_deps.push(key);
                }
            }
        }
        if let Some(deps) =
            get_path(&doc, &["workspace", "dependencies"]).and_then(DeValue::as_table)
        {
            for (name, spec) in deps.iter() {
                let Some(spec) = spec.get_ref().as_table() else {
                    continue;
                };
                if let Some(path) = get(spec, "path").and_then(DeValue::as_str) {
                    manifest
                        .workspace_path_deps
                        .push((name.get_ref().to_string(), dir.join(path)));
                }
                if let Some(package) = get(spec, "package").and_then(DeValue::as_str) {
                    manifest
                        .workspace_renames
                        .push((name.get_ref().to_string(), package.to_owned()));
                }
            }
        }
        Ok(manifest)
    }
}

/// The strings of a TOML array (other values are left out).
fn strings(value: &DeValue<'_>) -> Vec<String> {
    let items = value
        .as_array()
        .map(|a| a.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|v| v.get_ref().as_str().map(str::to_owned))
        .collect()
}

/// The module maturin builds from `pyproject` (the one that builds this crate, see
/// [`pyo3_guard_engine::layout::pyproject_for`]) with maturin's precedence: `[tool.maturin] module-name` >
/// Cargo `[lib] name` > `[project] name` > Cargo package name. Returns the dotted name (the
/// name users import) and where it comes from. `None` without a pyproject.toml (not a maturin
/// project: nothing to check).
pub(crate) fn maturin_module_name(
    pyproject: Option<&Path>,
    cargo: &CrateManifest,
) -> Result<Option<(String, String)>> {
    let Some(pyproject) = pyproject else {
        return Ok(None);
    };
    let file = TomlFile::read(pyproject)?;
    let doc = file.parse()?;
    let (full, source) = if let Some(name) = get_str(&doc, &["tool", "maturin", "module-name"]) {
        (
            name.to_owned(),
            "`module-name` in pyproject.toml [tool.maturin]",
        )
    } else if let Some(name) = &cargo.lib_name {
        (name.clone(), "`name` in Cargo.toml [lib]")
    } else if let Some(name) = get_str(&doc, &["project", "name"]) {
        (name.to_owned(), "`name` in pyproject.toml [project]")
    } else if let Some(name) = &cargo.name {
        (name.clone(), "`name` in Cargo.toml [package]")
    } else {
        return Ok(None);
    };
    // maturin turns a distribution name into a module name the way Python packaging does.
    let dotted = full
        .split('.')
        .map(|part| part.replace('-', "_"))
        .collect::<Vec<_>>()
        .join(".");
    Ok(Some((dotted, format!("{full} ({source})"))))
}
