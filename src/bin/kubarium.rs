//! The native entry: `kubarium run [--seed N] FILE|-` replays a script and prints its transcript;
//! `kubarium shell` is an interactive prompt over the same shell the web terminal uses.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use kubarium::cluster::Cluster;
    use kubarium::terminal::{Shell, split_script};
    use std::io::{BufRead, Read, Write};

    const USAGE: &str = "\
usage: kubarium run [--seed N] FILE|-   replay a script, print its transcript
       kubarium shell [--seed N]        an interactive prompt over the simulated cluster
";

    /// The options both subcommands share.
    struct Options {
        seed: u64,
        positional: Vec<String>,
    }

    fn parse_options(args: &[String]) -> Result<Options, String> {
        let mut opts = Options { seed: 1, positional: Vec::new() };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let seed_value = if arg == "--seed" {
                Some(it.next().cloned().ok_or("--seed needs a value")?)
            } else {
                arg.strip_prefix("--seed=").map(str::to_string)
            };
            if let Some(v) = seed_value {
                opts.seed = v.parse().map_err(|_| format!("invalid seed {v:?}: expected a whole number"))?;
            } else if arg.starts_with("--") {
                return Err(format!("unknown flag: {arg}"));
            } else {
                opts.positional.push(arg.clone());
            }
        }
        Ok(opts)
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
        let mut shell = Shell::new(Cluster::boot_default(opts.seed));
        print!("{}", shell.run_script(&script));
        0
    }

    /// Reads a line at a time, asking for more (`> `) while a command is incomplete: an open quote,
    /// a trailing backslash, or a here-document whose delimiter has not come yet.
    fn shell(opts: &Options) -> i32 {
        let mut shell = Shell::new(Cluster::boot_default(opts.seed));
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
