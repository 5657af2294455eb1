//! What the kubectl transcript tests share: a script replayed on the booted default cluster must
//! print its golden file, byte for byte (`UPDATE_GOLDEN=1` rewrites the files instead).

use std::path::PathBuf;

use kubarium::cluster::Cluster;
use kubarium::terminal::Shell;

/// Replays `script` and compares its transcript with `tests/golden/<dir>/<name>.txt`.
pub fn golden(dir: &str, name: &str, script: &str) {
    let transcript = Shell::new(Cluster::boot_default(1)).run_script(script);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(dir).join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &transcript).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(transcript, want, "transcript of {name} differs from {}", path.display());
}
