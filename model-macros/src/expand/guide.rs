//! The items of a variational guide (`#[model(guide_for = model)]`): a marker per `param!`
//! statement, and the conversion of the guide's latent values into the model's, which is where
//! the compiler checks that the guide draws exactly the model's latent sites, with their types.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::runtime::rt;
use super::sites::SiteInfo;
use crate::check::Checked;
use crate::ir::{ModelIr, StatementKind};

/// The `param!` statements of a guide, with their position among them.
pub(super) fn params(ir: &ModelIr, checked: &Checked) -> Vec<(usize, Ident)> {
    ir.statements
        .iter()
        .enumerate()
        .filter(|(id, st)| checked.valid[*id] && matches!(st.kind, StatementKind::Param { .. }))
        .map(|(_, st)| Ident::new(&st.name.value(), st.name.span()))
        .enumerate()
        .collect()
}

/// The `params` module inside the guide's module: one marker per parameter.
pub(super) fn params_module(ir: &ModelIr, checked: &Checked) -> TokenStream {
    if ir.guide_for.is_none() {
        return quote!();
    }
    let idents: Vec<Ident> = params(ir, checked).into_iter().map(|(_, i)| i).collect();
    let docs: Vec<String> = idents
        .iter()
        .map(|i| {
            format!(
                "Marker of the guide parameter `{i}`: read its fitted value with `GuideFit::param`."
            )
        })
        .collect();
    quote! {
        /// Zero-sized markers, one per `param!` statement.
        pub mod params {
            #(
                #[doc = #docs]
                #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                pub struct #idents;
            )*
        }
    }
}

/// The `Param` impls, the `GuideFor` impl and the reparameterized-sampler checks.
pub(super) fn guide_items(ir: &ModelIr, checked: &Checked, sites: &[SiteInfo]) -> TokenStream {
    let Some(model) = &ir.guide_for else {
        return quote!();
    };
    let rt = rt();
    let name = &ir.name;
    let param_impls = params(ir, checked).into_iter().map(|(index, ident)| {
        let param_name = ident.to_string();
        quote! {
            impl #rt::Param for #name::params::#ident {
                type Guide = #name::Sites;
                const NAME: &'static str = #param_name;
                const INDEX: usize = #index;
            }
        }
    });
    let drawn: Vec<&SiteInfo> = sites.iter().filter(|s| s.statement.is_sample()).collect();
    let idents: Vec<&Ident> = drawn.iter().map(|s| &s.ident).collect();
    let reparameterized = drawn.iter().filter_map(|s| {
        let call = checked.dist_calls[s.id].as_ref()?;
        let ty = &call.ty;
        Some(quote_spanned!(ty.span()=> const _: fn() = #rt::assert_reparameterized::<#ty>;))
    });
    // A struct literal of the model's `Latent`: a model latent site the guide does not draw is
    // a missing field, a site the model does not have (or observes) an unknown field, and a
    // value of another shape a type mismatch, each reported by the compiler at the guide's
    // site or at `guide_for`.
    let latent_path = quote_spanned!(model.span()=> #model::Latent);
    let fields = idents
        .iter()
        .map(|ident| quote_spanned!(ident.span()=> #ident: guide.#ident.clone()));
    // The model sites' indices, found by name at compile time (a name the model lacks is
    // already the struct literal's error, and gives no index here).
    let names: Vec<String> = idents.iter().map(|i| i.to_string()).collect();
    quote! {
        #(#param_impls)*
        #(#reparameterized)*
        impl #rt::GuideFor<#model::Sites> for #name::Sites {
            const SITES: &'static [usize] = &[
                #( #rt::site_index(#model::__SITE_NAMES, #names), )*
            ];

            #[allow(clippy::all)]
            fn model_latent(guide: &#name::Latent) -> #model::Latent {
                #latent_path { #(#fields,)* }
            }
        }
    }
}
