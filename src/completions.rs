//! `bindery completions SHELL` and `bindery man`: both generated from the clap definition,
//! so they cannot drift from the options the program takes.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

/// The command as people use it: without hidden subcommands (the internal render worker),
/// which clap_complete 4.6's scripts offer in every shell although it is hidden.
fn public<C: CommandFactory>() -> clap::Command {
    let full = C::command();
    let mut command = clap::Command::new("bindery")
        .version(env!("CARGO_PKG_VERSION"))
        .about(full.get_about().cloned().unwrap_or_default())
        .subcommand_required(full.is_subcommand_required_set())
        .arg_required_else_help(full.is_arg_required_else_help_set());
    for arg in full.get_arguments() {
        if !matches!(arg.get_id().as_str(), "help" | "version") {
            command = command.arg(arg.clone());
        }
    }
    for sub in full.get_subcommands().filter(|s| !s.is_hide_set()) {
        command = command.subcommand(sub.clone());
    }
    command
}

/// Writes the completion script for `shell` to standard output.
pub fn completions<C: CommandFactory>(shell: clap_complete::Shell) -> std::io::Result<()> {
    let mut command = public::<C>();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "bindery", &mut out);
    out.flush()
}

/// The manual page of `bindery` (roff) on standard output, or, with `dir`, one page per
/// command written into it (`bindery.1`, `bindery-build.1`, ...); returns the files written.
pub fn man<C: CommandFactory>(dir: Option<&Path>) -> std::io::Result<Vec<std::path::PathBuf>> {
    // clap_mangen leaves hidden commands out by itself.
    let command = C::command();
    match dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out)?;
            out.flush()?;
            Ok(Vec::new())
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            clap_mangen::generate_to(command, dir)?;
            let mut written: Vec<_> = std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "1")
                        && p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with("bindery"))
                })
                .collect();
            written.sort();
            Ok(written)
        }
    }
}

/// `--to`'s parser: the format names as possible values (so completion scripts offer them),
/// aliases and did-you-mean from [`crate::suggest::parse_format`].
#[derive(Clone)]
pub struct FormatParser;

impl clap::builder::TypedValueParser for FormatParser {
    type Value = bindery_pipeline::Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let text = value
            .to_str()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        crate::suggest::parse_format(text).map_err(|message| {
            let name = arg.map_or_else(String::new, |a| format!(" for '{a}'"));
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "invalid value '{text}'{name}: {message}\n\nFor more information, try '--help'.\n"
                ),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            bindery_pipeline::Format::all().map(|f| clap::builder::PossibleValue::new(f.name())),
        ))
    }
}
