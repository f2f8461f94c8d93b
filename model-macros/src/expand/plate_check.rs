//! The data a plate indexes by its own element: `plate!("data", x.len(), |i| .. y[i] ..)`
//! reads `y[i]` for every `i` below the plate's size, so `y` must have exactly that many
//! elements. The body checks it before the plate runs, so that a shorter `y` is an error
//! naming the plate and the argument rather than a panic at its last element, and a longer one
//! is an error rather than data silently left out.

use std::collections::BTreeSet;

use syn::visit::{self, Visit};
use syn::{Expr, Ident, Pat};

use crate::ir::{ModelIr, StatementKind};

/// The model arguments that plate `plate`'s body (its plain code and every statement inside
/// it) indexes by exactly the plate's element variable, `y[i]`, in program order of first use.
pub fn indexed_arguments(ir: &ModelIr, plate: usize) -> Vec<Ident> {
    let StatementKind::Plate { pat, body, .. } = &ir.statements[plate].kind else {
        return Vec::new();
    };
    let Pat::Ident(element) = &**pat else {
        return Vec::new();
    };
    let mut finder = Finder {
        element: &element.ident,
        arguments: ir.args.iter().map(|a| &a.ident).collect(),
        seen: BTreeSet::new(),
        found: Vec::new(),
    };
    finder.visit_expr(body);
    for st in ir.statements.iter().filter(|s| s.plates.contains(&plate)) {
        match &st.kind {
            StatementKind::Sample { dist, obs } => {
                finder.visit_expr(dist);
                if let Some(obs) = obs {
                    finder.visit_expr(obs);
                }
            }
            StatementKind::Deterministic { value } | StatementKind::Factor { value } => {
                finder.visit_expr(value);
            }
            StatementKind::Plate { size, body, .. } => {
                finder.visit_expr(size);
                finder.visit_expr(body);
            }
            StatementKind::Param { .. } | StatementKind::Malformed { .. } => {}
        }
    }
    finder.found
}

struct Finder<'a> {
    element: &'a Ident,
    arguments: Vec<&'a Ident>,
    seen: BTreeSet<String>,
    found: Vec<Ident>,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_expr_index(&mut self, e: &'ast syn::ExprIndex) {
        if let (Expr::Path(base), Expr::Path(index)) = (&*e.expr, &*e.index)
            && index.qself.is_none()
            && index.path.is_ident(self.element)
            && base.qself.is_none()
            && let Some(base) = base.path.get_ident()
            && self.arguments.contains(&base)
            && self.seen.insert(base.to_string())
        {
            self.found.push(base.clone());
        }
        visit::visit_expr_index(self, e);
    }
}
