//! `kubectl explain --output=plaintext-openapiv2`: the older printer over the OpenAPI v2 model
//! (kubectl's pkg/explain: field lookup, model printer, fields printers and formatter). Its model
//! differs from v3 in what it calls types: named object types are `Object`, Quantity, IntOrString
//! and Time are `string`, and property-less objects (FieldsV1, RawExtension) are `map[string]`.

use super::schema::{NamedType, Schema, Ty};
use super::{ExplainError, Target};

/// A node of kube-openapi's proto model, with the description it carries.
#[derive(Clone, Copy)]
enum Proto<'a> {
    /// A `$ref` (a field or array item naming a type), with the referring field's description.
    Ref(&'a str, usize),
    Array(&'a str, &'a Ty),
    Map(&'a str, &'a Ty),
    /// A definition of type object without properties: a map of arbitrary values.
    ArbitraryMap(&'a str),
    Arbitrary(&'a str),
    Primitive(&'a str, &'a str),
    Kind(&'a NamedType),
}

impl<'a> Proto<'a> {
    fn of(description: &'a str, ty: &'a Ty) -> Proto<'a> {
        match ty {
            Ty::Named(index) => Proto::Ref(description, *index),
            Ty::Array(inner) => Proto::Array(description, inner),
            Ty::Map(inner) => Proto::Map(description, inner),
            Ty::Primitive(p) if p == "object" => Proto::ArbitraryMap(description),
            Ty::Primitive(p) => Proto::Primitive(description, p),
        }
    }

    /// What a reference points to: a kind, or (Quantity, IntOrString, Time) a string.
    fn definition(schema: &'a Schema, index: usize) -> Proto<'a> {
        match schema.named(index) {
            Some(t) if !t.fields.is_empty() => Proto::Kind(t),
            Some(t) if t.schema_type == "object" => Proto::ArbitraryMap(&t.description),
            Some(t) => Proto::Primitive(&t.description, "string"),
            None => Proto::Arbitrary(""),
        }
    }

    fn description(self) -> &'a str {
        match self {
            Proto::Ref(d, _)
            | Proto::Array(d, _)
            | Proto::Map(d, _)
            | Proto::ArbitraryMap(d)
            | Proto::Arbitrary(d)
            | Proto::Primitive(d, _) => d,
            Proto::Kind(t) => &t.description,
        }
    }

    /// What arrays, maps and references stand for (None for the leaves).
    fn inner(self, schema: &'a Schema) -> Option<Proto<'a>> {
        match self {
            Proto::Ref(_, index) => Some(Proto::definition(schema, index)),
            Proto::Array(_, inner) | Proto::Map(_, inner) => Some(Proto::of("", inner)),
            Proto::ArbitraryMap(d) => Some(Proto::Arbitrary(d)),
            Proto::Arbitrary(_) | Proto::Primitive(..) | Proto::Kind(_) => None,
        }
    }

    /// kubectl's GetTypeName.
    fn type_name(self, schema: &Schema) -> String {
        let inner = || self.inner(schema).map_or(String::new(), |p| p.type_name(schema));
        match self {
            Proto::Ref(..) => inner(),
            Proto::Array(..) => format!("[]{}", inner()),
            Proto::Map(..) | Proto::ArbitraryMap(_) => format!("map[string]{}", inner()),
            Proto::Arbitrary(_) => String::new(),
            Proto::Primitive(_, p) => p.to_string(),
            Proto::Kind(_) => "Object".to_string(),
        }
    }
}

/// The whole output, or the error kubectl reports before printing anything.
pub fn render(schema: &Schema, root: usize, target: &Target, recursive: bool) -> Result<String, ExplainError> {
    let leaf = lookup(schema, Proto::definition(schema, root), &target.fields)?;
    let gv =
        if target.group.is_empty() { target.version.clone() } else { format!("{}/{}", target.group, target.version) };
    let mut out = format!("KIND:     {}\nVERSION:  {gv}\n\n", target.kind.as_str());
    let name = target.fields.last().map_or("", String::as_str);
    // The model printer: references, arrays and maps pass their descriptions (and the first of
    // them its type name) down to the leaf that prints.
    let mut descriptions: Vec<&str> = Vec::new();
    let mut type_name: Option<String> = None;
    let mut node = leaf;
    loop {
        if matches!(node, Proto::Array(..) | Proto::Map(..) | Proto::ArbitraryMap(_)) && type_name.is_none() {
            type_name = Some(node.type_name(schema));
        }
        match node {
            Proto::Kind(named) => {
                if !name.is_empty() {
                    let t = type_name.unwrap_or_else(|| "Object".to_string());
                    out.push_str(&format!("RESOURCE: {name} <{t}>\n\n"));
                }
                print_description(&mut out, &descriptions, node.description());
                out.push_str("\nFIELDS:\n");
                print_fields(schema, named, 3, recursive, &mut Vec::new(), &mut out);
                return Ok(out);
            }
            Proto::Primitive(_, p) => {
                let t = type_name.unwrap_or_else(|| p.to_string());
                out.push_str(&format!("FIELD:    {name} <{t}>\n\n"));
                print_description(&mut out, &descriptions, node.description());
                return Ok(out);
            }
            Proto::Arbitrary(d) => {
                print_description(&mut out, &descriptions, d);
                return Ok(out);
            }
            Proto::Ref(..) | Proto::Array(..) | Proto::Map(..) | Proto::ArbitraryMap(_) => {
                descriptions.push(node.description());
                match node.inner(schema) {
                    Some(inner) => node = inner,
                    None => return Ok(out),
                }
            }
        }
    }
}

/// kubectl's LookupSchemaForField: follows the path; a primitive or arbitrary value ends the walk
/// wherever it is met, the rest of the path unread.
fn lookup<'a>(schema: &'a Schema, mut node: Proto<'a>, mut path: &[String]) -> Result<Proto<'a>, ExplainError> {
    loop {
        let Some((first, rest)) = path.split_first() else { return Ok(node) };
        node = match node {
            Proto::Kind(named) => {
                let field = named
                    .fields
                    .iter()
                    .find(|f| &f.name == first)
                    .ok_or_else(|| ExplainError::FieldMissing(first.clone()))?;
                path = rest;
                Proto::of(&field.description, &field.ty)
            }
            Proto::Primitive(..) | Proto::Arbitrary(_) => return Ok(node),
            other => match other.inner(schema) {
                Some(inner) => inner,
                None => return Ok(other),
            },
        };
    }
}

/// The DESCRIPTION section: each non-empty description, blank lines between (counted by position,
/// as kubectl does), or `<empty>`.
fn print_description(out: &mut String, collected: &[&str], own: &str) {
    out.push_str("DESCRIPTION:\n");
    let mut empty = true;
    for (i, description) in collected.iter().chain(std::iter::once(&own)).enumerate() {
        if description.is_empty() {
            continue;
        }
        empty = false;
        if i != 0 {
            out.push('\n');
        }
        write_wrapped(out, 5, description);
    }
    if empty {
        write_wrapped(out, 5, "<empty>");
    }
}

/// The FIELDS section: `name\t<type>` with `-required-` and the description, or with
/// `--recursive` the names alone, nested three spaces a level, skipping types already on the path.
fn print_fields(
    schema: &Schema,
    named: &NamedType,
    indent: usize,
    recursive: bool,
    seen: &mut Vec<usize>,
    out: &mut String,
) {
    for field in &named.fields {
        let proto = Proto::of(&field.description, &field.ty);
        let pad = " ".repeat(indent);
        out.push_str(&format!("{pad}{}\t<{}>", field.name, proto.type_name(schema)));
        if recursive {
            out.push('\n');
            print_nested(schema, proto, indent + 3, seen, out);
            continue;
        }
        out.push_str(if field.required { " -required-\n" } else { "\n" });
        write_wrapped(out, indent + 2, &field.description);
        out.push('\n');
    }
}

fn print_nested(schema: &Schema, node: Proto<'_>, indent: usize, seen: &mut Vec<usize>, out: &mut String) {
    match node {
        Proto::Kind(named) => print_fields(schema, named, indent, true, seen, out),
        Proto::Ref(_, index) if seen.contains(&index) => {}
        Proto::Ref(_, index) => {
            seen.push(index);
            print_nested(schema, Proto::definition(schema, index), indent, seen, out);
            seen.pop();
        }
        Proto::Array(..) | Proto::Map(..) => {
            if let Some(inner) = node.inner(schema) {
                print_nested(schema, inner, indent, seen, out);
            }
        }
        Proto::ArbitraryMap(_) | Proto::Arbitrary(_) | Proto::Primitive(..) => {}
    }
}

/// The v2 Formatter's WriteWrapped: wrapped to 80 columns including the indent; blank lines are
/// written without it.
fn write_wrapped(out: &mut String, indent: usize, text: &str) {
    for line in wrap_string(text, 80usize.saturating_sub(indent)) {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(&line);
        }
        out.push('\n');
    }
}

/// The v2 formatter's wrapString: joins lines into paragraphs, but keeps lines after one ending in
/// `:`, indented code, blank lines and list items on lines of their own.
fn wrap_string(text: &str, wrap: usize) -> Vec<String> {
    let mut wrapped: Vec<String> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut last_word = "";
    let flush = |words: &mut Vec<&str>, wrapped: &mut Vec<String>, last_word: &mut &str| {
        if !words.is_empty() {
            *last_word = "";
            wrapped.push(words.join(" "));
            words.clear();
        }
    };
    for line in text.split('\n') {
        if line.starts_with("    ") {
            flush(&mut words, &mut wrapped, &mut last_word);
            wrapped.push(line.to_string());
            continue;
        }
        if !wrapped.is_empty() && line.trim().is_empty() {
            flush(&mut words, &mut wrapped, &mut last_word);
            wrapped.push(String::new());
            continue;
        }
        if last_word.ends_with(':') || line.trim().is_empty() || is_bullet(line.trim()) {
            flush(&mut words, &mut wrapped, &mut last_word);
        }
        for word in line.split_whitespace() {
            last_word = word;
            let len: usize = words.iter().map(|w| w.len() + 1).sum::<usize>() + word.len();
            if !words.is_empty() && len > wrap {
                flush(&mut words, &mut wrapped, &mut last_word);
            }
            words.push(word);
        }
    }
    flush(&mut words, &mut wrapped, &mut last_word);
    wrapped
}

/// `^(\d+\.?|-|\*)\s`: a line that starts a list item.
fn is_bullet(line: &str) -> bool {
    let rest = match line.strip_prefix(['-', '*']) {
        Some(rest) => rest,
        None => {
            let digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
            if digits.len() == line.len() {
                return false;
            }
            digits.strip_prefix('.').unwrap_or(digits)
        }
    };
    rest.starts_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_the_v2_formatter() {
        assert_eq!(wrap_string("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap_string("Note:\nnext line", 80), ["Note:", "next line"]);
        // A blank line is kept only once a line has been written.
        assert_eq!(wrap_string("a\n\nb", 80), ["a", "b"]);
        assert_eq!(wrap_string("a b\n\nc", 1), ["a", "b", "", "c"]);
        assert_eq!(wrap_string("list\n- one\n- two\n    code", 80), ["list", "- one", "- two", "    code"]);
        assert_eq!(wrap_string("", 80), Vec::<String>::new());
        assert!(is_bullet("1. x") && is_bullet("12 x") && is_bullet("* x") && !is_bullet("1.x") && !is_bullet("a x"));
    }
}
