//! Terminal output: colour only when stdout is a terminal (and `NO_COLOR` is not set), and paths
//! shown relative to the current directory when they are below it.

use std::io::IsTerminal;
use std::path::Path;

/// How to paint text: plain, or with ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: std::io::stdout().is_terminal() && !no_color,
        }
    }

    /// No colour (the tests compare text).
    #[cfg(test)]
    pub fn plain() -> Style {
        Style { color: false }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }
    pub fn warn(self, text: &str) -> String {
        self.paint("33", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// `path` relative to `cwd` when it is below it, else as it is.
pub fn show(path: &Path, cwd: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_opt_in() {
        assert_eq!(Style::plain().bad("stale"), "stale");
        assert_eq!(Style { color: true }.bad("stale"), "\x1b[31mstale\x1b[0m");
    }

    #[test]
    fn paths_below_cwd_are_relative() {
        assert_eq!(
            show(Path::new("/p/.venv/x.so"), Path::new("/p")),
            ".venv/x.so"
        );
        assert_eq!(show(Path::new("/q/x.so"), Path::new("/p")), "/q/x.so");
        assert_eq!(show(Path::new("/p"), Path::new("/p")), "/p");
    }
}
