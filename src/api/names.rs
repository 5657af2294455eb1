//! Object names: the DNS-shaped validations every name, label key and label value must pass, with
//! apimachinery's exact messages (`k8s.io/apimachinery/pkg/util/validation` and
//! `pkg/api/validate/content`), the api-server's `generateName` suffixes
//! (`k8s.io/apiserver/pkg/storage/names`), and `rand.SafeEncodeString`, which spells the
//! pod-template-hash.
//!
//! Validators return upstream's list of messages (empty when valid), so callers can wrap them in
//! field errors the way the api-server does.

/// `maxNameLength` in upstream's name generator: the longest DNS label.
pub const MAX_NAME_LENGTH: usize = 63;
/// How many random characters `generateName` appends.
pub const RANDOM_LENGTH: usize = 5;
/// How much of a `generateName` base survives: the rest is cut so the result stays a DNS label.
pub const MAX_GENERATED_NAME_LENGTH: usize = MAX_NAME_LENGTH - RANDOM_LENGTH;

/// The characters upstream's `rand.String` draws from: no vowels (so no words) and no look-alikes
/// (0, 1, 3).
pub const ALPHANUMS: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";

pub const DNS1123_LABEL_MAX_LENGTH: usize = 63;
pub const DNS1123_SUBDOMAIN_MAX_LENGTH: usize = 253;
pub const DNS1035_LABEL_MAX_LENGTH: usize = 63;
pub const LABEL_VALUE_MAX_LENGTH: usize = 63;
const QUALIFIED_NAME_MAX_LENGTH: usize = 63;

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const LABEL_VALUE_ERR: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/// Upstream has two length messages: `util/validation` says "characters", the newer `content`
/// package (label keys and values) says "bytes". Both count bytes.
#[derive(Clone, Copy)]
enum LengthUnit {
    Characters,
    Bytes,
}

fn max_len_error(length: usize, unit: LengthUnit) -> String {
    match unit {
        LengthUnit::Characters => format!("must be no more than {length} characters"),
        LengthUnit::Bytes => format!("must be no more than {length} bytes"),
    }
}

/// Upstream's `RegexError`: the message, the examples (each followed by `', '`, joined by ` or `,
/// which is where the double space in `'MyValue',  or 'my_value'` comes from), and the regex.
pub(crate) fn regex_error(msg: &str, regex: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{regex}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push('\'');
        out.push_str(example);
        out.push_str("', ");
    }
    out.push_str("regex used for validation is '");
    out.push_str(regex);
    out.push_str("')");
    out
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn matches_dns1123_label(value: &str) -> bool {
    let b = value.as_bytes();
    let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    matches!((b.first(), b.last()), (Some(f), Some(l)) if edge(f) && edge(l)) && b.iter().all(|c| edge(c) || *c == b'-')
}

/// Labels joined by dots, each matching the RFC 1123 label pattern.
fn matches_dns1123_subdomain(value: &str) -> bool {
    value.split('.').all(matches_dns1123_label)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn matches_qualified_name(value: &str) -> bool {
    let b = value.as_bytes();
    let edge = |c: &u8| c.is_ascii_alphanumeric();
    matches!((b.first(), b.last()), (Some(f), Some(l)) if edge(f) && edge(l))
        && b.iter().all(|c| edge(c) || matches!(c, b'-' | b'_' | b'.'))
}

/// An RFC 1123 label, as namespace names and most label-named objects must be.
pub fn is_dns1123_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_LABEL_MAX_LENGTH, LengthUnit::Characters));
    }
    if !matches_dns1123_label(value) {
        if matches_dns1123_subdomain(value) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, &["my-name", "123-abc"]));
        }
    }
    errs
}

/// An RFC 1123 subdomain, as most object names (pods, deployments, configmaps...) must be.
pub fn is_dns1123_subdomain(value: &str) -> Vec<String> {
    dns1123_subdomain_errors(value, LengthUnit::Characters)
}

fn dns1123_subdomain_errors(value: &str, unit: LengthUnit) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX_LENGTH {
        errs.push(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH, unit));
    }
    if !matches_dns1123_subdomain(value) {
        errs.push(regex_error(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, &["example.com"]));
    }
    errs
}

/// An RFC 1035 label: what Service names must be, since they become DNS names that may not start
/// with a digit.
pub fn is_dns1035_label(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > DNS1035_LABEL_MAX_LENGTH {
        errs.push(max_len_error(DNS1035_LABEL_MAX_LENGTH, LengthUnit::Characters));
    }
    let starts_alpha = value.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    if !(starts_alpha && matches_dns1123_label(value)) {
        errs.push(regex_error(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, &["my-name", "abc-123"]));
    }
    errs
}

/// A qualified name (a label key, an annotation key): an optional DNS-subdomain prefix and `/`, then
/// a name of at most 63 bytes.
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                let prefix_errs = dns1123_subdomain_errors(prefix, LengthUnit::Bytes);
                errs.extend(prefix_errs.into_iter().map(|m| format!("prefix part {m}")));
            }
            *name
        }
        _ => {
            let base = regex_error(
                &format!("a valid label key {QUALIFIED_NAME_ERR}"),
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"],
            );
            errs.push(format!("{base} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > QUALIFIED_NAME_MAX_LENGTH {
        errs.push(format!("name part {}", max_len_error(QUALIFIED_NAME_MAX_LENGTH, LengthUnit::Bytes)));
    }
    if !matches_qualified_name(name) {
        let msg = regex_error(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"]);
        errs.push(format!("name part {msg}"));
    }
    errs
}

/// A label value: empty, or up to 63 bytes of alphanumerics, `-`, `_`, `.`, starting and ending
/// alphanumeric.
pub fn is_valid_label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_VALUE_MAX_LENGTH {
        errs.push(max_len_error(LABEL_VALUE_MAX_LENGTH, LengthUnit::Bytes));
    }
    if !(value.is_empty() || matches_qualified_name(value)) {
        errs.push(regex_error(LABEL_VALUE_ERR, LABEL_VALUE_FMT, &["MyValue", "my_value", "12345"]));
    }
    errs
}

/// Upstream's `rand.String(n)`: each 63-bit draw yields up to twelve 5-bit indexes, and indexes past
/// the alphabet are skipped, so the same stream of draws gives the same string as upstream would.
pub fn random_string(n: usize, next_u64: &mut impl FnMut() -> u64) -> String {
    const IDX_BITS: u32 = 5;
    const IDX_MASK: u64 = (1 << IDX_BITS) - 1;
    const PER_DRAW: u32 = 63 / IDX_BITS;
    let mut out = String::with_capacity(n);
    let mut bits = next_u64() >> 1;
    let mut remaining = PER_DRAW;
    while out.len() < n {
        if remaining == 0 {
            bits = next_u64() >> 1;
            remaining = PER_DRAW;
        }
        if let Some(&c) = ALPHANUMS.get((bits & IDX_MASK) as usize) {
            out.push(char::from(c));
        }
        bits >>= IDX_BITS;
        remaining -= 1;
    }
    out
}

/// The api-server's `metadata.generateName`: the base, cut to 58 bytes so the result is at most 63,
/// then five random characters. Upstream cuts at a byte; a cut inside a multi-byte character (an
/// invalid base anyway) backs up to the character's start here.
pub fn generate_name(base: &str, next_u64: &mut impl FnMut() -> u64) -> String {
    let mut cut = base.len().min(MAX_GENERATED_NAME_LENGTH);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut name = base.get(..cut).unwrap_or_default().to_string();
    name.push_str(&random_string(RANDOM_LENGTH, next_u64));
    name
}

/// Upstream's `rand.SafeEncodeString`: each character mapped to `ALPHANUMS[code % 27]`, so a hash
/// printed in decimal becomes a label-safe word with no vowels (the pod-template-hash). Like
/// upstream, the result has as many bytes as the input, so a multi-byte character leaves NUL
/// padding at the end.
pub fn safe_encode_string(s: &str) -> String {
    let mut out: String = s.chars().map(|c| char::from(ALPHANUMS[c as usize % ALPHANUMS.len()])).collect();
    while out.len() < s.len() {
        out.push('\0');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    #[test]
    fn dns1123_subdomains_follow_upstream_tests() {
        let good = [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            "a.a",
            "ab.a",
            "abc.a",
            "a1.a",
            "a-1.a",
            "a--1--2--b.a",
            "a.1",
            "ab.1",
            "abc.1",
            "a1.1",
            "a-1.1",
            "a--1--2--b.1",
            "0.a",
            "01.a",
            "012.a",
            "1a.a",
            "1-a.a",
            "1--a--b--2",
            "0.1",
            "01.1",
            "012.1",
            "1a.1",
            "1-a.1",
            "1--a--b--2.1",
            "a.b.c.d.e",
            "aa.bb.cc.dd.ee",
            "1.2.3.4.5",
            "11.22.33.44.55",
        ];
        for v in good.iter().map(|s| s.to_string()).chain([&"a".repeat(253)].map(|s| s.clone())) {
            assert!(is_dns1123_subdomain(&v).is_empty(), "{v}");
        }
        let bad = [
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "-1",
            "_",
            "a_",
            "_a",
            "a_b",
            "1_",
            "_1",
            "1_2",
            ".",
            "a.",
            ".a",
            "a..b",
            "1.",
            ".1",
            "1..2",
            " ",
            "a ",
            " a",
            "a b",
            "1 ",
            " 1",
            "1 2",
            "A.a",
            "aB.a",
            "ab.A",
            "A1.a",
            "a1.A",
            "A.1",
            "aB.1",
            "A1.1",
            "1A.1",
            "0.A",
            "01.A",
            "012.A",
            "1A.a",
            "1a.A",
            "A.B.C.D.E",
            "AA.BB.CC.DD.EE",
            "a.B.c.d.e",
            "aa.bB.cc.dd.ee",
            "a@b",
            "a,b",
            "a_b",
            "a;b",
            "a:b",
            "a%b",
            "a?b",
            "a$b",
            "é",
        ];
        for v in bad {
            assert_eq!(is_dns1123_subdomain(v), vec![SUBDOMAIN_MSG.to_string()], "{v:?}");
        }
        assert_eq!(is_dns1123_subdomain(&"a".repeat(254)), vec!["must be no more than 253 characters".to_string()]);
    }

    #[test]
    fn dns1123_labels_reject_dots_with_a_short_message() {
        assert!(is_dns1123_label("my-name").is_empty());
        assert!(is_dns1123_label(&"a".repeat(63)).is_empty());
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots".to_string()]);
        assert_eq!(is_dns1123_label("My-Name"), vec![LABEL_MSG.to_string()]);
        assert_eq!(is_dns1123_label(""), vec![LABEL_MSG.to_string()]);
        assert_eq!(is_dns1123_label(&"a".repeat(64)), vec!["must be no more than 63 characters".to_string()]);
    }

    #[test]
    fn dns1035_labels_must_start_with_a_letter() {
        for v in ["a", "ab", "a-1", "a--1--2--b", "abc-123"] {
            assert!(is_dns1035_label(v).is_empty(), "{v}");
        }
        let msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        for v in ["0", "01", "1a", "1-a", "A", "a-", "-a", "a.b", "", "a_b"] {
            assert_eq!(is_dns1035_label(v), vec![msg.to_string()], "{v:?}");
        }
    }

    #[test]
    fn qualified_names_match_kubectl() {
        for v in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "now-with-dashes/now-with-dashes",
            "now.with.dots/simple",
            "now-with.dashes-and.dots/simple",
            "1-num.2-num/3-num",
            "1234/5678",
            "1.2.3.4/5678",
            "Uppercase_Is_OK_123",
            "example.com/Uppercase_Is_OK_123",
            "requests.storage-foo",
            &"a".repeat(63),
            &format!("{}/b", "a".repeat(253)),
        ] {
            assert!(is_qualified_name(v).is_empty(), "{v}");
        }
        let name_msg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        // Messages as the real kubectl v1.36.3 printed them for `kubectl set selector`.
        assert_eq!(is_qualified_name("/a"), vec!["prefix part must be non-empty".to_string()]);
        assert_eq!(is_qualified_name("a/"), vec!["name part must be non-empty".to_string(), name_msg.to_string()]);
        assert_eq!(is_qualified_name("Ab/c"), vec![format!("prefix part {SUBDOMAIN_MSG}")]);
        assert_eq!(is_qualified_name(&"a".repeat(64)), vec!["name part must be no more than 63 bytes".to_string()]);
        assert_eq!(
            is_qualified_name("a/b/c"),
            vec!["a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_string()]
        );
        for v in [
            "nospecialchars%^=@",
            "cantendwithadash-",
            "-cantstartwithadash-",
            "only/one/slash",
            "Example.com/abc",
            "example_com/abc",
            "example.com/",
            "/simple",
            &format!("{}/b", "a".repeat(254)),
        ] {
            assert!(!is_qualified_name(v).is_empty(), "{v}");
        }
    }

    #[test]
    fn label_values_may_be_empty() {
        for v in
            ["", "simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a.b_c-d", &"a".repeat(63)]
        {
            assert!(is_valid_label_value(v).is_empty(), "{v}");
        }
        let msg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        assert_eq!(is_valid_label_value("-b"), vec![msg.to_string()]);
        assert_eq!(is_valid_label_value(&"a".repeat(64)), vec!["must be no more than 63 bytes".to_string()]);
        assert_eq!(is_valid_label_value(&"-".repeat(64)).len(), 2);
    }

    fn counter(start: u64) -> impl FnMut() -> u64 {
        let mut state = start;
        move || {
            // splitmix64: a fixed, well-mixed stream for tests.
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    #[test]
    fn random_strings_use_five_bits_per_character_and_skip_out_of_range() {
        // Index 0 ('b') repeated: all bits zero.
        assert_eq!(random_string(5, &mut || 0), "bbbbb");
        // Indexes 31 (past the alphabet: skipped), then 1 and 2. Upstream draws 63 bits, so the
        // lowest bit of our 64-bit draw is dropped.
        let draw = (31u64 | (1 << 5) | (2 << 10)) << 1;
        assert_eq!(random_string(2, &mut || draw), "cd");
        // Twelve characters per draw, then a new draw.
        let mut calls = 0;
        let s = random_string(13, &mut || {
            calls += 1;
            0
        });
        assert_eq!((s.as_str(), calls), ("bbbbbbbbbbbbb", 2));
        let mut rng = counter(7);
        let s = random_string(200, &mut rng);
        assert!(s.bytes().all(|c| ALPHANUMS.contains(&c)));
    }

    #[test]
    fn generated_names_keep_at_most_58_bytes_of_base() {
        let mut rng = counter(1);
        let name = generate_name("nginx-7854ff8877-", &mut rng);
        assert_eq!(name.len(), 22);
        assert!(name.starts_with("nginx-7854ff8877-"));
        assert!(is_dns1123_label(&name).is_empty());
        let long = "a".repeat(70);
        let name = generate_name(&long, &mut rng);
        assert_eq!(name.len(), 63);
        assert!(name.starts_with(&"a".repeat(58)));
        // A multi-byte character straddling byte 58 is dropped whole.
        let tricky = format!("{}é", "a".repeat(57));
        assert_eq!(generate_name(&tricky, &mut rng).len(), 62);
        // Same stream, same name: the scenario seed decides every suffix.
        assert_eq!(generate_name("web-", &mut counter(9)), generate_name("web-", &mut counter(9)));
    }

    #[test]
    fn safe_encoding_maps_digits_to_consonants() {
        // '0' is 48: 48 % 27 = 21 -> '4'; '9' is 57: 57 % 27 = 3 -> 'f'.
        assert_eq!(safe_encode_string("0"), "4");
        assert_eq!(safe_encode_string("9"), "f");
        assert_eq!(safe_encode_string("3411871839"), "7855dc5d7f");
        assert_eq!(safe_encode_string(""), "");
        // 'é' is 233: 233 % 27 = 17 -> 'w', then NUL for its second byte, as upstream.
        assert_eq!(safe_encode_string("é"), "w\0");
    }

    #[test]
    fn odd_inputs_never_panic() {
        let mut rng = counter(3);
        for i in 0..2000u32 {
            let len = (rng() % 300) as usize;
            let s: String = (0..len)
                .map(|_| {
                    let pick = rng() % 100;
                    match pick {
                        0..=50 => char::from(b"abc-.z09/_A"[(rng() % 11) as usize]),
                        51..=60 => char::from_u32((rng() % 0x2_0000) as u32).unwrap_or('x'),
                        _ => char::from((rng() % 128) as u8),
                    }
                })
                .collect();
            let _ = (is_dns1123_label(&s), is_dns1123_subdomain(&s), is_dns1035_label(&s));
            let _ = (is_qualified_name(&s), is_valid_label_value(&s), safe_encode_string(&s));
            let name = generate_name(&s, &mut rng);
            assert!(name.len() <= s.len().min(58) + 5, "case {i}");
        }
    }
}
