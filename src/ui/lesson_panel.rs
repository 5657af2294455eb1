//! The lesson panel above the terminal: pick a lesson, read a step's explanation, ask for the hint or
//! the solution (whose commands run in the terminal, as if typed, so links and autosave keep them), and
//! see the step's check turn green when the cluster is where the step wants it. The open lesson and step
//! travel in share links (the shell's scenario) and in `#lesson=ID&step=N` links; which steps were done
//! stays in localStorage.

use std::collections::BTreeMap;

use gloo::storage::{LocalStorage, Storage};
use yew::prelude::*;

use super::i18n::{T, t};
use super::state::{SimHandle, UiAction, UiHandle, use_world};
use crate::scenario::LessonRef;
use crate::scenario::lesson;

/// Steps done per lesson (0-based step numbers), kept across visits.
const PROGRESS_KEY: &str = "kubarium.lessons.progress.v1";

fn progress() -> BTreeMap<String, Vec<usize>> {
    LocalStorage::get(PROGRESS_KEY).unwrap_or_default()
}

fn mark_done(id: &str, step: usize) {
    let mut all = progress();
    let done = all.entry(id.to_string()).or_default();
    if !done.contains(&step) {
        done.push(step);
        done.sort_unstable();
        // A full or disabled storage only means progress is not remembered.
        let _ = LocalStorage::set(PROGRESS_KEY, &all);
    }
}

/// The lesson a `#lesson=ID&step=N` link asks for (N counts from 1), if it names a known lesson.
pub fn from_fragment(lesson: Option<&str>, step: Option<&str>) -> Option<LessonRef> {
    let found = lesson::find(lesson?)?;
    let step = step.and_then(|s| s.parse::<usize>().ok()).unwrap_or(1).clamp(1, found.steps.len().max(1)) - 1;
    Some(LessonRef { id: found.id.clone(), step })
}

/// Runs `text` in the terminal as if typed, and shows its journey.
fn type_in(sim: &SimHandle, ui: &UiHandle, text: &str) {
    let root = match sim.0.try_borrow_mut() {
        Ok(mut s) => s.run(text),
        Err(_) => return,
    };
    if root.is_some() {
        ui.dispatch(UiAction::OpenJourney(root));
    }
    ui.dispatch(UiAction::Refresh);
}

/// Opens `lesson` at `step` on a fresh cluster: `kubarium reset`, then the solutions of the steps
/// before it, so that the step starts from the state it was written for.
pub fn open_at(sim: &SimHandle, ui: &UiHandle, at: &LessonRef) {
    let Some(found) = lesson::find(&at.id) else { return };
    type_in(sim, ui, "kubarium reset");
    for step in found.steps.iter().take(at.step) {
        for command in &step.solution {
            type_in(sim, ui, command);
        }
    }
    set_lesson(sim, ui, Some(at.clone()));
}

fn set_lesson(sim: &SimHandle, ui: &UiHandle, at: Option<LessonRef>) {
    if let Ok(mut s) = sim.0.try_borrow_mut() {
        s.shell.set_lesson(at);
        // The step is part of the session: a reload or a link opens the lesson there.
        super::session::save(&s.shell);
    }
    ui.dispatch(UiAction::Refresh);
}

/// `code` spans in a lesson's text, as the lesson files write them with backticks.
fn rich(text: &str) -> Html {
    html! {
        { for text.split('`').enumerate().map(|(i, part)| {
            if i % 2 == 1 { html! { <code>{ part }</code> } } else { html! { { part } } }
        }) }
    }
}

#[derive(Properties, PartialEq)]
struct StepProps {
    lesson: AttrValue,
    step: usize,
}

/// One step: explanation, check, hint, solution, and the way to the next step.
#[function_component(StepView)]
fn step_view(props: &StepProps) -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let show_hint = use_state(|| false);
    let show_solution = use_state(|| false);
    {
        let (show_hint, show_solution) = (show_hint.clone(), show_solution.clone());
        use_effect_with((props.lesson.clone(), props.step), move |_| {
            show_hint.set(false);
            show_solution.set(false);
        });
    }
    let lang = ui.lang;
    let code = lang.code();
    let index = props.step;
    let Some(lesson) = lesson::find(&props.lesson) else { return Html::default() };
    let Some(step) = lesson.steps.get(index) else { return Html::default() };
    let verdict = step.check.evaluate(sim.0.borrow().cluster());
    if verdict.is_ok() {
        mark_done(&lesson.id, index);
    }
    let go = |to: usize| {
        let (sim, ui, id) = (sim.clone(), ui.clone(), lesson.id.clone());
        Callback::from(move |_| set_lesson(&sim, &ui, Some(LessonRef { id: id.clone(), step: to })))
    };
    let toggle = |state: &UseStateHandle<bool>| {
        let state = state.clone();
        Callback::from(move |_| state.set(!*state))
    };
    let run_all = {
        let (sim, ui, commands) = (sim.clone(), ui.clone(), step.solution.clone());
        Callback::from(move |_| commands.iter().for_each(|c| type_in(&sim, &ui, c)))
    };
    let last = lesson.steps.len() - 1;
    html! {
        <div class="lesson-step">
            <h3>{ format!("{} {}/{} · {}", t(lang, T::LessonStep), index + 1, lesson.steps.len(), step.title.get(code)) }</h3>
            <p class="lesson-explain">{ rich(step.explain.get(code)) }</p>
            <p class={classes!("lesson-check", verdict.is_ok().then_some("done"))} role="status">
                { match &verdict {
                    Ok(()) => html! { <>{ "✓ " }{ t(lang, T::LessonDone) }</> },
                    Err(why) => html! { <>{ t(lang, T::LessonNotYet) }{ ": " }<span class="why">{ why }</span></> },
                } }
            </p>
            <div class="lesson-actions">
                <button aria-expanded={show_hint.to_string()} onclick={toggle(&show_hint)}>{ t(lang, T::LessonHint) }</button>
                <button aria-expanded={show_solution.to_string()} onclick={toggle(&show_solution)}>{ t(lang, T::LessonSolution) }</button>
                <span class="spacer" />
                <button disabled={index == 0} onclick={go(index.saturating_sub(1))}>{ t(lang, T::LessonPrevious) }</button>
                <button class={classes!(verdict.is_ok().then_some("primary"))} disabled={index == last}
                    onclick={go((index + 1).min(last))}>{ t(lang, T::LessonNext) }</button>
            </div>
            if *show_hint { <p class="lesson-hint">{ rich(step.hint.get(code)) }</p> }
            if *show_solution {
                <div class="lesson-solution">
                    <pre>{ step.solution.join("\n") }</pre>
                    <button class="primary" onclick={run_all}>{ t(lang, T::LessonRunSolution) }</button>
                </div>
            }
        </div>
    }
}

#[function_component(LessonPanel)]
pub fn lesson_panel() -> Html {
    let Some((sim, ui)) = use_world() else { return Html::default() };
    let open = use_state(|| false);
    let lang = ui.lang;
    let code = lang.code();
    let current = sim.0.borrow().shell.scenario().lesson;
    let current = current.and_then(|r| lesson::find(&r.id).map(|l| (l, r.step.min(l.steps.len().saturating_sub(1)))));
    let expanded = *open || current.is_some();
    let toggle = {
        let (open, sim, ui, has_lesson) = (open.clone(), sim.clone(), ui.clone(), current.is_some());
        Callback::from(move |_| {
            if has_lesson {
                set_lesson(&sim, &ui, None);
                open.set(false);
            } else {
                open.set(!*open);
            }
        })
    };
    let done = progress();
    html! {
        <section class={classes!("lessons", expanded.then_some("open"))} aria-label={t(lang, T::Lessons)}>
            <button class="lessons-toggle" aria-expanded={expanded.to_string()} onclick={toggle}>
                { if current.is_some() { t(lang, T::LessonClose) } else { t(lang, T::Lessons) } }
            </button>
            { match current {
                Some((lesson, step)) => html! {
                    <>
                        <h2 class="lesson-title">{ lesson.title.get(code) }</h2>
                        <StepView lesson={AttrValue::from(lesson.id.clone())} {step} />
                    </>
                },
                None if expanded => html! {
                    <ol class="lesson-list">
                        { for lesson::all().iter().map(|l| {
                            let (sim, ui) = (sim.clone(), ui.clone());
                            let at = LessonRef { id: l.id.clone(), step: 0 };
                            let onclick = Callback::from(move |_| open_at(&sim, &ui, &at));
                            let finished = done.get(&l.id).map_or(0, Vec::len);
                            html! {
                                <li>
                                    <button {onclick}>{ l.title.get(code) }</button>
                                    <span class="lesson-progress">{ format!("{finished}/{}", l.steps.len()) }</span>
                                </li>
                            }
                        }) }
                    </ol>
                },
                None => Html::default(),
            } }
        </section>
    }
}
