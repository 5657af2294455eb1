//! The shell both front ends share. It takes a command (one logical line plus its here-documents),
//! splits it into a pipeline, and runs each stage: kubectl (or `k`), the playground's `kubarium`
//! verbs, or a builtin. Only the last stage's stdout is shown; every stage's stderr is.

use super::builtins;
use super::filters;
use super::kubarium;
use super::lexer::{Token, tokenize};
use super::script::{Command, split_script};
use super::transcript;
use crate::cluster::Cluster;
use crate::kubectl::{self, Output};
use crate::scenario::{Scenario, TimedCommand, link};

/// Where `kubarium share` points natively: the playground as `make serve` serves it. The web UI
/// replaces it with the page's own address.
const DEFAULT_LINK_BASE: &str = "http://localhost:8080/";

/// What running a command did, beyond its output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandResult {
    pub output: Output,
    /// `clear` was run: the terminal empties its screen.
    pub clear: bool,
    /// The `seq` of the command's first trace entry: the root of its causal chain (journey mode).
    /// None when the command did not touch the cluster.
    pub root: Option<u64>,
}

/// One stage of a pipeline.
#[derive(Debug, Default)]
struct Stage {
    words: Vec<String>,
    heredoc: Option<usize>,
}

/// A shell session over one cluster.
#[derive(Debug)]
pub struct Shell {
    cluster: Cluster,
    history: Vec<String>,
    settings: kubarium::Settings,
    /// The scenario the session started from, without commands (its seed follows `kubarium seed`).
    origin: Scenario,
    /// The commands run since the cluster booted, with their virtual times: the rest of the scenario.
    recorded: Vec<TimedCommand>,
    /// The virtual time (ms) the last recorded command ended at: a command that starts then needs no `at`.
    recorded_until: u64,
    /// Set by a stage that booted a new cluster.
    rebooted: bool,
    /// The kubeconfig's context namespace, as `kubectl config set-context` leaves it.
    kubeconfig: kubectl::KubeConfig,
    link_base: String,
}

impl Shell {
    /// A session over `cluster`, which booted the default scenario with the cluster's seed.
    pub fn new(cluster: Cluster) -> Self {
        let origin = Scenario { seed: cluster.seed(), ..Scenario::default() };
        Self::with_origin(cluster, origin)
    }

    /// A session over `cluster`, which booted from `origin` (its commands are not kept).
    pub fn with_origin(cluster: Cluster, origin: Scenario) -> Self {
        Shell {
            recorded_until: cluster.now().as_millis(),
            cluster,
            history: Vec::new(),
            settings: kubarium::Settings::default(),
            origin: origin.origin(),
            recorded: Vec::new(),
            rebooted: false,
            kubeconfig: kubectl::KubeConfig::default(),
            link_base: DEFAULT_LINK_BASE.to_string(),
        }
    }

    /// The session as a scenario: replaying it rebuilds this state.
    pub fn scenario(&self) -> Scenario {
        Scenario { seed: self.cluster.seed(), commands: self.recorded.clone(), ..self.origin.clone() }
    }

    /// The lesson step the session is at, so that a share link opens the lesson there too.
    pub fn set_lesson(&mut self, lesson: Option<crate::scenario::LessonRef>) {
        self.origin.lesson = lesson;
    }

    /// The address `kubarium share` builds links on (the page's, in the web UI).
    pub fn set_link_base(&mut self, base: &str) {
        self.link_base = base.to_string();
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    pub fn settings(&self) -> kubarium::Settings {
        self.settings
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Runs every command in `text` (a script or a paste) and returns the transcript.
    pub fn run_script(&mut self, text: &str) -> String {
        let mut out = String::new();
        for command in split_script(text) {
            let result = self.run(&command);
            transcript::append(&mut out, &command, &result.output);
        }
        out
    }

    /// Runs one command and records it in the history.
    pub fn run(&mut self, command: &Command) -> CommandResult {
        let text = command.lines.join("\n");
        self.history.push(text.clone());
        let started = self.cluster.now().as_millis();
        let shares = command.line.split_whitespace().take(2).eq(["kubarium", "share"]);
        if !shares {
            self.recorded.push(TimedCommand { at: (started != self.recorded_until).then_some(started), run: text });
        }
        self.rebooted = false;
        let result = self.run_unrecorded(command);
        if self.rebooted {
            // `kubarium reset` or `kubarium seed N` booted a new cluster: the scenario starts over.
            self.recorded.clear();
            self.kubeconfig = kubectl::KubeConfig::default();
        }
        self.recorded_until = self.cluster.now().as_millis();
        result
    }

    fn run_unrecorded(&mut self, command: &Command) -> CommandResult {
        let mut result = CommandResult::default();
        let stages = match parse_pipeline(&command.line) {
            Ok(stages) => stages,
            Err(message) => {
                result.output.err(format!("{message}\n"));
                result.output.exit_code = 2;
                return result;
            }
        };
        // A command that talks to the cluster starts a causal chain of its own: its first trace entry
        // becomes the root. `sleep` only lets time pass, so what happens then stays in the chain of
        // the command that caused it.
        let acts =
            stages.iter().any(|s| s.words.first().is_some_and(|p| matches!(p.as_str(), "kubectl" | "k" | "kubarium")));
        if acts {
            self.cluster.api_mut().set_root(0);
        }
        let first = self.cluster.api().trace().next_seq();
        if let Some(delimiter) = &command.unterminated_heredoc {
            result.output.err(format!("warning: here-document delimited by end-of-file (wanted `{delimiter}')\n"));
        }
        let mut piped: Option<String> = None;
        let last = stages.len().saturating_sub(1);
        for (i, stage) in stages.iter().enumerate() {
            let stdin = match stage.heredoc {
                Some(n) => command.heredocs.get(n).cloned(),
                None => piped.take(),
            };
            let mut out = Output::default();
            self.run_stage(&stage.words, stdin.as_deref(), &mut out, &mut result.clear);
            result.output.exit_code = out.exit_code;
            if i == last {
                for (stream, text) in out.chunks {
                    match stream {
                        kubectl::Stream::Stdout => result.output.out(text),
                        kubectl::Stream::Stderr => result.output.err(text),
                    }
                }
            } else {
                let stderr = out.stderr();
                result.output.err(stderr);
                piped = Some(out.stdout());
            }
        }
        result.root = (acts && self.cluster.api().trace().next_seq() > first).then_some(first);
        result
    }

    fn run_stage(&mut self, words: &[String], stdin: Option<&str>, out: &mut Output, clear: &mut bool) {
        let Some(program) = words.first() else { return };
        let args = &words[1..];
        match program.as_str() {
            "kubectl" | "k" => kubectl::run_with(args, stdin, &mut self.cluster, &mut self.kubeconfig, out),
            "kubarium" if args.first().is_some_and(|a| a == "share") => self.share(&args[1..], out),
            "kubarium" => {
                let effect = kubarium::run(args, &mut self.cluster, &mut self.settings, out);
                self.rebooted |= effect == kubarium::Effect::Rebooted;
            }
            "echo" => builtins::echo(args, out),
            "cat" => builtins::cat(args, stdin, out),
            "grep" => filters::grep(args, stdin, out),
            "head" | "tail" => filters::head_tail(program, args, stdin, out),
            "wc" => filters::wc(args, stdin, out),
            "sleep" => builtins::sleep(args, &mut self.cluster, out),
            "history" => builtins::history(&self.history, out),
            "help" => builtins::help(out),
            "clear" => *clear = true,
            other => {
                out.err(format!("{other}: command not found\n"));
                out.exit_code = 127;
            }
        }
    }
}

impl Shell {
    /// `kubarium share [-o yaml]`: the session as a link, or as a scenario file when it is too long for
    /// one (or when asked).
    fn share(&self, args: &[String], out: &mut Output) {
        let scenario = self.scenario();
        match args {
            [] => match link::url(&self.link_base, &scenario) {
                Ok(url) => out.out(format!("{url}\n")),
                Err(e) => out.fail(format!("kubarium share: {e}: kubarium share -o yaml prints it\n")),
            },
            [o, yaml] if o == "-o" && yaml == "yaml" => match crate::scenario::file::to_yaml(&scenario) {
                Ok(text) => out.out(text),
                Err(e) => out.fail(format!("kubarium share: {e}\n")),
            },
            _ => out.fail("usage: kubarium share [-o yaml]\n"),
        }
    }
}

/// Splits a logical line into pipeline stages, attaching here-document markers to their stage.
fn parse_pipeline(line: &str) -> Result<Vec<Stage>, String> {
    let tokens = tokenize(line).map_err(|e| format!("kubarium: {e}"))?;
    let mut stages = vec![Stage::default()];
    let mut heredocs = 0;
    for token in tokens {
        let Some(stage) = stages.last_mut() else { break };
        match token {
            Token::Word(w) => stage.words.push(w),
            Token::HereDoc { .. } => {
                stage.heredoc = Some(heredocs);
                heredocs += 1;
            }
            Token::Pipe => {
                if stage.words.is_empty() {
                    return Err("kubarium: syntax error near unexpected token `|'".into());
                }
                stages.push(Stage::default());
            }
            Token::RedirectIn => {
                return Err(
                    "kubarium: input redirection from files is not supported here; use a here-document (<<EOF)".into(),
                );
            }
        }
    }
    if stages.len() > 1 && stages.last().is_some_and(|s| s.words.is_empty()) {
        return Err("kubarium: syntax error: unexpected end of file".into());
    }
    Ok(stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript(script: &str) -> String {
        Shell::new(Cluster::boot_default(1)).run_script(script)
    }

    #[test]
    fn version_and_echo_transcript() {
        assert_eq!(
            transcript("kubectl version\necho hi\n"),
            "$ kubectl version\nClient Version: v1.36.3\nKustomize Version: v5.8.1\nServer Version: v1.36.3\n$ echo hi\nhi\n"
        );
    }

    #[test]
    fn unknown_program_is_not_found() {
        let mut shell = Shell::new(Cluster::boot_default(1));
        let r = shell.run(&split_script("kubeclt get pods")[0]);
        assert_eq!(r.output.stderr(), "kubeclt: command not found\n");
        assert_eq!(r.output.exit_code, 127);
    }

    #[test]
    fn heredoc_feeds_the_pipeline() {
        assert_eq!(transcript("cat <<EOF | cat\nline one\nEOF\n"), "$ cat <<EOF | cat\n> line one\n> EOF\nline one\n");
    }

    #[test]
    fn sleep_advances_virtual_time_and_history_counts() {
        let mut shell = Shell::new(Cluster::boot_default(1));
        shell.run_script("sleep 90\nsleep 1m30s\n");
        assert_eq!(shell.cluster().now().as_millis(), 180_000);
        assert_eq!(shell.run_script("history"), "$ history\n    1  sleep 90\n    2  sleep 1m30s\n    3  history\n");
        assert!(shell.run_script("sleep x").contains("sleep: invalid time interval 'x'"));
    }

    #[test]
    fn commands_that_act_start_a_causal_chain_and_sleep_stays_in_it() {
        let mut shell = Shell::new(Cluster::boot_default(1));
        let created = shell.run(&split_script("kubectl create deployment web --image=nginx")[0]);
        let root = created.root.expect("kubectl create records trace entries");
        let slept = shell.run(&split_script("sleep 5")[0]);
        assert_eq!(slept.root, None);
        let trace = shell.cluster().api().trace();
        assert!(trace.since(root).any(|e| e.root == root && e.object.kind == "ReplicaSet"));
        assert_eq!(shell.run(&split_script("echo hi")[0]).root, None);
    }

    #[test]
    fn syntax_errors_do_not_stop_the_shell() {
        let mut shell = Shell::new(Cluster::boot_default(1));
        let t = shell.run_script("echo 'oops\n");
        assert!(t.contains("unexpected EOF while looking for matching"), "{t}");
        assert_eq!(shell.run_script("echo ok"), "$ echo ok\nok\n");
        assert!(shell.run_script("echo a |").contains("syntax error"));
        let clear = shell.run(&split_script("clear")[0]);
        assert!(clear.clear);
    }
}
