//! The one error type of the fingerprint engine: what went wrong, with the file (and line) it
//! concerns, so a build script or a Python exception can say exactly where to look.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why the inputs of a build could not be fingerprinted or checked.
#[derive(Debug)]
pub struct Error {
    path: Option<PathBuf>,
    line: Option<usize>,
    message: String,
    source: Option<std::io::Error>,
}

impl Error {
    /// An error about no particular file.
    pub fn msg(message: impl Into<String>) -> Self {
        Error {
            path: None,
            line: None,
            message: message.into(),
            source: None,
        }
    }

    /// An error about `path`.
    pub fn at(path: &Path, message: impl Into<String>) -> Self {
        Error {
            path: Some(path.to_path_buf()),
            ..Error::msg(message)
        }
    }

    /// An I/O failure on `path`, keeping the OS error as the cause.
    pub fn io(path: &Path, what: &str, err: std::io::Error) -> Self {
        Error {
            source: Some(err),
            ..Error::at(path, what)
        }
    }

    /// The same error, at `line` of its file (1-based).
    pub fn with_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The file this error concerns, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based line in [`Error::path`] this error concerns, if known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(path), Some(line)) => write!(f, "{}:{}: {}", path.display(), line, self.message)?,
            (Some(path), None) => write!(f, "{}: {}", path.display(), self.message)?,
            (None, _) => f.write_str(&self.message)?,
        }
        if let Some(source) = &self.source {
            write!(f, " (caused by: {source})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, Error>;
