//! Command-line flags with pflag's semantics, as cobra parses kubectl's: `--name=value`, `--name value`,
//! `-n value`, `-nvalue`, `-n=value`, grouped boolean shorthands (`-it`), flags anywhere among the
//! arguments, `--` ending flags, repeatable and comma-separated flags, and pflag's exact error messages.

use std::collections::BTreeMap;
use std::fmt;

/// What a flag takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagType {
    Bool,
    String,
    Int,
    /// Repeatable; each occurrence is one value (`--env A=1 --env B=2`).
    StringArray,
    /// Repeatable and comma-separated (`--from-literal`, no: `-L a,b`).
    StringSlice,
}

/// One flag a command accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    pub ty: FlagType,
    /// A bool flag given without a value gets this (pflag's NoOptDefVal), `"true"` for plain bools.
    pub no_value: Option<&'static str>,
}

impl Flag {
    pub const fn bool(long: &'static str, short: Option<char>) -> Flag {
        Flag { long, short, ty: FlagType::Bool, no_value: Some("true") }
    }

    pub const fn string(long: &'static str, short: Option<char>) -> Flag {
        Flag { long, short, ty: FlagType::String, no_value: None }
    }

    pub const fn int(long: &'static str, short: Option<char>) -> Flag {
        Flag { long, short, ty: FlagType::Int, no_value: None }
    }

    pub const fn array(long: &'static str, short: Option<char>) -> Flag {
        Flag { long, short, ty: FlagType::StringArray, no_value: None }
    }

    pub const fn slice(long: &'static str, short: Option<char>) -> Flag {
        Flag { long, short, ty: FlagType::StringSlice, no_value: None }
    }

    /// A string flag that may be given bare (`--dry-run` means `--dry-run=client`).
    pub const fn optional(long: &'static str, short: Option<char>, bare: &'static str) -> Flag {
        Flag { long, short, ty: FlagType::String, no_value: Some(bare) }
    }

    /// How pflag names the flag in errors: `-w, --watch` or `--image`.
    fn display(&self) -> String {
        match self.short {
            Some(c) => format!("-{c}, --{}", self.long),
            None => format!("--{}", self.long),
        }
    }
}

/// Why a command line did not parse; the messages are pflag's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagError {
    UnknownFlag(String),
    UnknownShorthand { c: char, arg: String },
    NeedsArgument(String),
    InvalidBool { flag: String, value: String },
    InvalidInt { flag: String, value: String },
}

impl fmt::Display for FlagError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagError::UnknownFlag(name) => write!(f, "unknown flag: --{name}"),
            FlagError::UnknownShorthand { c, arg } => write!(f, "unknown shorthand flag: '{c}' in {arg}"),
            FlagError::NeedsArgument(name) => write!(f, "flag needs an argument: {name}"),
            FlagError::InvalidBool { flag, value } => write!(
                f,
                "invalid argument \"{value}\" for \"{flag}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
            ),
            FlagError::InvalidInt { flag, value } => write!(
                f,
                "invalid argument \"{value}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax"
            ),
        }
    }
}

impl std::error::Error for FlagError {}

/// A parsed command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    /// The positional arguments, including those after `--`.
    pub args: Vec<String>,
    /// How many positional arguments came before `--` (cobra's ArgsLenAtDash), if `--` was given.
    pub dash: Option<usize>,
    /// The current context's namespace (`kubectl config set-context --current --namespace`), used
    /// when `-n` is not given.
    pub context_namespace: Option<String>,
}

impl Parsed {
    /// Whether the flag was given.
    pub fn has(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }

    /// The last value given for a flag.
    pub fn get(&self, long: &str) -> Option<&str> {
        self.values.get(long).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value given for a repeatable flag, in order.
    pub fn all(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }

    pub fn bool(&self, long: &str) -> bool {
        self.get(long).is_some_and(|v| parse_bool(v) == Some(true))
    }

    pub fn int(&self, long: &str) -> Option<i64> {
        self.get(long).and_then(|v| v.parse().ok())
    }

    /// Positional arguments before `--`.
    pub fn before_dash(&self) -> &[String] {
        &self.args[..self.dash.unwrap_or(self.args.len()).min(self.args.len())]
    }

    /// Positional arguments after `--`.
    pub fn after_dash(&self) -> &[String] {
        match self.dash {
            Some(d) => self.args.get(d..).unwrap_or_default(),
            None => &[],
        }
    }
}

/// strconv.ParseBool.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn store(parsed: &mut Parsed, flag: &Flag, value: String) -> Result<(), FlagError> {
    match flag.ty {
        FlagType::Bool if parse_bool(&value).is_none() => {
            return Err(FlagError::InvalidBool { flag: flag.display(), value });
        }
        FlagType::Int if value.parse::<i64>().is_err() => {
            return Err(FlagError::InvalidInt { flag: flag.display(), value });
        }
        _ => {}
    }
    let entry = parsed.values.entry(flag.long).or_default();
    match flag.ty {
        // pflag reads a slice as one CSV record: an empty value is no items at all.
        FlagType::StringSlice if value.is_empty() => {}
        FlagType::StringSlice => entry.extend(value.split(',').map(str::to_string)),
        FlagType::StringArray => entry.push(value),
        _ => {
            entry.clear();
            entry.push(value);
        }
    }
    Ok(())
}

/// Parses `args` against `flags`.
pub fn parse(flags: &[Flag], args: &[String]) -> Result<Parsed, FlagError> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            parsed.dash = Some(parsed.args.len());
            parsed.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(flag) = flags.iter().find(|f| f.long == name) else {
                return Err(FlagError::UnknownFlag(name.to_string()));
            };
            let value = match (inline, flag.no_value) {
                (Some(v), _) => v,
                (None, Some(bare)) => bare.to_string(),
                (None, None) => match args.get(i) {
                    Some(next) => {
                        i += 1;
                        next.clone()
                    }
                    None => return Err(FlagError::NeedsArgument(format!("--{name}"))),
                },
            };
            store(&mut parsed, flag, value)?;
        } else if arg.len() > 1 && arg.starts_with('-') {
            let shorts: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                j += 1;
                let Some(flag) = flags.iter().find(|f| f.short == Some(c)) else {
                    return Err(FlagError::UnknownShorthand {
                        c,
                        arg: format!("-{}", shorts[j - 1..].iter().collect::<String>()),
                    });
                };
                let rest: String = shorts[j..].iter().collect();
                let value = if let Some(v) = rest.strip_prefix('=') {
                    j = shorts.len();
                    v.to_string()
                } else if let Some(bare) = flag.no_value {
                    bare.to_string()
                } else if !rest.is_empty() {
                    j = shorts.len();
                    rest
                } else {
                    match args.get(i) {
                        Some(next) => {
                            i += 1;
                            next.clone()
                        }
                        None => return Err(FlagError::NeedsArgument(format!("'{c}' in -{c}"))),
                    }
                };
                store(&mut parsed, flag, value)?;
            }
        } else {
            parsed.args.push(arg.clone());
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        Flag::string("namespace", Some('n')),
        Flag::bool("watch", Some('w')),
        Flag::bool("all-namespaces", Some('A')),
        Flag::int("replicas", Some('r')),
        Flag::array("env", None),
        Flag::slice("label-columns", Some('L')),
        Flag::optional("dry-run", None, "unchanged"),
        Flag::bool("stdin", Some('i')),
        Flag::bool("tty", Some('t')),
    ];

    fn p(line: &str) -> Result<Parsed, FlagError> {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        parse(FLAGS, &args)
    }

    #[test]
    fn forms_pflag_accepts() {
        let r = p("pods -n kube-system web --watch").unwrap();
        assert_eq!(r.args, ["pods", "web"]);
        assert_eq!(r.get("namespace"), Some("kube-system"));
        assert!(r.bool("watch"));
        assert_eq!(p("-nkube-system").unwrap().get("namespace"), Some("kube-system"));
        assert_eq!(p("-n=x").unwrap().get("namespace"), Some("x"));
        assert_eq!(p("--namespace=x").unwrap().get("namespace"), Some("x"));
        let r = p("-it").unwrap();
        assert!(r.bool("stdin") && r.bool("tty"));
        assert!(!p("-w=false").unwrap().bool("watch"));
        let r = p("--env A=1 --env B=2 -L a,b -L c").unwrap();
        assert_eq!(r.all("env"), ["A=1", "B=2"]);
        assert_eq!(r.all("label-columns"), ["a", "b", "c"]);
        assert_eq!(p("--dry-run").unwrap().get("dry-run"), Some("unchanged"));
        let r = p("run x -- sh -c -n").unwrap();
        assert_eq!(r.before_dash(), ["run", "x"]);
        assert_eq!(r.after_dash(), ["sh", "-c", "-n"]);
    }

    #[test]
    fn errors_read_like_pflag() {
        assert_eq!(p("--foo").unwrap_err().to_string(), "unknown flag: --foo");
        assert_eq!(p("-x").unwrap_err().to_string(), "unknown shorthand flag: 'x' in -x");
        assert_eq!(p("-Ax").unwrap_err().to_string(), "unknown shorthand flag: 'x' in -x");
        assert_eq!(p("-n").unwrap_err().to_string(), "flag needs an argument: 'n' in -n");
        assert_eq!(p("--namespace").unwrap_err().to_string(), "flag needs an argument: --namespace");
        assert_eq!(
            p("-w=foo").unwrap_err().to_string(),
            "invalid argument \"foo\" for \"-w, --watch\" flag: strconv.ParseBool: parsing \"foo\": invalid syntax"
        );
        assert_eq!(
            p("--replicas=abc").unwrap_err().to_string(),
            "invalid argument \"abc\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
    }
}
