//! Where a command's report goes: `--output FILE` or standard output.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use miette::{IntoDiagnostic, WrapErr};

/// Runs `write` on FILE (relative to `dir`) or on standard output. A reader that stopped
/// listening (`lockstep audit | head`) is not an error.
pub fn write_output(
    dir: &Path,
    file: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> miette::Result<()> {
    let mut out: Box<dyn Write> = match file {
        Some(path) => {
            let file = File::create(dir.join(path))
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write the report to `{}`", path.display()))?;
            Box::new(BufWriter::new(file))
        }
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        result => result.into_diagnostic().wrap_err("cannot write the report"),
    }
}

/// [`write_output`] for text that is ready.
pub fn print(dir: &Path, file: Option<&Path>, text: &str) -> miette::Result<()> {
    write_output(dir, file, |out| out.write_all(text.as_bytes()))
}
