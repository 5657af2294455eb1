//! The shell's own commands: `echo`, `cat`, `sleep`, `history`, `help` (and `clear`, which the
//! shell handles because it acts on the screen, not on output).

use crate::cluster::Cluster;
use crate::kubectl::Output;
use crate::sim::duration::parse_sleep;

/// `echo [-n] [-e] WORDS...`: the words joined by spaces; `-e` interprets `\n` and `\t`.
pub fn echo(args: &[String], out: &mut Output) {
    let mut newline = true;
    let mut escapes = false;
    let mut words = args;
    while let Some(first) = words.first() {
        let flags = first.strip_prefix('-').filter(|f| !f.is_empty() && f.chars().all(|c| "neE".contains(c)));
        let Some(flags) = flags else { break };
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        words = &words[1..];
    }
    let mut text = words.join(" ");
    if escapes {
        text = text.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
    }
    if newline {
        text.push('\n');
    }
    out.out(text);
}

/// `cat`: copies standard input (a here-document or a pipe); there is no file system to read.
pub fn cat(args: &[String], stdin: Option<&str>, out: &mut Output) {
    let files: Vec<&String> = args.iter().filter(|a| a.as_str() != "-").collect();
    if files.is_empty() {
        if let Some(input) = stdin {
            out.out(input);
        }
        return;
    }
    for f in files {
        out.err(format!("cat: {f}: No such file or directory\n"));
    }
    out.exit_code = 1;
}

/// `sleep DURATION...`: lets virtual time pass, running the cluster meanwhile.
pub fn sleep(args: &[String], cluster: &mut Cluster, out: &mut Output) {
    if args.is_empty() {
        out.err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
        out.exit_code = 1;
        return;
    }
    let mut total = crate::sim::Duration::ZERO;
    for a in args {
        match parse_sleep(a) {
            Ok(d) => total = crate::sim::Duration(total.as_millis().saturating_add(d.as_millis())),
            Err(_) => {
                out.err(format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"));
                out.exit_code = 1;
                return;
            }
        }
    }
    cluster.run_for(total);
}

/// `history`: numbered as bash numbers it, the `history` line itself included.
pub fn history(entries: &[String], out: &mut Output) {
    let mut text = String::new();
    for (i, line) in entries.iter().enumerate() {
        text.push_str(&format!("{:>5}  {}\n", i + 1, line));
    }
    out.out(text);
}

/// `help`: what this shell understands.
pub fn help(out: &mut Output) {
    out.out(HELP);
}

const HELP: &str = "\
Kubarium shell: a simulated Kubernetes v1.36 cluster that you drive with kubectl.

  kubectl COMMAND ...     talk to the cluster (alias: k)
  kubarium node add|stop|start|remove NAME
                          add nodes, or stop a node's kubelet to watch the cluster react
  kubarium component stop|start NAME
                          stop the scheduler or controller-manager
  kubarium explain pod NAME
                          why the scheduler put a pod where it did (or nowhere)
  kubarium load deployment/NAME --cpu 500m
                          put CPU load on a workload's pods (kubectl top, the HPA)
  kubarium share|reset|speed X|seed
                          share a link, start over, change speed, show the seed
  sleep DURATION          let virtual time pass (5, 30s, 2m)
  echo TEXT, cat          print text; cat <<EOF | kubectl apply -f - applies a pasted manifest
  grep, head, tail, wc    filter what a command printed: kubectl get pods | grep web
  history, clear, help    the usual

Try: kubectl get nodes
";
