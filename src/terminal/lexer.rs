//! Splits one command line into words the way a POSIX shell does: single and double quotes, backslash
//! escapes, `|` between commands, `<<WORD` here-document markers and `#` comments. Nothing here expands
//! variables or globs: kubectl users paste lines whose `$` and `*` belong to the program, not the shell.

use std::fmt;

/// One token of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(String),
    Pipe,
    /// `<<WORD`, `<<'WORD'`, `<<"WORD"` or `<<-WORD`: the body follows on the next lines.
    HereDoc {
        delimiter: String,
        strip_tabs: bool,
    },
    /// `< FILE`: only meaningful for the transcript's own inputs, reported as unsupported by the shell.
    RedirectIn,
}

/// Why a line could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    UnterminatedQuote(char),
    MissingHereDocDelimiter,
    UnexpectedToken(String),
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexError::UnterminatedQuote(q) => {
                write!(f, "unexpected EOF while looking for matching `{q}'")
            }
            LexError::MissingHereDocDelimiter => {
                write!(f, "syntax error near unexpected token `newline'")
            }
            LexError::UnexpectedToken(t) => write!(f, "syntax error near unexpected token `{t}'"),
        }
    }
}

impl std::error::Error for LexError {}

/// Splits `line` into tokens.
pub fn tokenize(line: &str) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    let mut word = String::new();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '|' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                if chars.peek() == Some(&'|') {
                    return Err(LexError::UnexpectedToken("||".into()));
                }
                tokens.push(Token::Pipe);
            }
            '<' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                if chars.peek() == Some(&'<') {
                    chars.next();
                    let strip_tabs = chars.peek() == Some(&'-');
                    if strip_tabs {
                        chars.next();
                    }
                    while matches!(chars.peek(), Some(' ' | '\t')) {
                        chars.next();
                    }
                    let delimiter = read_word(&mut chars)?;
                    if delimiter.is_empty() {
                        return Err(LexError::MissingHereDocDelimiter);
                    }
                    tokens.push(Token::HereDoc { delimiter, strip_tabs });
                } else {
                    tokens.push(Token::RedirectIn);
                }
            }
            _ => {
                in_word = true;
                push_quoted(c, &mut chars, &mut word)?;
            }
        }
    }
    if in_word {
        tokens.push(Token::Word(word));
    }
    Ok(tokens)
}

/// Reads one (possibly quoted) word, stopping at white space or an operator.
fn read_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, LexError> {
    let mut word = String::new();
    while let Some(&c) = chars.peek() {
        if matches!(c, ' ' | '\t' | '\r' | '\n' | '|' | '<' | '>' | ';' | '&') {
            break;
        }
        chars.next();
        push_quoted(c, chars, &mut word)?;
    }
    Ok(word)
}

/// Appends the character `c` (already taken from `chars`) to `word`, consuming a whole quoted span when
/// `c` opens one.
fn push_quoted(
    c: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    word: &mut String,
) -> Result<(), LexError> {
    match c {
        '\'' => loop {
            match chars.next() {
                Some('\'') => return Ok(()),
                Some(ch) => word.push(ch),
                None => return Err(LexError::UnterminatedQuote('\'')),
            }
        },
        '"' => loop {
            match chars.next() {
                Some('"') => return Ok(()),
                Some('\\') => match chars.next() {
                    // Inside double quotes a backslash only escapes these.
                    Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                    Some('\n') => {}
                    Some(ch) => {
                        word.push('\\');
                        word.push(ch);
                    }
                    None => return Err(LexError::UnterminatedQuote('"')),
                },
                Some(ch) => word.push(ch),
                None => return Err(LexError::UnterminatedQuote('"')),
            }
        },
        '\\' => {
            match chars.next() {
                Some('\n') | None => {}
                Some(ch) => word.push(ch),
            }
            Ok(())
        }
        _ => {
            word.push(c);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        tokenize(line)
            .unwrap()
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w,
                other => format!("<{other:?}>"),
            })
            .collect()
    }

    #[test]
    fn splits_on_white_space_and_keeps_quoted_spans() {
        assert_eq!(
            words(r#"kubectl run b --image=busybox -- sh -c "echo 'a b'; exit 1""#),
            ["kubectl", "run", "b", "--image=busybox", "--", "sh", "-c", "echo 'a b'; exit 1"]
        );
        assert_eq!(words(r"echo a\ b 'c\d'"), ["echo", "a b", r"c\d"]);
        assert_eq!(words(r#"echo "a\"b\n""#), ["echo", "a\"b\\n"]);
        assert_eq!(words(r#"-o jsonpath='{.items[*].metadata.name}'"#), ["-o", "jsonpath={.items[*].metadata.name}"]);
    }

    #[test]
    fn comments_pipes_and_heredocs() {
        assert_eq!(words("echo hi # a comment"), ["echo", "hi"]);
        assert_eq!(words("echo a#b"), ["echo", "a#b"]);
        let toks = tokenize("cat <<'EOF' | kubectl apply -f -").unwrap();
        assert_eq!(toks[1], Token::HereDoc { delimiter: "EOF".into(), strip_tabs: false });
        assert_eq!(toks[2], Token::Pipe);
        let toks = tokenize("kubectl apply -f - <<-END").unwrap();
        assert_eq!(toks.last(), Some(&Token::HereDoc { delimiter: "END".into(), strip_tabs: true }));
    }

    #[test]
    fn reports_unterminated_quotes_like_bash() {
        let err = tokenize("echo 'abc").unwrap_err();
        assert_eq!(err.to_string(), "unexpected EOF while looking for matching `''");
        let err = tokenize("echo \"abc").unwrap_err();
        assert_eq!(err.to_string(), "unexpected EOF while looking for matching `\"'");
        assert!(tokenize("cat <<").is_err());
    }
}
