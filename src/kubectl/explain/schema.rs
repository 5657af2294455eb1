//! The API schema `kubectl explain` reads: every served kind's OpenAPI type and the nested types it
//! reaches, loaded once from `assets/explain.json` (written by `scripts/gen_explain.py` from the pinned
//! k8s-openapi crate). Natively the file is compiled in; the web app fetches it after start-up and
//! hands it to [`install`], so the wasm binary does not carry it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The type of a field, as the OpenAPI schema shapes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `string`, `integer`, `number`, `boolean` or a free-form `object`.
    Primitive(String),
    /// A named type, by index into [`Schema::types`].
    Named(usize),
    Array(Box<Ty>),
    /// A map from string keys to values of this type.
    Map(Box<Ty>),
}

impl Ty {
    /// The named type this is, or holds as array items or map values: where a field path goes on.
    pub fn named(&self) -> Option<usize> {
        match self {
            Ty::Named(index) => Some(*index),
            Ty::Array(inner) | Ty::Map(inner) => inner.named(),
            Ty::Primitive(_) => None,
        }
    }
}

/// One property of a named type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub description: String,
    pub ty: Ty,
    pub required: bool,
    /// The allowed values of a string field, in the spec's order (empty when any value goes); the
    /// plaintext template lists them under `ENUM:` / `enum:`.
    pub enum_values: Vec<String>,
}

/// A named OpenAPI schema (a `components/schemas` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedType {
    /// The last segment of the definition name (`Container`), which explain prints as the type.
    pub name: String,
    pub description: String,
    /// The schema's own `type` (`object`, `string`, or empty for Quantity and IntOrString).
    pub schema_type: String,
    /// Sorted by name, the order Go templates range over a map in.
    pub fields: Vec<Field>,
}

/// Every kind's root type and the types they reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    kinds: BTreeMap<String, usize>,
    pub types: Vec<NamedType>,
}

/// Why a schema file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaError {
    Json(String),
    BadType(String),
    AlreadyInstalled,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaError::Json(e) => write!(f, "malformed API schema: {e}"),
            SchemaError::BadType(t) => write!(f, "malformed API schema: unknown type {t:?}"),
            SchemaError::AlreadyInstalled => f.write_str("the API schema is already installed"),
        }
    }
}

impl std::error::Error for SchemaError {}

/// The file's shape: `{"kinds": {Kind: index}, "types": [[name, description, type, [[field,
/// description, type, required, enum?]]]]}`.
#[derive(Deserialize)]
struct File {
    kinds: BTreeMap<String, usize>,
    types: Vec<(String, String, String, Vec<RawField>)>,
}

/// `[name, description, type, required]`, then the enum values when the field has any (left out
/// otherwise to keep the file small).
#[derive(Deserialize)]
struct RawField(String, String, String, u8, #[serde(default)] Vec<String>);

impl Schema {
    /// Parses the generated file, checking every type reference so lookups never fail later.
    pub fn parse(bytes: &[u8]) -> Result<Schema, SchemaError> {
        let file: File = serde_json::from_slice(bytes).map_err(|e| SchemaError::Json(e.to_string()))?;
        let count = file.types.len();
        let mut types = Vec::with_capacity(count);
        for (name, description, schema_type, raw_fields) in file.types {
            let mut fields = Vec::with_capacity(raw_fields.len());
            for RawField(field, field_description, ty, required, enum_values) in raw_fields {
                let ty = parse_ty(&ty, count).ok_or(SchemaError::BadType(ty))?;
                let required = required != 0;
                fields.push(Field { name: field, description: field_description, ty, required, enum_values });
            }
            fields.sort_by(|a, b| a.name.cmp(&b.name));
            types.push(NamedType { name, description, schema_type, fields });
        }
        if let Some((kind, _)) = file.kinds.iter().find(|(_, i)| **i >= count) {
            return Err(SchemaError::BadType(kind.clone()));
        }
        Ok(Schema { kinds: file.kinds, types })
    }

    /// The root type of `kind` (`Deployment`).
    pub fn kind(&self, kind: &str) -> Option<usize> {
        self.kinds.get(kind).copied()
    }

    pub fn named(&self, index: usize) -> Option<&NamedType> {
        self.types.get(index)
    }

    /// The fields of the type `path` leads to from `kind`'s root, through array items and map
    /// values as explain follows a path (for Tab completion); None when the path ends at a
    /// primitive or names no field.
    pub fn fields_below(&self, kind: &str, path: &[String]) -> Option<&[Field]> {
        let mut index = self.kind(kind)?;
        for name in path {
            let field = self.named(index)?.fields.iter().find(|f| &f.name == name)?;
            index = field.ty.named()?;
        }
        Some(&self.named(index)?.fields)
    }
}

/// `string`, `#12`, `[]#3`, `{}string`: see scripts/gen_explain.py.
fn parse_ty(s: &str, count: usize) -> Option<Ty> {
    if let Some(rest) = s.strip_prefix("[]") {
        return Some(Ty::Array(Box::new(parse_ty(rest, count)?)));
    }
    if let Some(rest) = s.strip_prefix("{}") {
        return Some(Ty::Map(Box::new(parse_ty(rest, count)?)));
    }
    if let Some(index) = s.strip_prefix('#') {
        return index.parse().ok().filter(|i| *i < count).map(Ty::Named);
    }
    matches!(s, "string" | "integer" | "number" | "boolean" | "object").then(|| Ty::Primitive(s.to_string()))
}

static SCHEMA: OnceLock<Schema> = OnceLock::new();

/// Installs the schema fetched by the web app (natively it is built in; installing is still
/// allowed once, for tests).
pub fn install(bytes: &[u8]) -> Result<(), SchemaError> {
    let schema = Schema::parse(bytes)?;
    SCHEMA.set(schema).map_err(|_| SchemaError::AlreadyInstalled)
}

/// The schema, once there is one: natively the compiled-in file, on the web what [`install`] got.
pub fn get() -> Option<&'static Schema> {
    #[cfg(not(target_arch = "wasm32"))]
    if SCHEMA.get().is_none() {
        // The generated file is checked by the tests below; a broken one leaves explain saying so.
        if let Ok(schema) = Schema::parse(include_bytes!("../../../assets/explain.json")) {
            let _ = SCHEMA.set(schema);
        }
    }
    SCHEMA.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_schema_covers_every_served_kind() {
        let schema = get().expect("assets/explain.json parses");
        for kind in crate::api::Kind::ALL {
            let root = schema.kind(kind.as_str()).unwrap_or_else(|| panic!("{kind:?} missing"));
            let named = schema.named(root).unwrap();
            assert!(named.fields.iter().any(|f| f.name == "metadata"), "{kind:?}");
        }
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(matches!(Schema::parse(b"{"), Err(SchemaError::Json(_))));
        let bad = br##"{"kinds":{"Pod":0},"types":[["Pod","","object",[["spec","","#7",0]]]]}"##;
        assert_eq!(Schema::parse(bad), Err(SchemaError::BadType("#7".into())));
        let bad = br##"{"kinds":{"Pod":3},"types":[]}"##;
        assert_eq!(Schema::parse(bad), Err(SchemaError::BadType("Pod".into())));
        let bad = br##"{"kinds":{"Pod":0},"types":[["Pod","","object",[["a","","string",0,"Always"]]]]}"##;
        assert!(matches!(Schema::parse(bad), Err(SchemaError::Json(_))));
        let ok = br##"{"kinds":{"Pod":0},"types":[["Pod","d","object",[["a","","[]{}#0",1],["b","","string",0,["","X"]]]]]}"##;
        let schema = Schema::parse(ok).unwrap();
        let ty = Ty::Array(Box::new(Ty::Map(Box::new(Ty::Named(0)))));
        assert_eq!(schema.types[0].fields[0].ty, ty);
        assert!(schema.types[0].fields[0].enum_values.is_empty());
        assert_eq!(schema.types[0].fields[1].enum_values, ["", "X"]);
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let names = |fields: Option<&[Field]>| fields.map(|f| f.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
        assert_eq!(names(schema.fields_below("Pod", &[])), Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(names(schema.fields_below("Pod", &path(&["a", "a"]))).map(|n| n.len()), Some(2));
        assert_eq!(names(schema.fields_below("Pod", &path(&["b"]))), None);
        assert_eq!(names(schema.fields_below("Pod", &path(&["c"]))), None);
        assert_eq!(names(schema.fields_below("Job", &[])), None);
        // Natively the built-in schema is already in place.
        assert!(get().is_some());
        assert_eq!(install(ok), Err(SchemaError::AlreadyInstalled));
    }
}
