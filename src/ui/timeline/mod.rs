//! The timeline: Kubernetes Events and trace entries with their virtual times, newest at the bottom,
//! filterable by component (a select) and by object (a text). The trace holds up to 50,000 entries,
//! so the list is windowed: only the rows in view (and a few either side) are in the page, inside a
//! spacer as tall as all of them; it follows the newest rows while scrolled to the bottom.

mod rows;

use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::architecture::CONTROLLERS;
use super::captions::{caption, clock};
use super::i18n::{Lang, T, t};
use super::state::use_world;
use crate::api::Kind;
use rows::{EVENTS_ONLY, Filter, Row};

/// Every row's height in CSS pixels (the style sheet gives `.timeline-row` the same).
const ROW_PX: f64 = 22.0;
/// Rows drawn beyond each edge of the viewport, so that fast scrolling shows no gap.
const OVERSCAN: usize = 10;

/// The component select's choices besides "all": families, then one entry per controller.
fn component_choices() -> Vec<String> {
    let families = ["kubectl", "api-server", "etcd", "scheduler", "controller-manager"];
    let nodes = ["kubelet", "containerd", "kube-proxy", "coredns", "cloud-controller-manager"];
    families
        .iter()
        .map(|f| f.to_string())
        .chain(CONTROLLERS.iter().map(|c| format!("controller-manager/{c}")))
        .chain(nodes.iter().map(|f| f.to_string()))
        .collect()
}

fn row_html(lang: Lang, index: usize, row: &Row) -> Html {
    let time = clock(row.t());
    match row {
        Row::Trace(e) => html! {
            <div key={format!("t{}", e.seq)} class="timeline-row trace" role="row" aria-rowindex={(index + 1).to_string()}>
                <span class="t">{ time }</span>
                <span class="who">{ format!("{} → {}", e.from, e.to) }</span>
                <span class="what">{ caption(lang, e) }</span>
            </div>
        },
        Row::Event(_, e) => {
            let o = &e.involved_object;
            let warning = e.type_.as_deref() == Some("Warning");
            let source = e.source.as_ref().and_then(|s| s.component.clone()).unwrap_or_default();
            html! {
                <div key={format!("e{}", e.metadata.name.as_deref().unwrap_or(""))}
                    class={classes!("timeline-row", "event", warning.then_some("warning"))} role="row" aria-rowindex={(index + 1).to_string()}>
                    <span class="t">{ time }</span>
                    <span class="who">{ format!("{} {}", e.type_.as_deref().unwrap_or("Normal"), source) }</span>
                    <span class="what">
                        { format!("{} {}: {} {}", o.kind.as_deref().unwrap_or(""), o.name.as_deref().unwrap_or(""),
                            e.reason.as_deref().unwrap_or(""), e.message.as_deref().unwrap_or("")) }
                        { match e.count { Some(n) if n > 1 => format!(" (x{n})"), _ => String::new() } }
                    </span>
                </div>
            }
        }
    }
}

#[function_component(Timeline)]
pub fn timeline() -> Html {
    let filter = use_state(|| Filter { hide_heartbeats: true, ..Filter::default() });
    // (scroll offset, viewport height) in pixels; following the bottom while `follow` holds.
    let view = use_state(|| (0.0_f64, 480.0_f64));
    let follow = use_mut_ref(|| true);
    let list = use_node_ref();
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let lang = ui.lang;

    let s = sim.0.borrow();
    let cluster = s.cluster();
    let events = cluster.api().peek_list(Kind::Event, None);
    let rows = rows::rows(cluster.api().trace(), &events, cluster.clock(), &filter);
    let total = rows.len();
    let (top, height) = *view;
    let visible = (height / ROW_PX).ceil() as usize + 1;
    let first = if *follow.borrow() {
        total.saturating_sub(visible)
    } else {
        ((top / ROW_PX).floor() as usize).min(total.saturating_sub(visible))
    }
    .saturating_sub(OVERSCAN);
    let last = (first + visible + 2 * OVERSCAN).min(total);

    {
        // While following, keep the newest row in view after every redraw.
        let (list, follow) = (list.clone(), follow.clone());
        use_effect(move || {
            if *follow.borrow()
                && let Some(el) = list.cast::<HtmlElement>()
            {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onscroll = {
        let (view, follow) = (view.clone(), follow.clone());
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            let (top, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
            *follow.borrow_mut() = top + height >= f64::from(el.scroll_height()) - ROW_PX;
            if (top, height) != *view {
                view.set((top, height));
            }
        })
    };
    let on_component = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            filter.set(Filter { component: select.value(), ..(*filter).clone() });
        })
    };
    let on_object = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            filter.set(Filter { object: input.value().trim().to_lowercase(), ..(*filter).clone() });
        })
    };
    let on_heartbeats = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            filter.set(Filter { hide_heartbeats: input.checked(), ..(*filter).clone() });
        })
    };
    let choice = |value: &str, label: &str| {
        html! { <option value={value.to_string()} selected={filter.component == value}>{ label.to_string() }</option> }
    };
    html! {
        <section class="timeline" aria-label={t(lang, T::Timeline)}>
            <div class="timeline-bar">
                <label>
                    <span>{ t(lang, T::FilterComponent) }</span>
                    <select aria-label={t(lang, T::FilterComponent)} onchange={on_component}>
                        { choice("", t(lang, T::AllComponents)) }
                        { choice(EVENTS_ONLY, t(lang, T::KubernetesEvents)) }
                        { for component_choices().iter().map(|c| choice(c, c)) }
                    </select>
                </label>
                <input type="search" aria-label={t(lang, T::FilterObject)} placeholder={t(lang, T::FilterObject)}
                    oninput={on_object} />
                <label>
                    <input type="checkbox" checked={filter.hide_heartbeats} onchange={on_heartbeats} />
                    <span>{ t(lang, T::HideHeartbeats) }</span>
                </label>
                <span class="muted row-count">{ format!("{total} {}", t(lang, T::Rows)) }</span>
            </div>
            <div class="timeline-rows" ref={list} {onscroll} role="table" aria-rowcount={total.to_string()}
                aria-label={t(lang, T::Timeline)}>
                <div class="timeline-spacer" style={format!("height:{}px", total as f64 * ROW_PX)}>
                    <div class="timeline-window" role="rowgroup" style={format!("transform:translateY({}px)", first as f64 * ROW_PX)}>
                        { for rows.get(first..last).unwrap_or_default().iter().enumerate().map(|(i, r)| row_html(lang, first + i, r)) }
                    </div>
                </div>
            </div>
        </section>
    }
}
