//! Cuts a script, or a multi-line paste, into commands: a command is one logical line (joined across
//! backslash continuations and across newlines inside quotes) plus the bodies of its here-documents.
//! Each command keeps the physical lines it was typed as, because the transcript prints them back.

use super::lexer::{LexError, Token, tokenize};

/// One command of a script, as typed and as the shell will run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The physical lines, first to last, including here-document bodies and their delimiters.
    pub lines: Vec<String>,
    /// The logical command line (continuations joined), without here-document bodies.
    pub line: String,
    /// One body per `<<WORD` marker, in order of appearance.
    pub heredocs: Vec<String>,
    /// Set when a here-document ran to the end of the input without its delimiter line.
    pub unterminated_heredoc: Option<String>,
}

/// Splits `text` into commands. Blank lines and lines holding only a comment are not commands.
pub fn split_script(text: &str) -> Vec<Command> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut commands = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i];
        i += 1;
        if first.trim().is_empty() || first.trim_start().starts_with('#') {
            continue;
        }
        let mut physical = vec![first.to_string()];
        let mut logical = first.to_string();
        loop {
            if let Some(stripped) = logical.strip_suffix('\\')
                && !stripped.ends_with('\\')
                && i < lines.len()
            {
                logical = stripped.to_string();
                logical.push_str(lines[i]);
                physical.push(lines[i].to_string());
                i += 1;
                continue;
            }
            if matches!(tokenize(&logical), Err(LexError::UnterminatedQuote(_))) && i < lines.len() {
                logical.push('\n');
                logical.push_str(lines[i]);
                physical.push(lines[i].to_string());
                i += 1;
                continue;
            }
            break;
        }
        let markers: Vec<(String, bool)> = tokenize(&logical)
            .map(|toks| {
                toks.into_iter()
                    .filter_map(|t| match t {
                        Token::HereDoc { delimiter, strip_tabs } => Some((delimiter, strip_tabs)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut heredocs = Vec::new();
        let mut unterminated_heredoc = None;
        for (delimiter, strip_tabs) in markers {
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let raw = lines[i];
                i += 1;
                physical.push(raw.to_string());
                let line = if strip_tabs { raw.trim_start_matches('\t') } else { raw };
                if line == delimiter {
                    closed = true;
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            if !closed {
                unterminated_heredoc = Some(delimiter);
            }
            heredocs.push(body);
        }
        commands.push(Command { lines: physical, line: logical, heredocs, unterminated_heredoc });
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_command_per_line_skipping_blanks_and_comments() {
        let cmds = split_script("kubectl version\n\n# a comment\necho hi\n");
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].lines, ["kubectl version"]);
        assert_eq!(cmds[1].line, "echo hi");
    }

    #[test]
    fn heredoc_body_belongs_to_its_command() {
        let text = "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nEOF\necho next";
        let cmds = split_script(text);
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].lines.len(), 4);
        assert_eq!(cmds[0].heredocs, ["apiVersion: v1\nkind: Namespace\n"]);
        assert_eq!(cmds[0].unterminated_heredoc, None);
        assert_eq!(cmds[1].line, "echo next");
    }

    #[test]
    fn tab_stripping_heredoc_and_missing_delimiter() {
        let cmds = split_script("cat <<-EOF\n\ta\n\tEOF\n");
        assert_eq!(cmds[0].heredocs, ["a\n"]);
        let cmds = split_script("cat <<EOF\na\n");
        assert_eq!(cmds[0].heredocs, ["a\n"]);
        assert_eq!(cmds[0].unterminated_heredoc.as_deref(), Some("EOF"));
    }

    #[test]
    fn continuations_join_lines() {
        let cmds = split_script("kubectl run x \\\n  --image=nginx\necho 'a\nb'\n");
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].line, "kubectl run x   --image=nginx");
        assert_eq!(cmds[0].lines.len(), 2);
        assert_eq!(cmds[1].line, "echo 'a\nb'");
    }
}
