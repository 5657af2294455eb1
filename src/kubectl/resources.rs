//! Resource arguments as kubectl reads them: `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...`, with short
//! names, `kind.group`, and the `all` category, resolved against the resource table.

use crate::api::{Kind, resource};

/// One kind and the names asked for (none: every object the selectors allow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub kind: Kind,
    pub names: Vec<String>,
}

/// Why the arguments could not be resolved (Display is kubectl's message after `error: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceError {
    UnknownType(String),
    MixedForms,
    EmptyName(String),
}

impl std::fmt::Display for ResourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResourceError::UnknownType(t) => write!(f, "the server doesn't have a resource type \"{t}\""),
            ResourceError::MixedForms => f.write_str("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'"),
            ResourceError::EmptyName(arg) => write!(f, "arguments in resource/name form must have a single resource and name: {arg}"),
        }
    }
}

impl std::error::Error for ResourceError {}

/// The kinds `all` stands for, in the order kubectl prints them.
pub const ALL: &[Kind] = &[
    Kind::Pod,
    Kind::Service,
    Kind::DaemonSet,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::HorizontalPodAutoscaler,
    Kind::CronJob,
    Kind::Job,
];

fn resolve_types(types: &str) -> Result<Vec<Kind>, ResourceError> {
    let mut kinds = Vec::new();
    for t in types.split(',').filter(|t| !t.is_empty()) {
        if t == "all" {
            kinds.extend_from_slice(ALL);
        } else {
            kinds.push(resource::resolve(t).ok_or_else(|| ResourceError::UnknownType(t.to_string()))?);
        }
    }
    Ok(kinds)
}

/// Resolves `args`; an empty result means no resource type was given.
pub fn parse(args: &[String]) -> Result<Vec<Request>, ResourceError> {
    let Some(first) = args.first() else { return Ok(Vec::new()) };
    if first.contains('/') {
        let mut out: Vec<Request> = Vec::new();
        for arg in args {
            let Some((t, name)) = arg.split_once('/') else { return Err(ResourceError::MixedForms) };
            if name.is_empty() || t.is_empty() {
                return Err(ResourceError::EmptyName(arg.clone()));
            }
            let kind = resource::resolve(t).ok_or_else(|| ResourceError::UnknownType(t.to_string()))?;
            match out.last_mut() {
                Some(last) if last.kind == kind => last.names.push(name.to_string()),
                _ => out.push(Request { kind, names: vec![name.to_string()] }),
            }
        }
        return Ok(out);
    }
    let names = &args[1..];
    if names.iter().any(|n| n.contains('/')) {
        return Err(ResourceError::MixedForms);
    }
    Ok(resolve_types(first)?.into_iter().map(|kind| Request { kind, names: names.to_vec() }).collect())
}

/// `kind.group/name` as kubectl prefixes names when several kinds print together, and as `-o name`.
pub fn qualified_name(kind: Kind, name: &str) -> String {
    format!("{}/{name}", kind.lower_qualified_kind())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn forms() {
        assert_eq!(parse(&args("po a b")).unwrap(), [Request { kind: Kind::Pod, names: vec!["a".into(), "b".into()] }]);
        let r = parse(&args("pods,svc")).unwrap();
        assert_eq!(r.iter().map(|r| r.kind).collect::<Vec<_>>(), [Kind::Pod, Kind::Service]);
        let r = parse(&args("pod/a deploy/b pod/c")).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(parse(&args("all")).unwrap().len(), 9);
        assert_eq!(parse(&args("foo")).unwrap_err().to_string(), "the server doesn't have a resource type \"foo\"");
        assert!(matches!(parse(&args("pods/a b")), Err(ResourceError::MixedForms)));
        assert!(matches!(parse(&args("pods a/b")), Err(ResourceError::MixedForms)));
        assert_eq!(qualified_name(Kind::Deployment, "web"), "deployment.apps/web");
    }
}
