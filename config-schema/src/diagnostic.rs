//! Diagnostics: what went wrong, where (byte span and key path), and a hint,
//! rendered compiler-style (rich, with the source line and a caret) or one
//! line per error (short, for tools and tests).

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{Buffer, ColorChoice, StandardStream};
use codespan_reporting::term::{self, Config as TermConfig, DisplayStyle, Styles, StylesWriter};

/// The pipeline stage that found a problem. Each stage runs only when the one
/// before it passed, so the stage also tells how far a file got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Reading the file and TOML syntax.
    Syntax,
    /// JSON-schema validation: unknown keys, types, enum values, ranges.
    Schema,
    /// Typed deserialisation (a failure here is a schema bug).
    Types,
    /// Rules across fields and against the file system.
    Semantic,
}

/// One problem in a `millennium.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Which stage found it.
    pub stage: Stage,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The key path, e.g. `windows[0].always-on-top`; empty for the whole file.
    pub key_path: String,
    /// Byte range in the source the problem is about.
    pub span: Option<Range<usize>>,
    /// Short text shown under the caret.
    pub label: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with no label or hint yet.
    pub fn new(stage: Stage, key_path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            stage,
            message: message.into(),
            key_path: key_path.into(),
            span: None,
            label: String::new(),
            hint: None,
        }
    }

    /// Points the diagnostic at `span`.
    pub fn with_span(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    /// Sets the text under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A source file diagnostics point into: its display name and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name shown in diagnostics (the path as the user gave it).
    pub name: String,
    /// The file's text.
    pub text: String,
}

impl SourceFile {
    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Compiler-style, with the source line and a caret under the span.
    Human,
    /// `file:line:column: error: message [key.path]`, one line each.
    Short,
}

/// Renders diagnostics as text, with ANSI colours when `color` is set.
pub fn render(
    source: &SourceFile,
    diagnostics: &[Diagnostic],
    format: Format,
    color: bool,
) -> String {
    match format {
        Format::Short => diagnostics
            .iter()
            .map(|d| short_line(source, d) + "\n")
            .collect(),
        Format::Human => {
            let files = SimpleFile::new(source.name.as_str(), source.text.as_str());
            let config = TermConfig {
                display_style: DisplayStyle::Rich,
                ..TermConfig::default()
            };
            let styles = Styles::default();
            let mut buffer = if color {
                Buffer::ansi()
            } else {
                Buffer::no_color()
            };
            {
                let mut writer = StylesWriter::new(&mut buffer, &styles);
                for diagnostic in diagnostics {
                    let report = to_report(source, diagnostic);
                    // Rendering into memory cannot fail for spans clamped to the text.
                    let _ = term::emit_to_write_style(&mut writer, &config, &files, &report);
                }
            }
            let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
            out.push_str(&summary(diagnostics.len()));
            out
        }
    }
}

/// Prints diagnostics to standard error, in colour when `color` allows and
/// standard error is a terminal.
pub fn emit_to_stderr(
    source: &SourceFile,
    diagnostics: &[Diagnostic],
    format: Format,
    color: ColorChoice,
) {
    use std::io::{IsTerminal, Write};
    let colored = match color {
        ColorChoice::Always | ColorChoice::AlwaysAnsi => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = render(source, diagnostics, format, colored);
    let mut stderr = StandardStream::stderr(ColorChoice::Never);
    let _ = stderr.write_all(text.as_bytes());
}

fn summary(count: usize) -> String {
    match count {
        0 => String::new(),
        1 => "error: found 1 problem\n".to_owned(),
        n => format!("error: found {n} problems\n"),
    }
}

fn short_line(source: &SourceFile, diagnostic: &Diagnostic) -> String {
    let (line, column) = diagnostic
        .span
        .as_ref()
        .map_or((1, 1), |span| source.line_col(span.start));
    let mut text = format!(
        "{}:{line}:{column}: error: {}",
        source.name, diagnostic.message
    );
    if !diagnostic.key_path.is_empty() {
        text.push_str(&format!(" [{}]", diagnostic.key_path));
    }
    text
}

fn to_report(source: &SourceFile, diagnostic: &Diagnostic) -> Report<()> {
    let mut report = Report::error().with_message(&diagnostic.message);
    if let Some(span) = &diagnostic.span {
        let start = floor_char_boundary(&source.text, span.start.min(source.text.len()));
        let end = floor_char_boundary(&source.text, span.end.min(source.text.len())).max(start);
        report = report.with_labels(vec![
            Label::primary((), start..end).with_message(&diagnostic.label),
        ]);
    }
    let mut notes = Vec::new();
    if !diagnostic.key_path.is_empty() {
        notes.push(format!("key: {}", diagnostic.key_path));
    }
    if let Some(hint) = &diagnostic.hint {
        notes.push(format!("hint: {hint}"));
    }
    report.with_notes(notes)
}
