//! Light and dark themes: the choice (what the visitor picked, kept in localStorage, else the system's
//! `prefers-color-scheme`), its mark on the page (`data-theme` on `<html>`, which the style sheet's
//! colour variables follow), and the header's switch.

use gloo::storage::{LocalStorage, Storage};
use yew::prelude::*;

use super::i18n::{T, t};
use super::state::{UiAction, UiHandle};

const STORAGE_KEY: &str = "kubarium.theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    /// The name in `data-theme`, storage and the `theme` fragment parameter.
    pub fn code(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_code(code: &str) -> Option<Theme> {
        match code {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The stored choice, else the system's preference, else light.
    pub fn load() -> Theme {
        let stored: Option<String> = LocalStorage::get(STORAGE_KEY).ok();
        stored.as_deref().and_then(Theme::from_code).unwrap_or_else(|| {
            let dark = gloo::utils::window()
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|q| q.matches());
            if dark { Theme::Dark } else { Theme::Light }
        })
    }

    pub fn store(self) {
        // A full or disabled storage only means the choice is not remembered.
        let _ = LocalStorage::set(STORAGE_KEY, self.code());
    }

    /// Marks the page so that the style sheet draws this theme.
    pub fn apply(self) {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = root.set_attribute("data-theme", self.code());
        }
    }

    fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The header's switch: a toggle button, pressed when the dark theme is on.
#[function_component(ThemeSwitch)]
pub fn theme_switch() -> Html {
    let Some(ui) = use_context::<UiHandle>() else { return Html::default() };
    let (lang, theme) = (ui.lang, ui.theme);
    let onclick = {
        let ui = ui.clone();
        Callback::from(move |_| ui.dispatch(UiAction::SetTheme(theme.other())))
    };
    let label = t(lang, T::DarkTheme);
    html! {
        <button class="icon theme-switch" aria-label={label} title={label}
            aria-pressed={(theme == Theme::Dark).to_string()} {onclick}>
            { if theme == Theme::Dark { "☾" } else { "☀" } }
        </button>
    }
}
