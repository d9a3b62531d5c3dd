//! The layouts real projects have, on purpose-made crates: which lock file, which pyproject.toml,
//! which Python package is not a Rust input (cargo's and maturin's rules; issue #12).

mod common;

use std::path::Path;

use common::{write, TempDir};
use pyo3_guard_build::{build_record, emit_to, BuildEnv};
use pyo3_guard_engine::check::{check, Verdict};

fn env_for(root: &Path, out: &Path) -> BuildEnv {
    BuildEnv {
        manifest_dir: root.to_path_buf(),
        out_dir: out.to_path_buf(),
        profile: "dev".into(),
        rustc_verbose: "rustc 1.95.0 (test)\n".into(),
        source_date_epoch: Some(1_700_000_000),
        ..BuildEnv::default()
    }
}

fn lock(pyo3: &str) -> String {
    format!("version = 4\n\n[[package]]\nname = \"pyo3\"\nversion = \"{pyo3}\"\n")
}

#[test]
fn the_lock_file_is_the_root_packages_even_when_a_path_dependency_is_in_another_workspace() {
    let dir = TempDir::new();
    let app = dir.0.join("app");
    write(&app.join("Cargo.toml"), "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\ncore = { path = \"../other/core\" }\n");
    write(&app.join("src/lib.rs"), "");
    write(&app.join("Cargo.lock"), &lock("0.29.0"));
    write(
        &dir.0.join("other/Cargo.toml"),
        "[workspace]\nmembers = [\"core\"]\n",
    );
    write(&dir.0.join("other/Cargo.lock"), &lock("0.30.1"));
    write(
        &dir.0.join("other/core/Cargo.toml"),
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\n",
    );
    write(&dir.0.join("other/core/src/lib.rs"), "");
    let record = build_record(&env_for(&app, &dir.0), &app).unwrap();
    let rels: Vec<&str> = record.inputs.iter().map(|i| i.rel.as_str()).collect();
    // The other workspace's manifest is an input (its members inherit from it); its lock is not.
    assert_eq!(
        rels,
        [
            "../other/Cargo.toml",
            "../other/core/Cargo.toml",
            "../other/core/src/lib.rs",
            "Cargo.lock",
            "Cargo.toml",
            "src/lib.rs"
        ]
    );
    assert_eq!(record.pyo3_version.as_deref(), Some("0.29.0"));

    // A change of the crate's own lock file is stale; of the other one, not.
    write(&dir.0.join("other/Cargo.lock"), &lock("0.30.2"));
    assert_eq!(check(&record, None).verdict, Verdict::Fresh);
    write(&app.join("Cargo.lock"), &lock("0.29.1"));
    let report = check(&record, None);
    assert_eq!(
        (report.verdict, report.changed),
        (Verdict::Stale, vec!["Cargo.lock".to_owned()])
    );
}

#[test]
fn a_member_of_a_virtual_workspace_uses_the_workspace_lock_and_cargos_package_version() {
    let dir = TempDir::new();
    write(
        &dir.0.join("Cargo.toml"),
        "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"2.0.0\"\n",
    );
    write(&dir.0.join("Cargo.lock"), &lock("0.30.1"));
    let py = dir.0.join("crates/py");
    write(
        &py.join("Cargo.toml"),
        "[package]\nname = \"foo-python\"\nversion.workspace = true\n[lib]\nname = \"foo\"\n",
    );
    write(&py.join("src/lib.rs"), "");
    write(&py.join("pyproject.toml"), "[project]\nname = \"foo\"\n");
    let env = BuildEnv {
        package_name: "foo-python".into(),
        package_version: "2.0.0".into(),
        ..env_for(&py, &dir.0)
    };
    let record = build_record(&env, &py).unwrap();
    assert!(record.inputs.iter().any(|i| i.rel == "../../Cargo.lock"));
    assert_eq!(
        (record.crate_name.as_str(), record.crate_version.as_str()),
        ("foo-python", "2.0.0")
    );
    assert_eq!(record.module_name.as_deref(), Some("foo"));
    assert_eq!(record.pyo3_version.as_deref(), Some("0.30.1"));
}

#[test]
fn python_package_data_inside_src_is_not_an_input_but_rust_files_there_are() {
    let dir = TempDir::new();
    let root = dir.0.join("proj");
    write(
        &root.join("Cargo.toml"),
        "[package]\nname = \"proj\"\nversion = \"0.1.0\"\n",
    );
    write(&root.join("pyproject.toml"), "[tool.maturin]\npython-source = \"src\"\nmodule-name = \"pkg._native\"\npython-packages = [\"extra\"]\n");
    write(&root.join("src/lib.rs"), "");
    write(&root.join("src/data.txt"), "include_str! input\n");
    write(&root.join("src/pkg/__init__.py"), "");
    write(&root.join("src/pkg/data.json"), "{}\n");
    write(
        &root.join("src/pkg/odd.rs"),
        "// a Rust file is an input wherever it is\n",
    );
    write(&root.join("src/extra/table.csv"), "a,b\n");
    let record = build_record(&env_for(&root, &dir.0), &root).unwrap();
    let rels: Vec<&str> = record.inputs.iter().map(|i| i.rel.as_str()).collect();
    assert_eq!(
        rels,
        ["Cargo.toml", "src/data.txt", "src/lib.rs", "src/pkg/odd.rs"]
    );
    assert_eq!(record.source_layout.python_dirs, ["src/pkg", "src/extra"]);

    // Package data added or edited after the build: still fresh, through the walk too.
    write(&root.join("src/pkg/data.json"), "{\"changed\": true}\n");
    write(&root.join("src/pkg/more.json"), "[]\n");
    write(&root.join("src/extra/new.csv"), "c\n");
    assert_eq!(check(&record, None).verdict, Verdict::Fresh);
    write(&root.join("src/pkg/odd.rs"), "// edited\n");
    assert_eq!(check(&record, None).changed, ["src/pkg/odd.rs"]);
}

#[test]
fn with_manifest_path_the_pyproject_above_names_the_module_and_the_cache_keys_are_relative_to_it() {
    let dir = TempDir::new();
    write(
        &dir.0.join("pyproject.toml"),
        "[project]\nname = \"top\"\n[tool.maturin]\nmanifest-path = \"rust/Cargo.toml\"\n",
    );
    let rust = dir.0.join("rust");
    write(
        &rust.join("Cargo.toml"),
        "[package]\nname = \"top-rs\"\nversion = \"0.1.0\"\n[workspace]\n",
    );
    write(&rust.join("src/lib.rs"), "");
    write(&rust.join("Cargo.lock"), &lock("0.30.1"));
    let mut out = Vec::new();
    emit_to(&env_for(&rust, &dir.0), &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains(
            "cargo:rustc-env=PYO3_GUARD_MODULE_NAME=top;top (`name` in pyproject.toml [project])\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "cargo:rerun-if-changed={}/pyproject.toml\n",
            dir.0.display()
        )),
        "{out}"
    );
    let record = build_record(&env_for(&rust, &dir.0), &rust).unwrap();
    assert_eq!(record.pyproject.as_deref(), Some("../pyproject.toml"));
    assert_eq!(
        pyo3_guard_engine::diagnose::cache_key_globs(None, &record),
        [
            "pyproject.toml",
            "rust/Cargo.lock",
            "rust/Cargo.toml",
            "rust/src/**/*.rs"
        ]
    );

    // A pyproject.toml above a crate that does not name it is another project's: no check.
    write(&dir.0.join("pyproject.toml"), "[project]\nname = \"top\"\n");
    let mut out = Vec::new();
    emit_to(&env_for(&rust, &dir.0), &mut out).unwrap();
    assert!(!String::from_utf8(out)
        .unwrap()
        .contains("PYO3_GUARD_MODULE_NAME"));
}
