//! API errors as Kubernetes reports them: a `Status` with a reason, an HTTP code, details and the
//! message kubectl prints after `Error from server (<Reason>): `. The constructors mirror
//! apimachinery's `errors.NewNotFound`, `NewAlreadyExists`, `NewConflict`, `NewInvalid`, ...

use std::fmt;

use super::field::FieldError;
use crate::api::Kind;

/// `metav1.StatusReason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    AlreadyExists,
    Conflict,
    Invalid,
    Forbidden,
    BadRequest,
    MethodNotAllowed,
    Expired,
    Gone,
    Timeout,
    TooManyRequests,
    InternalError,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Conflict => "Conflict",
            Reason::Invalid => "Invalid",
            Reason::Forbidden => "Forbidden",
            Reason::BadRequest => "BadRequest",
            Reason::MethodNotAllowed => "MethodNotAllowed",
            Reason::Expired => "Expired",
            Reason::Gone => "Gone",
            Reason::Timeout => "Timeout",
            Reason::TooManyRequests => "TooManyRequests",
            Reason::InternalError => "InternalError",
        }
    }

    pub fn code(self) -> u16 {
        match self {
            Reason::NotFound => 404,
            Reason::AlreadyExists | Reason::Conflict => 409,
            Reason::Invalid => 422,
            Reason::Forbidden => 403,
            Reason::BadRequest => 400,
            Reason::MethodNotAllowed => 405,
            Reason::Expired | Reason::Gone => 410,
            Reason::Timeout => 504,
            Reason::TooManyRequests => 429,
            Reason::InternalError => 500,
        }
    }
}

/// An error the api-server answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub reason: Reason,
    pub message: String,
    /// Boxed so that `Result<_, ApiError>` stays small on every happy path.
    pub details: Box<Details>,
}

/// `metav1.StatusDetails`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Details {
    /// `details.name`, `details.group`, `details.kind` (the resource or kind, as upstream fills it).
    pub name: String,
    pub group: String,
    pub kind: String,
    /// `details.causes` for Invalid: one per field error.
    pub causes: Vec<FieldError>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// `schema.GroupResource.String()`: `pods`, `deployments.apps`.
fn qualified_resource(kind: Kind) -> String {
    kind.qualified_plural()
}

/// `schema.GroupKind.String()`: `Pod`, `Deployment.apps`.
fn qualified_kind(kind: Kind) -> String {
    if kind.group().is_empty() { kind.as_str().to_string() } else { format!("{}.{}", kind.as_str(), kind.group()) }
}

impl ApiError {
    fn new(reason: Reason, message: String) -> Self {
        ApiError { reason, message, details: Box::default() }
    }

    fn about(mut self, kind: Kind, name: &str) -> Self {
        self.details.name = name.to_string();
        self.details.group = kind.group().to_string();
        self.details.kind = kind.plural().to_string();
        self
    }

    pub fn not_found(kind: Kind, name: &str) -> Self {
        Self::new(Reason::NotFound, format!("{} \"{name}\" not found", qualified_resource(kind))).about(kind, name)
    }

    /// A missing namespace, as NamespaceLifecycle admission reports it.
    pub fn namespace_not_found(namespace: &str) -> Self {
        Self::not_found(Kind::Namespace, namespace)
    }

    pub fn already_exists(kind: Kind, name: &str) -> Self {
        Self::new(Reason::AlreadyExists, format!("{} \"{name}\" already exists", qualified_resource(kind)))
            .about(kind, name)
    }

    /// Optimistic concurrency failed: the object changed since the client read it.
    pub fn conflict(kind: Kind, name: &str) -> Self {
        Self::conflict_because(
            kind,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    pub fn conflict_because(kind: Kind, name: &str, why: &str) -> Self {
        Self::new(
            Reason::Conflict,
            format!("Operation cannot be fulfilled on {} \"{name}\": {why}", qualified_resource(kind)),
        )
        .about(kind, name)
    }

    /// Validation failed; `errors` must not be empty.
    pub fn invalid(kind: Kind, name: &str, errors: Vec<FieldError>) -> Self {
        let list = match errors.as_slice() {
            [one] => one.to_string(),
            many => format!("[{}]", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        };
        let mut e = Self::new(Reason::Invalid, format!("{} \"{name}\" is invalid: {list}", qualified_kind(kind)));
        e.details.name = name.to_string();
        e.details.group = kind.group().to_string();
        e.details.kind = kind.as_str().to_string();
        e.details.causes = errors;
        e
    }

    /// RBAC or admission refused the request. `name` is empty for collection requests.
    pub fn forbidden(kind: Kind, name: &str, why: &str) -> Self {
        let message = if name.is_empty() {
            format!("{} is forbidden: {why}", qualified_resource(kind))
        } else {
            format!("{} \"{name}\" is forbidden: {why}", qualified_resource(kind))
        };
        Self::new(Reason::Forbidden, message).about(kind, name)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(Reason::BadRequest, message.into())
    }

    pub fn method_not_supported(kind: Kind, action: &str) -> Self {
        Self::new(
            Reason::MethodNotAllowed,
            format!("{action} is not supported on resources of kind \"{}\"", qualified_resource(kind)),
        )
    }

    /// A watch or list from a resourceVersion older than the retained history.
    pub fn expired(message: impl Into<String>) -> Self {
        Self::new(Reason::Expired, message.into())
    }

    /// `errors.NewTooManyRequests`: the client should retry later (an eviction a disruption budget
    /// refuses).
    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(Reason::TooManyRequests, message.into())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Reason::InternalError, format!("Internal error occurred: {}", message.into()))
    }

    pub fn code(&self) -> u16 {
        self.reason.code()
    }

    /// The `metav1.Status` object a client receives.
    pub fn to_status(&self) -> serde_json::Value {
        let d = &self.details;
        let mut details = serde_json::Map::new();
        if !d.name.is_empty() {
            details.insert("name".into(), d.name.clone().into());
        }
        if !d.group.is_empty() {
            details.insert("group".into(), d.group.clone().into());
        }
        if !d.kind.is_empty() {
            details.insert("kind".into(), d.kind.clone().into());
        }
        if !d.causes.is_empty() {
            let causes: Vec<serde_json::Value> = d
                .causes
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "reason": c.kind.cause_type(),
                        "message": c.body(),
                        "field": c.path,
                    })
                })
                .collect();
            details.insert("causes".into(), causes.into());
        }
        let mut status = serde_json::json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason.as_str(),
            "code": self.code(),
        });
        if !details.is_empty() {
            status["details"] = serde_json::Value::Object(details);
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::FieldError;

    #[test]
    fn messages_match_apimachinery() {
        assert_eq!(ApiError::not_found(Kind::Pod, "x").message, "pods \"x\" not found");
        assert_eq!(
            ApiError::already_exists(Kind::Deployment, "web").message,
            "deployments.apps \"web\" already exists"
        );
        assert_eq!(
            ApiError::conflict(Kind::Deployment, "web").message,
            "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
        );
        assert_eq!(
            ApiError::forbidden(
                Kind::Pod,
                "",
                "User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
            )
            .message,
            "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let e = ApiError::invalid(
            Kind::Deployment,
            "web",
            vec![FieldError::required("spec.template.spec.containers[0].image", "")],
        );
        assert_eq!(
            e.message,
            "Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value"
        );
        assert_eq!(e.code(), 422);
        let two = ApiError::invalid(
            Kind::Pod,
            "p",
            vec![FieldError::required("spec.containers", ""), FieldError::required("metadata.name", "")],
        );
        assert_eq!(
            two.message,
            "Pod \"p\" is invalid: [spec.containers: Required value, metadata.name: Required value]"
        );
        assert_eq!(two.to_status()["details"]["causes"][0]["reason"], "FieldValueRequired");
    }
}
