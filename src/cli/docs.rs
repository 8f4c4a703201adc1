//! `kglink help-markdown` (hidden): every command's `--help`, as the Markdown
//! of `docs/cli.md`. A test compares the file with this output, so the
//! reference cannot go stale.

use clap::{Command, CommandFactory};
use std::fmt::Write;
use std::process::ExitCode;

/// Width the help text is wrapped at, whatever the terminal.
const WIDTH: usize = 100;

pub fn run() -> anyhow::Result<ExitCode> {
    print!("{}", markdown());
    Ok(ExitCode::SUCCESS)
}

/// The Markdown reference of all commands.
pub fn markdown() -> String {
    let mut cli = without_env_values(super::Cli::command())
        .term_width(WIDTH)
        .max_term_width(WIDTH);
    cli.build();
    let mut out = String::from(
        "# Command-line reference\n\n\
         Generated from the command definitions by `kglink help-markdown > docs/cli.md`;\n\
         `tests/it/cli.rs` fails when this file and the binary disagree. Every command\n\
         prints data on stdout and progress, summaries and errors on stderr; exit codes\n\
         are 0 (success), 1 (bad input or a failed item) and 2 (internal error).\n\n",
    );
    let mut pages = Vec::new();
    collect(&cli, "kglink", &mut pages);
    for (path, _) in &pages {
        let anchor = path.replace(' ', "-");
        let _ = writeln!(out, "- [`{path}`](#{anchor})");
    }
    out.push('\n');
    for (path, help) in pages {
        let _ = write!(out, "## {path}\n\n```text\n{}\n```\n\n", help.trim_end());
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// `cmd` with its environment variables named but not their current values,
/// so the reference does not depend on who generates it.
fn without_env_values(cmd: Command) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd.mut_args(|a| a.hide_env_values(true));
    for name in names {
        cmd = cmd.mut_subcommand(name, without_env_values);
    }
    cmd
}

/// Each visible command under `cmd` with its long help, depth first.
fn collect(cmd: &Command, path: &str, pages: &mut Vec<(String, String)>) {
    let mut c = cmd.clone();
    let help = c.render_long_help().to_string();
    // trailing blanks of wrapped lines are noise in a diff
    let help: String = help
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    pages.push((path.to_string(), help));
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        collect(sub, &format!("{path} {}", sub.get_name()), pages);
    }
}
