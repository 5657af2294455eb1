//! Captions: one sentence per trace entry, rendered from the structured entry in the chosen language
//! only when shown. Component and object names stay as Kubernetes spells them; an entry's free-text
//! note (an error, a decision's summary) is the components' own English and is quoted as is.

use super::i18n::Lang;
use crate::sim::trace::{Entry, EntryKind};

/// `Deployment default/web`, or `Node node-01` for cluster-scoped objects.
fn object(e: &Entry) -> String {
    let o = &e.object;
    match (o.namespace.is_empty(), o.name.is_empty()) {
        (_, true) if o.namespace.is_empty() => o.kind.to_string(),
        (_, true) => format!("{} ({})", o.kind, o.namespace),
        (true, false) => format!("{} {}", o.kind, o.name),
        (false, false) => format!("{} {}/{}", o.kind, o.namespace, o.name),
    }
}

/// The api-server's stages, named as the Kubernetes documentation names them in each language.
fn stage(lang: Lang, verb: &str) -> String {
    let zh = match verb {
        "authentication" | "authn" => "认证",
        "authorization" | "authz" => "鉴权",
        "admission" => "准入控制",
        "validation" => "校验",
        other => return other.to_string(),
    };
    match lang {
        Lang::En => verb.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

fn watch_verb(lang: Lang, verb: &str) -> &str {
    match (lang, verb) {
        (Lang::Zh, "ADDED") => "新增",
        (Lang::Zh, "MODIFIED") => "修改",
        (Lang::Zh, "DELETED") => "删除",
        _ => verb,
    }
}

fn with_note(mut s: String, note: &str) -> String {
    if !note.is_empty() {
        s.push_str(" — ");
        s.push_str(note);
    }
    s
}

/// The caption of `e` in `lang`.
pub fn caption(lang: Lang, e: &Entry) -> String {
    let (from, to, obj, verb) = (e.from.to_string(), e.to.to_string(), object(e), e.verb);
    match (e.kind, lang) {
        (EntryKind::Request, Lang::En) => format!("{from} sends a {verb} request for {obj} to the {to}"),
        (EntryKind::Request, Lang::Zh) => format!("{from} 向 {to} 发送 {verb} 请求：{obj}"),
        (EntryKind::Response, Lang::En) => with_note(format!("the {from} answers {to}'s {verb} of {obj}"), &e.note),
        (EntryKind::Response, Lang::Zh) => with_note(format!("{from} 回复 {to} 的 {verb} 请求：{obj}"), &e.note),
        (EntryKind::Stage, Lang::En) => with_note(format!("the {from} runs {} on {obj}", stage(lang, verb)), &e.note),
        (EntryKind::Stage, Lang::Zh) => with_note(format!("{from} 对 {obj} 执行{}", stage(lang, verb)), &e.note),
        (EntryKind::Storage, Lang::En) if verb == "delete" => {
            format!("the {from} deletes {obj} from {to} (revision {})", e.resource_version)
        }
        (EntryKind::Storage, Lang::Zh) if verb == "delete" => {
            format!("{from} 从 {to} 删除 {obj}（修订版本 {}）", e.resource_version)
        }
        (EntryKind::Storage, Lang::En) => format!("the {from} writes {obj} to {to} (revision {})", e.resource_version),
        (EntryKind::Storage, Lang::Zh) => format!("{from} 将 {obj} 写入 {to}（修订版本 {}）", e.resource_version),
        (EntryKind::Watch, Lang::En) => format!("the {from} notifies {to} through its watch: {obj} {verb}"),
        (EntryKind::Watch, Lang::Zh) => {
            format!("{from} 通过 watch 通知 {to}：{obj} 已{}", watch_verb(lang, verb))
        }
        (EntryKind::Decision, Lang::En) if e.from != e.to => {
            with_note(format!("{from} asks {to} to {verb} for {obj}"), &e.note)
        }
        (EntryKind::Decision, Lang::Zh) if e.from != e.to => {
            with_note(format!("{from} 请求 {to} 执行 {verb}：{obj}"), &e.note)
        }
        (EntryKind::Decision, Lang::En) => with_note(format!("{from} decides: {verb} {obj}"), &e.note),
        (EntryKind::Decision, Lang::Zh) => with_note(format!("{from} 做出决策：{verb} {obj}"), &e.note),
    }
}

/// Virtual time as `m:ss.mmm` (hours added when needed), for captions and the clock.
pub fn clock(ms: u64) -> String {
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 { format!("{h}:{m:02}:{s:02}.{milli:03}") } else { format!("{m}:{s:02}.{milli:03}") }
}
