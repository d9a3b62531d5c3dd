//! A small gitignore matcher, so that fingerprinting a crate's sources can skip the files git
//! ignores without pulling the `ignore` and `regex` crates into every user's build script.
//!
//! It follows git's documented rules (gitignore(5)) for `.gitignore` files and
//! `.git/info/exclude`. Not supported: `core.excludesFile`, `core.ignoreCase`, POSIX classes
//! such as `[[:alpha:]]`, and "a file in an excluded directory stays excluded" (the caller never
//! descends into an ignored directory, which gives the same result).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One parsed pattern line.
#[derive(Debug)]
struct Rule {
    /// The glob, with `!`, one leading `/` and one trailing `/` removed.
    glob: Vec<char>,
    /// `!pattern`: a match re-includes the path.
    negated: bool,
    /// `pattern/`: matches directories only.
    dir_only: bool,
    /// The pattern held a `/` before its end, so it matches the whole path relative to the
    /// directory of its file; otherwise it matches the entry's name at any depth.
    anchored: bool,
}

impl Rule {
    fn parse(line: &str) -> Option<Rule> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let line = trim_trailing_spaces(line);
        let (negated, line) = match line.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let (dir_only, line) = match line.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let anchored = line.contains('/');
        let line = line.strip_prefix('/').unwrap_or(line);
        if line.is_empty() {
            return None;
        }
        Some(Rule {
            glob: line.chars().collect(),
            negated,
            dir_only,
            anchored,
        })
    }
}

/// Drops trailing spaces unless escaped by a backslash (an odd number of backslashes before).
fn trim_trailing_spaces(s: &str) -> &str {
    let mut end = s.len();
    while s[..end].ends_with(' ') {
        let backslashes = s[..end - 1]
            .bytes()
            .rev()
            .take_while(|&b| b == b'\\')
            .count();
        if backslashes % 2 == 1 {
            break;
        }
        end -= 1;
    }
    &s[..end]
}

/// The rules of one file, with the directory they are relative to.
#[derive(Debug)]
struct Layer {
    base: PathBuf,
    rules: Vec<Rule>,
}

impl Layer {
    fn parse(base: &Path, text: &str) -> Option<Layer> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let rules: Vec<Rule> = text.lines().filter_map(Rule::parse).collect();
        (!rules.is_empty()).then(|| Layer {
            base: base.to_path_buf(),
            rules,
        })
    }
}

/// The ignore rules in force for one directory: every .gitignore from the git work-tree root
/// down to that directory, plus `.git/info/exclude`.
///
/// Layers are shared through `Arc`, lowest precedence first, so `enter` only copies a short
/// vector of pointers.
#[derive(Clone, Debug, Default)]
pub(crate) struct IgnoreRules {
    layers: Vec<Arc<Layer>>,
}

impl IgnoreRules {
    /// Rules for `dir` (an absolute, canonical directory path): finds the enclosing git work tree
    /// (the nearest ancestor, `dir` included, that contains a `.git` directory or file), loads
    /// `<root>/.git/info/exclude` if `.git` is a directory, then every `.gitignore` from the root
    /// down to and including `dir`. Outside a git work tree: no rules (nothing is ignored).
    pub(crate) fn for_dir(dir: &Path) -> IgnoreRules {
        let mut rules = IgnoreRules::default();
        let Some(root) = dir.ancestors().find(|d| d.join(".git").exists()) else {
            return rules;
        };
        let git = root.join(".git");
        if git.is_dir() {
            rules.push_file(root, &git.join("info").join("exclude"));
        }
        let chain: Vec<&Path> = dir.ancestors().take_while(|d| *d != root).collect();
        rules.push_file(root, &root.join(".gitignore"));
        for d in chain.into_iter().rev() {
            rules.push_file(d, &d.join(".gitignore"));
        }
        rules
    }

    /// The rules for a subdirectory `child` of the directory these rules are for: these rules
    /// plus `child/.gitignore` if it exists. A `child` holding its own `.git` is a nested
    /// repository, where git does not apply the outer rules, so it starts afresh.
    pub(crate) fn enter(&self, child: &Path) -> IgnoreRules {
        if child.join(".git").exists() {
            return IgnoreRules::for_dir(child);
        }
        let mut rules = self.clone();
        rules.push_file(child, &child.join(".gitignore"));
        rules
    }

    /// Whether `path` (an entry directly inside the directory these rules are for, absolute)
    /// is ignored. `is_dir` says whether it is a directory (patterns ending in `/` match only
    /// directories). The last matching rule wins; deeper files come later.
    pub(crate) fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        for layer in self.layers.iter().rev() {
            let Ok(rel) = path.strip_prefix(&layer.base) else {
                continue;
            };
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let rel: Vec<char> = rel.join("/").chars().collect();
            if rel.is_empty() {
                continue;
            }
            let name_start = rel.iter().rposition(|&c| c == '/').map_or(0, |i| i + 1);
            for rule in layer.rules.iter().rev() {
                if rule.dir_only && !is_dir {
                    continue;
                }
                let subject = if rule.anchored {
                    &rel[..]
                } else {
                    &rel[name_start..]
                };
                if glob(&rule.glob, subject, true) {
                    return !rule.negated;
                }
            }
        }
        false
    }

    /// Appends the rules of `file` (relative to `base`); missing or unreadable files are skipped.
    /// The `is_file` check keeps us from blocking on a FIFO or reading a directory.
    fn push_file(&mut self, base: &Path, file: &Path) {
        if !file.is_file() {
            return;
        }
        let Ok(bytes) = fs::read(file) else { return };
        if let Some(layer) = Layer::parse(base, &String::from_utf8_lossy(&bytes)) {
            self.layers.push(Arc::new(layer));
        }
    }
}

/// Whether `text` (one path segment) matches the shell pattern `pattern` (`*`, `?`, `[...]`).
pub fn matches_segment(pattern: &str, text: &str) -> bool {
    glob(
        &pattern.chars().collect::<Vec<_>>(),
        &text.chars().collect::<Vec<_>>(),
        true,
    )
}

/// Git's wildmatch with `WM_PATHNAME`: `*`, `?` and `[...]` never match `/`; `**` is special
/// only as a whole path segment (`**/x`, `x/**`, `x/**/y`), elsewhere it is a plain `*`.
/// `seg_start` says whether `p` starts a path segment of the pattern.
fn glob(p: &[char], t: &[char], seg_start: bool) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => {
            let stars = p.iter().take_while(|&&c| c == '*').count();
            let rest = &p[stars..];
            if stars >= 2 && seg_start {
                if rest.is_empty() {
                    return true;
                }
                if let Some(after) = rest.strip_prefix(&['/']) {
                    // Zero or more whole directories.
                    return glob(after, t, true)
                        || t.iter()
                            .enumerate()
                            .any(|(i, &c)| c == '/' && glob(after, &t[i + 1..], true));
                }
            }
            for i in 0..=t.len() {
                if glob(rest, &t[i..], false) {
                    return true;
                }
                if t.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some('?') => t.first().is_some_and(|&c| c != '/') && glob(&p[1..], &t[1..], false),
        Some('[') => match t.first() {
            Some(&c) if c != '/' => match class(p, c) {
                Some((true, len)) => glob(&p[len..], &t[1..], false),
                _ => false,
            },
            _ => false,
        },
        Some(&c) => {
            let (lit, len) = if c == '\\' {
                match p.get(1) {
                    Some(&e) => (e, 2),
                    None => return false,
                }
            } else {
                (c, 1)
            };
            t.first() == Some(&lit) && glob(&p[len..], &t[1..], lit == '/')
        }
    }
}

/// Parses the bracket expression at the start of `p` (which begins with `[`): returns whether
/// `c` is in it and the expression's length, or `None` if it is unterminated (no match, as git).
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = matches!(p.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let (mut found, mut first) = (false, true);
    loop {
        let mut lo = *p.get(i)?;
        if lo == ']' && !first {
            return Some((found != negated, i + 1));
        }
        first = false;
        if lo == '\\' {
            i += 1;
            lo = *p.get(i)?;
        }
        i += 1;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&h| h != ']') {
            let mut hi = p[i + 1];
            i += 2;
            if hi == '\\' {
                hi = *p.get(i)?;
                i += 1;
            }
            found |= lo <= c && c <= hi;
        } else {
            found |= lo == c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(pattern: &str, text: &str) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob(&p, &t, true)
    }

    /// Rules from in-memory files: (base directory, contents), shallowest first.
    fn rules(files: &[(&str, &str)]) -> IgnoreRules {
        let layers = files
            .iter()
            .filter_map(|(b, t)| Layer::parse(Path::new(b), t));
        IgnoreRules {
            layers: layers.map(Arc::new).collect(),
        }
    }

    #[test]
    fn globs() {
        assert!(g("*.rs", "main.rs") && !g("*.rs", "a/main.rs") && !g("*.rs", "main.rsx"));
        assert!(g("a/**/b", "a/b") && g("a/**/b", "a/x/y/b") && !g("a/**/b", "ab"));
        assert!(g("**/foo", "foo") && g("**/foo", "x/y/foo") && !g("**/foo", "xfoo"));
        assert!(g("foo/**", "foo/x/y") && !g("foo/**", "foo"));
        assert!(
            g("a**b", "axxb") && !g("a**b", "ax/xb"),
            "non-segment ** is a plain *"
        );
        assert!(g("f?o", "fao") && !g("f?o", "f/o"));
        assert!(g("[abc].rs", "b.rs") && !g("[abc].rs", "d.rs"));
        assert!(g("[a-c]x", "cx") && !g("[a-c]x", "dx"));
        assert!(g("[!a]x", "bx") && !g("[!a]x", "ax") && g("[^a]x", "bx"));
        assert!(g("[]]", "]") && g("[a-]", "-") && !g("[ab", "a"));
        assert!(g("\\*", "*") && !g("\\*", "x") && !g("x\\", "x"));
    }

    #[test]
    fn parsing() {
        let r = rules(&[("/r", "# comment\n\\#hash\n\\!bang\nsp\\ \nend   \r\n\n")]);
        assert!(r.is_ignored(Path::new("/r/#hash"), false));
        assert!(r.is_ignored(Path::new("/r/!bang"), false));
        assert!(r.is_ignored(Path::new("/r/sp "), false));
        assert!(r.is_ignored(Path::new("/r/end"), false));
        assert!(!r.is_ignored(Path::new("/r/# comment"), false));
    }

    #[test]
    fn anchoring_dirs_and_negation() {
        let r = rules(&[
            ("/r", "/gen\ntarget/\n*.tmp\n!keep.tmp\ndoc/*.md\n"),
            ("/r/src", "/local.rs\n!/x.tmp\nkeep.tmp\n"),
        ]);
        assert!(r.is_ignored(Path::new("/r/gen"), false));
        assert!(
            !r.is_ignored(Path::new("/r/src/gen"), true),
            "/gen is anchored to /r"
        );
        assert!(r.is_ignored(Path::new("/r/src/target"), true));
        assert!(
            !r.is_ignored(Path::new("/r/src/target"), false),
            "target/ is dirs only"
        );
        assert!(r.is_ignored(Path::new("/r/a.tmp"), false));
        assert!(!r.is_ignored(Path::new("/r/keep.tmp"), false));
        assert!(
            r.is_ignored(Path::new("/r/src/keep.tmp"), false),
            "deeper file wins"
        );
        assert!(!r.is_ignored(Path::new("/r/src/x.tmp"), false));
        assert!(r.is_ignored(Path::new("/r/src/y.tmp"), false));
        assert!(r.is_ignored(Path::new("/r/src/local.rs"), false));
        assert!(!r.is_ignored(Path::new("/r/src/a/local.rs"), false));
        assert!(r.is_ignored(Path::new("/r/doc/a.md"), false));
        assert!(!r.is_ignored(Path::new("/r/src/doc/a.md"), false));
        assert!(!r.is_ignored(Path::new("/elsewhere/a.tmp"), false));
    }

    /// Removes the temporary tree even when an assertion fails.
    struct TempTree(PathBuf);
    impl Drop for TempTree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn end_to_end() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("gitignore-test-{}-{nanos}", std::process::id());
        let tree = TempTree(std::env::temp_dir().join(name));
        let write = |rel: &str, text: &str| {
            let p = tree.0.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        };
        write("repo/.git/info/exclude", "*.log\n");
        write("repo/.gitignore", "/gen\n*.tmp\n");
        write("repo/src/.gitignore", "/local.rs\nsub/*.bak\n");
        write("repo/src/sub/.gitignore", "!b.tmp\n");
        write("repo/src/nested/.git", "gitdir: elsewhere\n");
        write("plain/.gitignore", "*\n");
        let root = tree.0.join("repo").canonicalize().unwrap();
        let src = root.join("src");

        let top = IgnoreRules::for_dir(&root);
        assert!(top.is_ignored(&root.join("x.log"), false));
        assert!(top.is_ignored(&root.join("gen"), true));
        assert!(!top.is_ignored(&root.join("src"), true));

        for at_src in [top.enter(&src), IgnoreRules::for_dir(&src)] {
            assert!(at_src.is_ignored(&src.join("local.rs"), false));
            assert!(at_src.is_ignored(&src.join("a.tmp"), false));
            assert!(!at_src.is_ignored(&src.join("gen"), true));
            assert!(!at_src.is_ignored(&src.join("main.rs"), false));
            let sub = at_src.enter(&src.join("sub"));
            assert!(sub.is_ignored(&src.join("sub/x.bak"), false));
            assert!(sub.is_ignored(&src.join("sub/a.tmp"), false));
            assert!(!sub.is_ignored(&src.join("sub/b.tmp"), false));
            let nested = at_src.enter(&src.join("nested"));
            assert!(
                !nested.is_ignored(&src.join("nested/a.tmp"), false),
                "new work tree"
            );
        }

        let plain = tree.0.join("plain").canonicalize().unwrap();
        assert!(!IgnoreRules::for_dir(&plain).is_ignored(&plain.join("a.rs"), false));
    }
}
