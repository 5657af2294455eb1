//! Label selectors: kubectl's `-l` syntax (`app=web,tier in (a,b),!canary`), parsed with
//! apimachinery's lexer and grammar so that every accepted input and every error message is
//! upstream's (`k8s.io/apimachinery/pkg/labels/selector.go`); the object form
//! (`metav1.LabelSelector`, as Deployments and Services carry it); matching; and the canonical
//! string kubectl and the api-server print.
//!
//! The grammar itself lives in `parser`.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::names::{is_qualified_name, is_valid_label_value};

mod parser;

/// How a requirement relates a label to its values (`selection.Operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    In,
    NotIn,
    Equals,
    DoubleEquals,
    NotEquals,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

impl Operator {
    /// The `selection.Operator` string, as upstream's messages print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

/// One field-level validation failure, printed as `field.Error`: `values[0][app]: Invalid value:
/// "-x": <detail>`. `field` is `None` where upstream has no path and prints `<nil>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    /// The bad value already rendered as upstream does (`"x"` quoted, lists as JSON).
    pub value: String,
    pub detail: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field.as_deref().unwrap_or("<nil>");
        write!(f, "{field}: Invalid value: {}: {}", self.value, self.detail)
    }
}

/// Why a selector was refused. The messages are upstream's, exactly as kubectl prints them after
/// its own prefix (`couldn't parse the selector string "...": `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorError {
    /// A token out of place between requirements: `found ',', expected: identifier after ','`.
    Syntax(String),
    /// Values or keys that failed validation; several are printed as `[a, b]`, as upstream's
    /// aggregate does.
    Invalid(Vec<FieldError>),
    /// An operator a `LabelSelector` may not use: `"Gt" is not a valid label selector operator`.
    InvalidOperator(String),
    /// A failure inside one requirement: `unable to parse requirement: <cause>`.
    InRequirement(Box<SelectorError>),
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectorError::Syntax(msg) => f.write_str(msg),
            SelectorError::Invalid(errs) => {
                let mut seen: Vec<String> = Vec::new();
                for msg in errs.iter().map(ToString::to_string) {
                    if !seen.contains(&msg) {
                        seen.push(msg);
                    }
                }
                match seen.as_slice() {
                    [one] => f.write_str(one),
                    many => write!(f, "[{}]", many.join(", ")),
                }
            }
            SelectorError::InvalidOperator(op) => {
                write!(f, "{} is not a valid label selector operator", go_quote(op))
            }
            SelectorError::InRequirement(cause) => {
                write!(f, "unable to parse requirement: {cause}")
            }
        }
    }
}

impl std::error::Error for SelectorError {}

/// Go's `strconv.Quote`, closely enough for label text: printable characters kept, the usual
/// escapes, `\x..` for other ASCII controls and `\u....` for other non-printing characters.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if c != ' ' && (c.is_control() || c.is_whitespace()) => {
                let code = u32::from(c);
                if code < 0x1_0000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A list as Go's `json.Marshal` prints it in an error (`null` for a missing list, HTML-escaped).
fn go_json_list(values: Option<&[String]>) -> String {
    let Some(values) = values else {
        return "null".to_string();
    };
    let json = serde_json::to_string(values).unwrap_or_default();
    json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// One requirement: a key, an operator and (for all but `Exists`/`DoesNotExist`) values, kept sorted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

impl Requirement {
    /// `labels.NewRequirement`: validates the key, the number of values for the operator, integer
    /// values for `gt`/`lt`, and each value. `values` is `None` for a list that was absent, which
    /// upstream reports as `null`.
    pub fn new(key: &str, operator: Operator, values: Option<Vec<String>>) -> Result<Self, SelectorError> {
        let list = values.as_deref().unwrap_or_default();
        let shown = || go_json_list(values.as_deref());
        let invalid = |field: &str, value: String, detail: &str| FieldError {
            field: Some(field.to_string()),
            value,
            detail: detail.to_string(),
        };
        let mut errs = Vec::new();
        let key_errs = is_qualified_name(key);
        if !key_errs.is_empty() {
            errs.push(invalid("key", go_quote(key), &key_errs.join("; ")));
        }
        match operator {
            Operator::In | Operator::NotIn if list.is_empty() => {
                errs.push(invalid("values", shown(), "for 'in', 'notin' operators, values set can't be empty"));
            }
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals if list.len() != 1 => {
                errs.push(invalid("values", shown(), "exact-match compatibility requires one single value"));
            }
            Operator::Exists | Operator::DoesNotExist if !list.is_empty() => {
                errs.push(invalid("values", shown(), "values set must be empty for exists and does not exist"));
            }
            Operator::GreaterThan | Operator::LessThan => {
                if list.len() != 1 {
                    errs.push(invalid("values", shown(), "for 'Gt', 'Lt' operators, exactly one value is required"));
                }
                for (i, v) in list.iter().enumerate().filter(|(_, v)| v.parse::<i64>().is_err()) {
                    let detail = "for 'Gt', 'Lt' operators, the value must be an integer";
                    errs.push(invalid(&format!("values[{i}]"), go_quote(v), detail));
                }
            }
            _ => {}
        }
        for (i, v) in list.iter().enumerate() {
            let value_errs = is_valid_label_value(v);
            if !value_errs.is_empty() {
                errs.push(invalid(&format!("values[{i}][{key}]"), go_quote(v), &value_errs.join("; ")));
            }
        }
        if !errs.is_empty() {
            return Err(SelectorError::Invalid(errs));
        }
        let mut values = list.to_vec();
        values.sort();
        Ok(Requirement { key: key.to_string(), operator, values })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, sorted.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether a label set satisfies the requirement. A missing label satisfies `!=` and `notin`;
    /// `gt`/`lt` need a label that parses as an integer.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let label = labels.get(&self.key);
        let has_value = |v: &String| self.values.contains(v);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => label.is_some_and(has_value),
            Operator::NotIn | Operator::NotEquals => !label.is_some_and(has_value),
            Operator::Exists => label.is_some(),
            Operator::DoesNotExist => label.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let actual = label.and_then(|v| v.parse::<i64>().ok());
                let wanted = match self.values.as_slice() {
                    [one] => one.parse::<i64>().ok(),
                    _ => None,
                };
                match (actual, wanted) {
                    (Some(a), Some(w)) if self.operator == Operator::GreaterThan => a > w,
                    (Some(a), Some(w)) => a < w,
                    _ => false,
                }
            }
        }
    }
}

/// Upstream's `Requirement.String()`: `!key`, `key`, `key=v`, `key in (a,b)`, `key>1`...
impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.operator {
            Operator::DoesNotExist => return write!(f, "!{}", self.key),
            Operator::Exists => return f.write_str(&self.key),
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::GreaterThan => ">",
            Operator::LessThan => "<",
            Operator::In => " in ",
            Operator::NotIn => " notin ",
        };
        let values = self.values.join(",");
        match self.operator {
            Operator::In | Operator::NotIn => write!(f, "{}{op}({values})", self.key),
            _ => write!(f, "{}{op}{values}", self.key),
        }
    }
}

/// A label selector: the AND of its requirements, sorted by key. The empty selector matches
/// everything (the distinction from a missing selector, which matches nothing, is the caller's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

impl Selector {
    /// The selector that matches every label set.
    pub fn everything() -> Self {
        Selector::default()
    }

    /// Parses kubectl's `-l` syntax (`labels.Parse`).
    pub fn parse(selector: &str) -> Result<Self, SelectorError> {
        let mut requirements = parser::parse(selector)?;
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements })
    }

    /// `metav1.LabelSelectorAsSelector` for a selector that is present: `matchLabels` as `key=value`
    /// and `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub fn from_label_selector(selector: &LabelSelector) -> Result<Self, SelectorError> {
        let mut requirements = Vec::new();
        for (key, value) in selector.match_labels.iter().flatten() {
            requirements.push(Requirement::new(key, Operator::Equals, Some(vec![value.clone()]))?);
        }
        for expr in selector.match_expressions.iter().flatten() {
            let operator = match expr.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => return Err(SelectorError::InvalidOperator(other.to_string())),
            };
            // Upstream copies the list with `append(nil, ...)`: an empty list is reported as `null`.
            let values = expr.values.clone().filter(|v| !v.is_empty());
            requirements.push(Requirement::new(&expr.key, operator, values)?);
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements })
    }

    /// `labels.SelectorFromSet`: `key=value` for each label, unvalidated (the labels come from an
    /// object that already passed validation).
    pub fn from_set(labels: &BTreeMap<String, String>) -> Self {
        let requirements = labels
            .iter()
            .map(|(k, v)| Requirement { key: k.clone(), operator: Operator::Equals, values: vec![v.clone()] })
            .collect();
        Selector { requirements }
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// `RequiresExactMatch`: the single value the first requirement on `key` pins it to (`=`, `==`
    /// or `in` with one value).
    pub fn requires_exact_match(&self, key: &str) -> Option<&str> {
        self.requirements.iter().find(|r| r.key == key).and_then(Requirement::exact_value)
    }

    /// The first label the selector pins to one value (`app=web` gives `("app", "web")`): every
    /// matching object carries it, so the api-server can look objects up by it in an index.
    pub fn exact_match(&self) -> Option<(&str, &str)> {
        self.requirements.iter().find_map(|r| r.exact_value().map(|v| (r.key.as_str(), v)))
    }
}

impl Requirement {
    fn exact_value(&self) -> Option<&str> {
        match (self.operator, self.values.as_slice()) {
            (Operator::Equals | Operator::DoubleEquals | Operator::In, [one]) => Some(one),
            _ => None,
        }
    }
}

/// Upstream's canonical string: requirements in key order, joined by `,`.
impl fmt::Display for Selector {
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

impl std::str::FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

/// kubectl's `labels.FormatLabels`: `a=b,c=d` in key order, or `<none>`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn matching_follows_upstream_tests() {
        let cases = [
            ("", &[("x", "y")][..], true),
            ("x=y", &[("x", "y")], true),
            ("x=y,z=w", &[("x", "y"), ("z", "w")], true),
            ("x!=y,z!=w", &[("x", "z"), ("z", "a")], true),
            ("notin=in", &[("notin", "in")], true),
            ("x", &[("x", "z")], true),
            ("!x", &[("y", "z")], true),
            ("x>1", &[("x", "2")], true),
            ("x<1", &[("x", "0")], true),
            ("x=z", &[], false),
            ("x=y", &[("x", "z")], false),
            ("x=y,z=w", &[("x", "w"), ("z", "w")], false),
            ("x!=y,z!=w", &[("x", "z"), ("z", "w")], false),
            ("x", &[("y", "z")], false),
            ("!x", &[("x", "z")], false),
            ("x>1", &[("x", "0")], false),
            ("x<1", &[("x", "2")], false),
            ("x in (foo),y notin (alpha)", &[("x", "foo"), ("y", "baz")], true),
            ("x in (foo),y in (alpha)", &[("x", "foo"), ("y", "baz")], false),
            ("x notin (),y", &[("y", "")], true),
            ("!x,y", &[("y", "")], true),
            ("x notin (),!y", &[("y", "")], false),
            ("x in ()", &[("y", "baz")], false),
            ("z>1", &[("z", "v2")], false),
            ("app=web,tier in (a,b)", &[("app", "web"), ("tier", "b"), ("x", "y")], true),
        ];
        for (s, labels, want) in cases {
            assert_eq!(sel(s).matches(&set(labels)), want, "{s:?} on {labels:?}");
        }
    }

    #[test]
    fn canonical_strings_follow_upstream_to_string() {
        let req = |k: &str, op, v: &[&str]| Requirement::new(k, op, Some(v.iter().map(|s| s.to_string()).collect()));
        let cases: [(Vec<Result<Requirement, SelectorError>>, &str); 4] = [
            (
                vec![
                    req("x", Operator::In, &["def", "abc"]),
                    req("y", Operator::NotIn, &["jkl"]),
                    req("z", Operator::Exists, &[]),
                ],
                "x in (abc,def),y notin (jkl),z",
            ),
            (
                vec![
                    req("x", Operator::NotIn, &["abc", "def"]),
                    req("y", Operator::NotEquals, &["jkl"]),
                    req("z", Operator::DoesNotExist, &[]),
                ],
                "x notin (abc,def),y!=jkl,!z",
            ),
            (
                vec![
                    req("x", Operator::Equals, &["abc"]),
                    req("y", Operator::DoubleEquals, &["jkl"]),
                    req("z", Operator::NotEquals, &["a"]),
                    req("z", Operator::Exists, &[]),
                ],
                "x=abc,y==jkl,z!=a,z",
            ),
            (
                vec![
                    req("x", Operator::GreaterThan, &["2"]),
                    req("y", Operator::LessThan, &["8"]),
                    req("z", Operator::NotIn, &[""]),
                ],
                "x>2,y<8,z notin ()",
            ),
        ];
        for (reqs, want) in cases {
            let requirements: Vec<Requirement> = reqs.into_iter().flatten().collect();
            assert_eq!(Selector { requirements }.to_string(), want);
        }
        assert_eq!(Selector::from_set(&set(&[("tier", "web"), ("app", "nginx")])).to_string(), "app=nginx,tier=web");
    }

    fn label_selector(labels: &[(&str, &str)], exprs: &[(&str, &str, Option<&[&str]>)]) -> LabelSelector {
        LabelSelector {
            match_labels: (!labels.is_empty()).then(|| set(labels)),
            match_expressions: Some(
                exprs
                    .iter()
                    .map(|(key, op, values)| LabelSelectorRequirement {
                        key: key.to_string(),
                        operator: op.to_string(),
                        values: values.map(|v| v.iter().map(|s| s.to_string()).collect()),
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn object_selectors_convert_like_label_selector_as_selector() {
        let ls =
            label_selector(&[("app", "web")], &[("tier", "In", Some(&["b", "a"])), ("canary", "DoesNotExist", None)]);
        let s = Selector::from_label_selector(&ls);
        let printed = s.as_ref().map(ToString::to_string).unwrap_or_default();
        assert_eq!(printed, "app=web,!canary,tier in (a,b)");
        assert!(s.is_ok_and(|s| s.matches(&set(&[("app", "web"), ("tier", "a")]))));
        // An empty selector selects everything.
        let empty = Selector::from_label_selector(&LabelSelector::default());
        assert!(empty.is_ok_and(|s| s.is_empty() && s.matches(&set(&[("any", "thing")]))));
        let err =
            |ls: &LabelSelector| Selector::from_label_selector(ls).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            err(&label_selector(&[], &[("a", "Gt", Some(&["1"]))])),
            "\"Gt\" is not a valid label selector operator"
        );
        assert_eq!(
            err(&label_selector(&[], &[("a", "In", None)])),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );
        assert_eq!(
            err(&label_selector(&[], &[("a", "In", Some(&[]))])),
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
        );
        assert_eq!(
            err(&label_selector(&[], &[("a", "Exists", Some(&["x"]))])),
            "values: Invalid value: [\"x\"]: values set must be empty for exists and does not exist"
        );
        assert!(
            err(&label_selector(&[("a/b/c", "x")], &[]))
                .starts_with("key: Invalid value: \"a/b/c\": a valid label key")
        );
        assert!(
            err(&label_selector(&[("app", "-x")], &[]))
                .starts_with("values[0][app]: Invalid value: \"-x\": a valid label")
        );
    }

    #[test]
    fn exact_matches_are_exposed_for_indexing() {
        let cases = [
            ("key in (value)", "key", Some("value")),
            ("key in (value,value2)", "key", None),
            ("key in (value,value1),key2 in (value2)", "key2", Some("value2")),
            ("key=value", "key", Some("value")),
            ("key==value", "key", Some("value")),
            ("key!=value", "key", None),
            ("key in (value),key2 in (value2)", "key", Some("value")),
        ];
        for (s, key, want) in cases {
            assert_eq!(sel(s).requires_exact_match(key), want, "{s:?}");
        }
        assert_eq!(sel("tier notin (x),app=web").exact_match(), Some(("app", "web")));
        assert_eq!(sel("app,!b").exact_match(), None);
    }

    #[test]
    fn labels_print_as_kubectl_shows_them() {
        assert_eq!(format_labels(&BTreeMap::new()), "<none>");
        assert_eq!(format_labels(&set(&[("tier", "web"), ("app", "nginx")])), "app=nginx,tier=web");
    }

    #[test]
    fn go_quoting_escapes_what_go_escapes() {
        assert_eq!(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(go_quote("\n\t\u{1}\u{7f}"), "\"\\n\\t\\x01\\x7f\"");
        assert_eq!(go_quote("é 水\u{2028}"), "\"é 水\\u2028\"");
    }

    #[test]
    fn generated_selectors_never_panic_and_print_back() {
        let pieces = [
            "a", "b", "x.y/z", "in", "notin", " ", ",", "=", "==", "!=", "!", "(", ")", "<", ">", "1", "-", "é", "\0",
            "\t", "A_b",
        ];
        let mut x: u64 = 0x1234_5678_9abc_def1;
        let mut parsed = 0;
        for _ in 0..20_000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for _ in 0..(x % 12) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            if let Ok(selector) = Selector::parse(&s) {
                parsed += 1;
                let printed = selector.to_string();
                assert_eq!(Selector::parse(&printed).as_ref(), Ok(&selector), "{s:?} printed as {printed:?}");
                let _ = selector.matches(&set(&[("a", "1"), ("b", "")]));
            }
        }
        assert!(parsed > 1000, "the generator should reach valid selectors too ({parsed})");
        for s in ["(".repeat(10_000), "a in (".to_string() + &"x,".repeat(5000), "!".repeat(999), "é".repeat(100)] {
            let _ = Selector::parse(&s);
        }
    }
}
