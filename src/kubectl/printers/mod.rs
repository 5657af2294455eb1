//! kubectl's output printers, byte for byte as kubectl v1.36 prints them: the tabwriter behind every
//! table, `-o yaml` (sigs.k8s.io/yaml over go-yaml v2), `-o json` (Go's encoding/json), `-o jsonpath`
//! (client-go's JSONPath) and `-o custom-columns`. They work on `serde_json::Value` and strings only, so
//! commands decide what to print and these modules decide how.

pub mod custom_columns;
pub mod go_order;
pub mod go_template;
pub mod gofmt;
pub mod json;
pub mod jsonpath;
mod jsonpath_parser;
pub mod tabwriter;
pub mod yaml;
mod yaml_emitter;
mod yaml_resolve;
