//! Stage 1: read the function and its model statements into the IR. Keeps spans, emits no code.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    Expr, ExprClosure, FnArg, GenericArgument, ItemFn, Lifetime, LitStr, Macro, Pat, PathArguments,
    ReturnType, Stmt, Token, Type,
};

use crate::ctxt::Ctxt;
use crate::ir::{Arg, ModelIr, ReparamAttr, Statement, StatementKind};

/// The lifetime given to every elided lifetime in the model's arguments.
pub const DATA_LIFETIME: &str = "'__model";

/// Reads the attribute arguments and the function; errors go to `cx`.
pub fn parse(cx: &Ctxt, attr: TokenStream, item: ItemFn) -> ModelIr {
    let (reparams, guide_for) = parse_attr(cx, attr);
    let sig = &item.sig;
    if let Some(asyncness) = &sig.asyncness {
        cx.error_spanned_by(asyncness, "a model function cannot be `async`");
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            "a model function cannot be generic; the macro compiles its body for each scalar type itself",
        );
    }
    if let ReturnType::Type(_, ty) = &sig.output {
        cx.error_spanned_by(
            ty,
            "a model function returns nothing; remove the return type (record values with `deterministic!`)",
        );
    }
    let mut args = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => cx.error_spanned_by(r, "a model function cannot take `self`"),
            FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                    let mut ty = (*pt.ty).clone();
                    NameElidedLifetimes.visit_type_mut(&mut ty);
                    args.push(Arg {
                        ident: pi.ident.clone(),
                        copy: is_copy_like(&ty),
                        ty,
                    });
                }
                other => cx.error_spanned_by(
                    other,
                    "model arguments must be plain names such as `x: &[f64]`",
                ),
            },
        }
    }

    let mut walker = Walker {
        cx,
        statements: Vec::new(),
        plates: Vec::new(),
        control: Vec::new(),
    };
    let mut body = (*item.block).clone();
    walker.visit_block_mut(&mut body);
    // The expander follows the body with `Ok(())`, so a final expression without `;` (such as
    // a `sample!` written last, whose value a model function does not return) is ended with
    // one, or the generated code would not parse; block-like expressions need none.
    if let Some(Stmt::Expr(expr, semi @ None)) = body.stmts.last_mut()
        && !matches!(
            expr,
            Expr::If(_)
                | Expr::Match(_)
                | Expr::Block(_)
                | Expr::While(_)
                | Expr::ForLoop(_)
                | Expr::Loop(_)
                | Expr::Unsafe(_)
                | Expr::TryBlock(_)
                | Expr::Const(_)
        )
    {
        *semi = Some(Token![;](expr.span()));
    }

    ModelIr {
        attrs: item.attrs,
        vis: item.vis,
        name: item.sig.ident,
        args,
        body,
        statements: walker.statements,
        reparams,
        guide_for,
    }
}

/// `reparam(site = Reparameterizer, ..)` and `guide_for = model`.
fn parse_attr(cx: &Ctxt, attr: TokenStream) -> (Vec<ReparamAttr>, Option<syn::Path>) {
    if attr.is_empty() {
        return (Vec::new(), None);
    }
    struct Attr(Vec<ReparamAttr>, Option<syn::Path>);
    impl Parse for Attr {
        fn parse(input: ParseStream) -> syn::Result<Self> {
            let mut out = Vec::new();
            let mut guide_for = None;
            while !input.is_empty() {
                let key: syn::Ident = input.parse()?;
                if key == "guide_for" {
                    input.parse::<Token![=]>()?;
                    guide_for = Some(input.parse::<syn::Path>()?);
                    if input.is_empty() {
                        break;
                    }
                    input.parse::<Token![,]>()?;
                    continue;
                }
                if key != "reparam" {
                    return Err(syn::Error::new(
                        key.span(),
                        "unknown model option; expected `reparam(site = Reparameterizer, ..)` or `guide_for = model`",
                    ));
                }
                let content;
                syn::parenthesized!(content in input);
                while !content.is_empty() {
                    let site: syn::Ident = content.parse()?;
                    content.parse::<Token![=]>()?;
                    let reparam: Expr = content.parse()?;
                    out.push(ReparamAttr { site, reparam });
                    if content.is_empty() {
                        break;
                    }
                    content.parse::<Token![,]>()?;
                }
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            Ok(Attr(out, guide_for))
        }
    }
    // The arguments are parsed inside a group spanning their last token, so that an error at
    // their end (`guide_for =`, a bare `reparam`) points there rather than at the call site.
    let last = attr.clone().into_iter().last().map(|t| t.span());
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, attr);
    if let Some(last) = last {
        group.set_span(last);
    }
    let scoped = |input: ParseStream| {
        let content;
        syn::parenthesized!(content in input);
        content.parse::<Attr>()
    };
    match scoped.parse2(proc_macro2::TokenTree::Group(group).into()) {
        Ok(Attr(v, guide_for)) => (v, guide_for),
        Err(e) => {
            cx.syn_error(e);
            (Vec::new(), None)
        }
    }
}

/// Gives elided lifetimes (`&[f64]`, `Foo<'_>`) the data lifetime, so the arguments can be stored
/// in the model value.
struct NameElidedLifetimes;

impl VisitMut for NameElidedLifetimes {
    fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
        if r.lifetime.is_none() {
            r.lifetime = Some(Lifetime::new(DATA_LIFETIME, r.and_token.span()));
        }
        visit_mut::visit_type_reference_mut(self, r);
    }

    fn visit_lifetime_mut(&mut self, l: &mut Lifetime) {
        if l.ident == "_" {
            *l = Lifetime::new(DATA_LIFETIME, l.span());
        }
    }
}

/// References, `Option`s of references and primitive scalars are `Copy`; they are bound by value
/// in the body so user code sees exactly the declared type.
fn is_copy_like(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none(),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            let primitive = matches!(
                name.as_str(),
                "f64" | "f32" | "usize" | "u64" | "u32" | "i64" | "i32" | "bool"
            );
            if primitive {
                return true;
            }
            if name == "Option"
                && let PathArguments::AngleBracketed(args) = &last.arguments
            {
                return args.args.iter().all(|a| match a {
                    GenericArgument::Type(t) => is_copy_like(t),
                    _ => true,
                });
            }
            false
        }
        Type::Tuple(t) => t.elems.iter().all(is_copy_like),
        _ => false,
    }
}

/// Which model statement a macro is, by the last segment of its path.
fn statement_macro(mac: &Macro) -> Option<&'static str> {
    let last = mac.path.segments.last()?;
    ["sample", "plate", "deterministic", "factor", "param"]
        .into_iter()
        .find(|n| last.ident == n)
}

/// Walks the body, replacing each model statement with a placeholder and recording it.
struct Walker<'a> {
    cx: &'a Ctxt,
    statements: Vec<Statement>,
    plates: Vec<usize>,
    control: Vec<(Span, &'static str)>,
}

/// The placeholder the expander replaces with the statement's code.
pub fn placeholder(id: usize) -> Expr {
    let id = syn::Index::from(id);
    syn::parse_quote!(__model_statement!(#id))
}

/// The id of a placeholder, if `expr` is one.
pub fn placeholder_id(expr: &Expr) -> Option<usize> {
    let Expr::Macro(m) = expr else { return None };
    if !m.mac.path.is_ident("__model_statement") {
        return None;
    }
    syn::parse2::<syn::LitInt>(m.mac.tokens.clone())
        .ok()?
        .base10_parse()
        .ok()
}

impl Walker<'_> {
    /// Reads one model statement and returns its placeholder. A statement that cannot be read is
    /// reported and kept as `Malformed`, so the expander can stand in for it.
    fn read(&mut self, mac: &Macro, which: &'static str) -> Expr {
        let macro_span = mac
            .path
            .segments
            .last()
            .map_or_else(|| mac.span(), |s| s.ident.span());
        // `parse_body` scopes the arguments to the macro's delimiters, so that an error at
        // their end points at the closing delimiter, not at the call site (the `#[model]`
        // attribute), as `parse2` of the bare tokens did for `plate!("p", 3)`.
        let parsed = match which {
            "sample" => mac.parse_body::<SampleArgs>().map(|a| {
                (
                    a.name,
                    StatementKind::Sample {
                        dist: a.dist,
                        obs: a.obs,
                    },
                )
            }),
            "plate" => mac.parse_body::<PlateArgs>().map(|a| {
                (
                    a.name,
                    StatementKind::Plate {
                        size: a.size,
                        subsample: a.subsample,
                        pat: a.pat,
                        body: a.body,
                    },
                )
            }),
            "deterministic" => mac
                .parse_body::<NamedExpr>()
                .map(|a| (a.name, StatementKind::Deterministic { value: a.value })),
            "param" => mac.parse_body::<ParamArgs>().map(|a| {
                (
                    a.name,
                    StatementKind::Param {
                        init: a.init,
                        constraint: a.constraint,
                    },
                )
            }),
            _ => mac
                .parse_body::<NamedExpr>()
                .map(|a| (a.name, StatementKind::Factor { value: a.value })),
        };
        let (name, mut kind) = match parsed {
            Ok(p) => p,
            Err(e) => {
                let form = match which {
                    "sample" => {
                        "expected `sample!(\"name\", Distribution::new(..))` or `sample!(\"name\", Distribution::new(..), obs = value)`"
                    }
                    "plate" => {
                        "expected `plate!(\"name\", size, |i| { .. })`, or `plate!(\"name\", size, subsample = batch, |i| { .. })`"
                    }
                    "deterministic" => "expected `deterministic!(\"name\", value)`",
                    "param" => {
                        "expected `param!(\"name\", initial_value)` or `param!(\"name\", initial_value, constraint = Support::Positive)`"
                    }
                    _ => "expected `factor!(\"name\", log_density_term)`",
                };
                let span = if e.to_string().contains("end of input") {
                    macro_span
                } else {
                    e.span()
                };
                self.cx
                    .error_at(span, format!("malformed `{which}!`: {form}"));
                let value_like = matches!(which, "sample" | "deterministic" | "param");
                (
                    LitStr::new("", macro_span),
                    StatementKind::Malformed { value_like },
                )
            }
        };
        let id = self.statements.len();
        // Reserve the id before visiting a plate body, so ids follow program order.
        self.statements.push(Statement {
            name,
            macro_span,
            kind: StatementKind::Factor {
                value: syn::parse_quote!(()),
            },
            plates: self.plates.clone(),
            control: self.control.last().copied(),
            value_unused: false,
        });
        if let StatementKind::Plate { body, .. } = &mut kind {
            self.plates.push(id);
            let saved = std::mem::take(&mut self.control);
            self.visit_expr_mut(body);
            self.control = saved;
            self.plates.pop();
        } else {
            // Statements nested in a statement's arguments (a `sample!` inside a distribution's
            // parameters) are read too.
            match &mut kind {
                StatementKind::Sample { dist, obs } => {
                    self.visit_expr_mut(dist);
                    if let Some(obs) = obs {
                        self.visit_expr_mut(obs);
                    }
                }
                StatementKind::Deterministic { value } | StatementKind::Factor { value } => {
                    self.visit_expr_mut(value)
                }
                StatementKind::Param { init, constraint } => {
                    self.visit_expr_mut(init);
                    if let Some(constraint) = constraint {
                        self.visit_expr_mut(constraint);
                    }
                }
                StatementKind::Plate { .. } | StatementKind::Malformed { .. } => {}
            }
        }
        self.statements[id].kind = kind;
        placeholder(id)
    }

    fn in_control<F: FnOnce(&mut Self)>(&mut self, span: Span, word: &'static str, f: F) {
        self.control.push((span, word));
        f(self);
        self.control.pop();
    }
}

impl VisitMut for Walker<'_> {
    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(m) = stmt
            && let Some(which) = statement_macro(&m.mac)
        {
            let expr = self.read(&m.mac.clone(), which);
            if m.semi_token.is_some()
                && let Some(id) = placeholder_id(&expr)
            {
                self.statements[id].value_unused = true;
            }
            let semi = m.semi_token.or_else(|| Some(Token![;](m.mac.span())));
            *stmt = Stmt::Expr(expr, semi);
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Macro(m) => {
                if let Some(which) = statement_macro(&m.mac) {
                    *expr = self.read(&m.mac.clone(), which);
                    return;
                }
                visit_mut::visit_expr_mut(self, expr)
            }
            Expr::If(e) => {
                let span = e.if_token.span;
                self.in_control(span, "if", |w| visit_mut::visit_expr_if_mut(w, e))
            }
            Expr::Match(e) => {
                let span = e.match_token.span;
                self.in_control(span, "match", |w| visit_mut::visit_expr_match_mut(w, e))
            }
            Expr::ForLoop(e) => {
                let span = e.for_token.span;
                self.in_control(span, "for", |w| visit_mut::visit_expr_for_loop_mut(w, e))
            }
            Expr::While(e) => {
                let span = e.while_token.span;
                self.in_control(span, "while", |w| visit_mut::visit_expr_while_mut(w, e))
            }
            Expr::Loop(e) => {
                let span = e.loop_token.span;
                self.in_control(span, "loop", |w| visit_mut::visit_expr_loop_mut(w, e))
            }
            Expr::Closure(e) => {
                let span = e.inputs_begin.span;
                self.in_control(span, "closure", |w| visit_mut::visit_expr_closure_mut(w, e))
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _item: &mut syn::Item) {
        // Items nested in the body are not part of the model.
    }
}

struct SampleArgs {
    name: LitStr,
    dist: Expr,
    obs: Option<Expr>,
}

impl Parse for SampleArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        let dist: Expr = input.parse()?;
        let mut obs = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key != "obs" {
                return Err(syn::Error::new(key.span(), "expected `obs = value`"));
            }
            input.parse::<Token![=]>()?;
            obs = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens"));
        }
        Ok(SampleArgs { name, dist, obs })
    }
}

struct PlateArgs {
    name: LitStr,
    size: Expr,
    subsample: Option<Expr>,
    pat: Box<Pat>,
    body: Box<Expr>,
}

impl Parse for PlateArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        let size: Expr = input.parse()?;
        input.parse::<Token![,]>()?;
        // `subsample = batch,` between the size and the closure.
        let subsample = if input.peek(syn::Ident) && input.peek2(Token![=]) {
            let key: syn::Ident = input.parse()?;
            if key != "subsample" {
                return Err(syn::Error::new(
                    key.span(),
                    "unknown plate argument; the one a plate takes is `subsample = batch_size`",
                ));
            }
            input.parse::<Token![=]>()?;
            let batch: Expr = input.parse()?;
            input.parse::<Token![,]>()?;
            Some(batch)
        } else {
            None
        };
        let closure: ExprClosure = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens"));
        }
        if closure.inputs.len() != 1 {
            return Err(syn::Error::new(
                closure.inputs_begin.span,
                "the plate's closure takes exactly one argument, the index",
            ));
        }
        let pat = Box::new(closure.inputs.into_iter().next().expect("one input"));
        Ok(PlateArgs {
            name,
            size,
            subsample,
            pat,
            body: closure.body,
        })
    }
}

struct NamedExpr {
    name: LitStr,
    value: Expr,
}

impl Parse for NamedExpr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        let value: Expr = input.parse()?;
        input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens"));
        }
        Ok(NamedExpr { name, value })
    }
}

struct ParamArgs {
    name: LitStr,
    init: Expr,
    constraint: Option<Expr>,
}

impl Parse for ParamArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: LitStr = input.parse()?;
        input.parse::<Token![,]>()?;
        let init: Expr = input.parse()?;
        let mut constraint = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key != "constraint" {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `constraint = Support::..`",
                ));
            }
            input.parse::<Token![=]>()?;
            constraint = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens"));
        }
        Ok(ParamArgs {
            name,
            init,
            constraint,
        })
    }
}
