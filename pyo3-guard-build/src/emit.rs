//! [`emit`] and what it needs: cargo's build-script environment, the fingerprint of a crate,
//! the export scan, and the informative extras (pyo3 version from the lock file, git state).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::discover;
use crate::manifest::{get, TomlFile};
#[cfg(feature = "exports")]
use crate::{cfg, exports};
use pyo3_guard_engine::error::{Error, Result};
use pyo3_guard_engine::fingerprint;
use pyo3_guard_engine::inputs::{self, Inputs, SourceLayout};
use pyo3_guard_engine::record::{self, Record, MIXED_LAYOUT, PURE_LAYOUT};

/// Name of the file written to `OUT_DIR`, and of the `rustc-env` variable pointing at it.
pub const RECORD_ENV: &str = "PYO3_GUARD_RECORD";
/// `rustc-env` variable holding the module name maturin will build (for the macro's check).
pub const MODULE_NAME_ENV: &str = "PYO3_GUARD_MODULE_NAME";
/// `rustc-env` variable naming the module registered items name as theirs (`demo` in the
/// pure-Rust layout, `pkg.pkg` or `pkg._native` in the mixed one): the compile-time
/// `module = "..."` the prelude gives a class.
pub const ITEMS_MODULE_ENV: &str = "PYO3_GUARD_ITEMS_MODULE";
/// `rustc-env` variable listing the classes the sources add by hand to a submodule (their Rust
/// identifiers, comma-separated): the prelude gives them no `module = "..."` (they are not at
/// the top, and PyO3 names them as it always did).
pub const BY_HAND_CLASSES_ENV: &str = "PYO3_GUARD_BY_HAND_CLASSES";
/// `rustc-env` variable listing renamed dependencies, `used=own,...` (for `crates = [...]`).
pub const CRATE_RENAMES_ENV: &str = "PYO3_GUARD_CRATE_RENAMES";
const RECORD_FILE: &str = "pyo3-guard-record.txt";
/// Set to `1` at build time to keep absolute paths out of the record.
pub const OMIT_PATHS_ENV: &str = "PYO3_GUARD_OMIT_PATHS";
/// Set to `1` at build time for a distribution build: the record without absolute paths, and no
/// check code linked (the cfg below makes `#[guarded_pymodule]` call the lean install); `0` for a
/// full build, even under cibuildwheel.
pub const DIST_ENV: &str = "PYO3_GUARD_DIST";
/// Set by cibuildwheel in every build, inside its Linux containers too: its wheels are for
/// publishing, so without `PYO3_GUARD_DIST` such a build is a distribution build.
pub const CIBUILDWHEEL_ENV: &str = "CIBUILDWHEEL";
/// The cfg a distribution build sets on the crate being built (only there: the generated code
/// that reads it is in that crate).
pub const DIST_CFG: &str = "pyo3_guard_dist";
/// The cfg set on a crate with enough inputs for the run-time check to share its stats out
/// between threads (`INPUTS_PER_THREAD` or more): only then does the extension link the thread
/// code (a smaller crate's check never starts a thread).
pub const THREADS_CFG: &str = "pyo3_guard_threads";

/// Call this from `build.rs`. Fingerprints the build, writes the record to `OUT_DIR` and prints:
///
/// ```text
/// cargo:rustc-env=PYO3_GUARD_RECORD=<OUT_DIR>/pyo3-guard-record.txt
/// cargo:rustc-env=PYO3_GUARD_MODULE_NAME=<name>;<where the name comes from>   (maturin projects)
/// cargo:rustc-env=PYO3_GUARD_ITEMS_MODULE=<dotted module>                   (maturin projects)
/// cargo:rustc-env=PYO3_GUARD_BY_HAND_CLASSES=<Class>,...   (classes added by hand to a submodule)
/// cargo:rustc-env=PYO3_GUARD_CRATE_RENAMES=<used>=<own>,...   (dependencies renamed with `package`)
/// cargo:rerun-if-changed=<each manifest, build script, lock file and src/ directory>
/// cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH
/// cargo:rerun-if-env-changed=PYO3_GUARD_OMIT_PATHS
/// cargo:rerun-if-env-changed=PYO3_GUARD_DIST
/// cargo:rerun-if-env-changed=CIBUILDWHEEL
/// cargo:rustc-check-cfg=cfg(pyo3_guard_dist)
/// cargo:rustc-cfg=pyo3_guard_dist                  (PYO3_GUARD_DIST=1, or CIBUILDWHEEL=1 without it)
/// cargo:rustc-check-cfg=cfg(pyo3_guard_threads)
/// cargo:rustc-cfg=pyo3_guard_threads                                      (400 inputs or more)
/// cargo:warning=pyo3-guard: skipped <path>: <why>                         (one per skipped entry)
/// cargo:warning=pyo3-guard: distribution build ... (CIBUILDWHEEL=1 ...)   (when either is set)
/// ```
///
/// On an error (a malformed `Cargo.toml`, a path dependency that does not exist, ...) it prints
/// the error with the file and line it concerns and exits the build script with status 1.
pub fn emit() {
    let result = BuildEnv::from_env().and_then(|env| emit_to(&env, &mut std::io::stdout().lock()));
    if let Err(err) = result {
        eprintln!("error: pyo3-guard-build: {err}");
        std::process::exit(1);
    }
}

/// What the build script learns from cargo's environment.
#[derive(Debug, Clone, Default)]
pub struct BuildEnv {
    /// `CARGO_MANIFEST_DIR`: the crate being built.
    pub manifest_dir: PathBuf,
    /// `OUT_DIR`: where the record is written.
    pub out_dir: PathBuf,
    /// `CARGO_PKG_NAME`: cargo's own reading of the manifest. Empty: read from Cargo.toml.
    pub package_name: String,
    /// `CARGO_PKG_VERSION` (a `version.workspace = true` resolved). Empty: read from Cargo.toml.
    pub package_version: String,
    /// Profile name (`dev`, `release` or custom), read from the `OUT_DIR` layout.
    pub profile: String,
    /// `OPT_LEVEL`.
    pub opt_level: String,
    /// `DEBUG`.
    pub debug: String,
    /// `TARGET`: the target triple.
    pub target: String,
    /// Enabled cargo features of the crate, sorted.
    pub features: Vec<String>,
    /// `rustc -vV` output.
    pub rustc_verbose: String,
    /// `CARGO_ENCODED_RUSTFLAGS`.
    pub rustflags: String,
    /// `SOURCE_DATE_EPOCH`, when set: build time, and no file times in the record.
    pub source_date_epoch: Option<u64>,
    /// `CARGO_CFG_*` variables: the target configuration `#[cfg]` is evaluated against.
    pub cfg_vars: Vec<(String, String)>,
    /// `PYO3_GUARD_OMIT_PATHS=1`: leave the absolute source root out of the binary (for wheels
    /// meant for distribution); the check then needs `PYO3_GUARD_SOURCE_ROOT`.
    pub omit_paths: bool,
    /// `PYO3_GUARD_DIST=1`, or `CIBUILDWHEEL=1` without `PYO3_GUARD_DIST`: a distribution build
    /// (implies `omit_paths`).
    pub dist: bool,
    /// The variables that chose between a distribution and a full build, for the one warning
    /// line that says which it is; `None` when neither is set (the everyday full build).
    pub dist_why: Option<String>,
}

impl BuildEnv {
    /// Reads cargo's build-script environment.
    pub fn from_env() -> Result<BuildEnv> {
        let var = |name: &str| {
            std::env::var(name).map_err(|_| {
                Error::msg(format!(
                    "{name} is not set: emit() must run inside a build script"
                ))
            })
        };
        let out_dir = PathBuf::from(var("OUT_DIR")?);
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let rustc_verbose = rustc_version(&out_dir, &rustc)?;
        let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => Some(v.trim().parse().map_err(|_| {
                Error::msg(format!(
                    "SOURCE_DATE_EPOCH must be a whole number of seconds, not `{v}`"
                ))
            })?),
            _ => None,
        };
        let (dist, dist_why) = dist_choice(
            std::env::var(DIST_ENV).ok().as_deref(),
            std::env::var(CIBUILDWHEEL_ENV).ok().as_deref(),
        )?;
        Ok(BuildEnv {
            manifest_dir: PathBuf::from(var("CARGO_MANIFEST_DIR")?),
            package_name: std::env::var("CARGO_PKG_NAME").unwrap_or_default(),
            package_version: std::env::var("CARGO_PKG_VERSION").unwrap_or_default(),
            profile: profile_from_out_dir(&out_dir),
            out_dir,
            opt_level: var("OPT_LEVEL")?,
            debug: var("DEBUG")?,
            target: var("TARGET")?,
            features: features_from_env(),
            rustc_verbose,
            rustflags: std::env::var("CARGO_ENCODED_RUSTFLAGS")
                .unwrap_or_default()
                .replace('\x1f', " "),
            source_date_epoch,
            cfg_vars: std::env::vars()
                .filter(|(k, _)| k.starts_with("CARGO_CFG_"))
                .collect(),
            omit_paths: is_set(OMIT_PATHS_ENV) || dist,
            dist,
            dist_why,
        })
    }
}

/// Whether a build is a distribution build, from the values of `PYO3_GUARD_DIST` and
/// `CIBUILDWHEEL`, and why (`None`: neither is set). `PYO3_GUARD_DIST` decides when set; else
/// cibuildwheel, whose wheels are for publishing, makes it one. Only the values cibuildwheel and
/// users write are read as switches: anything else in `PYO3_GUARD_DIST` is an error, not a guess.
pub fn dist_choice(
    dist: Option<&str>,
    cibuildwheel: Option<&str>,
) -> Result<(bool, Option<String>)> {
    let cibuildwheel = given(cibuildwheel).filter(|v| switch(v) != Some(false));
    let Some(value) = given(dist) else {
        return Ok(match cibuildwheel {
            Some(v) => (true, Some(format!("{CIBUILDWHEEL_ENV}={v}: cibuildwheel builds wheels to publish; {DIST_ENV}=0 for a full build"))),
            None => (false, None),
        });
    };
    let dist = switch(value).ok_or_else(|| {
        Error::msg(format!(
            "{DIST_ENV} must be 1 (a distribution build, no check linked) or 0 (a full build), not `{value}`"
        ))
    })?;
    let over = match cibuildwheel {
        Some(v) if !dist => format!(", over {CIBUILDWHEEL_ENV}={v}"),
        _ => String::new(),
    };
    Ok((dist, Some(format!("{DIST_ENV}={value}{over}"))))
}

/// An environment variable's value, trimmed; `None` when unset or empty.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// An on/off value as people write them; `None` for anything else.
fn switch(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// A switch given as an environment variable: set, and neither empty nor `0`.
fn is_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// `rustc -vV`, cached in `OUT_DIR`: through rustup's proxy it costs tens of milliseconds on
/// every build-script run. `OUT_DIR` is per compiler (cargo's unit hash includes the rustc
/// version), so the cache is keyed only by how rustc is invoked.
fn rustc_version(out_dir: &Path, rustc: &str) -> Result<String> {
    let cache = out_dir.join("pyo3-guard-rustc-version.txt");
    let key = format!(
        "{rustc}\t{}\n",
        std::env::var("RUSTUP_TOOLCHAIN").unwrap_or_default()
    );
    if let Some(cached) = std::fs::read_to_string(&cache)
        .ok()
        .and_then(|text| text.strip_prefix(&key).map(str::to_owned))
    {
        return Ok(cached);
    }
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .ok_or_else(|| Error::msg(format!("cannot run `{rustc} -vV`")))?;
    // A cache that cannot be written only costs the next run the same call.
    let _ = std::fs::write(&cache, format!("{key}{output}"));
    Ok(output)
}

/// The testable core of [`emit`]: writes the record and prints the `cargo:` lines to `out`.
pub fn emit_to(env: &BuildEnv, out: &mut impl Write) -> Result<()> {
    let root = env
        .manifest_dir
        .canonicalize()
        .map_err(|e| Error::io(&env.manifest_dir, "cannot resolve the crate directory", e))?;
    let (record, inputs, by_hand_classes) = fingerprint_crate(env, &root)?;
    let record_path = env.out_dir.join(RECORD_FILE);
    std::fs::write(&record_path, record.to_bytes())
        .map_err(|e| Error::io(&record_path, "cannot write", e))?;

    let io = |e: std::io::Error| Error::msg(format!("cannot write to cargo: {e}"));
    writeln!(
        out,
        "cargo:rustc-env={RECORD_ENV}={}",
        record_path.display()
    )
    .map_err(io)?;
    if let Some((dotted, origin)) = &inputs.module_name {
        // The macro compares the last component: the extension's own name (`PyInit_<last>`).
        let last = dotted.rsplit('.').next().unwrap_or(dotted);
        writeln!(out, "cargo:rustc-env={MODULE_NAME_ENV}={last};{origin}").map_err(io)?;
        if let Some(layout) = &record.layout {
            let mixed = layout == MIXED_LAYOUT;
            let items = pyo3_guard_engine::layout::items_module(mixed, dotted);
            writeln!(out, "cargo:rustc-env={ITEMS_MODULE_ENV}={items}").map_err(io)?;
        }
    }
    if !by_hand_classes.is_empty() {
        writeln!(
            out,
            "cargo:rustc-env={BY_HAND_CLASSES_ENV}={}",
            by_hand_classes.join(",")
        )
        .map_err(io)?;
    }
    if !inputs.layout.renames.is_empty() {
        let renames: Vec<String> = inputs
            .layout
            .renames
            .iter()
            .map(|(used, own)| format!("{used}={own}"))
            .collect();
        writeln!(
            out,
            "cargo:rustc-env={CRATE_RENAMES_ENV}={}",
            renames.join(",")
        )
        .map_err(io)?;
    }
    for path in &inputs.watch {
        writeln!(out, "cargo:rerun-if-changed={}", path.display()).map_err(io)?;
    }
    writeln!(out, "cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH").map_err(io)?;
    writeln!(out, "cargo:rerun-if-env-changed={OMIT_PATHS_ENV}").map_err(io)?;
    writeln!(out, "cargo:rerun-if-env-changed={DIST_ENV}").map_err(io)?;
    writeln!(out, "cargo:rerun-if-env-changed={CIBUILDWHEEL_ENV}").map_err(io)?;
    writeln!(out, "cargo:rustc-check-cfg=cfg({DIST_CFG})").map_err(io)?;
    if env.dist {
        writeln!(out, "cargo:rustc-cfg={DIST_CFG}").map_err(io)?;
    }
    writeln!(out, "cargo:rustc-check-cfg=cfg({THREADS_CFG})").map_err(io)?;
    if record.inputs.len() >= pyo3_guard_engine::check::INPUTS_PER_THREAD {
        writeln!(out, "cargo:rustc-cfg={THREADS_CFG}").map_err(io)?;
    }
    for skipped in &inputs.skipped {
        writeln!(out, "cargo:warning=pyo3-guard: {skipped}").map_err(io)?;
    }
    if let Some(why) = &env.dist_why {
        // One line (cargo shows each warning line apart), so a release log says what it built.
        let build = if env.dist {
            "distribution build: the build record without the check"
        } else {
            "full build: with the check"
        };
        let line = format!("pyo3-guard: {build} ({why})").replace(['\n', '\r'], " ");
        writeln!(out, "cargo:warning={line}").map_err(io)?;
    }
    Ok(())
}

/// Fingerprints the crate at `root` (canonical) under the configuration `env`.
pub fn build_record(env: &BuildEnv, root: &Path) -> Result<Record> {
    fingerprint_crate(env, root).map(|(record, _, _)| record)
}

/// The record, the inputs it was made from and the classes added by hand to a submodule (for
/// the `cargo:` lines).
fn fingerprint_crate(env: &BuildEnv, root: &Path) -> Result<(Record, inputs::Inputs, Vec<String>)> {
    let found = discover::discover(root)?;
    let mut skipped = found.skipped.clone();
    let mut recorded = fingerprint::record_inputs(&found.files, &mut skipped);
    if env.source_date_epoch.is_some() {
        // Reproducible builds: no file times in the binary (the check then hashes every file).
        recorded.iter_mut().for_each(|i| i.mtime_ns = 0);
    }
    let source_id = fingerprint::source_id(&recorded);
    let features = env.features.join(",");
    let config = [
        ("profile", env.profile.as_str()),
        ("opt_level", env.opt_level.as_str()),
        ("debug", env.debug.as_str()),
        ("target", env.target.as_str()),
        ("features", features.as_str()),
        ("rustflags", env.rustflags.as_str()),
        ("rustc", env.rustc_verbose.as_str()),
    ];
    let lock = found
        .files
        .iter()
        .find(|f| f.rel == "Cargo.lock" || f.rel.ends_with("/Cargo.lock"))
        .map(|f| f.path.clone());
    let git = git_state(root);
    let (exports, by_hand) = scan_exports(env, root, &found)?;
    let layout = found.module_name.as_ref().and_then(|(module, _)| {
        let pyproject = pyo3_guard_engine::layout::Pyproject::read(found.pyproject.as_ref()?)?;
        let mixed = pyo3_guard_engine::layout::is_mixed(&pyproject, module);
        Some(if mixed { MIXED_LAYOUT } else { PURE_LAYOUT }.to_owned())
    });
    let record = Record {
        build_id: fingerprint::build_id(&source_id, &config),
        source_id,
        crate_name: Some(env.package_name.clone())
            .filter(|n| !n.is_empty())
            .or(found.package_name.clone())
            .unwrap_or_default(),
        crate_version: Some(env.package_version.clone())
            .filter(|v| !v.is_empty())
            .or(found.package_version.clone())
            .unwrap_or_default(),
        profile: env.profile.clone(),
        opt_level: env.opt_level.clone(),
        target: env.target.clone(),
        features: env.features.clone(),
        rustc: env
            .rustc_verbose
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
        pyo3_version: lock.and_then(|lock| locked_version(&lock, "pyo3")),
        source_root: (!env.omit_paths).then(|| root.to_string_lossy().into_owned()),
        module_name: found.module_name.as_ref().map(|(name, _)| name.clone()),
        pyproject: found
            .pyproject
            .as_ref()
            .map(|p| inputs::relative_path(root, p)),
        layout,
        // As `module_path!()` and the identifier spell them, which the registry compares.
        by_hand: item_paths(by_hand.items(false), &found),
        by_hand_top: item_paths(by_hand.items(true), &found),
        git_commit: git.as_ref().map(|g| g.0.clone()),
        git_dirty: git.map(|g| g.1),
        dist: Some(env.dist),
        built_at: env.source_date_epoch.unwrap_or_else(now),
        inputs: recorded,
        source_layout: SourceLayout {
            // Reproducible builds leave file times out, and with them the check's fast path.
            walked: if env.source_date_epoch.is_some() {
                Vec::new()
            } else {
                found.layout.walked.clone()
            },
            ..found.layout.clone()
        },
        // Read only by the full build's export check: a distribution build links no check,
        // so its record (in every published wheel) leaves them out (about 55 bytes an item).
        exports: if env.dist { Vec::new() } else { exports },
    };
    // Not the top's: a class at the top keeps the compile-time `module =` correction.
    let by_hand_classes = by_hand
        .items(false)
        .filter(|(kind, _, _)| *kind == record::ExportKind::Class)
        .map(|(_, _, name)| name.to_owned())
        .collect();
    Ok((record, Inputs { skipped, ..found }, by_hand_classes))
}

/// The crates whose own Python items are never expected in a user's module.
#[cfg(feature = "exports")]
const OWN_CRATES: [&str; 5] = [
    "pyo3_guard",
    "pyo3_guard_build",
    "pyo3_guard_core",
    "pyo3_guard_engine",
    "pyo3_guard_macros",
];

/// `crate::path::Ident` of each item, as `module_path!()` and the identifier spell them.
fn item_paths<'a>(
    items: impl Iterator<Item = (record::ExportKind, &'a str, &'a str)>,
    found: &Inputs,
) -> Vec<String> {
    let krate = own_crate(found);
    items
        .map(|(_, rust_path, rust_name)| match rust_path {
            "" => format!("{krate}::{rust_name}"),
            path => format!("{krate}::{path}::{rust_name}"),
        })
        .collect()
}

/// The root crate's name as its items register it (`module_path!()`'s first segment).
fn own_crate(found: &Inputs) -> String {
    let name = found.crates.first().map_or("", |krate| krate.name.as_str());
    name.replace('-', "_")
}

/// What the root crate and its path dependencies declare for Python, and the root crate's items
/// that a function adds by hand.
#[cfg(feature = "exports")]
fn scan_exports(
    env: &BuildEnv,
    root: &Path,
    found: &Inputs,
) -> Result<(Vec<record::Export>, ByHand)> {
    let own = cfg::CfgEnv::from_vars(env.cfg_vars.iter().cloned(), Some(&env.features));
    let mut scans = Vec::new();
    for (i, krate) in found.crates.iter().enumerate() {
        // The root crate is named as the record names it, dependencies as code names them
        // (`crates = [core_types]`).
        let name = if i == 0 {
            found.package_name.as_deref().unwrap_or(&krate.name)
        } else {
            &krate.name
        };
        let name = name.replace('-', "_");
        if OWN_CRATES.contains(&name.as_str()) {
            continue;
        }
        let cfg = if i == 0 {
            own.clone()
        } else {
            own.for_dependency_with(crate::dep_features::known_on(
                &found.crates[0].dir,
                &env.features,
                krate,
            ))
        };
        scans.push(exports::scan(root, &krate.lib, &name, &cfg)?);
    }
    // A declarative module may `#[pymodule_export]` an item of any crate of the build.
    let module_exports: Vec<_> = scans
        .iter()
        .flat_map(|s| s.module_exports.clone())
        .collect();
    let (mut exports, mut by_hand) = (Vec::new(), ByHand::default());
    for (i, mut scan) in scans.into_iter().enumerate() {
        scan.place_module_exports(&module_exports);
        by_hand
            .submodules
            .extend(std::mem::take(&mut scan.exported_to_submodules));
        // The root crate's (scanned first) module functions only: a dependency's own
        // `#[pymodule] fn` may be one the extension never adds.
        if i == 0 {
            let placed = scan.place_by_hand();
            by_hand.submodules.extend(placed.submodules);
            by_hand.top = placed.top;
            by_hand.unseen = placed.unseen;
        }
        exports.extend(scan.exports);
    }
    Ok((exports, by_hand))
}

#[cfg(not(feature = "exports"))]
fn scan_exports(_: &BuildEnv, _: &Path, _: &Inputs) -> Result<(Vec<record::Export>, ByHand)> {
    Ok((Vec::new(), ByHand::default()))
}

/// The root crate's items added by hand: to a submodule (now expected there), and by the top
/// module's own code; and those the scan does not see, by the path their addition names.
/// `submodules` also holds the functions a nested declarative module exports: PyO3 adds those
/// there, like a hand line.
#[derive(Debug, Default)]
pub struct ByHand {
    /// Added by hand to a submodule (or exported into a nested declarative module).
    pub submodules: Vec<record::Export>,
    /// Added by hand by the top module's own code.
    pub top: Vec<record::Export>,
    /// Additions of items the scan does not see, by the path the addition names.
    pub unseen: Vec<record::UnseenAddition>,
}

impl ByHand {
    /// (kind, Rust module, identifier) of each item added to the top module (`top`), else to a
    /// submodule.
    fn items(&self, top: bool) -> impl Iterator<Item = (record::ExportKind, &str, &str)> {
        let seen = if top { &self.top } else { &self.submodules };
        let seen = seen.iter().map(|e| (e.kind, &*e.rust_path, &*e.rust_name));
        let unseen = self.unseen.iter().filter(move |u| u.top == top);
        seen.chain(unseen.map(|u| (u.kind, &*u.rust_path, &*u.rust_name)))
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `target/<profile dir>/build/<pkg>-<hash>/out`: the profile directory is `debug` for `dev`.
fn profile_from_out_dir(out_dir: &Path) -> String {
    let dir = out_dir
        .ancestors()
        .nth(3)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str());
    match dir {
        Some("debug") => "dev".into(),
        Some(name) => name.into(),
        None => std::env::var("PROFILE").unwrap_or_default(),
    }
}

/// `CARGO_CFG_FEATURE` keeps the features' real names; older cargo only has `CARGO_FEATURE_*`.
fn features_from_env() -> Vec<String> {
    let mut features: Vec<String> = match std::env::var("CARGO_CFG_FEATURE") {
        Ok(list) => list
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => std::env::vars()
            .filter_map(|(k, _)| {
                k.strip_prefix("CARGO_FEATURE_")
                    .map(|f| f.to_lowercase().replace('_', "-"))
            })
            .collect(),
    };
    features.sort();
    features
}

/// The version of `package` in a lock file (the highest, if several are locked).
fn locked_version(lock: &Path, package: &str) -> Option<String> {
    let file = TomlFile::read(lock).ok()?;
    let doc = file.parse().ok()?;
    let packages = get(&doc, "package")?.as_array()?;
    packages
        .iter()
        .filter_map(|p| p.get_ref().as_table())
        .filter(|p| get(p, "name").and_then(|n| n.as_str()) == Some(package))
        .filter_map(|p| get(p, "version")?.as_str().map(str::to_owned))
        .max_by_key(|v| {
            v.split('.')
                .map(|n| n.parse::<u64>().unwrap_or(0))
                .collect::<Vec<_>>()
        })
}

/// The commit checked out at `root` and whether the crate directory has uncommitted changes.
/// Informative only: not part of the build id.
fn git_state(root: &Path) -> Option<(String, bool)> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--verify", "HEAD"])?;
    let dirty = !git(&["status", "--porcelain", "--", "."])?.is_empty();
    Some((commit, dirty))
}
