//! The page's state. `Sim` is the mutable world every panel shares (the shell with its cluster, the
//! terminal's screen, the clock's bookkeeping); `Ui` is the reducer state that decides what is drawn
//! (language, tab, selection, journey) and whose `version` moves whenever the world changed, so that
//! every context consumer redraws.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

use super::i18n::Lang;
use super::model::heartbeat;
use super::theme::Theme;
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::kubectl::Stream;
use crate::sim::trace::Component;
use crate::sim::{Duration, Time};
use crate::terminal::{Shell, split_script};

/// What the screen shows before the first command.
const WELCOME: &str = "Welcome to Kubarium: a simulated Kubernetes v1.36 cluster in this tab.\nType `help` for what this shell understands, or try `kubectl create deployment web --image=nginx --replicas=2`.";

/// How many lines the terminal keeps.
const SCROLLBACK: usize = 2000;

/// The longest real gap one tick makes up for (a background tab must not jump minutes at once).
const MAX_TICK_MS: f64 = 250.0;

/// What a tick plans to spend, in real milliseconds: the 8 ms a tick may hold the page (half a
/// 60 fps frame, so that drawing still fits) less 2 ms for an item that runs longer than its
/// estimate (cold code, a preempted thread). Work left over is carried to the next tick.
pub const TICK_BUDGET_MS: f64 = 6.0;

/// How fast the estimate of the next item's length forgets a long item, per item run: items come
/// in runs (a sync spread over wake-ups, a batch of deliveries), so the next one is likely as long
/// as the longest of the last few, not as the last alone.
const ESTIMATE_DECAY: f64 = 0.8;

/// "Run until idle" stops after this much virtual time with nothing but node heartbeats...
const QUIET: Duration = Duration::from_secs(60);
/// ...or after this much virtual time in all (a crash-looping pod never goes quiet).
const IDLE_LIMIT: Duration = Duration::from_secs(600);

/// The page's clock in milliseconds (sub-millisecond where the browser allows).
pub fn wall_ms() -> f64 {
    gloo::utils::window().performance().map_or_else(js_sys::Date::now, |p| p.now())
}

/// A "run until idle" in progress: the cluster runs as fast as the tick budget allows.
#[derive(Debug, Clone, Copy)]
struct IdleRun {
    deadline: Time,
    /// When the last entry other than a heartbeat happened.
    last_busy: Time,
    /// The next trace entry not yet looked at.
    seen: u64,
}

/// One line on the terminal's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Command,
    Stdout,
    Stderr,
    /// Tab completion's list of candidates.
    Hint,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenLine {
    pub kind: LineKind,
    pub text: String,
}

/// The world the panels share.
pub struct Sim {
    pub shell: Shell,
    pub screen: Vec<ScreenLine>,
    /// Moves whenever the screen changed, so that only then is it redrawn.
    pub screen_generation: u64,
    pub playing: bool,
    /// The browser clock at the last tick, in ms.
    last_real_ms: Option<f64>,
    /// Virtual milliseconds owed but not yet run (the cluster moves in whole milliseconds).
    carry_ms: f64,
    /// Commands that started a causal chain: (root `seq`, command text), oldest first.
    pub journeys: Vec<(u64, String)>,
    idle_run: Option<IdleRun>,
    /// The longest tick so far, in real milliseconds (the performance test reads it).
    pub slowest_tick_ms: f64,
    /// The longest single item the cluster ran (a controller's whole reconcile, say): the budget
    /// is checked between items, so a tick may pass it by at most this much.
    pub slowest_step_ms: f64,
    /// How long the next item may take, from the recent ones and from the recent ones of the
    /// component it belongs to, and how many items this tick ran: a tick starts another item only
    /// if one that long still fits in the budget (its first item always runs).
    step_estimate_ms: f64,
    component_estimate_ms: BTreeMap<Component, f64>,
    tick_steps: u32,
}

impl Sim {
    pub fn new(cluster: Cluster) -> Self {
        Self::with_shell(Shell::new(cluster))
    }

    /// The world over a session that may have started elsewhere (a share link, a saved session).
    pub fn with_shell(shell: Shell) -> Self {
        let screen = WELCOME.lines().map(|l| ScreenLine { kind: LineKind::Stdout, text: l.to_string() }).collect();
        Sim {
            shell,
            screen,
            screen_generation: 0,
            playing: true,
            last_real_ms: None,
            carry_ms: 0.0,
            journeys: Vec::new(),
            idle_run: None,
            slowest_tick_ms: 0.0,
            slowest_step_ms: 0.0,
            step_estimate_ms: 0.0,
            component_estimate_ms: BTreeMap::new(),
            tick_steps: 0,
        }
    }

    pub fn cluster(&self) -> &Cluster {
        self.shell.cluster()
    }

    fn print(&mut self, kind: LineKind, text: &str) {
        let text = text.strip_suffix('\n').unwrap_or(text);
        self.screen.extend(text.split('\n').map(|l| ScreenLine { kind, text: l.to_string() }));
        self.trim();
    }

    /// Keeps the scroll-back to `SCROLLBACK` lines and marks the screen changed.
    fn trim(&mut self) {
        let excess = self.screen.len().saturating_sub(SCROLLBACK);
        self.screen.drain(..excess);
        self.screen_generation += 1;
    }

    /// Runs `text` (a line or a multi-line paste) as the terminal would, echoing it on the screen.
    /// Returns the root of the last command that touched the cluster, for journey mode.
    pub fn run(&mut self, text: &str) -> Option<u64> {
        let commands = split_script(text);
        if commands.is_empty() {
            self.print(LineKind::Command, &format!("$ {text}"));
        }
        let mut root = None;
        for command in commands {
            for (i, line) in command.lines.iter().enumerate() {
                let prompt = if i == 0 { "$ " } else { "> " };
                self.screen.push(ScreenLine { kind: LineKind::Command, text: format!("{prompt}{line}") });
            }
            self.trim();
            let result = self.shell.run(&command);
            if result.clear {
                self.screen.clear();
                self.trim();
            }
            for (stream, chunk) in &result.output.chunks {
                let kind = match stream {
                    Stream::Stdout => LineKind::Stdout,
                    Stream::Stderr => LineKind::Stderr,
                };
                self.print(kind, chunk);
            }
            if let Some(r) = result.root {
                self.journeys.push((r, command.line.clone()));
                root = Some(r);
            }
        }
        super::session::save(&self.shell);
        root
    }

    /// Shows Tab completion's candidates under the current line.
    pub fn hint(&mut self, candidates: &[String]) {
        self.print(LineKind::Hint, &candidates.join("  "));
    }

    /// Advances the cluster by the real time elapsed since the last tick times the shell's speed (or
    /// as far as a run until idle gets), within `TICK_BUDGET_MS` of real time. True when virtual
    /// time moved.
    pub fn tick(&mut self, real_now_ms: f64) -> bool {
        let elapsed = self.last_real_ms.map_or(0.0, |last| (real_now_ms - last).clamp(0.0, MAX_TICK_MS));
        self.last_real_ms = Some(real_now_ms);
        self.tick_steps = 0;
        let before = self.cluster().now();
        if self.idle_run.is_some() {
            self.idle_slice(real_now_ms);
        } else if self.playing {
            let speed = self.shell.settings().speed;
            // Owed time beyond one long tick is dropped: the clock slows down rather than falls behind.
            self.carry_ms = (self.carry_ms + elapsed * speed).min(MAX_TICK_MS * speed);
            let whole = self.carry_ms.floor();
            if whole >= 1.0 {
                self.run_budgeted(before.after(Duration::from_millis(whole as u64)), real_now_ms);
                self.carry_ms -= self.cluster().now().since(before).as_millis() as f64;
            }
        }
        self.slowest_tick_ms = self.slowest_tick_ms.max(wall_ms() - real_now_ms);
        self.cluster().now() > before
    }

    /// Runs what falls due up to `target` one item at a time until the budget is spent; the clock
    /// then stands at `target`, or at the last item run when the budget ran out first.
    fn run_budgeted(&mut self, target: Time, started_ms: f64) {
        self.shell.cluster_mut().settle();
        while self.cluster().next_due().is_some_and(|due| due <= target) {
            if !self.timed_step(started_ms) {
                return;
            }
        }
        self.shell.cluster_mut().run_until(target);
    }

    /// Runs the next due item unless the tick that started at `started_ms` has spent its budget, or
    /// would with an item as long as the last; false when it has.
    fn timed_step(&mut self, started_ms: f64) -> bool {
        let before = wall_ms();
        let next = self.cluster().next_component();
        let own = next.as_ref().and_then(|c| self.component_estimate_ms.get(c)).copied().unwrap_or(0.0);
        if self.tick_steps > 0 && before - started_ms + self.step_estimate_ms.max(own) >= TICK_BUDGET_MS {
            return false;
        }
        self.shell.cluster_mut().step();
        self.tick_steps += 1;
        let took = wall_ms() - before;
        self.step_estimate_ms = took.max(self.step_estimate_ms * ESTIMATE_DECAY);
        if let Some(c) = next {
            self.component_estimate_ms.insert(c, took.max(own * ESTIMATE_DECAY));
        }
        self.slowest_step_ms = self.slowest_step_ms.max(took);
        true
    }

    /// Starts (or, when one is running, cancels) a run until idle.
    pub fn toggle_idle_run(&mut self) {
        let cluster = self.shell.cluster();
        let now = cluster.now();
        let seen = cluster.api().trace().next_seq();
        self.idle_run =
            self.idle_run.is_none().then(|| IdleRun { deadline: now.after(IDLE_LIMIT), last_busy: now, seen });
    }

    pub fn running_until_idle(&self) -> bool {
        self.idle_run.is_some()
    }

    /// One tick's share of a run until idle.
    fn idle_slice(&mut self, started_ms: f64) {
        let Some(mut run) = self.idle_run else { return };
        self.shell.cluster_mut().settle();
        let done = loop {
            let Some(due) = self.cluster().next_due().filter(|&due| due <= run.deadline) else { break true };
            if due.since(run.last_busy) >= QUIET {
                self.shell.cluster_mut().run_until(run.last_busy.after(QUIET));
                break true;
            }
            if !self.timed_step(started_ms) {
                break false;
            }
            let cluster = self.cluster();
            let trace = cluster.api().trace();
            if trace.since(run.seen).any(|e| !heartbeat(e)) {
                run.last_busy = cluster.now();
            }
            run.seen = trace.next_seq();
        };
        self.idle_run = (!done).then_some(run);
        // The running clock starts afresh from here, not from what it owed before.
        self.carry_ms = 0.0;
    }

    /// Runs the cluster up to its next trace entry (at most `limit` of virtual time ahead).
    pub fn step_entry(&mut self, limit: Duration) {
        let cluster = self.shell.cluster_mut();
        let seq = cluster.api().trace().next_seq();
        let end = cluster.now().after(limit);
        while cluster.api().trace().next_seq() == seq && cluster.now() < end && cluster.step() {}
    }
}

/// The shared world; equality is identity (the handle never changes during a session).
#[derive(Clone)]
pub struct SimHandle(pub Rc<RefCell<Sim>>);

impl PartialEq for SimHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The right-hand views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Architecture,
    Cluster,
    Resources,
    Timeline,
}

/// An object the inspector shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub kind: Kind,
    pub namespace: Option<String>,
    pub name: String,
}

impl Selected {
    pub fn new(kind: Kind, namespace: Option<&str>, name: &str) -> Self {
        Selected {
            kind,
            namespace: namespace.filter(|_| kind.namespaced()).map(str::to_string),
            name: name.to_string(),
        }
    }
}

/// Journey mode: which command's causal chain is shown, and where in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Journey {
    /// None: the live view (the latest entries as they happen).
    pub root: Option<u64>,
    pub step: usize,
    pub playing: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ui {
    /// Moves whenever the world changed.
    pub version: u64,
    pub lang: Lang,
    pub theme: Theme,
    pub playing: bool,
    pub tab: Tab,
    pub selected: Option<Selected>,
    pub journey: Journey,
}

impl Ui {
    pub fn new(lang: Lang, theme: Theme) -> Self {
        Ui {
            version: 0,
            lang,
            theme,
            playing: true,
            tab: Tab::Architecture,
            selected: None,
            journey: Journey::default(),
        }
    }
}

pub enum UiAction {
    /// The world changed: redraw.
    Refresh,
    SetLang(Lang),
    SetTheme(Theme),
    SetPlaying(bool),
    SetTab(Tab),
    Select(Option<Selected>),
    /// Shows a command's journey from its first step (None: the live view), playing it.
    OpenJourney(Option<u64>),
    /// Moves the journey by `delta` steps within `0..len`.
    MoveJourney {
        delta: isize,
        len: usize,
    },
    PlayJourney(bool),
}

impl Reducible for Ui {
    type Action = UiAction;

    fn reduce(self: Rc<Self>, action: UiAction) -> Rc<Self> {
        let mut next = (*self).clone();
        next.version += 1;
        match action {
            UiAction::Refresh => {}
            UiAction::SetLang(lang) => {
                lang.store();
                next.lang = lang;
            }
            UiAction::SetTheme(theme) => {
                theme.store();
                next.theme = theme;
            }
            UiAction::SetPlaying(p) => next.playing = p,
            UiAction::SetTab(tab) => next.tab = tab,
            UiAction::Select(s) => next.selected = s,
            UiAction::OpenJourney(root) => next.journey = Journey { root, step: 0, playing: root.is_some() },
            UiAction::MoveJourney { delta, len } => {
                let last = len.saturating_sub(1);
                // A playing journey waits at its last step for the chain to grow while the cluster runs.
                next.journey.step = next.journey.step.saturating_add_signed(delta).min(last);
            }
            UiAction::PlayJourney(p) => next.journey.playing = p,
        }
        next.into()
    }
}

/// The reducer handle, as the panels get it from the context.
pub type UiHandle = UseReducerHandle<Ui>;

/// Runs `line` exactly as if it had been typed into the terminal (so it shows there and in the
/// history that share links replay), opens its journey, and redraws: what the UI's buttons do.
pub fn issue(sim: &SimHandle, ui: &UiHandle, line: &str) {
    let Ok(mut s) = sim.0.try_borrow_mut() else { return };
    let root = s.run(line);
    drop(s);
    if root.is_some() {
        ui.dispatch(UiAction::OpenJourney(root));
    }
    ui.dispatch(UiAction::Refresh);
}

/// A button's click handler that issues `line`.
pub fn issue_on_click(sim: &SimHandle, ui: &UiHandle, line: String) -> Callback<MouseEvent> {
    let (sim, ui) = (sim.clone(), ui.clone());
    Callback::from(move |_| issue(&sim, &ui, &line))
}

/// The shared world and the reducer state, from their contexts (both are always provided by `App`).
#[hook]
pub fn use_world() -> Option<(SimHandle, UiHandle)> {
    let sim = use_context::<SimHandle>();
    let ui = use_context::<UiHandle>();
    sim.zip(ui)
}
