//! Field selectors (`kubectl get --field-selector spec.nodeName=node-1,status.phase!=Running`):
//! parsing with apimachinery's escaping and error messages (`k8s.io/apimachinery/pkg/fields`),
//! matching against field values each kind supplies, and the api-server's check that every field is
//! one the kind supports.
//!
//! Only `=`, `==` and `!=` exist. In a value, `\`, `,` and `=` must be escaped with a backslash;
//! the field name is taken as written, spaces included, as upstream does.

use std::collections::BTreeMap;
use std::fmt;

/// How a field is compared. `==` parses to `Equals`, as upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    Equals,
    NotEquals,
}

/// One `field=value` or `field!=value` term, with the value unescaped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    pub field: String,
    pub operator: Operator,
    pub value: String,
}

impl Requirement {
    /// A field the object does not have reads as the empty string, as upstream's `Fields.Get`.
    fn matches(&self, actual: Option<&str>) -> bool {
        let equal = actual.unwrap_or("") == self.value;
        match self.operator {
            Operator::Equals => equal,
            Operator::NotEquals => !equal,
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.operator {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
        };
        write!(f, "{}{op}{}", self.field, escape_value(&self.value))
    }
}

/// Why a field selector was refused; the messages are upstream's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSelectorError {
    /// A term with no operator: `invalid selector: 'a,b=c'; can't understand 'a'`.
    CannotUnderstand { selector: String, term: String },
    /// A backslash before anything but `\`, `,` or `=`, or at the very end.
    InvalidEscapeSequence(String),
    /// A bare `,` or `=` inside a value. Upstream prints the character's code point, not the
    /// character (`unescaped character in value: 61` for `=`).
    UnescapedRune(char),
    /// A field the kind does not index, as the api-server reports it.
    FieldLabelNotSupported(String),
}

impl fmt::Display for FieldSelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldSelectorError::CannotUnderstand { selector, term } => {
                write!(f, "invalid selector: '{selector}'; can't understand '{term}'")
            }
            FieldSelectorError::InvalidEscapeSequence(seq) => {
                write!(f, "invalid field selector: invalid escape sequence: {seq}")
            }
            FieldSelectorError::UnescapedRune(c) => {
                write!(f, "invalid field selector: unescaped character in value: {}", u32::from(*c))
            }
            FieldSelectorError::FieldLabelNotSupported(field) => {
                write!(f, "field label not supported: {field}")
            }
        }
    }
}

impl std::error::Error for FieldSelectorError {}

/// A parsed field selector: the AND of its requirements, in upstream's order (terms sorted as
/// written). The empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldSelector {
    requirements: Vec<Requirement>,
}

impl FieldSelector {
    /// The selector that matches every object.
    pub fn everything() -> Self {
        FieldSelector::default()
    }

    /// A selector of one `field=value` term, as controllers build them (`spec.nodeName=node-1`).
    pub fn one_term_equal(field: &str, value: &str) -> Self {
        let req = Requirement { field: field.to_string(), operator: Operator::Equals, value: value.to_string() };
        FieldSelector { requirements: vec![req] }
    }

    /// Parses `--field-selector` syntax (`fields.ParseSelector`).
    pub fn parse(selector: &str) -> Result<Self, FieldSelectorError> {
        let mut terms = split_terms(selector);
        terms.sort_unstable();
        let mut requirements = Vec::new();
        for term in terms.into_iter().filter(|t| !t.is_empty()) {
            let Some((field, operator, raw_value)) = split_term(term) else {
                return Err(FieldSelectorError::CannotUnderstand {
                    selector: selector.to_string(),
                    term: term.to_string(),
                });
            };
            let value = unescape_value(raw_value)?;
            // Upstream's identity transform drops a term whose field and value are both empty.
            if field.is_empty() && value.is_empty() {
                continue;
            }
            requirements.push(Requirement { field: field.to_string(), operator, value });
        }
        Ok(FieldSelector { requirements })
    }

    /// True when the selector does not restrict anything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether an object matches, given a lookup of its field values (each kind supplies its own:
    /// `metadata.name`, `spec.nodeName`, `status.phase`...). A missing field reads as empty.
    pub fn matches<F>(&self, field_value: F) -> bool
    where
        F: Fn(&str) -> Option<String>,
    {
        self.requirements.iter().all(|r| r.matches(field_value(&r.field).as_deref()))
    }

    /// Whether a set of field values (upstream's `fields.Set`) matches.
    pub fn matches_set(&self, fields: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(fields.get(&r.field).map(String::as_str)))
    }

    /// The value the selector pins `field` to with `=`, if any (`spec.nodeName=node-1` gives
    /// `node-1`): watch and list can then use an index instead of scanning every object.
    pub fn requires_exact_match(&self, field: &str) -> Option<&str> {
        self.requirements.iter().find(|r| r.field == field && r.operator == Operator::Equals).map(|r| r.value.as_str())
    }

    /// The api-server's check: every field must be one the kind supports, else the first
    /// unsupported one (in the selector's order) is reported.
    pub fn check_supported(&self, supported: &[&str]) -> Result<(), FieldSelectorError> {
        match self.requirements.iter().find(|r| !supported.contains(&r.field.as_str())) {
            Some(r) => Err(FieldSelectorError::FieldLabelNotSupported(r.field.clone())),
            None => Ok(()),
        }
    }
}

/// Upstream's `String()`: terms joined by `,`, values escaped so the result parses back.
impl fmt::Display for FieldSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for FieldSelector {
    type Err = FieldSelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FieldSelector::parse(s)
    }
}

/// `fields.EscapeValue`: backslash before `\`, `,` and `=`.
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `fields.UnescapeValue`: the inverse of `escape_value`, refusing bare `,` and `=`.
pub fn unescape_value(value: &str) -> Result<String, FieldSelectorError> {
    let mut out = String::with_capacity(value.len());
    let mut in_slash = false;
    for c in value.chars() {
        if in_slash {
            if !matches!(c, '\\' | ',' | '=') {
                return Err(FieldSelectorError::InvalidEscapeSequence(format!("\\{c}")));
            }
            out.push(c);
            in_slash = false;
            continue;
        }
        match c {
            '\\' => in_slash = true,
            ',' | '=' => return Err(FieldSelectorError::UnescapedRune(c)),
            _ => out.push(c),
        }
    }
    if in_slash {
        return Err(FieldSelectorError::InvalidEscapeSequence("\\".to_string()));
    }
    Ok(out)
}

/// Splits at commas not preceded by a backslash escape.
fn split_terms(selector: &str) -> Vec<&str> {
    if selector.is_empty() {
        return Vec::new();
    }
    let mut terms = Vec::new();
    let mut start = 0;
    let mut in_slash = false;
    for (i, c) in selector.char_indices() {
        if in_slash {
            in_slash = false;
        } else if c == '\\' {
            in_slash = true;
        } else if c == ',' {
            terms.push(selector.get(start..i).unwrap_or_default());
            start = i + 1;
        }
    }
    terms.push(selector.get(start..).unwrap_or_default());
    terms
}

/// Splits a term at its first operator, trying `!=`, `==`, `=` at each position from the left.
fn split_term(term: &str) -> Option<(&str, Operator, &str)> {
    const OPERATORS: [(&str, Operator); 3] =
        [("!=", Operator::NotEquals), ("==", Operator::Equals), ("=", Operator::Equals)];
    for (i, _) in term.char_indices() {
        let rest = term.get(i..).unwrap_or_default();
        for (text, op) in OPERATORS {
            if let Some(value) = rest.strip_prefix(text) {
                return Some((term.get(..i).unwrap_or_default(), op, value));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn upstream_parse_table() {
        // Good selectors print back exactly as written.
        for s in ["x=a,y=b,z=c", "", "x!=a,y=b", "x=a||y\\=b", "x=a\\=\\=b"] {
            let printed = FieldSelector::parse(s).map(|sel| sel.to_string());
            assert_eq!(printed.as_deref(), Ok(s), "{s}");
        }
        for s in ["x=a||y=b", "x==a==b", "x=a,b", "x in (a)", "x in (a,b,c)", "x"] {
            assert!(FieldSelector::parse(s).is_err(), "{s}");
        }
        // Deterministic: the order written does not matter.
        let a = FieldSelector::parse("x=a,a=x").map(|s| s.to_string());
        assert_eq!(a, FieldSelector::parse("a=x,x=a").map(|s| s.to_string()));
        // Unicode terms split like any other.
        assert_eq!(split_terms("함=수,목=록"), vec!["함=수", "목=록"]);
        assert_eq!(split_terms("k=\\\\\\,,k2=v2"), vec!["k=\\\\\\,", "k2=v2"]);
        assert_eq!(split_terms(",a=a"), vec!["", "a=a"]);
        assert_eq!(split_term("k=\\="), Some(("k", Operator::Equals, "\\=")));
        assert_eq!(split_term("c!=value"), Some(("c", Operator::NotEquals, "value")));
    }

    #[test]
    fn errors_use_upstream_wording() {
        let err = |s: &str| FieldSelector::parse(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err("status.phase"), "invalid selector: 'status.phase'; can't understand 'status.phase'");
        assert_eq!(err("b=c,a"), "invalid selector: 'b=c,a'; can't understand 'a'");
        assert_eq!(err("x==a==b"), "invalid field selector: unescaped character in value: 61");
        assert_eq!(err("x=a,b\\,c"), "invalid selector: 'x=a,b\\,c'; can't understand 'b\\,c'");
        assert_eq!(err("x=a\\b"), "invalid field selector: invalid escape sequence: \\b");
        assert_eq!(err("x=a\\"), "invalid field selector: invalid escape sequence: \\");
    }

    #[test]
    fn escaping_round_trips_like_upstream() {
        let cases =
            [("", ""), ("a", "a"), ("=", "\\="), (",", "\\,"), ("\\", "\\\\"), ("\\=\\,\\", "\\\\\\=\\\\\\,\\\\")];
        for (raw, escaped) in cases {
            assert_eq!(escape_value(raw), escaped);
            assert_eq!(unescape_value(escaped).as_deref(), Ok(raw));
        }
        let s = FieldSelector::parse("metadata.name=a\\,b\\=c").unwrap_or_default();
        assert_eq!(s.requires_exact_match("metadata.name"), Some("a,b=c"));
        assert_eq!(s.to_string(), "metadata.name=a\\,b\\=c");
    }

    #[test]
    fn terms_are_sorted_and_double_equals_prints_as_equals() {
        let s = FieldSelector::parse("status.phase!=Running,spec.restartPolicy==Always").unwrap_or_default();
        assert_eq!(s.to_string(), "spec.restartPolicy=Always,status.phase!=Running");
        assert_eq!(s.requirements().len(), 2);
        assert_eq!(s.requirements()[0].operator, Operator::Equals);
        // Spaces belong to the field name and value, as upstream.
        let s = FieldSelector::parse("a = b").unwrap_or_default();
        assert_eq!(s.requirements()[0].field, "a ");
        assert_eq!(s.requirements()[0].value, " b");
        // `=` alone is a term with no field and no value: dropped.
        assert!(FieldSelector::parse("=").is_ok_and(|s| s.is_empty()));
        assert!(FieldSelector::parse(",,").is_ok_and(|s| s.is_empty()));
    }

    #[test]
    fn matching_treats_missing_fields_as_empty() {
        let pod = set(&[("metadata.name", "web-1"), ("spec.nodeName", "node-1"), ("status.phase", "Running")]);
        let cases = [
            ("", true),
            ("spec.nodeName=node-1", true),
            ("spec.nodeName=node-2", false),
            ("spec.nodeName!=node-2,status.phase=Running", true),
            ("status.phase!=Running", false),
            ("spec.serviceAccountName=", true),
            ("spec.serviceAccountName!=", false),
            ("metadata.name==web-1", true),
        ];
        for (s, want) in cases {
            let sel = FieldSelector::parse(s).unwrap_or_default();
            assert_eq!(sel.matches_set(&pod), want, "{s}");
            assert_eq!(sel.matches(|f| pod.get(f).cloned()), want, "{s}");
        }
    }

    #[test]
    fn exact_match_is_exposed_for_indexing() {
        let s = FieldSelector::parse("spec.nodeName!=x,spec.nodeName=node-1,status.phase=Pending").unwrap_or_default();
        assert_eq!(s.requires_exact_match("spec.nodeName"), Some("node-1"));
        assert_eq!(s.requires_exact_match("status.phase"), Some("Pending"));
        assert_eq!(FieldSelector::parse("a!=b").unwrap_or_default().requires_exact_match("a"), None);
        assert_eq!(FieldSelector::one_term_equal("spec.nodeName", "n").to_string(), "spec.nodeName=n");
    }

    #[test]
    fn unsupported_fields_are_reported_by_name() {
        let supported = ["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"];
        let s = FieldSelector::parse("spec.nodeName=a,status.podIP=1.2.3.4,foo=bar").unwrap_or_default();
        let err = s.check_supported(&supported).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("field label not supported: foo"));
        assert!(FieldSelector::parse("status.phase=Running").is_ok_and(|s| s.check_supported(&supported).is_ok()));
    }

    #[test]
    fn generated_selectors_never_panic_and_round_trip() {
        let alphabet: Vec<char> = "ab.=!,\\ é\u{0}".chars().collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 24) as usize;
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            if let Ok(sel) = FieldSelector::parse(&s) {
                // What we print parses back to the same requirements (`==` printed as `=` may
                // sort differently, as upstream).
                let mut again = FieldSelector::parse(&sel.to_string()).unwrap_or_default().requirements;
                let mut want = sel.requirements.clone();
                again.sort();
                want.sort();
                assert_eq!(again, want, "{s:?} printed as {sel}");
            }
        }
    }
}
