use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use lockstep::cli::{Cli, Env, ExitStatus, run};
use miette::{GraphicalReportHandler, GraphicalTheme};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = match Env::from_process() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("lockstep: cannot read the current directory: {e}");
            return ExitCode::from(ExitStatus::Error.code());
        }
    };
    let color = match cli.color {
        lockstep::cli::ColorChoice::Always => true,
        lockstep::cli::ColorChoice::Never => false,
        lockstep::cli::ColorChoice::Auto => {
            std::io::IsTerminal::is_terminal(&io::stderr()) && !env.no_color
        }
    };
    match run(cli, env) {
        Ok(status) => ExitCode::from(status.code()),
        Err(report) if is_broken_pipe(&report) => ExitCode::SUCCESS,
        Err(report) => {
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let mut text = String::new();
            let rendered = GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .render_report(&mut text, report.as_ref());
            if rendered.is_err() {
                text = format!("{report:?}");
            }
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
