//! `kubectl get -w` (`--watch`, `--watch-only`, `--output-watch-events`). Real kubectl blocks until
//! Ctrl-C; a script cannot, so here the watch prints what kubectl would have printed had the user
//! pressed Ctrl-C once nothing more happened: the current list (header and rows, none with
//! `--watch-only`), then one row per watch notification on the listed kind that the request selects,
//! while virtual time passes, until the watch has been quiet for 5 virtual seconds or 2 virtual
//! minutes have gone by.
//!
//! The watch is a real one on the api-server, owned by a small process of its own (so its
//! notifications arrive, and show in the trace, like any other watcher's); rows use kubectl's
//! tabwriter with remembered widths, flushed after every event, so columns only ever widen.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;

use super::context::Kubectl;
use super::get::{Format, TableOptions, table_header, table_row};
use super::printers::{json::print_json, tabwriter::TabWriter, yaml::to_yaml};
use super::resources::qualified_name;
use super::waiting::POLL;
use crate::api::{Kind, Object};
use crate::apiserver::{ApiServer, EventType, Identity, ListOptions, WatchEvent, WatchId};
use crate::client::{Ctx, Process};
use crate::sim::Duration;
use crate::sim::trace::Component;

/// How long the watch must stay quiet before the simulated user presses Ctrl-C.
pub const QUIET: Duration = Duration::from_secs(5);
/// The longest a watch runs.
pub const LIMIT: Duration = Duration::from_secs(120);

const UNSUPPORTED: &str = "watch is not simulated for this output format; use a table, -o name, yaml or json";

/// What to watch: one kind, where, and which objects.
pub struct Request<'r> {
    pub kind: Kind,
    pub namespace: Option<&'r str>,
    pub options: &'r ListOptions,
    /// Only these names, when the command named objects.
    pub names: &'r [String],
    pub who: &'r Identity,
}

/// How to print: the `-o` format and the table options.
pub struct Printing<'r> {
    pub format: &'r Format,
    pub table: TableOptions,
    pub watch_only: bool,
    pub events: bool,
}

/// Notifications received by the watch, each with the instant (Unix ms) it was delivered.
type Inbox = Rc<RefCell<Vec<(i64, WatchEvent)>>>;

/// The process that owns kubectl's watch while the command runs.
struct Watcher {
    id: WatchId,
    inbox: Inbox,
}

impl Process for Watcher {
    fn component(&self) -> Component {
        Component::Kubectl
    }

    fn start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.own_watch(self.id);
    }

    fn stop(&mut self, api: &mut ApiServer) {
        api.stop_watch(self.id);
    }

    fn on_events(&mut self, events: &[WatchEvent], ctx: &mut Ctx<'_>) {
        let at = ctx.api.clock().unix_millis(ctx.now());
        self.inbox.borrow_mut().extend(events.iter().map(|e| (at, e.clone())));
    }

    fn on_timer(&mut self, _token: u64, _ctx: &mut Ctx<'_>) {}
}

/// Prints objects one at a time as the watch sees them.
struct Printer<'r> {
    printing: &'r Printing<'r>,
    kind: Kind,
    tab: TabWriter,
    header_done: bool,
    documents: usize,
}

impl Printer<'_> {
    fn print(&mut self, event: EventType, obj: &Object, now_ms: i64) -> Result<String, String> {
        let p = self.printing;
        match p.format {
            Format::Table { .. } => {
                if !self.header_done && !p.table.no_headers {
                    let mut header = table_header(self.kind, &p.table);
                    if p.events {
                        header.insert(0, "EVENT".into());
                    }
                    self.tab.write(&header.join("\t"));
                    self.tab.write("\n");
                }
                self.header_done = true;
                let mut row = table_row(self.kind, obj, &p.table, now_ms);
                if p.events {
                    row.insert(0, event.as_str().into());
                }
                self.tab.write(&row.join("\t"));
                self.tab.write("\n");
                Ok(String::new())
            }
            Format::Name => Ok(format!("{}\n", qualified_name(self.kind, obj.name()))),
            Format::Yaml | Format::Json => {
                let value =
                    if p.events { json!({"type": event.as_str(), "object": obj.to_value()}) } else { obj.to_value() };
                self.documents += 1;
                if matches!(p.format, Format::Json) {
                    return Ok(print_json(&value));
                }
                let separator = if self.documents > 1 { "---\n" } else { "" };
                to_yaml(&value).map(|y| format!("{separator}{y}")).map_err(|e| e.to_string())
            }
            _ => Err(UNSUPPORTED.into()),
        }
    }

    /// Writes what one print produced, flushing the table so the row shows at once.
    fn emit(&mut self, k: &mut Kubectl<'_>, event: EventType, obj: &Object, now_ms: i64) -> bool {
        match self.print(event, obj, now_ms) {
            Ok(text) => {
                k.out.out(text);
                k.out.out(self.tab.flush());
                true
            }
            Err(e) => {
                k.error(&e);
                false
            }
        }
    }
}

/// Runs the watch: the initial list (`initial`), then the notifications.
pub fn run(k: &mut Kubectl<'_>, req: &Request<'_>, printing: &Printing<'_>, initial: &[Object]) {
    if !matches!(printing.format, Format::Table { .. } | Format::Name | Format::Yaml | Format::Json) {
        return k.error(UNSUPPORTED);
    }
    let mut printer = Printer { printing, kind: req.kind, tab: TabWriter::for_get(), header_done: false, documents: 0 };
    if !printing.watch_only {
        let now = k.now_ms();
        for obj in initial {
            if !printer.emit(k, EventType::Added, obj, now) {
                return;
            }
        }
    }
    let id = match k.cluster.api_mut().watch(req.who, req.kind, req.namespace, req.options, None) {
        Ok(id) => id,
        Err(e) => return k.server_error(&e),
    };
    let inbox: Inbox = Rc::default();
    let process = k.cluster.spawn(Box::new(Watcher { id, inbox: Rc::clone(&inbox) }));
    let start = k.cluster.now();
    let mut last = start;
    loop {
        k.cluster.settle();
        let events = std::mem::take(&mut *inbox.borrow_mut());
        for (at, event) in events {
            last = k.cluster.now();
            if !req.names.is_empty() && !req.names.iter().any(|n| n == event.object.name()) {
                continue;
            }
            if !printer.emit(k, event.event_type, &event.object, at) {
                k.cluster.set_running(process, false);
                return;
            }
        }
        let now = k.cluster.now();
        if now >= last.after(QUIET) || now >= start.after(LIMIT) {
            break;
        }
        k.cluster.run_for(POLL);
    }
    k.cluster.set_running(process, false);
}
