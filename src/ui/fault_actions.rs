//! The architecture view's fault bar: stop or start each control-plane binary (kube-scheduler,
//! kube-controller-manager, cloud-controller-manager) and add a node, each through the command a
//! person would type (`kubarium component stop kube-scheduler`), so it shows in the terminal.

use yew::prelude::*;

use super::i18n::{T, t};
use super::node_actions::AddNode;
use super::state::{issue_on_click, use_world};
use crate::cluster::ControlPlane;

#[function_component(FaultActions)]
pub fn fault_actions() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let lang = ui.lang;
    let running: Vec<(ControlPlane, bool)> = {
        let s = sim.0.borrow();
        ControlPlane::ALL.iter().map(|&(c, _)| (c, s.cluster().component_running(c))).collect()
    };
    html! {
        <div class="fault-actions" role="group" aria-label={t(lang, T::FaultActions)}>
            <span class="bar-label">{ t(lang, T::FaultActions) }</span>
            { for running.into_iter().map(|(c, on)| {
                let (verb, label) = if on { ("stop", T::Stop) } else { ("start", T::Start) };
                let line = format!("kubarium component {verb} {}", c.name());
                let name = format!("{} {}", t(lang, label), c.name());
                html! {
                    <button class={classes!("small", (!on).then_some("stopped"))} aria-label={name.clone()}
                        title={line.clone()} onclick={issue_on_click(&sim, &ui, line)}>{ name }</button>
                }
            }) }
            <AddNode />
        </div>
    }
}
