//! The Python side of `convert`: the re-export line of a mixed layout's `__init__.py`, and the
//! pytest hook in the conftest.py of the folder pytest collects tests from.

use std::path::{Path, PathBuf};

use pyo3_guard_engine::cache_keys::strings_at;

/// The line a mixed layout's package needs (a star import skips dunder names).
pub fn reexport_line(extension: &str) -> String {
    format!("from .{extension} import __build_id__, __build_info__, __guard__\n")
}

/// `__init__.py` with the re-export line after the package's last import of the extension (or
/// its last import, or at the end); `None` when the package names `__guard__` already.
pub fn add_reexport(text: &str, package: &str, extension: &str) -> Option<String> {
    if text.contains("__guard__") {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let import_end = |from: usize| -> usize {
        // A parenthesized import ends at its closing parenthesis.
        if lines[from].contains('(') && !lines[from].contains(')') {
            (from..lines.len())
                .find(|&i| lines[i].contains(')'))
                .map_or(lines.len(), |i| i + 1)
        } else {
            from + 1
        }
    };
    let of_extension = |l: &str| {
        [
            format!("from .{extension} "),
            format!("from {package}.{extension} "),
        ]
        .iter()
        .any(|start| l.starts_with(start.as_str()))
    };
    let any_import = |l: &str| l.starts_with("import ") || l.starts_with("from ");
    let at = lines
        .iter()
        .rposition(|l| of_extension(l))
        .or_else(|| lines.iter().rposition(|l| any_import(l)))
        .map_or(lines.len(), import_end);
    let mut out: String = lines[..at].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&reexport_line(extension));
    out.push_str(&lines[at..].concat());
    Some(out)
}

/// The folder whose conftest.py pytest loads for the project's tests: the first `testpaths`
/// entry of the project's pytest configuration that exists, else `tests/` or `test/` of the
/// project or (a crate in a subfolder) of the crate, else the project folder itself.
pub fn tests_dir(project_dir: &Path, crate_dir: &Path) -> PathBuf {
    let mut testpaths: Vec<String> = Vec::new();
    if let Ok(text) = std::fs::read_to_string(project_dir.join("pyproject.toml")) {
        testpaths.extend(strings_at(
            &text,
            &["tool", "pytest", "ini_options", "testpaths", "[]"],
        ));
        testpaths.extend(strings_at(&text, &["tool", "pytest", "testpaths", "[]"]));
    }
    for (file, section) in [
        ("pytest.ini", "[pytest]"),
        ("tox.ini", "[pytest]"),
        ("setup.cfg", "[tool:pytest]"),
    ] {
        if let Ok(text) = std::fs::read_to_string(project_dir.join(file)) {
            testpaths.extend(ini_testpaths(&text, section));
        }
    }
    testpaths
        .iter()
        .map(|p| project_dir.join(p))
        .chain([
            project_dir.join("tests"),
            project_dir.join("test"),
            crate_dir.join("tests"),
            crate_dir.join("test"),
        ])
        .find(|dir| dir.is_dir())
        .unwrap_or_else(|| project_dir.to_path_buf())
}

/// `testpaths = a b` (or on the lines below it) in an ini file's `section`.
fn ini_testpaths(text: &str, section: &str) -> Vec<String> {
    let mut in_section = false;
    let mut values: Vec<String> = Vec::new();
    let mut continuing = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_section = trimmed == section;
            continuing = false;
            continue;
        }
        if !in_section {
            continue;
        }
        if continuing && line.starts_with([' ', '\t']) && !trimmed.is_empty() {
            values.extend(trimmed.split_whitespace().map(str::to_owned));
            continue;
        }
        continuing = false;
        if let Some((key, value)) = trimmed.split_once('=') {
            if key.trim() == "testpaths" {
                values.extend(value.split_whitespace().map(str::to_owned));
                continuing = true;
            }
        }
    }
    values
}

/// conftest.py with the pytest hook for `module` (dotted): a new `pytest_sessionstart`, or a
/// first line in the one the file has; `None` when the hook is there already.
pub fn add_hook(text: &str, module: &str) -> Option<String> {
    if text.contains("__guard__.pytest_sessionstart") {
        return None;
    }
    let import = format!("import {module}\n");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let after_header = header_end(&lines);
    let mut out = String::new();
    if let Some(def) = lines
        .iter()
        .position(|l| l.starts_with("def pytest_sessionstart("))
    {
        // The project's own hook: the check goes first in it.
        let param = lines[def]["def pytest_sessionstart(".len()..]
            .split([',', ')', ':'])
            .next()
            .unwrap_or("session")
            .trim()
            .to_owned();
        let body = (def + 1..lines.len())
            .find(|&i| !lines[i].trim().is_empty())
            .unwrap_or(lines.len());
        let indent = lines
            .get(body)
            .map_or("    ", |l| &l[..l.len() - l.trim_start().len()]);
        let indent = if indent.is_empty() { "    " } else { indent };
        out.push_str(&lines[..after_header].concat());
        out.push_str(&import);
        out.push_str(&lines[after_header..def + 1].concat());
        out.push_str(&format!(
            "{indent}{module}.__guard__.pytest_sessionstart({param})\n"
        ));
        out.push_str(&lines[def + 1..].concat());
        return Some(out);
    }
    let hook = format!(
        "{import}\n\ndef pytest_sessionstart(session):\n    {module}.__guard__.pytest_sessionstart(session)\n"
    );
    out.push_str(&lines[..after_header].concat());
    if after_header > 0 {
        out.push('\n');
    }
    out.push_str(&hook);
    if after_header < lines.len() {
        out.push_str("\n\n");
        out.push_str(lines[after_header..].concat().trim_start_matches('\n'));
    }
    Some(out)
}

/// Where the lines of a Python file that must come first end: its docstring and its
/// `from __future__` imports (and the comments and blank lines among them).
fn header_end(lines: &[&str]) -> usize {
    let mut i = 0;
    let mut end = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line.is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let quote = ["\"\"\"", "'''"].into_iter().find(|q| line.starts_with(q));
        if let (Some(quote), 0) = (quote, end) {
            // A docstring: to the line that closes it.
            let closes_here = line.len() >= 6 && line[3..].contains(quote);
            i = if closes_here {
                i + 1
            } else {
                (i + 1..lines.len())
                    .find(|&j| lines[j].contains(quote))
                    .map_or(lines.len(), |j| j + 1)
            };
            end = i;
            continue;
        }
        if line.starts_with("from __future__ import") {
            i += 1;
            end = i;
            continue;
        }
        break;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reexport_goes_after_the_extensions_imports() {
        let init = "\"\"\"Doc.\"\"\"\nfrom ._native import (\n    add,\n)\nimport os\n\n__all__ = [\"add\"]\n";
        assert_eq!(
            add_reexport(init, "pkg", "_native").unwrap(),
            "\"\"\"Doc.\"\"\"\nfrom ._native import (\n    add,\n)\n\
             from ._native import __build_id__, __build_info__, __guard__\nimport os\n\n__all__ = [\"add\"]\n"
        );
        assert_eq!(
            add_reexport("", "pkg", "_core").unwrap(),
            "from ._core import __build_id__, __build_info__, __guard__\n"
        );
        assert_eq!(
            add_reexport("from ._core import __guard__\n", "pkg", "_core"),
            None
        );
    }

    #[test]
    fn the_hook_goes_after_the_docstring_and_future_imports_or_into_the_projects_own() {
        assert_eq!(
            add_hook("", "demo").unwrap(),
            "import demo\n\n\ndef pytest_sessionstart(session):\n    demo.__guard__.pytest_sessionstart(session)\n"
        );
        let text = "\"\"\"Fixtures.\n\nMore.\n\"\"\"\nfrom __future__ import annotations\n\nimport pytest\n";
        assert_eq!(
            add_hook(text, "pkg._native").unwrap(),
            "\"\"\"Fixtures.\n\nMore.\n\"\"\"\nfrom __future__ import annotations\n\nimport pkg._native\n\n\n\
             def pytest_sessionstart(session):\n    pkg._native.__guard__.pytest_sessionstart(session)\n\n\nimport pytest\n"
        );
        let own = "import os\n\ndef pytest_sessionstart(s):\n    os.environ['X'] = '1'\n";
        assert_eq!(
            add_hook(own, "demo").unwrap(),
            "import demo\nimport os\n\ndef pytest_sessionstart(s):\n    demo.__guard__.pytest_sessionstart(s)\n    os.environ['X'] = '1'\n"
        );
        assert_eq!(add_hook(&add_hook("", "demo").unwrap(), "demo"), None);
    }

    #[test]
    fn testpaths_from_ini_files() {
        assert_eq!(
            ini_testpaths(
                "[pytest]\ntestpaths =\n    tests\n    more\naddopts = -q\n",
                "[pytest]"
            ),
            ["tests", "more"]
        );
        assert!(ini_testpaths("[other]\ntestpaths = x\n", "[pytest]").is_empty());
    }
}
