//! The page: header and the terminal, with the shell shared through a context so that every panel
//! drives the same simulated cluster.

use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

use super::terminal::Terminal;
use crate::cluster::Cluster;
use crate::terminal::Shell;

/// The shell every panel shares. Equality is identity: the handle never changes during a session.
#[derive(Clone)]
pub struct ShellHandle(pub Rc<RefCell<Shell>>);

impl PartialEq for ShellHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let shell = use_memo((), |_| ShellHandle(Rc::new(RefCell::new(Shell::new(Cluster::boot_default(1))))));
    html! {
        <ContextProvider<ShellHandle> context={(*shell).clone()}>
            <div class="app">
                <header class="topbar">
                    <span class="logo">{ "Kubarium" }</span>
                    <span class="tagline">{ "Kubernetes v1.36 in a browser tab" }</span>
                </header>
                <main class="main">
                    <Terminal />
                </main>
            </div>
        </ContextProvider<ShellHandle>>
    }
}
