//! The native entry: `kubarium run [--seed N | --link URL] FILE|-` replays a script (or a scenario
//! file) and prints its transcript; `kubarium shell` is an interactive prompt over the same shell the web
//! terminal uses.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use kubarium::cluster::Cluster;
    use kubarium::scenario::{Scenario, file, link, replay::replay};
    use kubarium::terminal::{Shell, split_script};
    use std::io::{BufRead, Read, Write};

    const USAGE: &str = "\
usage: kubarium run [--seed N | --link URL] FILE|-
                                   replay a script or a scenario file, print its transcript
                                   (--link: start from a share link's state)
       kubarium shell [--seed N | --link URL]
                                   an interactive prompt over the simulated cluster
";

    /// The options both subcommands share.
    struct Options {
        seed: Option<u64>,
        link: Option<String>,
        positional: Vec<String>,
    }

    /// `--name VALUE` or `--name=VALUE`.
    fn flag_value(arg: &str, name: &str, it: &mut std::slice::Iter<'_, String>) -> Result<Option<String>, String> {
        if arg == format!("--{name}") {
            return it.next().cloned().map(Some).ok_or(format!("--{name} needs a value"));
        }
        Ok(arg.strip_prefix(&format!("--{name}=")).map(str::to_string))
    }

    fn parse_options(args: &[String]) -> Result<Options, String> {
        let mut opts = Options { seed: None, link: None, positional: Vec::new() };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if let Some(v) = flag_value(arg, "seed", &mut it)? {
                opts.seed = Some(v.parse().map_err(|_| format!("invalid seed {v:?}: expected a whole number"))?);
            } else if let Some(v) = flag_value(arg, "link", &mut it)? {
                opts.link = Some(v);
            } else if arg.starts_with("--") {
                return Err(format!("unknown flag: {arg}"));
            } else {
                opts.positional.push(arg.clone());
            }
        }
        if opts.seed.is_some() && opts.link.is_some() {
            return Err("--seed and --link cannot be used together: the link fixes the seed".into());
        }
        Ok(opts)
    }

    /// The session the options start from: a share link's replayed state, or the default cluster.
    fn start(opts: &Options) -> Result<Shell, String> {
        let Some(url) = &opts.link else {
            return Ok(Shell::new(Cluster::boot_default(opts.seed.unwrap_or(1))));
        };
        let scenario = link::decode(url).map_err(|e| format!("cannot open the link: {e}"))?;
        start_from(&scenario).map(|(shell, _)| shell)
    }

    fn start_from(scenario: &Scenario) -> Result<(Shell, String), String> {
        replay(scenario).map_err(|e| format!("invalid scenario: {e}"))
    }

    pub fn main(args: Vec<String>) -> i32 {
        let Some(command) = args.first() else {
            eprint!("{USAGE}");
            return 2;
        };
        let opts = match parse_options(&args[1..]) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("kubarium: {e}");
                eprint!("{USAGE}");
                return 2;
            }
        };
        match command.as_str() {
            "run" => run(&opts),
            "shell" => shell(&opts),
            "help" | "--help" | "-h" => {
                print!("{USAGE}");
                0
            }
            other => {
                eprintln!("kubarium: unknown command {other:?}");
                eprint!("{USAGE}");
                2
            }
        }
    }

    fn run(opts: &Options) -> i32 {
        let [file] = opts.positional.as_slice() else {
            eprintln!("kubarium run: expected one script (a file, or - for standard input)");
            return 2;
        };
        let script = if file == "-" {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("kubarium run: cannot read standard input: {e}");
                return 1;
            }
            s
        } else {
            match std::fs::read_to_string(file) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("kubarium run: cannot read {file}: {e}");
                    return 1;
                }
            }
        };
        if file::is_scenario(&script) {
            if opts.seed.is_some() || opts.link.is_some() {
                eprintln!("kubarium run: a scenario file fixes its own seed and cluster; drop --seed and --link");
                return 2;
            }
            return match file::from_yaml(&script).map_err(|e| e.to_string()).and_then(|s| start_from(&s)) {
                Ok((_, transcript)) => {
                    print!("{transcript}");
                    0
                }
                Err(e) => {
                    eprintln!("kubarium run: {file}: {e}");
                    1
                }
            };
        }
        match start(opts) {
            Ok(mut shell) => {
                print!("{}", shell.run_script(&script));
                0
            }
            Err(e) => {
                eprintln!("kubarium run: {e}");
                1
            }
        }
    }

    /// Reads a line at a time, asking for more (`> `) while a command is incomplete: an open quote,
    /// a trailing backslash, or a here-document whose delimiter has not come yet.
    fn shell(opts: &Options) -> i32 {
        let mut shell = match start(opts) {
            Ok(shell) => shell,
            Err(e) => {
                eprintln!("kubarium shell: {e}");
                return 1;
            }
        };
        let stdin = std::io::stdin();
        let mut pending = String::new();
        loop {
            print!("{}", if pending.is_empty() { "$ " } else { "> " });
            let _ = std::io::stdout().flush();
            let mut line = String::new();
            match stdin.lock().read_line(&mut line) {
                Ok(0) | Err(_) => {
                    println!();
                    return 0;
                }
                Ok(_) => {}
            }
            pending.push_str(&line);
            let commands = split_script(&pending);
            let incomplete = commands.last().is_some_and(|c| {
                c.unterminated_heredoc.is_some()
                    || c.line.ends_with('\\')
                    || matches!(
                        kubarium::terminal::lexer::tokenize(&c.line),
                        Err(kubarium::terminal::lexer::LexError::UnterminatedQuote(_))
                    )
            });
            if incomplete {
                continue;
            }
            for command in commands {
                let result = shell.run(&command);
                if result.clear {
                    print!("\x1b[2J\x1b[H");
                }
                for (stream, text) in &result.output.chunks {
                    match stream {
                        kubarium::kubectl::Stream::Stdout => print!("{text}"),
                        kubarium::kubectl::Stream::Stderr => eprint!("{text}"),
                    }
                }
            }
            pending.clear();
        }
    }
}
