//! Field errors from validation, formatted like apimachinery's `field.Error`
//! (`spec.replicas: Invalid value: -1: must be greater than or equal to 0`).

use std::fmt;

/// `field.ErrorType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    Required,
    Invalid,
    NotSupported,
    Duplicate,
    Forbidden,
    TooLong,
    TooMany,
}

impl FieldErrorKind {
    fn label(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "Required value",
            FieldErrorKind::Invalid => "Invalid value",
            FieldErrorKind::NotSupported => "Unsupported value",
            FieldErrorKind::Duplicate => "Duplicate value",
            FieldErrorKind::Forbidden => "Forbidden",
            FieldErrorKind::TooLong => "Too long",
            FieldErrorKind::TooMany => "Too many",
        }
    }

    /// `metav1.CauseType` for the Status details.
    pub fn cause_type(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::NotSupported => "FieldValueNotSupported",
            FieldErrorKind::Duplicate => "FieldValueDuplicate",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
            FieldErrorKind::TooLong => "FieldValueTooLong",
            FieldErrorKind::TooMany => "FieldValueTooMany",
        }
    }
}

/// One validation failure at a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub kind: FieldErrorKind,
    pub path: String,
    /// The offending value as Go prints it (`"Web"`, `-1`, `null`); empty when not shown.
    pub value: String,
    pub detail: String,
}

/// Formats a string value the way Go's `%q` does for the printable ASCII and UTF-8 text users type.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

impl FieldError {
    fn new(kind: FieldErrorKind, path: &str, value: String, detail: &str) -> Self {
        FieldError { kind, path: path.to_string(), value, detail: detail.to_string() }
    }

    pub fn required(path: &str, detail: &str) -> Self {
        Self::new(FieldErrorKind::Required, path, String::new(), detail)
    }

    pub fn forbidden(path: &str, detail: &str) -> Self {
        Self::new(FieldErrorKind::Forbidden, path, String::new(), detail)
    }

    /// An invalid string value (printed quoted).
    pub fn invalid(path: &str, value: &str, detail: &str) -> Self {
        Self::new(FieldErrorKind::Invalid, path, quote(value), detail)
    }

    /// An invalid value printed as is (numbers, `null`, JSON).
    pub fn invalid_raw(path: &str, value: impl fmt::Display, detail: &str) -> Self {
        Self::new(FieldErrorKind::Invalid, path, value.to_string(), detail)
    }

    pub fn duplicate(path: &str, value: &str) -> Self {
        Self::new(FieldErrorKind::Duplicate, path, quote(value), "")
    }

    /// A value outside an enumeration; `supported` lists the allowed values.
    pub fn not_supported(path: &str, value: &str, supported: &[&str]) -> Self {
        let list = supported.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ");
        let detail = if supported.is_empty() { String::new() } else { format!("supported values: {list}") };
        Self::new(FieldErrorKind::NotSupported, path, quote(value), &detail)
    }

    pub fn too_long(path: &str, max: usize) -> Self {
        Self::new(FieldErrorKind::TooLong, path, String::new(), &format!("may not be more than {max} bytes"))
    }

    /// `ErrorBody`: everything after `<path>: `.
    pub fn body(&self) -> String {
        let mut s = self.kind.label().to_string();
        let shows_value = !matches!(
            self.kind,
            FieldErrorKind::Required | FieldErrorKind::Forbidden | FieldErrorKind::TooLong | FieldErrorKind::TooMany
        );
        if shows_value {
            s.push_str(": ");
            s.push_str(if self.value.is_empty() { "null" } else { &self.value });
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.body())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_field_error() {
        assert_eq!(
            FieldError::invalid_raw("spec.replicas", -1, "must be greater than or equal to 0").to_string(),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            FieldError::not_supported("spec.restartPolicy", "Sometimes", &["Always", "OnFailure", "Never"]).to_string(),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
        assert_eq!(
            FieldError::required("metadata.name", "name or generateName is required").to_string(),
            "metadata.name: Required value: name or generateName is required"
        );
        assert_eq!(
            FieldError::duplicate("spec.containers[1].name", "web").to_string(),
            "spec.containers[1].name: Duplicate value: \"web\""
        );
    }
}
