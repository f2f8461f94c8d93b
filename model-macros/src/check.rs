//! Stage 2: the checks. Everything the expander relies on is validated here; the expander
//! never reports errors.

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::{Expr, Path};

use crate::ctxt::Ctxt;
use crate::ir::{DistCall, ModelIr, StatementKind};

/// What the checks established, per statement id.
pub struct Checked {
    /// The distribution constructor of each valid sample statement.
    pub dist_calls: Vec<Option<DistCall>>,
    /// Whether each `reparam(..)` entry of the attribute names a latent site (the others are
    /// reported and left out of the generated config).
    pub reparam_ok: Vec<bool>,
    /// Whether the statement is valid; invalid ones expand to a placeholder that type-checks
    /// anywhere, so one mistake does not cascade into many.
    pub valid: Vec<bool>,
}

pub fn check(cx: &Ctxt, ir: &ModelIr) -> Checked {
    let n = ir.statements.len();
    let mut valid = vec![true; n];
    let mut dist_calls: Vec<Option<DistCall>> = (0..n).map(|_| None).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();

    for (id, st) in ir.statements.iter().enumerate() {
        if let StatementKind::Malformed { .. } = st.kind {
            valid[id] = false;
            continue;
        }
        let name = st.name.value();
        if let Err(message) = check_name(&name) {
            cx.error_spanned_by(&st.name, message);
            valid[id] = false;
        } else if let Some(&first) = seen.get(&name) {
            let first = &ir.statements[first];
            cx.error_spanned_by(
                &st.name,
                format!(
                    "the name `{name}` is already used by the {} above; every site, plate and factor needs its own name",
                    first.kind_word()
                ),
            );
            valid[id] = false;
        } else {
            seen.insert(name.clone(), id);
        }

        if let Some((span, word)) = st.control {
            let advice = match word {
                "for" | "while" | "loop" => {
                    "repeat sites with `plate!(\"name\", size, |i| { .. })`, which gives each repetition its own element"
                }
                "closure" => "write the statement directly in the model body or in a `plate!`",
                _ => {
                    "a site must run once per element of its plates; choose between values inside the distribution's arguments instead"
                }
            };
            let what = if st.is_sample() {
                "`sample!`"
            } else {
                "a model statement"
            };
            let mut e = syn::Error::new(
                st.macro_span,
                format!("{what} cannot be used inside `{word}`: {advice}"),
            );
            e.combine(syn::Error::new(
                span,
                format!("the enclosing `{word}` is here"),
            ));
            cx.syn_error(e);
            valid[id] = false;
        }

        // A latent site inside a subsampled plate would be a new latent variable per batch
        // element; its guide would have to subsample its parameters too (NumPyro's local
        // latents with `subsample_size`), which SVI here does not do.
        if st.is_sample() && !st.is_observed() {
            let subsampled = st
                .plates
                .iter()
                .find_map(|&p| match &ir.statements[p].kind {
                    StatementKind::Plate {
                        subsample: Some(batch),
                        ..
                    } => Some((p, batch)),
                    _ => None,
                });
            if let Some((plate, batch)) = subsampled {
                let mut e = syn::Error::new(
                    st.macro_span,
                    format!(
                        "latent site `{name}` is inside the subsampled plate `{}`; only observed sites and factors may be inside a plate with `subsample`: move the latent site out of the plate, or drop `subsample`",
                        ir.statements[plate].name.value()
                    ),
                );
                e.combine(syn::Error::new(
                    batch.span(),
                    "the subsample is chosen here",
                ));
                cx.syn_error(e);
                valid[id] = false;
            }
        }

        if let Some(message) = guide_rule(ir, &st.kind) {
            cx.error_at(st.macro_span, message);
            valid[id] = false;
        }

        if let StatementKind::Sample { dist, .. } = &st.kind {
            match dist_call(dist) {
                Ok(call) => dist_calls[id] = Some(call),
                Err((tokens, message)) => {
                    cx.error_at(tokens, message);
                    valid[id] = false;
                }
            }
        }
    }

    if ir.guide_for.is_some()
        && let Some(r) = ir.reparams.first()
    {
        cx.error_spanned_by(
            &r.site,
            "a guide's sites are drawn as its `sample!` statements say; `reparam` has no meaning in a guide (reparameterize the model's site instead)",
        );
    }

    let mut reparam_ok = vec![false; ir.reparams.len()];
    for (k, r) in ir.reparams.iter().enumerate() {
        let name = r.site.to_string();
        match ir.statements.iter().find(|s| s.name.value() == name && s.is_site()) {
            Some(st) if st.is_observed() => cx.error_spanned_by(
                &r.site,
                format!(
                    "`{name}` is an observed site; reparameterize latent sites only (observed circular data is modelled with `VonMises` directly and needs no reparam)"
                ),
            ),
            Some(st) if !st.is_sample() => cx.error_spanned_by(
                &r.site,
                format!("`{name}` is a deterministic site; reparameterize latent sites only"),
            ),
            Some(_) => reparam_ok[k] = true,
            None => {
                let latent: Vec<String> = ir
                    .statements
                    .iter()
                    .filter(|s| s.is_sample() && !s.is_observed())
                    .map(|s| s.name.value())
                    .collect();
                let message = match closest(&name, &latent) {
                    Some(c) => format!("this model has no site `{name}`; did you mean `{c}`?"),
                    None if latent.is_empty() => {
                        format!("this model has no site `{name}`, and no latent sites to reparameterize")
                    }
                    None => format!(
                        "this model has no site `{name}`; its latent sites are {}",
                        latent.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                cx.error_spanned_by(&r.site, message);
            }
        }
    }

    Checked {
        dist_calls,
        reparam_ok,
        valid,
    }
}

/// What a statement may not do in a guide (`guide_for`), or a `param!` outside one.
fn guide_rule(ir: &ModelIr, kind: &StatementKind) -> Option<&'static str> {
    let guide = ir.guide_for.is_some();
    match kind {
        StatementKind::Param { .. } if !guide => Some(
            "`param!` declares a parameter of a variational guide: mark the function `#[model(guide_for = model)]` (a model's unknowns are `sample!` sites)",
        ),
        StatementKind::Sample { obs: Some(_), .. } if guide => Some(
            "a guide draws the model's latent sites only; observations belong in the model, not in its guide",
        ),
        StatementKind::Deterministic { .. } if guide => Some(
            "a guide draws the model's latent sites only; compute `deterministic!` values in the model",
        ),
        StatementKind::Factor { .. } if guide => Some(
            "a guide's density is that of its `sample!` statements; a `factor!` would make it unnormalized",
        ),
        _ => None,
    }
}

/// Site names become struct fields, marker types and setter methods.
fn check_name(name: &str) -> Result<(), String> {
    let is_ident = syn::parse_str::<syn::Ident>(name).is_ok();
    if !is_ident || name.starts_with("__") || name == "_" {
        return Err(format!(
            "the name \"{name}\" is not usable: names become struct fields, so they must be Rust identifiers such as \"theta\" or \"log_sigma\" (and not begin with `__`)"
        ));
    }
    if name == "reparam" {
        return Err(
            "the name \"reparam\" is reserved for the model's reparameterization setter".into(),
        );
    }
    Ok(())
}

/// Splits `Family::constructor(args)`, possibly followed by method calls, into its parts.
fn dist_call(dist: &Expr) -> Result<DistCall, (proc_macro2::Span, String)> {
    let form = "expected a distribution constructor such as `Normal::new(0.0, 1.0)`, so that the site's distribution type is known";
    match dist {
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return Err((dist.span(), form.into()));
            };
            if func.qself.is_some() || func.path.segments.len() < 2 {
                return Err((dist.span(), form.into()));
            }
            let mut ty: Path = func.path.clone();
            ty.segments.pop();
            ty.segments.pop_punct();
            Ok(DistCall {
                ty,
                func: (*call.func).clone(),
                args: call.args.iter().cloned().collect(),
                methods: Vec::new(),
            })
        }
        Expr::MethodCall(method) => {
            let mut call = dist_call(&method.receiver)?;
            call.methods.push(method.clone());
            Ok(call)
        }
        Expr::Try(t) => Err((
            t.question_token.span(),
            "remove the `?`: `sample!` reports a constructor's error itself, with the site's name"
                .into(),
        )),
        Expr::Paren(p) => dist_call(&p.expr),
        _ => Err((dist.span(), form.into())),
    }
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a typo.
fn closest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

/// Edit distance counting insertions, deletions, substitutions and transpositions of adjacent
/// characters (the optimal string alignment distance), so `sgima` is one edit from `sigma`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_name_is_a_plausible_typo() {
        let c = vec!["phase".to_string(), "sigma".to_string()];
        assert_eq!(closest("phse", &c), Some("phase"));
        assert_eq!(closest("sgima", &c), Some("sigma"));
        assert_eq!(closest("banana", &c), None);
    }
}
