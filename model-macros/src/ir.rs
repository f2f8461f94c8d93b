//! The model's intermediate representation: what the parser found, with spans, before any check.

use proc_macro2::Span;
use syn::{Attribute, Block, Expr, Ident, LitStr, Pat, Path, Type, Visibility};

/// A `#[model]` function, read.
pub struct ModelIr {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub args: Vec<Arg>,
    /// The body, each model statement replaced by a placeholder `__model_statement!(id)`.
    pub body: Block,
    /// Every model statement, indexed by id, in program order.
    pub statements: Vec<Statement>,
    /// `#[model(reparam(site = Reparameterizer, ..))]`.
    pub reparams: Vec<ReparamAttr>,
    /// `#[model(guide_for = model)]`: this function is a variational guide for `model`.
    pub guide_for: Option<Path>,
}

/// A data argument of the model function.
pub struct Arg {
    pub ident: Ident,
    /// The type with every elided lifetime made `'__model`.
    pub ty: Type,
    /// Whether the argument is bound by copy in the body (references, `Option`s of references
    /// and primitive numbers); other arguments are bound by reference.
    pub copy: bool,
}

/// One model statement.
pub struct Statement {
    pub name: LitStr,
    /// The macro's name token, where errors about the statement as a whole point.
    pub macro_span: Span,
    pub kind: StatementKind,
    /// Ids of the enclosing plates, outermost first.
    pub plates: Vec<usize>,
    /// The innermost enclosing control-flow construct (`if`, `match`, a loop or a closure), if
    /// any, with its keyword.
    pub control: Option<(Span, &'static str)>,
    /// Whether the statement's result is dropped (`sample!(..);` as a statement of its own):
    /// an observed site's value is then never lifted into the body's scalar type.
    pub value_unused: bool,
}

pub enum StatementKind {
    Sample {
        dist: Expr,
        obs: Option<Expr>,
    },
    Plate {
        size: Expr,
        /// `subsample = batch`: the plate runs over a random batch of its elements, chosen by
        /// the handler, and the log densities inside are scaled by `size / batch`.
        subsample: Option<Expr>,
        pat: Box<Pat>,
        body: Box<Expr>,
    },
    Deterministic {
        value: Expr,
    },
    Factor {
        value: Expr,
    },
    /// `param!("name", init)` or `param!("name", init, constraint = support)`, in guides.
    Param {
        init: Expr,
        constraint: Option<Expr>,
    },
    /// A statement whose arguments could not be read (already reported); `value_like` when it
    /// stands where a value is expected (`sample!`, `deterministic!`).
    Malformed {
        value_like: bool,
    },
}

/// One entry of `#[model(reparam(..))]`.
pub struct ReparamAttr {
    pub site: Ident,
    pub reparam: Expr,
}

/// The distribution constructor of a sample statement, split into the family's type path and the
/// call's arguments (found by the checker), followed by any method calls that refine it
/// (`.iid(n)`, `.mask(m)`, `.ordered()`), which keep the family's type.
pub struct DistCall {
    pub ty: Path,
    pub func: Expr,
    pub args: Vec<Expr>,
    pub methods: Vec<syn::ExprMethodCall>,
}

impl Statement {
    pub fn is_sample(&self) -> bool {
        matches!(self.kind, StatementKind::Sample { .. })
    }

    pub fn is_observed(&self) -> bool {
        matches!(self.kind, StatementKind::Sample { obs: Some(_), .. })
    }

    pub fn is_site(&self) -> bool {
        matches!(
            self.kind,
            StatementKind::Sample { .. } | StatementKind::Deterministic { .. }
        )
    }

    pub fn depth(&self) -> usize {
        self.plates.len()
    }

    pub fn kind_word(&self) -> &'static str {
        match self.kind {
            StatementKind::Sample { obs: Some(_), .. } => "observed site",
            StatementKind::Sample { obs: None, .. } => "latent site",
            StatementKind::Plate { .. } => "plate",
            StatementKind::Deterministic { .. } => "deterministic site",
            StatementKind::Factor { .. } => "factor",
            StatementKind::Param { .. } => "parameter",
            StatementKind::Malformed { .. } => "statement",
        }
    }
}
