//! The header: the name, the time controls, the theme switch and the language switch.

use yew::prelude::*;

use super::i18n::{Lang, T, t};
use super::share::ShareButton;
use super::state::{UiAction, UiHandle};
use super::theme::ThemeSwitch;
use super::time_controls::TimeControls;

#[function_component(Header)]
pub fn header() -> Html {
    let Some(ui) = use_context::<UiHandle>() else { return Html::default() };
    let lang = ui.lang;
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "⎈" }</span>
                <span class="name">{ "Kubarium" }</span>
                <span class="tagline">{ t(lang, T::Tagline) }</span>
            </div>
            <TimeControls />
            <ShareButton />
            <ThemeSwitch />
            <div class="lang-switch" role="group" aria-label={t(lang, T::Language)}>
                { for Lang::ALL.iter().map(|&l| {
                    let ui = ui.clone();
                    let onclick = Callback::from(move |_| ui.dispatch(UiAction::SetLang(l)));
                    html! {
                        <button lang={l.code()} aria-pressed={(l == lang).to_string()}
                            class={classes!((l == lang).then_some("selected"))} {onclick}>{ l.label() }</button>
                    }
                }) }
            </div>
        </header>
    }
}
