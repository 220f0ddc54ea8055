use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use lockstep::cli::{Cli, Env, ExitStatus, run};
use lockstep::report::render_diagnostic;

fn main() -> ExitCode {
    keep_freed_memory();
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

/// glibc's malloc hands the free memory at the top of a heap back to the system once it
/// passes the trim threshold (128 KiB), and faults it in again, page by page, when the
/// heap grows back. Freeing a block it had to map raises that threshold to twice the
/// block's size, and the size it maps from to the block's (the dynamic thresholds of
/// mallopt(3), up to 32 MiB): one 16 MiB block mapped and freed first (no page of it is
/// touched) keeps lockstep's heaps from shrinking and growing back. On cargo the audit
/// since 2024 faults 30% fewer pages (4.7% less CPU), the staged check 6% fewer (see
/// benches/README.md). Other allocators only map and free the block.
fn keep_freed_memory() {
    let block: Vec<u8> = Vec::with_capacity(16 << 20);
    std::hint::black_box(&block);
}

/// A reader that stopped listening (`lockstep check | head`) is not an error.
fn is_broken_pipe(report: &miette::Report) -> bool {
    report.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
