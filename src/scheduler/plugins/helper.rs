//! Helpers shared by plugins (upstream's `plugins/helper`): the default score normalisation and
//! toleration matching.

use k8s_openapi::api::core::v1::{Taint, Toleration};

use crate::scheduler::framework::MAX_NODE_SCORE;

/// `DefaultNormalizeScore`: scales scores to 0..=100 by the highest one; `reverse` flips them.
pub fn default_normalize_score(reverse: bool, scores: &mut [i64]) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        *s = MAX_NODE_SCORE * *s / max;
        if reverse {
            *s = MAX_NODE_SCORE - *s;
        }
    }
}

/// `Toleration.ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let effect = t.effect.as_deref().unwrap_or("");
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        // An empty key with Exists tolerates every taint.
        "Exists" => true,
        "Equal" | "" => key == taint.key && t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        _ => false,
    }
}

/// Whether any toleration tolerates `taint`.
pub fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| tolerates(t, taint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_scales_and_reverses() {
        let mut s = [0, 1, 2];
        default_normalize_score(true, &mut s);
        assert_eq!(s, [100, 50, 0]);
        let mut z = [0, 0];
        default_normalize_score(true, &mut z);
        assert_eq!(z, [100, 100]);
        let mut f = [3, 6];
        default_normalize_score(false, &mut f);
        assert_eq!(f, [50, 100]);
    }
}
