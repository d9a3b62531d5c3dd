//! The build record: what the build script embeds in the binary and what the runtime and the
//! CLI read back. A small, line-based text format inside a length-prefixed frame, so it can be
//! found by scanning a binary and parsed without trusting it.
//!
//! ```text
//! PYO3-GUARD-RECORD v1 len=00000321\n      <- header: exact length of the body that follows
//! build_id 1f2e...\n                       <- `key value` lines, one field each
//! by_hand demo::meta::is_valid\n          <- items added by hand to a submodule (module path::ident)
//! by_hand_top demo::Kept,demo::f\n         <- items the top module's own code adds by hand
//! input 812 1732400000000000000 9ab3... src/lib.rs\n   <- size, mtime (ns), content hash, path
//! tree src\n                              <- a walked source tree: the layout the manifests gave
//! file build.rs\n                         <- a single file the manifests name
//! python src/pkg\n                       <- a Python package in a tree: only its `.rs` files count
//! end\n
//! ```

use crate::inputs::SourceLayout;
use std::fmt::Write as _;

/// Every record starts with this, followed by `len=` and eight decimal digits.
pub const MAGIC: &str = "PYO3-GUARD-RECORD v1 len=";
const LEN_DIGITS: usize = 8;

/// One input file as it was when the binary was built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedInput {
    /// Path relative to the source root, `/`-separated.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch; 0 when not recorded.
    pub mtime_ns: u64,
    /// xxh3-128 of the content, 32 hex digits.
    pub hash: String,
}

/// What kind of Python-visible item an [`Export`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExportKind {
    /// A `#[pyclass]` struct or enum.
    Class,
    /// A `#[pyfunction]`.
    Function,
    /// A method, property or class attribute of a class; `rust_name` is the class's Rust name.
    Member,
}

impl ExportKind {
    /// The word used in the build record.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Class => "class",
            ExportKind::Function => "function",
            ExportKind::Member => "member",
        }
    }

    /// The kind a record word names.
    pub fn from_word(word: &str) -> Option<ExportKind> {
        [ExportKind::Class, ExportKind::Function, ExportKind::Member]
            .into_iter()
            .find(|k| k.as_str() == word)
    }
}

/// Whether the export check looks for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Expect {
    /// Always: the sources say it is compiled and added.
    #[default]
    Checked,
    /// Opted out (`#[guard(skip)]`): declared for Python, deliberately not exported.
    OptedOut,
    /// The scan cannot be sure how Python names it or where it goes: not looked for.
    Unchecked,
    /// Behind a `#[cfg]` the build script cannot evaluate (a dependency's feature, a custom
    /// `--cfg`): looked for only when the binary holds its registration, i.e. it was compiled.
    IfCompiled,
}

impl Expect {
    fn as_str(self) -> &'static str {
        match self {
            Expect::Checked => "0",
            Expect::OptedOut => "1",
            Expect::Unchecked => "u",
            Expect::IfCompiled => "c",
        }
    }

    fn from_word(word: &str) -> Option<Expect> {
        [
            Expect::Checked,
            Expect::OptedOut,
            Expect::Unchecked,
            Expect::IfCompiled,
        ]
        .into_iter()
        .find(|e| e.as_str() == word)
    }
}

/// Which macro a `#[pyclass]` or `#[pyfunction]` attribute names, as the scan reads the
/// module's imports: it decides whether the item registers itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Macro {
    /// pyo3-guard's (the prelude's glob, a path or a name import from `pyo3_guard`).
    Guard,
    /// PyO3's own, through its prelude's glob or a path.
    Pyo3,
    /// PyO3's own, imported by name (`use pyo3::pyclass;`), which wins over a glob import.
    Pyo3ByName,
    /// Not told by the module's imports (a member, or `use super::*`).
    #[default]
    Unknown,
}

impl Macro {
    fn as_str(self) -> &'static str {
        match self {
            Macro::Guard => "g",
            Macro::Pyo3 => "p",
            Macro::Pyo3ByName => "n",
            Macro::Unknown => "?",
        }
    }

    fn from_word(word: &str) -> Option<Macro> {
        [Macro::Guard, Macro::Pyo3, Macro::Pyo3ByName, Macro::Unknown]
            .into_iter()
            .find(|m| m.as_str() == word)
    }
}

/// One item the sources declare for Python.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Export {
    /// Class, function or member.
    pub kind: ExportKind,
    /// The crate that declares it (`CARGO_CRATE_NAME` form: dashes become underscores).
    pub crate_name: String,
    /// The Rust name: the type for classes and members, the function for functions.
    pub rust_name: String,
    /// The name Python sees.
    pub python_name: String,
    /// The submodule it is placed in, if any.
    pub submodule: Option<String>,
    /// The Rust module it is declared in, below its crate (`geo::shapes`, `""` at the root);
    /// for a member, its class's. Two classes of one name are told apart by it.
    pub rust_path: String,
    /// Whether the export check looks for it.
    pub expect: Expect,
    /// Which macro its attribute names.
    pub via: Macro,
    /// Where it is declared: path relative to the source root, and line.
    pub file: String,
    /// Line of the declaration, 1-based.
    pub line: usize,
}

/// An item a function of the crate adds by hand that the export scan does not see (a
/// `macro_rules!` makes it), named by the path the addition gives: it goes to
/// [`Record::by_hand`] or [`Record::by_hand_top`] all the same, so it does not register; nothing
/// is expected of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnseenAddition {
    /// Class or function.
    pub kind: ExportKind,
    /// Its Rust module below the crate, as in [`Export::rust_path`].
    pub rust_path: String,
    /// Its Rust identifier.
    pub rust_name: String,
    /// Added to the top module (else to a submodule).
    pub top: bool,
}

/// [`Record::layout`] of maturin's pure-Rust layout.
pub const PURE_LAYOUT: &str = "pure";
/// [`Record::layout`] of maturin's mixed layout.
pub const MIXED_LAYOUT: &str = "mixed";
/// The field of [`Record::by_hand`]: comma-separated paths.
pub const BY_HAND: &str = "by_hand";
/// The field of [`Record::by_hand_top`]: comma-separated paths. A record written before it has
/// none (nothing was read at the top then).
pub const BY_HAND_TOP: &str = "by_hand_top";

/// Everything the build script knew about one build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Derived only from the inputs: sources plus build configuration.
    pub build_id: String,
    /// The source part of the id: input paths and contents only.
    pub source_id: String,
    /// The package name (`CARGO_PKG_NAME`).
    pub crate_name: String,
    /// The package version (`CARGO_PKG_VERSION`).
    pub crate_version: String,
    /// Cargo profile name: `dev`, `release` or a custom one.
    pub profile: String,
    /// `OPT_LEVEL` of the build.
    pub opt_level: String,
    /// Target triple (`TARGET`).
    pub target: String,
    /// Enabled cargo features of the crate, sorted.
    pub features: Vec<String>,
    /// `rustc --version` of the compiler that built it.
    pub rustc: String,
    /// The pyo3 version in the lock file, if any.
    pub pyo3_version: Option<String>,
    /// Absolute path of the crate directory at build time; `None` when left out on purpose.
    pub source_root: Option<String>,
    /// Module name maturin builds, dotted as users import it (`pkg._native`), if the crate is a
    /// maturin project.
    pub module_name: Option<String>,
    /// The pyproject.toml that builds the crate, relative to the source root (`pyproject.toml`,
    /// or `../pyproject.toml` with `manifest-path`): cache keys are relative to its directory.
    pub pyproject: Option<String>,
    /// maturin's layout: [`PURE_LAYOUT`] (the package around the extension is generated and
    /// star-imports it) or [`MIXED_LAYOUT`] (the package is the user's); `None` outside a
    /// maturin project. Registered items name the package only in the pure layout.
    pub layout: Option<String>,
    /// Items the sources add by hand to a submodule (`crate::meta::is_valid`, as
    /// `module_path!()` and the identifier spell them): they are that submodule's, and do not
    /// register at the top as well.
    pub by_hand: Vec<String>,
    /// Items the guarded module's own function (or its `#[pymodule_init]`) adds by hand to the
    /// module itself, spelt as [`Record::by_hand`]: the user's body adds them, in its own order,
    /// so they do not register as well; the export check expects them at the top.
    pub by_hand_top: Vec<String>,
    /// The commit checked out in the source root's git work tree, if it is one.
    pub git_commit: Option<String>,
    /// Whether that work tree had uncommitted changes; `None` outside git.
    pub git_dirty: Option<bool>,
    /// A distribution build (`PYO3_GUARD_DIST=1`: no check linked) or a full one; `None` in a
    /// record written before the field was.
    pub dist: Option<bool>,
    /// Seconds since the Unix epoch (SOURCE_DATE_EPOCH when set). Not part of the id.
    pub built_at: u64,
    /// Every input file with its size, time and hash, sorted by path.
    pub inputs: Vec<RecordedInput>,
    /// The trees and files the manifests gave, which the check walks again without reading a
    /// manifest, and the renamed dependencies (for messages).
    pub source_layout: SourceLayout,
    /// What the sources declare for Python, sorted.
    pub exports: Vec<Export>,
}

/// Why bytes are not a valid record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    #[inline]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid pyo3-guard build record: {}", self.0)
    }
}

impl std::error::Error for ParseError {}

fn bad(msg: impl Into<String>) -> ParseError {
    ParseError(msg.into())
}

impl Record {
    /// The framed record, ready to embed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = String::new();
        let mut field = |key: &str, value: &str| {
            let _ = writeln!(body, "{key} {}", escape(value));
        };
        field("build_id", &self.build_id);
        field("source_id", &self.source_id);
        field("crate", &self.crate_name);
        field("version", &self.crate_version);
        field("profile", &self.profile);
        field("opt_level", &self.opt_level);
        field("target", &self.target);
        field("features", &self.features.join(","));
        field("rustc", &self.rustc);
        field("built_at", &self.built_at.to_string());
        field("inputs", &self.inputs.len().to_string());
        let optional = [
            ("pyo3", &self.pyo3_version),
            ("source_root", &self.source_root),
            ("module", &self.module_name),
            ("pyproject", &self.pyproject),
            ("layout", &self.layout),
            ("git_commit", &self.git_commit),
            ("git_dirty", &self.git_dirty.map(|d| d.to_string())),
            ("dist", &self.dist.map(|d| d.to_string())),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                field(key, value);
            }
        }
        if !self.source_layout.renames.is_empty() {
            let renames: Vec<String> = self
                .source_layout
                .renames
                .iter()
                .map(|(used, own)| format!("{used}={own}"))
                .collect();
            field("renames", &renames.join(","));
        }
        if !self.by_hand.is_empty() {
            field(BY_HAND, &self.by_hand.join(","));
        }
        if !self.by_hand_top.is_empty() {
            field(BY_HAND_TOP, &self.by_hand_top.join(","));
        }
        for input in &self.inputs {
            let _ = writeln!(
                body,
                "input {} {} {} {}",
                input.size,
                input.mtime_ns,
                input.hash,
                escape(&input.rel)
            );
        }
        for tree in &self.source_layout.trees {
            let _ = writeln!(body, "tree {}", escape(tree));
        }
        for file in &self.source_layout.named {
            let _ = writeln!(body, "file {}", escape(file));
        }
        for dir in &self.source_layout.python_dirs {
            let _ = writeln!(body, "python {}", escape(dir));
        }
        for e in &self.exports {
            let _ = writeln!(
                body,
                "export {} {} {} {} {} {} {} {} {} {}",
                e.kind.as_str(),
                e.crate_name,
                e.rust_name,
                escape_word(&e.python_name),
                e.submodule.as_deref().map_or("-".into(), escape_word),
                e.expect.as_str(),
                e.via.as_str(),
                e.line,
                if e.rust_path.is_empty() {
                    "-"
                } else {
                    &e.rust_path
                },
                escape(&e.file)
            );
        }
        for (rel, mtime_ns) in &self.source_layout.walked {
            let _ = writeln!(body, "walked {mtime_ns} {}", escape(rel));
        }
        body.push_str("end\n");
        let mut out = format!("{MAGIC}{:0width$}\n", body.len(), width = LEN_DIGITS).into_bytes();
        out.extend_from_slice(body.as_bytes());
        out
    }

    /// Parses a record that starts at `bytes[0]`. Trailing bytes after the frame are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Record, ParseError> {
        let text = std::str::from_utf8(body(bytes)?).map_err(|_| bad("body is not UTF-8"))?;
        let mut record = Record::default();
        let mut input_count = 0;
        let mut declared_inputs = None;
        let mut in_lists = false;
        for line in text.lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            if LIST_KEYS.contains(&key) {
                in_lists = true;
                match key {
                    "input" => {
                        input_count += 1;
                        record.inputs.push(parse_input(value)?);
                    }
                    "tree" => record.source_layout.trees.push(unescape(value)?),
                    "file" => record.source_layout.named.push(unescape(value)?),
                    "python" => record.source_layout.python_dirs.push(unescape(value)?),
                    "export" => record.exports.push(parse_export(value)?),
                    _ => {
                        let (mtime, rel) = value
                            .split_once(' ')
                            .ok_or_else(|| bad("walked line without a path"))?;
                        let mtime = mtime
                            .parse()
                            .map_err(|_| bad("walked time is not a number"))?;
                        record.source_layout.walked.push((unescape(rel)?, mtime));
                    }
                }
                continue;
            }
            // A summary reads the fields before the first list line: a known field after it
            // would be seen by one parse and not the other. Unknown keys (a later version's
            // fields or lists) are skipped wherever they are.
            if in_lists {
                if set_field(&mut Record::default(), key, value, &mut None)? {
                    return Err(bad(format!("field `{key}` after the list lines")));
                }
                continue;
            }
            set_field(&mut record, key, value, &mut declared_inputs)?;
        }
        if record.build_id.is_empty() {
            return Err(bad("no build_id"));
        }
        if declared_inputs.is_some_and(|declared| declared != input_count) {
            return Err(bad("the input count does not match the input lines"));
        }
        Ok(record)
    }

    /// Parses the fields only, leaving the lists (`inputs`, `trees`, ...) empty, and counts the inputs
    /// (for the command and the fuzz tests; a module reads its fields with [`Fields`]).
    pub fn parse_summary(bytes: &[u8]) -> Result<(Record, usize), ParseError> {
        let fields = Fields::read(bytes)?;
        let mut record = Record::default();
        for (key, value) in fields.pairs() {
            set_field(&mut record, key, value, &mut None)?;
        }
        Ok((record, fields.inputs))
    }

    /// Finds and parses the first valid record inside `bytes` (a whole binary).
    pub fn find_in(bytes: &[u8]) -> Option<Record> {
        let magic = MAGIC.as_bytes();
        let mut start = 0;
        while let Some(offset) = find(&bytes[start..], magic) {
            if let Ok(record) = Record::parse(&bytes[start + offset..]) {
                return Some(record);
            }
            start += offset + 1;
        }
        None
    }
}

/// The field lines of a record, read in place: what a module needs at import (`__build_id__`,
/// `__build_info__`), without building a [`Record`] or reading any input or export line. The
/// fields come before the lists; with hundreds of export lines, going over the whole body cost
/// more than the rest of the guard's import together. The first check parses, and validates,
/// the rest.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    text: &'a str,
    /// How many inputs the record lists (its `inputs` field, or its input lines).
    pub inputs: usize,
}

// The command's summary parse reads through this; a module reads its own fields with a loop of
// its own (`pyo3_guard_core::attrs`), so a distribution build links nothing of this file.
impl<'a> Fields<'a> {
    /// Reads the fields of the record at `bytes[0]`, checked as [`Record::parse`] checks them:
    /// the frame, UTF-8, every escape, the numbers and a build id.
    #[inline]
    pub fn read(bytes: &'a [u8]) -> Result<Fields<'a>, ParseError> {
        let body = body(bytes)?;
        let text = std::str::from_utf8(fields_part(body)).map_err(|_| bad("body is not UTF-8"))?;
        let mut fields = Fields { text, inputs: 0 };
        // One pass: the last of a repeated key counts, as in the full parse.
        let (mut build_id, mut built_at, mut inputs) = (None, None, None);
        for (key, value) in fields.pairs() {
            if !escapes_are_valid(value) {
                return Err(bad("bad escape"));
            }
            match key {
                "build_id" => build_id = Some(value),
                "built_at" => built_at = Some(value),
                "inputs" => inputs = Some(value),
                _ => {}
            }
        }
        if build_id.is_none_or(str::is_empty) {
            return Err(bad("no build_id"));
        }
        if let Some(built_at) = built_at {
            built_at
                .parse::<u64>()
                .map_err(|_| bad("built_at is not a number"))?;
        }
        fields.inputs = match inputs {
            Some(count) => count.parse().map_err(|_| bad("inputs is not a number"))?,
            None => body
                .split(|&b| b == b'\n')
                .filter(|line| line.starts_with(b"input "))
                .count(),
        };
        Ok(fields)
    }

    /// The value of field `key` as written (escaped; see [`Fields::text`]), the last one when
    /// the key repeats, as [`Record::parse`] reads it.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.pairs()
            .filter(|(k, _)| *k == key)
            .last()
            .map(|(_, value)| value)
    }

    /// Each field as (key, value as written), in the record's order. One pass: reading many
    /// fields through [`Fields::get`] goes over every line for each.
    #[inline]
    pub fn pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.text
            .lines()
            .map(|line| line.split_once(' ').unwrap_or((line, "")))
    }

    /// The value of field `key`, unescaped.
    #[inline]
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key).map(Fields::unescape)
    }

    /// A value of [`Fields::pairs`], unescaped (every escape was checked by [`Fields::read`]).
    #[inline]
    pub fn unescape(value: &str) -> String {
        unescaped(value).unwrap_or_default()
    }
}

/// The body of the record that starts at `bytes[0]`, checked against its header, without the
/// end line.
#[inline] // see `Fields`
fn body(bytes: &[u8]) -> Result<&[u8], ParseError> {
    let rest = bytes
        .strip_prefix(MAGIC.as_bytes())
        .ok_or_else(|| bad("missing header"))?;
    let digits = rest
        .get(..LEN_DIGITS)
        .ok_or_else(|| bad("truncated header"))?;
    if !digits.iter().all(u8::is_ascii_digit) || rest.get(LEN_DIGITS) != Some(&b'\n') {
        return Err(bad("malformed length in header"));
    }
    let len: usize = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| bad("length"))?;
    let body = rest
        .get(LEN_DIGITS + 1..LEN_DIGITS + 1 + len)
        .ok_or_else(|| bad("truncated body"))?;
    body.strip_suffix(b"end\n")
        .ok_or_else(|| bad("missing end line"))
}

/// Sets the field `key` of `record` (the input count goes to `declared_inputs`); false for a key
/// this version does not know.
fn set_field(
    record: &mut Record,
    key: &str,
    value: &str,
    declared_inputs: &mut Option<usize>,
) -> Result<bool, ParseError> {
    let value = unescape(value)?;
    match key {
        "build_id" => record.build_id = value,
        "source_id" => record.source_id = value,
        "crate" => record.crate_name = value,
        "version" => record.crate_version = value,
        "profile" => record.profile = value,
        "opt_level" => record.opt_level = value,
        "target" => record.target = value,
        "features" => {
            record.features = value
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect()
        }
        "rustc" => record.rustc = value,
        "built_at" => {
            record.built_at = value.parse().map_err(|_| bad("built_at is not a number"))?
        }
        "inputs" => {
            *declared_inputs = Some(value.parse().map_err(|_| bad("inputs is not a number"))?)
        }
        "pyo3" => record.pyo3_version = Some(value),
        "source_root" => record.source_root = Some(value),
        "module" => record.module_name = Some(value),
        "pyproject" => record.pyproject = Some(value),
        "renames" => {
            let pairs = value.split(',').filter_map(|pair| pair.split_once('='));
            record.source_layout.renames = pairs
                .map(|(used, own)| (used.to_owned(), own.to_owned()))
                .collect();
        }
        "layout" => record.layout = Some(value),
        BY_HAND => record.by_hand = value.split(',').map(str::to_owned).collect(),
        BY_HAND_TOP => record.by_hand_top = value.split(',').map(str::to_owned).collect(),
        "git_commit" => record.git_commit = Some(value),
        "git_dirty" => record.git_dirty = Some(value == "true"),
        "dist" => record.dist = Some(value == "true"),
        // Fields added by later versions are skipped, not refused.
        _ => return Ok(false),
    }
    Ok(true)
}

/// Whether every backslash in `value` starts an escape [`unescaped`] knows.
#[inline] // see `Fields`
fn escapes_are_valid(value: &str) -> bool {
    let mut bytes = value.bytes();
    while let Some(b) = bytes.next() {
        if b == b'\\' && !matches!(bytes.next(), Some(b'\\' | b'n' | b'r' | b's')) {
            return false;
        }
    }
    true
}

/// The keys of the list lines. Every field line comes before the first of them.
const LIST_KEYS: [&str; 6] = ["input", "tree", "file", "python", "export", "walked"];

/// The body up to its first list line.
#[inline] // see `Fields`
fn fields_part(body: &[u8]) -> &[u8] {
    let mut start = 0;
    while start < body.len() {
        let line = &body[start..];
        let is_list_key = |key: &&str| {
            line.starts_with(key.as_bytes())
                && matches!(line.get(key.len()), None | Some(b' ' | b'\n'))
        };
        if LIST_KEYS.iter().any(is_list_key) {
            return &body[..start];
        }
        start += line
            .iter()
            .position(|&b| b == b'\n')
            .map_or(line.len(), |end| end + 1);
    }
    body
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_input(value: &str) -> Result<RecordedInput, ParseError> {
    let mut parts = value.splitn(4, ' ');
    let mut next = |what: &str| {
        parts
            .next()
            .ok_or_else(|| bad(format!("input line without {what}")))
    };
    let size = next("size")?
        .parse()
        .map_err(|_| bad("input size is not a number"))?;
    let mtime_ns = next("mtime")?
        .parse()
        .map_err(|_| bad("input mtime is not a number"))?;
    let hash = next("hash")?.to_owned();
    let rel = unescape(next("path")?)?;
    if rel.is_empty() {
        return Err(bad("input with an empty path"));
    }
    Ok(RecordedInput {
        rel,
        size,
        mtime_ns,
        hash,
    })
}

fn parse_export(value: &str) -> Result<Export, ParseError> {
    let mut parts = value.splitn(10, ' ');
    let mut next = |what: &str| {
        parts
            .next()
            .ok_or_else(|| bad(format!("export line without {what}")))
    };
    let kind = ExportKind::from_word(next("kind")?).ok_or_else(|| bad("unknown export kind"))?;
    let crate_name = next("crate")?.to_owned();
    let rust_name = next("rust name")?.to_owned();
    let python_name = unescape(next("python name")?)?;
    let submodule = match next("submodule")? {
        "-" => None,
        word => Some(unescape(word)?),
    };
    let expect =
        Expect::from_word(next("expectation")?).ok_or_else(|| bad("unknown export expectation"))?;
    let via = Macro::from_word(next("macro")?).ok_or_else(|| bad("unknown export macro"))?;
    let line = next("line")?
        .parse()
        .map_err(|_| bad("export line is not a number"))?;
    let rust_path = match next("rust path")? {
        "-" => String::new(),
        path => path.to_owned(),
    };
    let file = unescape(next("file")?)?;
    Ok(Export {
        kind,
        crate_name,
        rust_name,
        python_name,
        submodule,
        rust_path,
        expect,
        via,
        file,
        line,
    })
}

/// A value inside a space-separated line: spaces are escaped too.
fn escape_word(value: &str) -> String {
    escape(value).replace(' ', "\\s")
}

/// Values are one line each: backslash, newline and carriage return are escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(value: &str) -> Result<String, ParseError> {
    unescaped(value).ok_or_else(|| bad("bad escape"))
}

/// `value` unescaped; None for a bad escape. (`#[inline]`, see [`Fields`]: the parse above
/// calls it through `unescape`, so the engine holds one copy.)
#[inline]
fn unescaped(value: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            's' => ' ',
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        Record {
            build_id: "0123456789abcdef".into(),
            source_id: "fedcba9876543210".into(),
            crate_name: "demo".into(),
            crate_version: "0.1.0".into(),
            profile: "dev".into(),
            opt_level: "0".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            features: vec!["a".into(), "b-c".into()],
            rustc: "rustc 1.95.0".into(),
            pyo3_version: Some("0.30.1".into()),
            source_root: Some("/tmp/with space\\and\nnewline".into()),
            module_name: Some("pkg._native".into()),
            pyproject: Some("../pyproject.toml".into()),
            layout: Some(MIXED_LAYOUT.into()),
            by_hand: vec!["demo::meta::is_valid".into(), "demo::Kept".into()],
            by_hand_top: vec!["demo::Kept".into(), "demo::geo::area".into()],
            git_commit: None,
            git_dirty: Some(true),
            dist: Some(false),
            built_at: 42,
            inputs: vec![RecordedInput {
                rel: "src/a b.rs".into(),
                size: 3,
                mtime_ns: 7,
                hash: "ab".into(),
            }],
            source_layout: SourceLayout {
                trees: vec!["src".into(), "../core dir/src".into()],
                named: vec!["Cargo.toml".into(), "build.rs".into()],
                python_dirs: vec!["src/pkg".into()],
                walked: vec![("src".into(), 9), ("src/sub dir/.gitignore".into(), 10)],
                renames: vec![("types".into(), "core_types".into())],
            },
            exports: vec![
                Export {
                    kind: ExportKind::Class,
                    crate_name: "demo".into(),
                    rust_name: "Counter".into(),
                    python_name: "My Counter".into(),
                    submodule: Some("sub".into()),
                    rust_path: "geo::shapes".into(),
                    expect: Expect::IfCompiled,
                    via: Macro::Pyo3ByName,
                    file: "src/a b.rs".into(),
                    line: 12,
                },
                Export {
                    kind: ExportKind::Member,
                    crate_name: "demo".into(),
                    rust_name: "Counter".into(),
                    python_name: "reset".into(),
                    submodule: None,
                    rust_path: String::new(),
                    expect: Expect::OptedOut,
                    via: Macro::Unknown,
                    file: "src/lib.rs".into(),
                    line: 3,
                },
            ],
        }
    }

    #[test]
    fn round_trips() {
        let record = sample();
        assert_eq!(Record::parse(&record.to_bytes()).unwrap(), record);
    }

    #[test]
    fn a_summary_has_the_fields_and_the_input_count() {
        let (summary, inputs) = Record::parse_summary(&sample().to_bytes()).unwrap();
        assert_eq!(
            summary,
            Record {
                inputs: vec![],
                // Only the field lines: of the layout, the renames.
                source_layout: SourceLayout {
                    renames: sample().source_layout.renames,
                    ..SourceLayout::default()
                },
                exports: vec![],
                ..sample()
            }
        );
        assert_eq!(inputs, 1);
        // Only the fields are read: a broken list line fails the full parse, not the summary.
        let mut bytes = sample().to_bytes();
        let export = bytes.windows(8).position(|w| w == b"\nexport ").unwrap();
        bytes[export + 8] = 0xff;
        assert!(Record::parse_summary(&bytes).is_ok());
        assert!(Record::parse(&bytes).is_err());
    }

    #[test]
    fn fields_read_in_place_agree_with_the_parse() {
        let bytes = sample().to_bytes();
        let fields = Fields::read(&bytes).unwrap();
        let record = Record::parse(&bytes).unwrap();
        assert_eq!(
            fields.text("build_id").as_deref(),
            Some(record.build_id.as_str())
        );
        assert_eq!(fields.text("source_root"), record.source_root); // escaped space, backslash, newline
        assert_eq!(fields.text("git_dirty").as_deref(), Some("true"));
        assert_eq!(fields.text("git_commit"), None);
        assert_eq!(fields.get("features"), Some("a,b-c"));
        assert_eq!(fields.get("built_at"), Some("42"));
        assert_eq!(fields.inputs, record.inputs.len());
        // Nothing of the lists is a field, and what the parse refuses in the fields, `read` refuses.
        assert_eq!(fields.get("input"), None);
        let text = String::from_utf8(bytes.clone()).unwrap();
        let reframe = |body: String| {
            let body = body.split_once('\n').unwrap().1.to_owned();
            format!("{MAGIC}{:08}\n{body}", body.len()).into_bytes()
        };
        for broken in [
            text.replace("built_at 42", "built_at soon"),
            text.replace("inputs 1\n", "inputs one\n"),
            text.replace("profile dev", "profile d\\ev"),
            text.replace("build_id 0123456789abcdef\n", ""),
        ] {
            let broken = reframe(broken);
            assert!(Record::parse(&broken).is_err() && Fields::read(&broken).is_err());
        }
        for cut in 0..bytes.len() {
            assert!(Fields::read(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn a_record_the_summary_would_read_differently_is_refused() {
        let reframe = |body: String| {
            let body = body.split_once('\n').unwrap().1.to_owned();
            format!("{MAGIC}{:08}\n{body}", body.len()).into_bytes()
        };
        let text = String::from_utf8(sample().to_bytes()).unwrap();
        // A field after the list lines, and an input count that disagrees with the lines.
        let late_field = reframe(text.replace("end\n", "pyo3 0.1\nend\n"));
        assert!(Record::parse(&late_field)
            .unwrap_err()
            .0
            .contains("after the list lines"));
        let miscounted = reframe(text.replace("\ninputs 1\n", "\ninputs 2\n"));
        assert!(Record::parse(&miscounted)
            .unwrap_err()
            .0
            .contains("input count"));
        assert_eq!(Record::parse_summary(&reframe(text.clone())).unwrap().1, 1);
        // A line a later version may write, after the lists: skipped by both parses.
        let later = reframe(text.replace("end\n", "futurelist a b\nend\n"));
        assert_eq!(Record::parse(&later).unwrap(), sample());
    }

    #[test]
    fn found_inside_other_bytes_after_a_false_start() {
        let mut blob = b"junk PYO3-GUARD-RECORD v1 len=garbage ".to_vec();
        blob.extend(sample().to_bytes());
        blob.extend(b"more junk");
        assert_eq!(Record::find_in(&blob), Some(sample()));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = sample().to_bytes();
        for cut in 0..bytes.len() {
            assert!(Record::parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
