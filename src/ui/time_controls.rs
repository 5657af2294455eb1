//! The time controls: the virtual clock, pause and play, stepping by one trace entry or by whole
//! seconds, running until the cluster is idle (in tick-sized slices, see `Sim::tick`), and the speed
//! (set through `kubarium speed`, so the terminal's history shows it).

use yew::prelude::*;

use super::captions::clock;
use super::i18n::{T, t};
use super::state::{Sim, SimHandle, UiAction, UiHandle, use_world};
use crate::sim::Duration;

const SPEEDS: &[&str] = &["0.1", "0.5", "1", "2", "5", "10", "100"];

/// A button that does something to the world, then redraws.
fn act(sim: &SimHandle, ui: &UiHandle, f: impl Fn(&mut Sim) + 'static) -> Callback<MouseEvent> {
    let (sim, ui) = (sim.clone(), ui.clone());
    Callback::from(move |_| {
        if let Ok(mut s) = sim.0.try_borrow_mut() {
            f(&mut s);
        }
        ui.dispatch(UiAction::Refresh);
    })
}

#[function_component(TimeControls)]
pub fn time_controls() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let lang = ui.lang;
    let (now, speed, playing, idle_run) = {
        let s = sim.0.borrow();
        (s.cluster().now().as_millis(), s.shell.settings().speed, s.playing, s.running_until_idle())
    };
    // For the performance test: how long ticks and single items of work have held the page.
    let (slowest_tick, slowest_step) = {
        let s = sim.0.borrow();
        (format!("{:.1}", s.slowest_tick_ms), format!("{:.1}", s.slowest_step_ms))
    };
    let toggle = {
        let (sim, ui) = (sim.clone(), ui.clone());
        Callback::from(move |_| {
            let playing = sim.0.try_borrow_mut().map(|mut s| {
                s.playing = !s.playing;
                s.playing
            });
            if let Ok(p) = playing {
                ui.dispatch(UiAction::SetPlaying(p));
            }
        })
    };
    let on_speed = {
        let (sim, ui) = (sim.clone(), ui.clone());
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(mut s) = sim.0.try_borrow_mut() {
                s.run(&format!("kubarium speed {}", select.value()));
            }
            ui.dispatch(UiAction::Refresh);
        })
    };
    let play_label = if playing { t(lang, T::Pause) } else { t(lang, T::Play) };
    html! {
        <div class="time-controls" role="group" aria-label={t(lang, T::TimeControls)}>
            <span class="clock" aria-label={t(lang, T::VirtualTime)} title={t(lang, T::VirtualTime)}
                data-slowest-tick-ms={slowest_tick} data-slowest-step-ms={slowest_step}>
                <span class={classes!("dot", playing.then_some("running"))} aria-hidden="true"></span>
                { clock(now) }
            </span>
            <button class="icon" onclick={toggle} aria-label={play_label} title={play_label}>
                { if playing { "❚❚" } else { "▶" } }
            </button>
            <button class="icon" aria-label={t(lang, T::StepEntry)} title={t(lang, T::StepEntry)}
                onclick={act(&sim, &ui, |s| s.step_entry(Duration::from_secs(60)))}>{ "▶▏" }</button>
            <button aria-label={t(lang, T::StepSecond)}
                onclick={act(&sim, &ui, |s| s.shell.cluster_mut().run_for(Duration::from_secs(1)))}>{ t(lang, T::StepSecond) }</button>
            <button aria-label={t(lang, T::StepTen)}
                onclick={act(&sim, &ui, |s| s.shell.cluster_mut().run_for(Duration::from_secs(10)))}>{ t(lang, T::StepTen) }</button>
            <button class={classes!("icon", idle_run.then_some("selected"))} aria-label={t(lang, T::RunUntilIdle)}
                title={t(lang, T::RunUntilIdle)} aria-pressed={idle_run.to_string()}
                onclick={act(&sim, &ui, Sim::toggle_idle_run)}>{ "⇥" }</button>
            <label class="speed">
                <span>{ t(lang, T::Speed) }</span>
                <select onchange={on_speed} aria-label={t(lang, T::Speed)}>
                    { for SPEEDS.iter().map(|s| {
                        let selected = s.parse::<f64>().ok() == Some(speed);
                        html! { <option value={*s} {selected}>{ format!("{s}×") }</option> }
                    }) }
                </select>
            </label>
        </div>
    }
}
