//! The `#[model]` attribute macro, in three stages: `parse` reads the function into the model
//! IR, `check` validates it (collecting every error), `expand` generates the typed items.
//!
//! Use it through `model_runtime`, which re-exports it: see `model_runtime::model`.

mod check;
mod ctxt;
mod expand;
mod ir;
mod parse;

#[cfg(test)]
mod mutation_tests;

use proc_macro::TokenStream;

/// Compiles a function with `sample!`, `plate!`, `deterministic!` and `factor!` statements into
/// a typed model.
///
/// For `fn m(args)` it generates a function `m(args) -> m::Model` that binds the data, and a
/// module `m` with one marker type per site (`m::site::*`), the typed structs `Latent`,
/// `Observed`, `Draw` and `Draws`, and the reparameterization config `Reparams`. The body is
/// compiled once for `f64` and once for the autodiff variable, so the same code gives values and
/// gradients; data arithmetic (`x[i] * z[i]`) and mixed arithmetic (`1.0 / sigma`) both work.
///
/// Options: `#[model(reparam(site = Reparameterizer, ..))]` sets reparameterizations of latent
/// sites (the same as `m(..).reparam(|r| r.site(Reparameterizer))`).
///
/// Names, one per idea: `m::Model` is the model bound to its data and implements the runtime's
/// `Model` trait (as `serde_json::Serializer` implements `serde::Serializer`); `m::Sites` is the
/// model's site table as a type and implements `ModelSites`; `m::site::theta` is the marker of
/// site `theta`, which typed accessors take (`fit.loc(m::site::theta)`); `ModelTarget` is a
/// model seen by a sampler as a log density with its gradient.
///
/// See the `model_runtime` crate documentation for examples.
///
/// # What `#[model]` generates
///
/// For this model (the expansion snapshot the macro's tests compare against, in
/// `model-macros/snapshots/`, as the snapshots of `grouped_regression` and
/// `circular_regression` are):
///
/// ```ignore
/// #[model(reparam(theta = LocScaleReparam::default()))]
/// pub fn eight_schools(y: &[f64], sigma: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 5.0));
///     let tau = sample!("tau", HalfCauchy::new(5.0));
///     plate!("schools", y.len(), |j| {
///         let theta = sample!("theta", Normal::new(mu, tau));
///         sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
///     });
/// }
/// ```
///
/// the macro writes the following. The site markers carry each site's name, role, index,
/// distribution and value types (`impl Site`, `impl SampleSite`); `ModelSites::visit` lists
/// them in program order for the code that walks sites after sampling; the body is compiled
/// once per scalar (`impl Body<f64>`, `impl Body<Var>`).
///
/// ```ignore
#[doc = include_str!("../snapshots/eight_schools_noncentered.expanded.rs")]
/// ```
#[proc_macro_attribute]
pub fn model(attr: TokenStream, item: TokenStream) -> TokenStream {
    model_tokens(attr.into(), item.into()).into()
}

/// The macro on `proc_macro2` tokens, from the attribute's arguments and the annotated item to
/// the generated items (or `compile_error!`s), so that tests can run it outside a compiler.
fn model_tokens(
    attr: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    match syn::parse2::<syn::ItemFn>(item) {
        Ok(item) => expand_model(attr, item),
        Err(e) => syn::Error::new(e.span(), "`#[model]` applies to a function").to_compile_error(),
    }
}

/// The three stages on `proc_macro2` tokens, so that tests can run them outside a compiler.
fn expand_model(attr: proc_macro2::TokenStream, item: syn::ItemFn) -> proc_macro2::TokenStream {
    let cx = ctxt::Ctxt::new();
    let ir = parse::parse(&cx, attr, item);
    let checked = check::check(&cx, &ir);
    let errors = cx.check();
    let items = expand::expand(&ir, &checked);
    quote::quote!(#errors #items)
}

/// Expansion snapshots: the generated code of three representative models, compared with the
/// files in `snapshots/`. Bless changes with `SNAPSHOTS=overwrite` after reading the diff.
#[cfg(test)]
mod snapshot_tests {
    use quote::quote;

    fn check_snapshot(name: &str, attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) {
        let item: syn::ItemFn = syn::parse2(item).expect("test model parses");
        let tokens = super::expand_model(attr, item);
        let file: syn::File = syn::parse2(tokens).expect("expansion is valid Rust");
        let expanded = prettyplease::unparse(&file);
        let path = format!(
            "{}/snapshots/{name}.expanded.rs",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
            std::fs::write(&path, &expanded).expect("write snapshot");
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing snapshot {path}; run with SNAPSHOTS=overwrite"));
        assert!(
            expected == expanded,
            "expansion of {name} changed; review it and bless with SNAPSHOTS=overwrite\n{expanded}"
        );
    }

    #[test]
    fn circular_regression() {
        check_snapshot(
            "circular_regression",
            quote!(),
            quote! {
                /// Angles `y` around `b * x`, with concentration 1/sigma^2.
                fn circular_regression(x: &[f64], y: Option<&[f64]>) {
                    let b = sample!("b", Normal::new(0.0, 1.0));
                    let sigma = sample!("sigma", Exponential::new(1.0));
                    let kappa = 1.0 / (sigma * sigma);
                    plate!("data", x.len(), |i| {
                        sample!("obs", VonMises::new(b * x[i], kappa), obs = y.map(|y| y[i]));
                    });
                }
            },
        );
    }

    #[test]
    fn eight_schools_noncentered() {
        check_snapshot(
            "eight_schools_noncentered",
            quote!(reparam(theta = LocScaleReparam::default())),
            quote! {
                pub fn eight_schools(y: &[f64], sigma: &[f64]) {
                    let mu = sample!("mu", Normal::new(0.0, 5.0));
                    let tau = sample!("tau", HalfCauchy::new(5.0));
                    plate!("schools", y.len(), |j| {
                        let theta = sample!("theta", Normal::new(mu, tau));
                        sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
                    });
                }
            },
        );
    }

    #[test]
    fn grouped_regression_with_deterministic_and_factor() {
        check_snapshot(
            "grouped_regression",
            quote!(),
            quote! {
                fn grouped(x: Vec<f64>, groups: usize, flips: &[bool]) {
                    let slope = sample!("slope", Normal::new(0.0, 1.0));
                    plate!("groups", groups, |g| {
                        let offset = sample!("offset", Normal::new(0.0, 1.0));
                        plate!("members", x.len(), |i| {
                            let mu = deterministic!("mu", offset + slope * x[i]);
                            sample!("flip", Bernoulli::from_logits(mu), obs = flips[g * x.len() + i]);
                        });
                    });
                    factor!("shrink", -(slope * slope));
                }
            },
        );
    }
}
