//! Project defaults: `./bindery.toml` holding only a `[build]` table gives `bindery build`
//! options the command line does not (`to = ["html", "pdf"]`, `raw-html = "keep"`, `toc =
//! true`, ...). Each key is a long option of `build`; an unknown key, a value of the wrong
//! kind or one the option refuses is an error at the file's line and column (exit 2).
//!
//! The file is looked for in the current directory only, where `bindery build` looks for
//! `content/` too. A `bindery.toml` that is a book (title, chapters, a `SUMMARY.md` beside it)
//! is not defaults and is ignored here.
//!
//! How: the command line is parsed as usual; then each key the command line did not give is
//! turned into `--key=value` arguments and the command line parsed again with them inserted
//! after `build`, so a value from the file is checked by the very parser a typed one is.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches};

/// Where the effective value of one option came from, for `--print-config`.
enum Origin {
    CommandLine,
    File { line: usize },
    Default,
    Unset,
}

/// One `[build]` key of the file, turned into arguments.
struct Key {
    id: String,
    long: String,
    line: usize,
    col: usize,
    args: Vec<OsString>,
}

/// Parses the command line, with the project defaults of `./bindery.toml` for `build`;
/// prints the effective settings and exits for `build --print-config`.
pub fn parse<P: CommandFactory + FromArgMatches>() -> P {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let mut command = P::command();
    let matches = command.clone().get_matches_from(argv.clone());
    // `watch` takes the options of `build`, and its defaults.
    let (name, build_matches) = match matches.subcommand() {
        Some((name @ ("build" | "watch"), sub)) => (name, sub),
        _ => return from_matches(&matches),
    };
    let file = PathBuf::from(bindery_pipeline::book::CONFIG_FILE);
    let keys = match read_keys(&file, &mut command, name, build_matches) {
        Ok(keys) => keys,
        Err(message) => fail(&command, message),
    };
    let Some(position) = argv.iter().position(|a| a == name) else {
        return from_matches(&matches);
    };
    let with = |keys: &[&Key]| {
        let mut args = argv.clone();
        let inserted: Vec<OsString> = keys.iter().flat_map(|k| k.args.iter().cloned()).collect();
        args.splice(position + 1..position + 1, inserted);
        args
    };
    let all: Vec<&Key> = keys.iter().collect();
    let matches = match command.clone().try_get_matches_from(with(&all)) {
        Ok(matches) => matches,
        Err(_) => {
            // Name the key whose value the option refused.
            for key in &keys {
                if let Err(error) = command.clone().try_get_matches_from(with(&[key])) {
                    let text = error.render().to_string();
                    let first = text.lines().next().unwrap_or_default();
                    let reason = first.strip_prefix("error: ").unwrap_or(first);
                    fail(
                        &command,
                        format!(
                            "{}:{}:{}: `{}` in [build]: {reason}",
                            file.display(),
                            key.line,
                            key.col,
                            key.long
                        ),
                    );
                }
            }
            // Together they conflict although each is fine alone.
            command.clone().get_matches_from(with(&all))
        }
    };
    let Some((_, build)) = matches.subcommand() else {
        unreachable!("the same command line parsed as {name} before");
    };
    if build.get_flag("print_config") {
        print_config(&mut command, name, build, &keys, &file);
        std::process::exit(0);
    }
    from_matches(&matches)
}

fn from_matches<P: FromArgMatches>(matches: &ArgMatches) -> P {
    P::from_arg_matches(matches).unwrap_or_else(|e| e.exit())
}

/// A usage error (exit 2), printed the way clap prints its own.
fn fail(command: &clap::Command, message: String) -> ! {
    command
        .clone()
        .error(clap::error::ErrorKind::ValueValidation, message)
        .exit()
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// The `[build]` keys of `file` that the command line did not set, as arguments; none when
/// there is no such file or it is a book.
fn read_keys(
    file: &Path,
    command: &mut clap::Command,
    name: &str,
    given: &ArgMatches,
) -> Result<Vec<Key>, String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Ok(Vec::new());
    };
    if !bindery_pipeline::book::is_project_defaults(&text)
        || Path::new(bindery_pipeline::book::SUMMARY_FILE).is_file()
    {
        return Ok(Vec::new());
    }
    #[derive(serde::Deserialize)]
    struct Defaults {
        build: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
    }
    let defaults: Defaults = toml::from_str(&text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |span| line_col(&text, span.start));
        format!("{}:{line}:{col}: {}", file.display(), e.message())
    })?;
    command.build();
    let build = command
        .find_subcommand(name)
        .expect("bindery has build and watch commands");
    let options: Vec<&clap::Arg> = build
        .get_arguments()
        .filter(|a| a.get_long().is_some() && !a.is_hide_set())
        .filter(|a| !matches!(a.get_long(), Some("help" | "print-config")))
        .collect();
    let mut keys = Vec::new();
    for (name, value) in defaults.build {
        let (line, col) = line_col(&text, name.span().start);
        let at = format!("{}:{line}:{col}", file.display());
        let name = name.into_inner();
        let Some(arg) = options
            .iter()
            .find(|a| a.get_long() == Some(name.as_str()) || a.get_id() == name.as_str())
        else {
            let longs: Vec<&str> = options.iter().filter_map(|a| a.get_long()).collect();
            return Err(crate::suggest::with_suggestion(
                format!("{at}: `{name}` in [build] is not an option of `bindery build`"),
                &name,
                longs,
            ));
        };
        let long = arg.get_long().expect("filtered on long").to_string();
        let id = arg.get_id().to_string();
        if given.value_source(&id) == Some(ValueSource::CommandLine) {
            continue;
        }
        let (value_line, value_col) = line_col(&text, value.span().start);
        let value_at = format!("{}:{value_line}:{value_col}", file.display());
        let switch = matches!(arg.get_action(), ArgAction::SetTrue);
        let args = match (switch, value.into_inner()) {
            (true, toml::Value::Boolean(on)) => {
                if on {
                    vec![OsString::from(format!("--{long}"))]
                } else {
                    Vec::new()
                }
            }
            (true, _) => {
                return Err(format!("{value_at}: `{long}` is a switch: true or false"));
            }
            (false, toml::Value::Array(items)) => {
                let mut args = Vec::new();
                for item in items {
                    args.push(OsString::from(format!(
                        "--{long}={}",
                        scalar(&item, &value_at, &long)?
                    )));
                }
                args
            }
            (false, item) => vec![OsString::from(format!(
                "--{long}={}",
                scalar(&item, &value_at, &long)?
            ))],
        };
        keys.push(Key {
            id,
            long,
            line,
            col,
            args,
        });
    }
    Ok(keys)
}

/// One value as the command line would spell it.
fn scalar(value: &toml::Value, at: &str, long: &str) -> Result<String, String> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Float(x) => Ok(x.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        _ => Err(format!(
            "{at}: `{long}` takes a string, a number or a list of them"
        )),
    }
}

/// `build --print-config`: every option of `build`, its effective value and where it came
/// from, in the form `[build]` takes (so a line can be copied into `bindery.toml`).
fn print_config(
    command: &mut clap::Command,
    name: &str,
    build: &ArgMatches,
    keys: &[Key],
    file: &Path,
) {
    command.build();
    let sub = command
        .find_subcommand(name)
        .expect("bindery has build and watch commands");
    let mut lines = vec![format!(
        "# bindery {name}: the effective settings and where each comes from (project defaults: {})",
        if std::fs::read_to_string(file)
            .is_ok_and(|text| bindery_pipeline::book::is_project_defaults(&text))
        {
            format!("./{}, {} keys used", file.display(), keys.len())
        } else {
            format!("none, no [build] table in ./{}", file.display())
        }
    )];
    lines.push("[build]".into());
    for arg in sub.get_arguments() {
        let Some(long) = arg.get_long() else {
            continue;
        };
        if arg.is_hide_set() || matches!(long, "help" | "print-config") {
            continue;
        }
        let id = arg.get_id().as_str();
        let from_file = keys.iter().find(|k| k.id == id);
        let origin = match (build.value_source(id), from_file) {
            (Some(ValueSource::CommandLine), Some(key)) => Origin::File { line: key.line },
            (Some(ValueSource::CommandLine), None) => Origin::CommandLine,
            (Some(_), _) => Origin::Default,
            (None, _) => Origin::Unset,
        };
        let value = if matches!(arg.get_action(), ArgAction::SetTrue) {
            build.get_flag(id).to_string()
        } else {
            let raw: Vec<String> = build
                .get_raw(id)
                .map(|values| values.map(|v| v.to_string_lossy().into_owned()).collect())
                .unwrap_or_default();
            let quoted: Vec<String> = raw.iter().map(|v| toml_value(v)).collect();
            if matches!(arg.get_action(), ArgAction::Append) {
                format!("[{}]", quoted.join(", "))
            } else {
                quoted.join(", ")
            }
        };
        let origin = match origin {
            Origin::CommandLine => "command line".to_string(),
            Origin::File { line } => format!("{}:{line}", file.display()),
            Origin::Default => "default".to_string(),
            Origin::Unset => {
                // Two options have no clap default but a value the build does choose.
                let chosen = match long {
                    "to" => Some((
                        format!(
                            "[{}]",
                            bindery_pipeline::Format::defaults()
                                .iter()
                                .map(|f| toml_value(f.name()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        "default: every format but json",
                    )),
                    "jobs" => std::thread::available_parallelism()
                        .ok()
                        .map(|n| (n.to_string(), "default: one per CPU")),
                    _ => None,
                };
                match chosen {
                    Some((value, why)) => lines.push(format!("{long} = {value}  # {why}")),
                    None => lines.push(format!("# {long} = (not set)")),
                }
                continue;
            }
        };
        lines.push(format!("{long} = {value}  # {origin}"));
    }
    println!("{}", lines.join("\n"));
}

/// A value as TOML: a number bare, anything else quoted.
fn toml_value(value: &str) -> String {
    if value.parse::<i64>().is_ok() {
        value.to_string()
    } else {
        toml::Value::String(value.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_and_columns_are_one_based() {
        let text = "[build]\nto = 1\n  toc = x\n";
        assert_eq!(super::line_col(text, 0), (1, 1));
        assert_eq!(super::line_col(text, 8), (2, 1));
        assert_eq!(super::line_col(text, text.find("toc").unwrap()), (3, 3));
    }
}
