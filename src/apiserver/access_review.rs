//! SelfSubjectAccessReview (`kubectl auth can-i`): asks the authorizer whether the requester may
//! perform a verb, without performing it. The review itself is a create every user may make.

use super::{ApiServer, Identity, rbac};
use crate::api::Kind;
use crate::sim::trace::{Component, Entry, EntryKind, ObjectRef};

impl ApiServer {
    /// Whether `who` may `verb` the `kind` (its `subresource`) named `name` in `namespace` (None: every
    /// namespace, as `--all-namespaces` asks, or a cluster-scoped kind).
    pub fn self_subject_access_review(
        &mut self,
        who: &Identity,
        verb: &str,
        kind: Kind,
        subresource: Option<&str>,
        namespace: Option<&str>,
        name: &str,
    ) -> bool {
        let review = ObjectRef::new("SelfSubjectAccessReview", "", "");
        self.record(Entry::new(
            who.component.clone(),
            Component::ApiServer,
            EntryKind::Request,
            "create",
            review.clone(),
        ));
        let namespace = namespace.filter(|_| kind.namespaced());
        let allowed = rbac::authorize_sub(&self.store, who, verb, kind, subresource, namespace, name).is_ok();
        let note = if allowed { "201 allowed" } else { "201 denied" };
        self.record(
            Entry::new(Component::ApiServer, who.component.clone(), EntryKind::Response, "create", review).note(note),
        );
        allowed
    }
}
