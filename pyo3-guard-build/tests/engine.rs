//! The fingerprint engine on purpose-made crates: what counts as an input, what the ids do, the
//! exact lines `emit_to` prints, and how bad input is reported.

mod common;

use std::path::{Path, PathBuf};

use common::{write, TempDir};
use pyo3_guard_build::{build_record, dist_choice, emit_to, BuildEnv};
use pyo3_guard_engine::check::{check, check_on_one_thread, Verdict, INPUTS_PER_THREAD};
use std::sync::atomic::Ordering;

/// What `emit_to` prints for `env`.
fn emitted(env: &BuildEnv) -> String {
    let mut out = Vec::new();
    emit_to(env, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// A crate `app` with a path dependency `core` beside it, both with a few sources.
fn two_crates(dir: &Path) -> PathBuf {
    let app = dir.join("app");
    write(
        &app.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\ncore = { path = \"../core\" }\n\n[workspace]\n",
    );
    write(&app.join("build.rs"), "fn main() {}\n");
    write(&app.join("src/lib.rs"), "mod util;\n");
    write(&app.join("src/util.rs"), "pub fn f() {}\n");
    write(&app.join("src/data.txt"), "include_str! input\n");
    write(&app.join("src/helper.py"), "# python: not an input\n");
    write(&app.join("README.md"), "docs: not an input\n");
    write(&app.join("tests/it.rs"), "// tests: not an input\n");
    write(
        &app.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"pyo3\"\nversion = \"0.30.1\"\n",
    );
    write(
        &dir.join("core/Cargo.toml"),
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\n",
    );
    write(&dir.join("core/src/lib.rs"), "pub struct S;\n");
    app
}

fn env_for(root: &Path, out: &Path) -> BuildEnv {
    BuildEnv {
        manifest_dir: root.to_path_buf(),
        out_dir: out.to_path_buf(),
        profile: "dev".into(),
        opt_level: "0".into(),
        debug: "true".into(),
        target: "x86_64-unknown-linux-gnu".into(),
        features: vec![],
        rustc_verbose: "rustc 1.95.0 (test)\nrelease: 1.95.0\n".into(),
        rustflags: String::new(),
        source_date_epoch: Some(1_700_000_000),
        cfg_vars: vec![("CARGO_CFG_UNIX".into(), String::new())],
        omit_paths: false,
        dist: false,
        dist_why: None,
        ..BuildEnv::default()
    }
}

fn rels(root: &Path, out: &Path) -> Vec<String> {
    build_record(&env_for(root, out), root)
        .unwrap()
        .inputs
        .into_iter()
        .map(|i| i.rel)
        .collect()
}

/// The inputs the check finds from the record's layout are those the manifests give.
fn assert_the_recorded_layout_gives_what_the_manifests_give(
    app: &Path,
    record: &pyo3_guard_engine::record::Record,
) {
    let root = app.canonicalize().unwrap();
    let rels = |files: Vec<pyo3_guard_engine::inputs::InputFile>| {
        files.into_iter().map(|f| f.rel).collect::<Vec<_>>()
    };
    assert_eq!(
        rels(
            pyo3_guard_engine::inputs::from_record(&root, record)
                .unwrap()
                .files
        ),
        rels(pyo3_guard_build::discover::discover(&root).unwrap().files)
    );
}

#[test]
fn inputs_are_sources_manifests_build_script_lock_and_path_dependencies() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let inputs = rels(&app, &dir.0);
    assert_eq!(
        inputs,
        [
            "../core/Cargo.toml",
            "../core/src/lib.rs",
            "Cargo.lock",
            "Cargo.toml",
            "build.rs",
            "src/data.txt",
            "src/lib.rs",
            "src/util.rs"
        ]
    );
}

#[test]
fn git_ignored_hidden_and_generated_files_are_not_inputs() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    std::fs::create_dir_all(dir.0.join(".git")).unwrap();
    write(&dir.0.join(".gitignore"), "generated/\n*.bak\n");
    write(&app.join("src/generated/big.rs"), "// ignored\n");
    write(&app.join("src/old.rs.bak"), "// ignored\n");
    write(&app.join("src/.swap.rs"), "// hidden\n");
    write(&app.join("src/__pycache__/x.rs"), "// cache\n");
    write(
        &app.join("src/ext.cpython-311-x86_64-linux-gnu.so"),
        "binary\n",
    );
    let inputs = rels(&app, &dir.0);
    assert!(
        inputs.iter().all(|rel| !rel.contains("generated")
            && !rel.contains(".bak")
            && !rel.contains("swap")
            && !rel.contains("pycache")
            && !rel.ends_with(".so")),
        "{inputs:?}"
    );
}

#[test]
fn same_inputs_give_the_same_ids_anywhere_and_any_content_change_a_new_one() {
    let (a, b) = (TempDir::new(), TempDir::new());
    let (app_a, app_b) = (two_crates(&a.0), two_crates(&b.0));
    let env = env_for(&app_a, &a.0);
    let first = build_record(&env, &app_a).unwrap();
    assert_eq!(
        build_record(&env_for(&app_b, &b.0), &app_b)
            .unwrap()
            .build_id,
        first.build_id
    );

    // A touch is no change.
    let lib = app_a.join("src/lib.rs");
    std::fs::write(&lib, std::fs::read(&lib).unwrap()).unwrap();
    assert_eq!(build_record(&env, &app_a).unwrap().build_id, first.build_id);

    // A change in the path dependency is.
    write(&a.0.join("core/src/lib.rs"), "pub struct S2;\n");
    let changed = build_record(&env, &app_a).unwrap();
    assert_ne!(changed.source_id, first.source_id);
    assert_ne!(changed.build_id, first.build_id);

    // Configuration changes the build id but not the source id.
    let release = BuildEnv {
        profile: "release".into(),
        opt_level: "3".into(),
        ..env.clone()
    };
    let released = build_record(&release, &app_a).unwrap();
    assert_eq!(released.source_id, changed.source_id);
    assert_ne!(released.build_id, changed.build_id);
}

#[test]
fn check_names_changed_added_and_removed_files_and_ignores_touches() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let env = BuildEnv {
        source_date_epoch: None,
        ..env_for(&app, &dir.0)
    };
    let record = build_record(&env, &app).unwrap();
    assert_eq!(check(&record, None).verdict, Verdict::Fresh);

    // Same content, another modification time: hashed, found equal, still fresh.
    let util = std::fs::File::options()
        .write(true)
        .open(app.join("src/util.rs"))
        .unwrap();
    util.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000))
        .unwrap();
    let touched = check(&record, None);
    assert_eq!((touched.verdict, touched.touched), (Verdict::Fresh, 1));

    write(&dir.0.join("core/src/lib.rs"), "pub struct Changed;\n");
    write(&app.join("src/new.rs"), "\n");
    std::fs::remove_file(app.join("src/data.txt")).unwrap();
    let report = check(&record, None);
    assert_eq!(report.verdict, Verdict::Stale);
    assert_eq!(report.changed, ["../core/src/lib.rs"]);
    assert_eq!(report.added, ["src/new.rs"]);
    assert_eq!(report.removed, ["src/data.txt"]);
}

#[test]
fn the_check_walks_the_recorded_layout_and_reads_no_manifest() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    write(&app.join(".gitignore"), "*.gen.rs\n");
    write(&app.join("src/x.gen.rs"), "// ignored\n");
    let record = build_record(&env_for(&app, &dir.0), &app).unwrap();
    assert_the_recorded_layout_gives_what_the_manifests_give(&app, &record);
    // A file added to the path dependency's tree is seen; a broken manifest is a changed input.
    write(&dir.0.join("core/src/extra.rs"), "\n");
    write(&app.join("Cargo.toml"), "[package\n");
    let report = check(&record, None);
    assert_eq!(
        (report.verdict, report.changed, report.added),
        (
            Verdict::Stale,
            vec!["Cargo.toml".to_owned()],
            vec!["../core/src/extra.rs".to_owned()]
        )
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn files_the_manifests_name_are_found_again_even_when_git_ignored() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    std::fs::create_dir_all(dir.0.join(".git")).unwrap();
    // A `[lib] path` inside a git-ignored directory of src/: an input, since the manifest names it.
    write(
        &app.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[lib]\npath = \"src/gen/lib.rs\"\n\n\
         [dependencies]\ncore = { path = \"../core\" }\n\n[workspace]\n",
    );
    write(&app.join(".gitignore"), "gen/\n");
    write(&app.join("src/gen/lib.rs"), "pub fn generated() {}\n");
    let env = BuildEnv {
        source_date_epoch: None,
        ..env_for(&app, &dir.0)
    };
    let record = build_record(&env, &app).unwrap();
    assert!(record.inputs.iter().any(|i| i.rel == "src/gen/lib.rs"));
    assert_the_recorded_layout_gives_what_the_manifests_give(&app, &record);
    // A directory changed, so the check walks again: the named file is still there, not removed.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&app.join("src/new.rs"), "\n");
    let report = check(&record, None);
    assert_eq!(
        (report.added, report.removed),
        (vec!["src/new.rs".to_owned()], vec![])
    );
    // A record of the earlier format, without `file` lines: the files outside the trees (the
    // manifests, the lock file) are still found; only the git-ignored one inside src/ is not.
    let mut earlier = record.clone();
    earlier.source_layout.named.clear();
    let report = check(&earlier, None);
    assert_eq!(
        (report.added, report.removed),
        (
            vec!["src/new.rs".to_owned()],
            vec!["src/gen/lib.rs".to_owned()]
        )
    );
}

#[test]
fn renamed_dependencies_map_to_the_name_their_items_register_under() {
    let dir = TempDir::new();
    let krate = |name: &str, manifest: &str| {
        write(&dir.0.join(name).join("Cargo.toml"), manifest);
        write(&dir.0.join(name).join("src/lib.rs"), "\n");
    };
    krate(
        "core",
        "[package]\nname = \"core-types\"\nversion = \"0.1.0\"\n\n[lib]\nname = \"core_lib\"\n",
    );
    krate("impl", "[package]\nname = \"core-types-impl\"\nversion = \"0.1.0\"\n\n[lib]\nname = \"core_types\"\n");
    krate(
        "tools",
        "[package]\nname = \"build-tools\"\nversion = \"0.1.0\"\n",
    );
    krate(
        "shared",
        "[package]\nname = \"shared-types\"\nversion = \"0.1.0\"\n",
    );
    write(&dir.0.join("Cargo.toml"), "[workspace]\nmembers = [\"app\"]\n\n[workspace.dependencies]\nshared = { package = \"shared-types\", path = \"shared\" }\n");
    krate(
        "app",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\n\
         types = { package = \"core-types\", path = \"../core\" }\n\
         core_types = { package = \"core-types-impl\", path = \"../impl\" }\n\
         shared = { workspace = true }\n\n\
         [build-dependencies]\ntools = { package = \"build-tools\", path = \"../tools\" }\n\n\
         [target.'cfg(unix)'.dependencies]\nplat = { package = \"plat-unix\", version = \"1\" }\n\n\
         [target.'cfg(windows)'.dependencies]\nplat = { package = \"plat-windows\", version = \"1\" }\n",
    );
    let root = dir.0.join("app").canonicalize().unwrap();
    let mut renames = pyo3_guard_build::discover::discover(&root)
        .unwrap()
        .layout
        .renames;
    renames.sort();
    // `types` is the crate whose [lib] name is core_lib; `core_types` needs no mapping (its
    // [lib] name is what the code uses); `shared` comes from the workspace; a build dependency
    // is never linked into the library; `plat` means a different crate per target.
    assert_eq!(
        renames,
        [
            ("shared".to_owned(), "shared_types".to_owned()),
            ("types".to_owned(), "core_lib".to_owned())
        ]
    );

    let mut lines = Vec::new();
    emit_to(&env_for(&root, &dir.0), &mut lines).unwrap();
    let lines = String::from_utf8(lines).unwrap();
    assert!(
        lines
            .lines()
            .any(|l| l.starts_with("cargo:rustc-env=PYO3_GUARD_CRATE_RENAMES=")),
        "{lines}"
    );
}

#[test]
fn a_missing_source_root_is_unverifiable() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let record = build_record(&env_for(&app, &dir.0), &app).unwrap();
    let report = check(&record, Some(&dir.0.join("nowhere")));
    assert_eq!(report.verdict, Verdict::Unverifiable);
    assert!(
        report.notes[0].contains("PYO3_GUARD_SOURCE_ROOT"),
        "{:?}",
        report.notes
    );

    // A source root replaced by a file is unverifiable too, not a panic.
    write(&dir.0.join("file-root"), "");
    assert_eq!(
        check(&record, Some(&dir.0.join("file-root"))).verdict,
        Verdict::Unverifiable
    );
}

#[test]
fn emit_prints_the_documented_cargo_lines() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    write(
        &app.join("pyproject.toml"),
        "[project]\nname = \"my-app\"\n\n[tool.maturin]\nmodule-name = \"pkg._native\"\n",
    );
    let mut out = Vec::new();
    emit_to(&env_for(&app, &dir.0), &mut out).unwrap();
    let core = dir.0.join("core");
    let expected = format!(
        "cargo:rustc-env=PYO3_GUARD_RECORD={out}/pyo3-guard-record.txt\n\
         cargo:rustc-env=PYO3_GUARD_MODULE_NAME=_native;pkg._native (`module-name` in pyproject.toml [tool.maturin])\n\
         cargo:rustc-env=PYO3_GUARD_ITEMS_MODULE=_native\n\
         cargo:rerun-if-changed={app}/pyproject.toml\n\
         cargo:rerun-if-changed={app}/Cargo.toml\n\
         cargo:rerun-if-changed={app}/build.rs\n\
         cargo:rerun-if-changed={app}/src\n\
         cargo:rerun-if-changed={core}/Cargo.toml\n\
         cargo:rerun-if-changed={core}/src\n\
         cargo:rerun-if-changed={app}/Cargo.lock\n\
         cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH\n\
         cargo:rerun-if-env-changed=PYO3_GUARD_OMIT_PATHS\n\
         cargo:rerun-if-env-changed=PYO3_GUARD_DIST\n\
         cargo:rerun-if-env-changed=CIBUILDWHEEL\n\
         cargo:rustc-check-cfg=cfg(pyo3_guard_dist)\n\
         cargo:rustc-check-cfg=cfg(pyo3_guard_threads)\n",
        out = dir.0.display(),
        app = app.display(),
        core = core.display(),
    );
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[test]
fn malformed_manifests_name_the_file_and_line() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    write(
        &app.join("pyproject.toml"),
        "[project]\nname = \"demo\"\nversion = = 1\n",
    );
    let err = build_record(&env_for(&app, &dir.0), &app).unwrap_err();
    assert_eq!(err.path(), Some(app.join("pyproject.toml").as_path()));
    assert_eq!(err.line(), Some(3));
    assert!(
        err.to_string().starts_with(&format!(
            "{}:3: malformed TOML",
            app.join("pyproject.toml").display()
        )),
        "{err}"
    );

    std::fs::remove_file(app.join("pyproject.toml")).unwrap();
    write(
        &dir.0.join("core/Cargo.toml"),
        "[package]\nname = \"core\"\n[dependencies\n",
    );
    let err = build_record(&env_for(&app, &dir.0), &app).unwrap_err();
    assert_eq!(
        (err.path(), err.line()),
        (Some(dir.0.join("core/Cargo.toml").as_path()), Some(3))
    );
}

#[test]
fn a_missing_path_dependency_names_the_manifest_and_the_path() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    std::fs::remove_dir_all(dir.0.join("core")).unwrap();
    let err = build_record(&env_for(&app, &dir.0), &app)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("app/Cargo.toml") && err.contains("../core") && err.contains("cannot be read"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_non_utf8_names_are_skipped_with_a_warning() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    std::os::unix::fs::symlink(app.join("src"), app.join("src/loop")).unwrap();
    std::os::unix::fs::symlink(app.join("src/missing.rs"), app.join("src/dangling.rs")).unwrap();
    let bad_name = app
        .join("src")
        .join(std::ffi::OsStr::from_bytes(b"bad-\xff.rs"));
    std::fs::write(bad_name, "").unwrap();
    let mut out = Vec::new();
    emit_to(&env_for(&app, &dir.0), &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let warnings: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("cargo:warning="))
        .collect();
    assert_eq!(warnings.len(), 3, "{out}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("src/loop") && w.contains("symlink loop")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("dangling.rs")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("not valid UTF-8")),
        "{warnings:?}"
    );
}

#[test]
fn concurrent_fingerprints_of_one_crate_agree() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let env = env_for(&app, &dir.0);
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| build_record(&env, &app).unwrap().build_id))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
}

#[test]
fn a_runaway_tree_stops_with_a_clear_error_instead_of_walking_forever() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let many = app.join("src/generated");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..=pyo3_guard_engine::inputs::MAX_INPUT_FILES {
        std::fs::write(many.join(format!("{i}.rs")), "").unwrap();
    }
    let err = build_record(&env_for(&app, &dir.0), &app)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("more than 50000 input files") && err.contains("git-ignore"),
        "{err}"
    );
}

#[test]
fn omitted_paths_leave_no_absolute_path_in_the_record_and_the_check_needs_a_root() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let env = BuildEnv {
        omit_paths: true,
        ..env_for(&app, &dir.0)
    };
    let record = build_record(&env, &app).unwrap();
    assert_eq!(record.source_root, None);
    let bytes = String::from_utf8(record.to_bytes()).unwrap();
    assert!(!bytes.contains(&*dir.0.to_string_lossy()), "{bytes}");
    assert_eq!(
        build_record(&env_for(&app, &dir.0), &app).unwrap().build_id,
        record.build_id
    );

    let report = check(&record, None);
    assert_eq!(report.verdict, Verdict::Unverifiable);
    assert!(
        report.notes[0].contains("paths left out"),
        "{:?}",
        report.notes
    );
    assert_eq!(check(&record, Some(&app)).verdict, Verdict::Fresh);
}

#[test]
fn the_fast_path_still_sees_files_added_in_subdirectories_and_gitignore_edits() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    std::fs::create_dir_all(dir.0.join(".git")).unwrap();
    write(&app.join("src/deep/nested/mod.rs"), "\n");
    write(&app.join("src/deep/.gitignore"), "*.gen.rs\n");
    write(&app.join("src/deep/x.gen.rs"), "// ignored\n");
    let env = BuildEnv {
        source_date_epoch: None,
        ..env_for(&app, &dir.0)
    };
    let record = build_record(&env, &app).unwrap();
    assert!(!record.source_layout.walked.is_empty());
    assert_eq!(check(&record, None).verdict, Verdict::Fresh);

    // Let the clock move past the directories' recorded times.
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&app.join("src/deep/nested/new.rs"), "\n");
    assert_eq!(check(&record, None).added, ["src/deep/nested/new.rs"]);
    std::fs::remove_file(app.join("src/deep/nested/new.rs")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    // An edited .gitignore (its directory's time unchanged) that stops ignoring a file.
    let record = build_record(&env, &app).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(app.join("src/deep/.gitignore"), "# nothing ignored now\n").unwrap();
    assert_eq!(check(&record, None).added, ["src/deep/x.gen.rs"]);
}

#[test]
fn a_large_crate_checked_by_several_threads_gives_the_same_answers() {
    // Enough inputs that the fast path shares the stats out between threads (on a machine with
    // more than one core), with the change, the touch and the removal in different parts; the
    // check without threads, which smaller crates link, answers the same.
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    for i in 0..1200 {
        write(
            &app.join(format!("src/gen/d{}/f{i}.rs", i / 100)),
            "// generated\n",
        );
    }
    let env = BuildEnv {
        source_date_epoch: None,
        ..env_for(&app, &dir.0)
    };
    let record = build_record(&env, &app).unwrap();
    assert!(record.inputs.len() > 1200);
    for check in [check, check_on_one_thread] {
        assert_eq!(check(&record, None).verdict, Verdict::Fresh);
    }

    let first = std::fs::File::options()
        .write(true)
        .open(app.join("src/gen/d0/f0.rs"))
        .unwrap();
    first
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000))
        .unwrap();
    write(&app.join("src/gen/d9/f999.rs"), "// changed\n");
    for check in [check, check_on_one_thread] {
        let report = check(&record, None);
        assert_eq!(
            (report.verdict, report.changed, report.touched),
            (Verdict::Stale, vec!["src/gen/d9/f999.rs".to_owned()], 1)
        );
    }

    std::fs::remove_file(app.join("src/gen/d6/f650.rs")).unwrap();
    for check in [check, check_on_one_thread] {
        assert_eq!(check(&record, None).removed, ["src/gen/d6/f650.rs"]);
    }
}

#[test]
fn only_a_crate_large_enough_for_threads_gets_the_cfg_that_links_them() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let env = env_for(&app, &dir.0);
    let cfg = "cargo:rustc-cfg=pyo3_guard_threads\n";
    let small = build_record(&env, &app).unwrap().inputs.len();
    // Exactly up to the threshold: one input short, then at it.
    for i in small..INPUTS_PER_THREAD - 1 {
        write(&app.join(format!("src/gen/f{i}.rs")), "// generated\n");
    }
    assert_eq!(
        build_record(&env, &app).unwrap().inputs.len(),
        INPUTS_PER_THREAD - 1
    );
    assert!(!emitted(&env).contains(cfg));
    write(&app.join("src/gen/last.rs"), "// generated\n");
    assert!(emitted(&env).contains(cfg));
}

#[test]
fn files_appearing_and_vanishing_during_the_walk_never_fail_the_build() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let churn = app.join("src/churn");
    std::fs::create_dir_all(&churn).unwrap();
    let env = env_for(&app, &dir.0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let path = churn.join(format!("f{}.rs", i % 50));
                if i % 2 == 0 {
                    std::fs::write(&path, "x")
                } else {
                    std::fs::remove_file(&path)
                }
                .ok();
                i += 1;
            }
        });
        for _ in 0..100 {
            build_record(&env, &app).expect("a vanishing file is skipped, not an error");
        }
        stop.store(true, Ordering::Relaxed);
    });
}

#[test]
fn a_distribution_build_sets_the_cfg_that_picks_the_lean_install() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let dist = BuildEnv {
        dist: true,
        omit_paths: true,
        ..env_for(&app, &dir.0)
    };
    assert!(emitted(&dist)
        .contains("cargo:rustc-check-cfg=cfg(pyo3_guard_dist)\ncargo:rustc-cfg=pyo3_guard_dist\n"));
    assert!(!emitted(&env_for(&app, &dir.0)).contains("cargo:rustc-cfg="));
    // The record says which build it is, for `pyo3-guard inspect --require-dist`.
    assert_eq!(build_record(&dist, &app).unwrap().dist, Some(true));
    assert_eq!(
        build_record(&env_for(&app, &dir.0), &app).unwrap().dist,
        Some(false)
    );
}

#[test]
fn cibuildwheel_makes_a_distribution_build_unless_pyo3_guard_dist_says_otherwise() {
    let choice = |dist, cibw| dist_choice(dist, cibw).map_err(|e| e.to_string());
    let why = |s: &str| Ok((true, Some(s.to_owned())));
    assert_eq!(choice(None, None), Ok((false, None)));
    assert_eq!(choice(Some(""), Some("")), Ok((false, None)));
    assert_eq!(choice(None, Some("0")), Ok((false, None)));
    assert_eq!(
        choice(None, Some("1")),
        why("CIBUILDWHEEL=1: cibuildwheel builds wheels to publish; PYO3_GUARD_DIST=0 for a full build")
    );
    assert_eq!(choice(Some("1"), None), why("PYO3_GUARD_DIST=1"));
    assert_eq!(choice(Some("true"), Some("1")), why("PYO3_GUARD_DIST=true"));
    assert_eq!(
        choice(Some("0"), Some("1")),
        Ok((
            false,
            Some("PYO3_GUARD_DIST=0, over CIBUILDWHEEL=1".to_owned())
        ))
    );
    assert_eq!(
        choice(Some(" off "), None),
        Ok((false, Some("PYO3_GUARD_DIST=off".to_owned())))
    );
    assert_eq!(
        choice(Some("lean"), Some("1")),
        Err("PYO3_GUARD_DIST must be 1 (a distribution build, no check linked) or 0 (a full build), not `lean`".to_owned())
    );
}

#[test]
fn the_build_says_which_it_is_in_one_warning_line_when_a_variable_chose() {
    let dir = TempDir::new();
    let app = two_crates(&dir.0);
    let warnings = |env: &BuildEnv| -> Vec<String> {
        emitted(env)
            .lines()
            .filter(|l| l.starts_with("cargo:warning="))
            .map(str::to_owned)
            .collect()
    };
    assert!(warnings(&env_for(&app, &dir.0)).is_empty());
    let (dist, dist_why) = dist_choice(None, Some("1")).unwrap();
    let cibw = BuildEnv {
        dist,
        omit_paths: dist,
        dist_why,
        ..env_for(&app, &dir.0)
    };
    assert_eq!(
        warnings(&cibw),
        ["cargo:warning=pyo3-guard: distribution build: the build record without the check \
          (CIBUILDWHEEL=1: cibuildwheel builds wheels to publish; PYO3_GUARD_DIST=0 for a full build)"]
    );
    let (dist, dist_why) = dist_choice(Some("0"), Some("1")).unwrap();
    let full = BuildEnv {
        dist,
        dist_why,
        ..env_for(&app, &dir.0)
    };
    assert_eq!(
        warnings(&full),
        ["cargo:warning=pyo3-guard: full build: with the check (PYO3_GUARD_DIST=0, over CIBUILDWHEEL=1)"]
    );
}
