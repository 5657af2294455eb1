//! The grammar of label selectors: upstream's byte-wise lexer and recursive-descent parser
//! (`labels.Lexer`, `labels.Parser`), with their exact error messages. The lexer reads bytes:
//! identifiers run until whitespace or one of `=!(),<>`, and a NUL byte reads as the end of input.

use super::{FieldError, Operator, Requirement, SelectorError, go_quote};
use crate::api::names::is_qualified_name;

/// Parses a whole selector into its requirements, in the order written.
pub(super) fn parse(selector: &str) -> Result<Vec<Requirement>, SelectorError> {
    Parser { tokens: lex(selector), pos: 0 }.parse()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(s: &str) -> Option<Token> {
    Some(match s {
        ")" => Token::ClosedPar,
        "," => Token::Comma,
        "!" => Token::DoesNotExist,
        "==" => Token::DoubleEquals,
        "=" => Token::Equals,
        ">" => Token::GreaterThan,
        "in" => Token::In,
        "<" => Token::LessThan,
        "!=" => Token::NotEquals,
        "notin" => Token::NotIn,
        "(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

/// Splits the input into tokens up to and including the end. Every cut falls next to an ASCII
/// byte, so each literal is a valid `&str` slice.
fn lex(s: &str) -> Vec<(Token, &str)> {
    let bytes = s.as_bytes();
    // Upstream reads a NUL byte as the end of input.
    let at = |i: usize| bytes.get(i).copied().filter(|b| *b != 0);
    let mut tokens = Vec::new();
    let mut pos = 0;
    loop {
        while at(pos).is_some_and(is_whitespace) {
            pos += 1;
        }
        let Some(first) = at(pos) else {
            tokens.push((Token::EndOfString, ""));
            return tokens;
        };
        let start = pos;
        if is_special(first) {
            // Longest of the one- and two-character operators.
            let two = s.get(start..start + 2).and_then(keyword);
            pos += if two.is_some() { 2 } else { 1 };
            let tok = two.or_else(|| s.get(start..pos).and_then(keyword)).unwrap_or(Token::Identifier);
            tokens.push((tok, s.get(start..pos).unwrap_or_default()));
        } else {
            while at(pos).is_some_and(|b| !is_special(b) && !is_whitespace(b)) {
                pos += 1;
            }
            let lit = s.get(start..pos).unwrap_or_default();
            tokens.push((keyword(lit).unwrap_or(Token::Identifier), lit));
            // A NUL ending an identifier is consumed, and lexing goes on after it.
            if bytes.get(pos) == Some(&0) {
                pos += 1;
            }
        }
    }
}

/// Whether `in`/`notin` read as keywords (after a key) or as plain values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser<'a> {
    tokens: Vec<(Token, &'a str)>,
    pos: usize,
}

fn syntax(msg: String) -> SelectorError {
    SelectorError::Syntax(msg)
}

impl<'a> Parser<'a> {
    fn lookahead(&self, ctx: Context) -> (Token, &'a str) {
        let (tok, lit) = self.tokens.get(self.pos).copied().unwrap_or((Token::EndOfString, ""));
        match tok {
            Token::In | Token::NotIn if ctx == Context::Values => (Token::Identifier, lit),
            _ => (tok, lit),
        }
    }

    fn consume(&mut self, ctx: Context) -> (Token, &'a str) {
        let item = self.lookahead(ctx);
        self.pos += 1;
        item
    }

    fn parse(mut self) -> Result<Vec<Requirement>, SelectorError> {
        let mut requirements = Vec::new();
        loop {
            let (tok, lit) = self.lookahead(Context::Values);
            match tok {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self.parse_requirement().map_err(|e| SelectorError::InRequirement(Box::new(e)))?;
                    requirements.push(r);
                    let (t, l) = self.consume(Context::Values);
                    match t {
                        Token::EndOfString => return Ok(requirements),
                        Token::Comma => {
                            let (t2, l2) = self.lookahead(Context::Values);
                            if t2 != Token::Identifier && t2 != Token::DoesNotExist {
                                return Err(syntax(format!("found '{l2}', expected: identifier after ','")));
                            }
                        }
                        _ => {
                            return Err(syntax(format!("found '{l}', expected: ',' or 'end of string'")));
                        }
                    }
                }
                Token::EndOfString => return Ok(requirements),
                _ => {
                    return Err(syntax(format!("found '{lit}', expected: !, identifier, or 'end of string'")));
                }
            }
        }
    }

    fn parse_requirement(&mut self) -> Result<Requirement, SelectorError> {
        let (key, unary) = self.parse_key_and_infer_operator()?;
        if let Some(op) = unary {
            return Requirement::new(key, op, Some(Vec::new()));
        }
        let op = self.parse_operator()?;
        let values = match op {
            Operator::In | Operator::NotIn => self.parse_values()?,
            _ => self.parse_exact_value()?,
        };
        Requirement::new(key, op, Some(values))
    }

    /// The key, and `Exists`/`DoesNotExist` when no binary operator follows.
    fn parse_key_and_infer_operator(&mut self) -> Result<(&'a str, Option<Operator>), SelectorError> {
        let (mut tok, mut lit) = self.consume(Context::Values);
        let negated = tok == Token::DoesNotExist;
        if negated {
            (tok, lit) = self.consume(Context::Values);
        }
        if tok != Token::Identifier {
            return Err(syntax(format!("found '{lit}', expected: identifier")));
        }
        let key_errs = is_qualified_name(lit);
        if !key_errs.is_empty() {
            let detail = key_errs.join("; ");
            return Err(SelectorError::Invalid(vec![FieldError { field: None, value: go_quote(lit), detail }]));
        }
        let (next, _) = self.lookahead(Context::Values);
        let ends = matches!(next, Token::EndOfString | Token::Comma);
        let op = match (negated, ends) {
            (true, _) => Some(Operator::DoesNotExist),
            (false, true) => Some(Operator::Exists),
            (false, false) => None,
        };
        Ok((lit, op))
    }

    fn parse_operator(&mut self) -> Result<Operator, SelectorError> {
        let (tok, lit) = self.consume(Context::KeyAndOperator);
        Ok(match tok {
            Token::In => Operator::In,
            Token::Equals => Operator::Equals,
            Token::DoubleEquals => Operator::DoubleEquals,
            Token::GreaterThan => Operator::GreaterThan,
            Token::LessThan => Operator::LessThan,
            Token::NotIn => Operator::NotIn,
            Token::NotEquals => Operator::NotEquals,
            _ => {
                return Err(syntax(format!("found '{lit}', expected: in, notin, =, ==, !=, gt, lt")));
            }
        })
    }

    /// `(a,b,,c)`: a set, so duplicates collapse and empty entries become one empty value.
    fn parse_values(&mut self) -> Result<Vec<String>, SelectorError> {
        let (tok, lit) = self.consume(Context::Values);
        if tok != Token::OpenPar {
            return Err(syntax(format!("found '{lit}' expected: '('")));
        }
        let (tok, lit) = self.lookahead(Context::Values);
        match tok {
            Token::Identifier | Token::Comma => {
                let values = self.parse_identifiers_list()?;
                self.consume(Context::Values); // the ')' the list stopped at
                Ok(values)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(vec![String::new()])
            }
            _ => Err(syntax(format!("found '{lit}', expected: ',', ')' or identifier"))),
        }
    }

    fn parse_identifiers_list(&mut self) -> Result<Vec<String>, SelectorError> {
        let mut set = std::collections::BTreeSet::new();
        loop {
            let (tok, lit) = self.consume(Context::Values);
            match tok {
                Token::Identifier => {
                    set.insert(lit.to_string());
                    let (tok2, lit2) = self.lookahead(Context::Values);
                    match tok2 {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set.into_iter().collect()),
                        _ => return Err(syntax(format!("found '{lit2}', expected: ',' or ')'"))),
                    }
                }
                Token::Comma => {
                    let (tok2, _) = self.lookahead(Context::Values);
                    if set.is_empty() || matches!(tok2, Token::ClosedPar | Token::Comma) {
                        set.insert(String::new());
                    }
                    if tok2 == Token::ClosedPar {
                        return Ok(set.into_iter().collect());
                    }
                }
                _ => {
                    return Err(syntax(format!("found '{lit}', expected: ',', or identifier")));
                }
            }
        }
    }

    /// The value after `=`, `==`, `!=`, `>`, `<`; nothing before `,` or the end means empty.
    fn parse_exact_value(&mut self) -> Result<Vec<String>, SelectorError> {
        let (tok, _) = self.lookahead(Context::Values);
        if matches!(tok, Token::EndOfString | Token::Comma) {
            return Ok(vec![String::new()]);
        }
        match self.consume(Context::Values) {
            (Token::Identifier, lit) => Ok(vec![lit.to_string()]),
            (_, lit) => Err(syntax(format!("found '{lit}', expected: identifier"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Vec<Token> {
        lex(s).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn lexer_matches_upstream_tables() {
        use Token::*;
        let single = [
            ("", EndOfString),
            (",", Comma),
            ("notin", NotIn),
            ("in", In),
            ("=", Equals),
            ("==", DoubleEquals),
            (">", GreaterThan),
            ("<", LessThan),
            ("!", DoesNotExist),
            ("!=", NotEquals),
            ("(", OpenPar),
            (")", ClosedPar),
            ("~", Identifier),
            ("||", Identifier),
        ];
        for (s, t) in single {
            assert_eq!(lex(s).first().copied(), Some((t, s)), "{s:?}");
        }
        let sequences: [(&str, &[Token]); 8] = [
            ("key in ( value )", &[Identifier, In, OpenPar, Identifier, ClosedPar, EndOfString]),
            (
                "key in ( value1, value2 )",
                &[Identifier, In, OpenPar, Identifier, Comma, Identifier, ClosedPar, EndOfString],
            ),
            ("!key", &[DoesNotExist, Identifier, EndOfString]),
            ("x in (),y", &[Identifier, In, OpenPar, ClosedPar, Comma, Identifier, EndOfString]),
            ("== != (), = notin", &[DoubleEquals, NotEquals, OpenPar, ClosedPar, Comma, Equals, NotIn, EndOfString]),
            ("key>2", &[Identifier, GreaterThan, Identifier, EndOfString]),
            ("!==", &[NotEquals, Equals, EndOfString]),
            // A NUL ends the input when it is where a token would start.
            ("a \0b", &[Identifier, EndOfString]),
        ];
        for (s, want) in sequences {
            assert_eq!(tokens(s), want, "{s:?}");
        }
        assert_eq!(lex("ab\0cd").get(1).copied(), Some((Identifier, "cd")));
    }

    fn canonical(s: &str) -> Result<String, String> {
        crate::api::labels::Selector::parse(s).map(|sel| sel.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn upstream_parse_tables() {
        // TestSelectorParse: good strings print back without their spaces.
        for s in ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"] {
            assert_eq!(canonical(s), Ok(s.replace(' ', "")), "{s:?}");
        }
        for s in ["x=a||y=b", "x==a==b", "!x=a", "x<a"] {
            assert!(canonical(s).is_err(), "{s:?}");
        }
        // TestSetSelectorParser, with the canonical form each gives.
        let good = [
            ("\rx", "x"),
            ("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"),
            (
                "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)",
            ),
            ("foo  in\t (abc)", "foo in (abc)"),
            ("x notin\n (abc)", "x notin (abc)"),
            ("x in (abc,)", "x in (,abc)"),
            ("x in (abc,abc)", "x in (abc)"),
            ("x in ()", "x in ()"),
            ("x in (a,,)", "x in (,a)"),
            ("x in (a,,a,,a,,a,,)", "x in (,a)"),
            ("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"),
            ("x,y in (a)", "x,y in (a)"),
            ("x notin ( )", "x notin ()"),
            ("x notin (, a)", "x notin (,a)"),
            ("a ", "a"),
            ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
            ("in in (notin)", "in in (notin)"),
            ("a==b", "a==b"),
            ("x=a,a=x", "a=x,x=a"),
        ];
        for (s, want) in good {
            assert_eq!(canonical(s).as_deref(), Ok(want), "{s:?}");
        }
        for s in [
            "x=a||y=b",
            "x,,y",
            ",x,y",
            "x nott in (y)",
            "a in (xyz),",
            "a in (xyz)b notin ()",
            "a in (xyz abc)",
            "a notin(",
            "a (",
            "(",
        ] {
            assert!(canonical(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn errors_read_as_kubectl_prints_them() {
        // Each message as the real kubectl v1.36.3 printed it (after `couldn't parse the selector
        // string "...": `) for `kubectl set selector --local`.
        let value_regex = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
        let cases = [
            ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'".to_string()),
            ("a=b,", "found '', expected: identifier after ','".to_string()),
            ("=b", "found '=', expected: !, identifier, or 'end of string'".to_string()),
            ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt".to_string()),
            ("a in b", "unable to parse requirement: found 'b' expected: '('".to_string()),
            ("x>1.5", "unable to parse requirement: values[0]: Invalid value: \"1.5\": for 'Gt', 'Lt' operators, the value must be an integer".to_string()),
            ("a=b c", "found 'c', expected: ',' or 'end of string'".to_string()),
            ("a=-b", format!("unable to parse requirement: values[0][a]: Invalid value: \"-b\": {value_regex}")),
            ("!a=b", "found '=', expected: ',' or 'end of string'".to_string()),
            ("a,,b", "found ',', expected: identifier after ','".to_string()),
            ("a notin (x,", "unable to parse requirement: found '', expected: ',', or identifier".to_string()),
            ("a=b)", "found ')', expected: ',' or 'end of string'".to_string()),
            ("/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty".to_string()),
            ("!", "unable to parse requirement: found '', expected: identifier".to_string()),
            ("a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'".to_string()),
            ("a notin", "unable to parse requirement: found '' expected: '('".to_string()),
            ("a!b", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt".to_string()),
            ("a=b=c", "found '=', expected: ',' or 'end of string'".to_string()),
            ("x<y", "unable to parse requirement: values[0]: Invalid value: \"y\": for 'Gt', 'Lt' operators, the value must be an integer".to_string()),
            (&format!("a={}", "a".repeat(64)), format!("unable to parse requirement: values[0][a]: Invalid value: \"{}\": must be no more than 63 bytes", "a".repeat(64))),
            ("a=(", "unable to parse requirement: found '(', expected: identifier".to_string()),
            ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier".to_string()),
            ("a in (x,=)", "unable to parse requirement: found '=', expected: ',', or identifier".to_string()),
        ];
        for (s, want) in cases {
            assert_eq!(canonical(s), Err(want), "{s:?}");
        }
        // Two failures in one requirement are listed together.
        let both = canonical("x>-a").err().unwrap_or_default();
        let want = "unable to parse requirement: [values[0]: Invalid value: \"-a\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: \"-a\": a valid label";
        assert!(both.starts_with(want), "{both}");
        let two = canonical("x in (-a,-b)").err().unwrap_or_default();
        assert!(
            two.contains("[values[0][x]: Invalid value: \"-a\"")
                && two.contains(", values[1][x]: Invalid value: \"-b\""),
            "{two}"
        );
    }
}
