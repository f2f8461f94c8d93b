//! The `#[model]` attribute macro, in three stages: [`parse`] reads the function into the model
//! IR, [`check`] validates it (collecting every error), [`expand`] generates the typed items.
//!
//! Use it through `model_runtime`, which re-exports it: see `model_runtime::model`.

mod check;
mod ctxt;
mod expand;
mod ir;
mod parse;

use proc_macro::TokenStream;

/// Compiles a function with `sample!`, `plate!`, `deterministic!` and `factor!` statements into
/// a typed model.
///
/// For `fn m(args)` it generates a function `m(args) -> m::Model` that binds the data, and a
/// module `m` with one marker type per site (`m::sites::*`), the typed structs `Latent`,
/// `Observed`, `Draw` and `Posterior`, and the reparameterization config `Reparams`. The body is
/// made generic over the scalar type, so the same code runs on `f64` and on autodiff variables.
///
/// Options: `#[model(reparam(site = Reparameterizer, ..))]` sets reparameterizations of latent
/// sites (the same as `m(..).reparam(|r| r.site(Reparameterizer))`).
///
/// See the `model_runtime` crate documentation for examples.
#[proc_macro_attribute]
pub fn model(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = match syn::parse::<syn::ItemFn>(item) {
        Ok(item) => item,
        Err(e) => {
            return syn::Error::new(e.span(), "`#[model]` applies to a function")
                .to_compile_error()
                .into();
        }
    };
    let cx = ctxt::Ctxt::new();
    let ir = parse::parse(&cx, attr.into(), item);
    let checked = check::check(&cx, &ir);
    let errors = cx.check();
    let items = expand::expand(&ir, &checked);
    quote::quote!(#errors #items).into()
}
