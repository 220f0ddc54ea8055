use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use lockstep::cli::{Cli, Env, ExitStatus, run};
use lockstep::report::render_diagnostic;

fn main() -> ExitCode {
    let cli = Cli::from_process();
    let env = match Env::from_process() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("lockstep: cannot read the current directory: {e}");
            return ExitCode::from(ExitStatus::Error.code());
        }
    };
    let color = cli
        .global
        .color
        .enabled(io::stderr().is_terminal(), env.no_color);
    match run(cli, env) {
        Ok(status) => ExitCode::from(status.code()),
        Err(report) if is_broken_pipe(&report) => ExitCode::SUCCESS,
        Err(report) => {
            let text = render_diagnostic(report.as_ref(), color, 100);
            let _ = writeln!(io::stderr(), "{text}");
            ExitCode::from(ExitStatus::Error.code())
        }
    }
}

/// A reader that stopped listening (`lockstep check | head`) is not an error.
fn is_broken_pipe(report: &miette::Report) -> bool {
    report.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
