//! The machine that runs a compiled script inside a simulated container. It is resumable: `run` goes
//! until the script sleeps or exits and returns that, so the kubelet can wake the container again at
//! the right virtual instant. Variables, `$?`, loop state and nested `sh -c` calls live here; the
//! commands themselves are in `builtins`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use super::builtins::{self, Outcome};
use super::parse::{Op, Part, Program, Word};
use crate::sim::Duration;

/// What the running script is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yield {
    /// Sleeping: wake it after this long.
    Sleep(Duration),
    /// The main process exited with this code.
    Exit(i32),
}

/// What the machine may know about its surroundings when it runs.
#[derive(Debug, Clone)]
pub struct Surroundings<'a> {
    pub hostname: String,
    /// The wall-clock instant the container sees (`date`).
    pub now_unix_ms: i64,
    /// The network, when the shell runs with one (`kubectl exec`).
    pub net: Option<&'a dyn super::NetworkAccess>,
}

/// Instructions one `run` may execute before yielding; a loop that never sleeps is paused for a
/// second each time, so it cannot stall the simulation (it would burn a CPU on a real node).
const BUDGET: usize = 2_000;
/// Output lines one `run` may produce.
const MAX_LINES: usize = 200;

#[derive(Debug, Clone)]
struct Frame {
    prog: Arc<Program>,
    pc: usize,
    loops: Vec<VecDeque<String>>,
    silent: u32,
    /// The frame a `sh -c` started: `exit` ends here.
    call_base: bool,
}

impl Frame {
    fn new(prog: Arc<Program>, call_base: bool) -> Self {
        let loops = vec![VecDeque::new(); prog.loop_slots];
        Frame { prog, pc: 0, loops, silent: 0, call_base }
    }
}

/// A running script.
#[derive(Debug, Clone)]
pub struct Machine {
    frames: Vec<Frame>,
    pub(super) vars: BTreeMap<String, String>,
    pub(super) status: i32,
    /// `sh`, as error messages name the shell.
    pub(super) shell: String,
    partial: String,
    lines: Vec<String>,
    /// The command of `trap '...' TERM`, run when the container is asked to stop.
    pub(super) term_trap: Option<String>,
    /// Empty files the script created with `touch` (what exec probes like `cat /tmp/healthy` test).
    pub files: std::collections::BTreeSet<String>,
}

impl Machine {
    pub fn new(prog: Program, vars: BTreeMap<String, String>, shell: &str) -> Self {
        Machine {
            frames: vec![Frame::new(Arc::new(prog), true)],
            vars,
            status: 0,
            shell: shell.to_string(),
            partial: String::new(),
            lines: Vec::new(),
            term_trap: None,
            files: Default::default(),
        }
    }

    /// Whether the script installed a SIGTERM handler.
    pub fn traps_term(&self) -> bool {
        self.term_trap.is_some()
    }

    /// Delivers SIGTERM to a script that traps it: its handler runs next, in place of what it was
    /// doing (a sleep in progress is cut short, as a signal interrupts `sleep`).
    pub fn deliver_term(&mut self) {
        let Some(handler) = self.term_trap.take() else { return };
        if let Ok(prog) = super::parse::compile(&handler) {
            self.frames.clear();
            self.frames.push(Frame::new(Arc::new(prog), true));
        }
    }

    /// Writes text to the container's stdout (unless on the left of a pipe).
    pub(super) fn write(&mut self, text: &str) {
        if self.frames.iter().any(|f| f.silent > 0) {
            return;
        }
        for c in text.chars() {
            if c == '\n' {
                self.lines.push(std::mem::take(&mut self.partial));
            } else {
                self.partial.push(c);
            }
        }
    }

    /// Starts a nested shell (`sh -c`) whose `exit` returns to the caller.
    pub(super) fn call(&mut self, prog: Program) {
        self.frames.push(Frame::new(Arc::new(prog), true));
    }

    /// Runs until the script sleeps or exits; the lines it wrote go to `out`.
    pub fn run(&mut self, env: &Surroundings, out: &mut Vec<String>) -> Yield {
        let y = self.step(env);
        out.append(&mut self.lines);
        if let Yield::Exit(_) = y
            && !self.partial.is_empty()
        {
            out.push(std::mem::take(&mut self.partial));
        }
        y
    }

    fn step(&mut self, env: &Surroundings) -> Yield {
        let mut budget = BUDGET;
        loop {
            if budget == 0 || self.lines.len() >= MAX_LINES {
                return Yield::Sleep(Duration::from_secs(1));
            }
            budget -= 1;
            let Some(frame) = self.frames.last_mut() else { return Yield::Exit(self.status) };
            let prog = frame.prog.clone();
            let Some(op) = prog.ops.get(frame.pc) else {
                self.frames.pop();
                continue;
            };
            frame.pc += 1;
            match op {
                Op::Nop => {}
                Op::Jump(t) => frame.pc = *t,
                Op::JumpIfFail(t) if self.status != 0 => frame.pc = *t,
                Op::JumpIfOk(t) if self.status == 0 => frame.pc = *t,
                Op::JumpIfFail(_) | Op::JumpIfOk(_) => {}
                Op::SetStatus(s) => self.status = *s,
                Op::Silence(on) => {
                    frame.silent = if *on { frame.silent + 1 } else { frame.silent.saturating_sub(1) };
                }
                Op::ForStart { slot, items } => {
                    let items: VecDeque<String> = self.expand(items, env).into();
                    if let Some(frame) = self.frames.last_mut()
                        && let Some(l) = frame.loops.get_mut(*slot)
                    {
                        *l = items;
                    }
                }
                Op::ForNext { slot, var, end } => match frame.loops.get_mut(*slot).and_then(VecDeque::pop_front) {
                    Some(v) => {
                        self.vars.insert(var.clone(), v);
                    }
                    None => frame.pc = *end,
                },
                Op::Run { assigns, words } => {
                    let argv = self.expand(words, env);
                    let mut saved = Vec::new();
                    for (name, value) in assigns {
                        let v = self.expand_one(value, env);
                        let old = self.vars.insert(name.clone(), v);
                        if !argv.is_empty() {
                            saved.push((name.clone(), old));
                        }
                    }
                    if argv.is_empty() {
                        continue;
                    }
                    let outcome = builtins::run(self, &argv, env);
                    // `VAR=x cmd` sets VAR for cmd only.
                    for (name, old) in saved {
                        match old {
                            Some(v) => self.vars.insert(name, v),
                            None => self.vars.remove(&name),
                        };
                    }
                    match outcome {
                        Outcome::Status(s) => self.status = s,
                        Outcome::Sleep(d) => {
                            self.status = 0;
                            if d > Duration::ZERO {
                                return Yield::Sleep(d);
                            }
                        }
                        Outcome::Exit(code) => {
                            self.status = code;
                            while let Some(f) = self.frames.pop() {
                                if f.call_base {
                                    break;
                                }
                            }
                            if self.frames.is_empty() {
                                return Yield::Exit(code);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Expands words into fields: variables, `$?`, `$(...)`, `$((...))`, splitting unquoted expansions.
    pub(super) fn expand(&mut self, words: &[Word], env: &Surroundings) -> Vec<String> {
        let mut fields = Vec::new();
        for word in words {
            let mut cur = String::new();
            let mut has = false;
            for (part, quoted) in word {
                let (value, literal) = match part {
                    Part::Lit(s) => (s.clone(), true),
                    Part::Var(n) => (self.lookup(n), false),
                    Part::Subst(p) => (self.substitute(p, env), false),
                    Part::Arith(e) => (super::builtins::arith(self, e).to_string(), false),
                };
                if literal || *quoted {
                    cur.push_str(&value);
                    has = true;
                    continue;
                }
                let mut pieces = value.split_whitespace();
                if let Some(first) = pieces.next() {
                    cur.push_str(first);
                    has = true;
                }
                for p in pieces {
                    fields.push(std::mem::take(&mut cur));
                    cur.push_str(p);
                }
            }
            if has {
                fields.push(cur);
            }
        }
        fields
    }

    fn expand_one(&mut self, word: &Word, env: &Surroundings) -> String {
        let mut s = String::new();
        for (part, _) in word {
            match part {
                Part::Lit(l) => s.push_str(l),
                Part::Var(n) => s.push_str(&self.lookup(n)),
                Part::Subst(p) => s.push_str(&self.substitute(p, env)),
                Part::Arith(e) => s.push_str(&super::builtins::arith(self, e).to_string()),
            }
        }
        s
    }

    pub(super) fn lookup(&self, name: &str) -> String {
        match name {
            "?" => self.status.to_string(),
            "$" => "1".into(),
            "#" => "0".into(),
            "0" => self.shell.clone(),
            _ => self.vars.get(name).cloned().unwrap_or_default(),
        }
    }

    /// `$(...)`: runs the program to its end at once (sleeps inside pass instantly) and returns its
    /// output without trailing newlines.
    fn substitute(&mut self, prog: &Arc<Program>, env: &Surroundings) -> String {
        let mut sub = Machine::new((**prog).clone(), self.vars.clone(), &self.shell);
        let mut out = Vec::new();
        for _ in 0..4 {
            if let Yield::Exit(code) = sub.run(env, &mut out) {
                self.status = code;
                break;
            }
        }
        out.join("\n").trim_end_matches('\n').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::compile;
    use super::*;

    fn env() -> Surroundings<'static> {
        Surroundings { hostname: "web-1".into(), now_unix_ms: 1_767_225_600_000, net: None }
    }

    fn run_all(script: &str) -> (Vec<String>, Vec<Yield>) {
        let mut m = Machine::new(compile(script).unwrap(), BTreeMap::from([("A".into(), "x y".into())]), "sh");
        let mut out = Vec::new();
        let mut yields = Vec::new();
        for _ in 0..10 {
            let y = m.run(&env(), &mut out);
            yields.push(y);
            if let Yield::Exit(_) = y {
                break;
            }
        }
        (out, yields)
    }

    #[test]
    fn lists_conditionals_and_exit_codes() {
        let (out, y) = run_all("echo a; false && echo no || echo yes; echo \"$A\" $A; exit 3; echo never");
        assert_eq!(out, ["a", "yes", "x y x y"]);
        assert_eq!(y, [Yield::Exit(3)]);
        let (out, y) = run_all("sleep 5; echo done");
        assert_eq!(out, ["done"]);
        assert_eq!(y, [Yield::Sleep(Duration::from_secs(5)), Yield::Exit(0)]);
    }

    #[test]
    fn loops_and_substitution() {
        let (out, y) = run_all("while true; do echo tick $(hostname); sleep 2; done");
        assert_eq!(out.len(), 10);
        assert_eq!(out[0], "tick web-1");
        assert!(y.iter().all(|y| *y == Yield::Sleep(Duration::from_secs(2))));
        let (out, _) = run_all("for i in 1 2 3; do echo $i; done; i=0; i=$((i+2*3)); echo $i");
        assert_eq!(out, ["1", "2", "3", "6"]);
        let (out, y) = run_all("sh -c 'echo in; exit 4'; echo $?");
        assert_eq!(out, ["in", "4"]);
        assert_eq!(y, [Yield::Exit(0)]);
        let (out, y) = run_all("nosuch arg");
        assert_eq!(out, ["sh: nosuch: not found"]);
        assert_eq!(y, [Yield::Exit(127)]);
    }

    #[test]
    fn busy_loops_yield() {
        let (out, y) = run_all("while true; do :; done");
        assert!(out.is_empty());
        assert_eq!(y[0], Yield::Sleep(Duration::from_secs(1)));
    }
}
