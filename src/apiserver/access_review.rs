//! SelfSubjectAccessReview (`kubectl auth can-i`): asks the authorizer whether the requester may
//! perform a verb, without performing it; and SelfSubjectRulesReview (`kubectl auth can-i --list`):
//! every rule that applies to the requester in a namespace. The reviews are creates every user may
//! make.

use k8s_openapi::api::rbac::v1::PolicyRule;

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
        let review = self.review_request(who, "SelfSubjectAccessReview");
        let namespace = namespace.filter(|_| kind.namespaced());
        let allowed = rbac::authorize_sub(&self.store, who, verb, kind, subresource, namespace, name).is_ok();
        let note = if allowed { "201 allowed" } else { "201 denied" };
        self.review_response(who, review, note);
        allowed
    }

    /// Traces the create of a review object by `who`; returns its reference for the response.
    fn review_request(&mut self, who: &Identity, kind: &'static str) -> ObjectRef {
        let review = ObjectRef::new(kind, "", "");
        let entry =
            Entry::new(who.component.clone(), Component::ApiServer, EntryKind::Request, "create", review.clone());
        self.record(entry);
        review
    }

    fn review_response(&mut self, who: &Identity, review: ObjectRef, note: &'static str) {
        let entry = Entry::new(Component::ApiServer, who.component.clone(), EntryKind::Response, "create", review);
        self.record(entry.note(note));
    }

    /// The rules `who` has in `namespace`, as a SelfSubjectRulesReview returns them: what its bindings
    /// grant, plus the bootstrap policy every authenticated user holds (system:basic-user,
    /// system:discovery and system:public-info-viewer, which this store does not hold as objects).
    pub fn self_subject_rules_review(&mut self, who: &Identity, namespace: &str) -> Vec<PolicyRule> {
        let review = self.review_request(who, "SelfSubjectRulesReview");
        let mut rules = rbac::rules_for(&self.store, who, Some(namespace));
        if who.in_group("system:authenticated") {
            rules.extend(authenticated_rules());
        }
        self.review_response(who, review, "201");
        rules
    }
}

/// The bootstrap ClusterRoles bound to `system:authenticated` (upstream's bootstrappolicy).
fn authenticated_rules() -> Vec<PolicyRule> {
    let strings = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let resource = |group: &str, resources: &[&str]| PolicyRule {
        verbs: vec!["create".into()],
        api_groups: strings(&[group]),
        resources: strings(resources),
        ..PolicyRule::default()
    };
    let urls = |urls: &[&str]| PolicyRule {
        verbs: vec!["get".into()],
        non_resource_urls: strings(urls),
        ..PolicyRule::default()
    };
    let public = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    vec![
        resource("authentication.k8s.io", &["selfsubjectreviews"]),
        resource("authorization.k8s.io", &["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        urls(&[
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/healthz",
            "/livez",
            "/openapi",
            "/openapi/*",
            "/readyz",
            "/version",
            "/version/",
        ]),
        urls(&public),
    ]
}
