//! The architecture view: the drawing of the cluster's components with the current trace entries in
//! flight, and the caption panel narrating them. In journey mode it plays one command's causal chain
//! step by step; in live mode it shows the latest entries as they happen.

mod diagram;
mod layout;
mod narration;
mod steps;

use yew::prelude::*;

use super::fault_actions::FaultActions;
use super::model::node_cards;
use super::state::{UiAction, use_world};
use crate::api::Kind;
use crate::cluster::ControlPlane;
use diagram::{Diagram, DrawnNode, Running};
use narration::Narration;

pub use layout::CONTROLLERS;

/// Real time between two steps of a playing journey.
const JOURNEY_STEP_MS: u32 = 900;

#[function_component(Architecture)]
pub fn architecture() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let journey = ui.journey;
    let (nodes, running, steps, commands) = {
        let s = sim.0.borrow();
        let cluster = s.cluster();
        let api = cluster.api();
        // Nodes past the drawn ones only count: their cards are not built.
        let mut nodes: Vec<DrawnNode> = node_cards(api, layout::MAX_NODES + 1)
            .into_iter()
            .map(|c| DrawnNode { ready: c.ready, running: cluster.node_running(&c.name), pods: c.pods, name: c.name })
            .collect();
        let total = api.peek_list(Kind::Node, None).len();
        nodes.extend((nodes.len()..total).map(|_| DrawnNode {
            name: String::new(),
            ready: true,
            running: true,
            pods: Vec::new(),
        }));
        let running = Running {
            scheduler: cluster.component_running(ControlPlane::Scheduler),
            controller_manager: cluster.component_running(ControlPlane::ControllerManager),
            cloud_controller_manager: cluster.component_running(ControlPlane::CloudControllerManager),
        };
        let steps = match journey.root {
            Some(root) => steps::journey(api.trace(), root),
            None => steps::live(api.trace(), s.cluster().now()),
        };
        (nodes, running, steps, s.journeys.clone())
    };
    {
        // The chain grows while the cluster runs: each step counts it afresh, so that the interval
        // is not set again on every tick.
        let dispatcher = ui.dispatcher();
        let sim = sim.clone();
        use_effect_with((journey.playing, journey.root), move |&(playing, root)| {
            let interval = root.filter(|_| playing).map(|root| {
                gloo::timers::callback::Interval::new(JOURNEY_STEP_MS, move || {
                    let len = sim.0.try_borrow().map_or(0, |s| steps::journey(s.cluster().api().trace(), root).len());
                    dispatcher.dispatch(UiAction::MoveJourney { delta: 1, len });
                })
            });
            move || drop(interval)
        });
    }
    let current = match journey.root {
        Some(_) => steps.get(journey.step).cloned().into_iter().collect(),
        None => steps.clone(),
    };
    html! {
        <div class="architecture-view">
            <FaultActions />
            <Diagram lang={ui.lang} {nodes} {running} {current} />
            <Narration lang={ui.lang} {journey} {commands} {steps} />
        </div>
    }
}
