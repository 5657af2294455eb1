//! The `plaintext` output of `kubectl explain`: what kubectl v1.36's OpenAPI v3 template
//! (pkg/explain/v2/templates/plaintext.tmpl) prints, step for step: the `FIELD:` line for the last
//! path element (with an `ENUM:` list), `DESCRIPTION:` gathering the field's and its type's
//! descriptions, `FIELDS:` with `name\t<type>` lines (and `enum:` summaries), and the `--recursive`
//! tree that stops at types already on the path.

use super::schema::{Schema, Ty};

/// A schema node as the template sees it: a field (with its own description) or a bare type.
#[derive(Clone, Copy)]
struct Node<'a> {
    description: &'a str,
    ty: &'a Ty,
    /// The kind's own schema, which (not being reached through a `$ref`) the template does not
    /// count as seen when listing fields recursively.
    root: bool,
}

/// Renders the body below the GROUP/KIND/VERSION header: None when the path names no field (the
/// template then throws `field "<last>" does not exist`).
pub fn render(schema: &Schema, root: &Ty, path: &[String], recursive: bool) -> Option<String> {
    let mut out = String::new();
    output(schema, Node { description: "", ty: root, root: true }, path, recursive, &mut out).then_some(out)
}

/// The template's "output": follows `path` through properties, array items and map values.
fn output(schema: &Schema, node: Node<'_>, path: &[String], recursive: bool, out: &mut String) -> bool {
    let Some((first, rest)) = path.split_first() else {
        out.push_str("DESCRIPTION:\n");
        let mut description = String::new();
        describe(schema, node, &mut description);
        if description.is_empty() {
            description.push_str("<empty>");
        }
        out.push_str(&indent(4, &wrap(&description, 76)));
        out.push('\n');
        let mut fields = String::new();
        match (node.root, node.ty) {
            (true, Ty::Named(index)) => list_fields(schema, *index, 1, recursive, &mut Vec::new(), &mut fields),
            _ => field_list(schema, node.ty, 1, recursive, &mut Vec::new(), &mut fields),
        }
        if !fields.is_empty() {
            out.push_str("FIELDS:\n");
            out.push_str(&fields);
        }
        return true;
    };
    match node.ty {
        Ty::Named(index) => {
            let Some(field) = schema.named(*index).and_then(|t| t.fields.iter().find(|f| &f.name == first)) else {
                return false;
            };
            if rest.is_empty() {
                out.push_str(&format!("FIELD: {first} <{}>\n", type_guess(schema, &field.ty)));
                // "extractEnum" in its long view: every value on its own line.
                if !field.enum_values.is_empty() {
                    out.push_str("ENUM:");
                    for value in &field.enum_values {
                        out.push_str("\n    ");
                        out.push_str(enum_value(value));
                    }
                }
                out.push_str("\n\n");
            }
            output(schema, Node { description: &field.description, ty: &field.ty, root: false }, rest, recursive, out)
        }
        Ty::Array(inner) | Ty::Map(inner) => {
            output(schema, Node { description: "", ty: inner, root: false }, path, recursive, out)
        }
        Ty::Primitive(_) => false,
    }
}

/// The template's "description": the node's own description, then its type's (through array items
/// and map values), each on its own line.
fn describe(schema: &Schema, node: Node<'_>, out: &mut String) {
    if !node.description.is_empty() {
        out.push_str(node.description);
        out.push('\n');
    }
    match node.ty {
        Ty::Named(index) => {
            if let Some(named) = schema.named(*index).filter(|t| !t.description.is_empty()) {
                out.push_str(&named.description);
                out.push('\n');
            }
        }
        Ty::Array(inner) | Ty::Map(inner) => describe(schema, Node { description: "", ty: inner, root: false }, out),
        Ty::Primitive(_) => {}
    }
}

/// The template's "fieldList": the properties of the type reached through items and map values,
/// recursing into each with `--recursive` unless its type is already on the path (a cycle).
fn field_list(schema: &Schema, ty: &Ty, level: usize, recursive: bool, seen: &mut Vec<usize>, out: &mut String) {
    match ty {
        Ty::Named(index) if !seen.contains(index) => {
            seen.push(*index);
            list_fields(schema, *index, level, recursive, seen, out);
            seen.pop();
        }
        Ty::Array(inner) | Ty::Map(inner) => field_list(schema, inner, level, recursive, seen, out),
        Ty::Named(_) | Ty::Primitive(_) => {}
    }
}

/// The properties of one type: `name\t<type>` with `-required-`, then the wrapped description, or
/// with `--recursive` the nested fields instead.
fn list_fields(schema: &Schema, index: usize, level: usize, recursive: bool, seen: &mut Vec<usize>, out: &mut String) {
    let Some(named) = schema.named(index) else { return };
    let pad = level * 2;
    for field in &named.fields {
        out.push_str(&" ".repeat(pad));
        out.push_str(&field.name);
        out.push_str(&format!("\t<{}>", type_guess(schema, &field.ty)));
        if field.required {
            out.push_str(" -required-");
        }
        // "extractEnum" in its short view: at most four values on a line of their own.
        if !field.enum_values.is_empty() {
            out.push('\n');
            out.push_str(&" ".repeat(pad));
            out.push_str("enum: ");
            let shown: Vec<&str> = field.enum_values.iter().take(ENUM_LIMIT).map(|v| enum_value(v)).collect();
            out.push_str(&shown.join(", "));
            if field.enum_values.len() > ENUM_LIMIT {
                out.push_str(", ....");
            }
        }
        out.push('\n');
        if recursive {
            field_list(schema, &field.ty, level + 1, recursive, seen, out);
        } else {
            let description = if field.description.is_empty() { "<no description>" } else { &field.description };
            out.push_str(&indent(pad + 2, &wrap(description, 78usize.saturating_sub(pad))));
            out.push_str("\n\n");
        }
    }
}

/// How many enum values a field list shows before `, ....`.
const ENUM_LIMIT: usize = 4;

/// An enum value as the template prints it: the empty string as `""` so it can be seen.
fn enum_value(value: &str) -> &str {
    if value.is_empty() { "\"\"" } else { value }
}

/// The template's "typeGuess": `string`, `Object`, `[]Container`, `map[string]Quantity`; a named
/// type is called by its name unless its schema is a primitive (Time prints as `string`).
pub fn type_guess(schema: &Schema, ty: &Ty) -> String {
    match ty {
        Ty::Primitive(p) if p == "object" => "Object".to_string(),
        Ty::Primitive(p) => p.clone(),
        Ty::Array(inner) => format!("[]{}", type_guess(schema, inner)),
        Ty::Map(inner) => format!("map[string]{}", type_guess(schema, inner)),
        Ty::Named(index) => match schema.named(*index) {
            Some(t) if t.schema_type.is_empty() || t.schema_type == "object" => t.name.clone(),
            Some(t) => t.schema_type.clone(),
            None => "Object".to_string(),
        },
    }
}

/// The template's `indent`: `amount` spaces before the text and after every newline in it.
fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// go-wordwrap v1.0.1's `WrapString` (kubectl's `wrap`): breaks at whitespace so lines stay within
/// `limit` characters where words allow, keeping existing newlines; a word longer than the limit
/// overflows.
pub fn wrap(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / limit.max(1));
    let mut current = 0usize;
    let mut pending = Pending::default();
    for c in text.chars() {
        if c == '\n' {
            pending.finish(&mut out, current, limit);
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if pending.space.is_empty() || !pending.word.is_empty() {
                current += pending.write(&mut out);
            }
            pending.space.push(c);
            pending.space_len += 1;
        } else {
            pending.word.push(c);
            pending.word_len += 1;
            if current + pending.word_len + pending.space_len > limit && pending.word_len < limit {
                out.push('\n');
                current = 0;
                pending.space.clear();
                pending.space_len = 0;
            }
        }
    }
    pending.finish(&mut out, current, limit);
    out
}

/// The spaces and the word go-wordwrap holds back until it knows where the line breaks (lengths
/// in characters).
#[derive(Default)]
struct Pending {
    word: String,
    space: String,
    word_len: usize,
    space_len: usize,
}

impl Pending {
    /// Writes the spaces and the word; returns how many characters that was.
    fn write(&mut self, out: &mut String) -> usize {
        out.push_str(&self.space);
        out.push_str(&self.word);
        let written = self.space_len + self.word_len;
        *self = Pending::default();
        written
    }

    /// At a newline or the end: the word with its spaces, or trailing spaces if they still fit.
    fn finish(&mut self, out: &mut String, current: usize, limit: usize) {
        if !self.word.is_empty() || current + self.space_len <= limit {
            self.write(out);
        }
        *self = Pending::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_go_wordwrap() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("aaa bbb ccc", 6), "aaa\nbbb\nccc");
        // Existing newlines stay; a word longer than the limit overflows its line.
        assert_eq!(wrap("a\n\nb", 5), "a\n\nb");
        assert_eq!(wrap("abcdefgh ij", 4), "abcdefgh\nij");
        // Trailing spaces survive only within the limit.
        assert_eq!(wrap("ab  ", 3), "ab");
        assert_eq!(wrap("ab \n", 5), "ab \n");
        assert_eq!(indent(2, "a\nb\n"), "  a\n  b\n  ");
    }
}
