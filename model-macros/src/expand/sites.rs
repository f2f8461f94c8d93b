//! The sites as the generated items see them ([`SiteInfo`]), and each site marker's trait
//! impls (`Site`, `SampleSite` or `DeterministicSite`, and the role's marker trait).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::runtime::rt;
use crate::check::Checked;
use crate::ir::{ModelIr, Statement, StatementKind};

/// A site as the generated items see it.
pub(super) struct SiteInfo<'a> {
    /// The statement's id in the IR.
    pub(super) id: usize,
    /// The site's position in program order among the model's sites.
    pub(super) index: usize,
    /// What the typed structs' docs say of the site: role, distribution and plates.
    pub(super) description: String,
    pub(super) ident: Ident,
    pub(super) name: String,
    pub(super) statement: &'a Statement,
    /// The value type of one element (`f64` for deterministic sites).
    pub(super) element: TokenStream,
    /// The element nested in one `Vec` per plate.
    pub(super) field: TokenStream,
    /// The pointwise log-likelihood of one element (sample sites), nested like the field.
    pub(super) log_lik: TokenStream,
}

/// The valid sites of the model, in program order.
pub(super) fn site_infos<'a>(ir: &'a ModelIr, checked: &Checked) -> Vec<SiteInfo<'a>> {
    let rt = rt();
    ir.statements
        .iter()
        .enumerate()
        .filter(|(id, st)| checked.valid[*id] && st.is_site())
        .enumerate()
        .map(|(index, (id, st))| {
            let (element, pointwise) = match &checked.dist_calls[id] {
                Some(call) => {
                    let ty = &call.ty;
                    (
                        quote!(<<#ty as #rt::Distribution>::Kind as #rt::ValueKind>::Plain),
                        quote!(<<#ty as #rt::Distribution>::Kind as #rt::ValueKind>::Pointwise),
                    )
                }
                None => (quote!(f64), quote!(f64)),
            };
            let mut field = element.clone();
            let mut log_lik = pointwise;
            for _ in 0..st.depth() {
                field = quote!(::std::vec::Vec<#field>);
                log_lik = quote!(::std::vec::Vec<#log_lik>);
            }
            let name = st.name.value();
            let description = describe(ir, checked, id, st);
            SiteInfo {
                id,
                index,
                description,
                ident: Ident::new(&name, st.name.span()),
                name,
                statement: st,
                element,
                field,
                log_lik,
            }
        })
        .collect()
}

/// The sentence the typed structs' docs give a site: its role, its distribution (or `f64` for a
/// deterministic site) and its plates, since the field's type is written as a projection
/// (`<site::mu as Site>::Field`) that neither rustdoc nor an IDE resolves.
fn describe(ir: &ModelIr, checked: &Checked, id: usize, st: &Statement) -> String {
    let role = match (st.is_sample(), st.is_observed()) {
        (true, false) => "latent",
        (true, true) => "observed",
        _ => "deterministic",
    };
    let value = match &checked.dist_calls[id] {
        Some(call) => {
            let ty = &call.ty;
            format!("drawn from `{}`", quote!(#ty).to_string().replace(' ', ""))
        }
        None => "an `f64`".to_string(),
    };
    let plates: Vec<String> = st
        .plates
        .iter()
        .map(|&p| format!("`{}`", ir.statements[p].name.value()))
        .collect();
    let nesting = match plates.len() {
        0 => String::new(),
        1 => format!(", one `Vec` entry per element of plate {}", plates[0]),
        _ => format!(
            ", nested `Vec`s over plates {} (outermost first)",
            plates.join(", ")
        ),
    };
    format!("`{}`: {role} site, {value}{nesting}.", st.name.value())
}

/// The runtime `Role` of a site statement.
pub(super) fn role_tokens(st: &Statement) -> TokenStream {
    let rt = rt();
    match (st.is_sample(), st.is_observed()) {
        (true, false) => quote!(#rt::Role::Latent),
        (true, true) => quote!(#rt::Role::Observed),
        _ => quote!(#rt::Role::Deterministic),
    }
}

/// The trait impls of one site marker.
pub(super) fn marker_impl(ir: &ModelIr, s: &SiteInfo, checked: &Checked) -> TokenStream {
    let model = &ir.name;
    let rt = rt();
    let ident = &s.ident;
    let name = &s.name;
    let depth = s.statement.depth();
    let field = &s.field;
    let element = &s.element;
    let id = s.id;
    let index = s.index;
    let role = role_tokens(s.statement);
    let plates: Vec<String> = s
        .statement
        .plates
        .iter()
        .map(|&p| ir.statements[p].name.value())
        .collect();
    let site = quote! {
        impl #rt::Site for #model::site::#ident {
            type Model = #model::Sites;
            const NAME: &'static str = #name;
            const ROLE: #rt::Role = #role;
            const DEPTH: usize = #depth;
            const PLATES: &'static [&'static str] = &[#(#plates),*];
            const INDEX: usize = #index;
            type Element = #element;
            type Field = #field;

            #[inline]
            fn field(draw: &#model::Draw) -> &#field {
                &draw.#ident
            }
            #[inline]
            fn field_mut(draw: &mut #model::Draw) -> &mut #field {
                &mut draw.#ident
            }
            #[inline]
            fn column(columns: &#model::Draws) -> &::std::vec::Vec<#field> {
                &columns.#ident
            }
            #[inline]
            fn column_mut(columns: &mut #model::Draws) -> &mut ::std::vec::Vec<#field> {
                &mut columns.#ident
            }
        }
    };
    let Some(call) = &checked.dist_calls[id] else {
        return quote! {
            #site
            impl #rt::DeterministicSite for #model::site::#ident {}
        };
    };
    let ty = &call.ty;
    let dist_ty = quote_spanned!(ty.span()=> #ty);
    let log_lik = &s.log_lik;
    let (log_lik_column, log_lik_column_mut) = if s.statement.is_observed() {
        (
            quote!(::core::option::Option::Some(&log_lik.#ident)),
            quote!(::core::option::Option::Some(&mut log_lik.#ident)),
        )
    } else {
        (
            quote!(::core::option::Option::None),
            quote!(::core::option::Option::None),
        )
    };
    let (lookup, role_impl) = if s.statement.is_observed() {
        let samplable = match &s.statement.kind {
            StatementKind::Sample { dist, .. } => {
                quote_spanned!(dist.span()=> const _: fn() = #rt::assert_samplable::<#ty>;)
            }
            _ => quote!(),
        };
        (
            quote!(::core::option::Option::None),
            quote! {
                impl #rt::ObservedSite for #model::site::#ident {}
                #samplable
            },
        )
    } else {
        (
            quote!(#rt::Nested::element(&latent.#ident, index).cloned()),
            quote!(impl #rt::LatentSite for #model::site::#ident {}),
        )
    };
    quote! {
        #site
        impl #rt::SampleSite for #model::site::#ident {
            type Dist = #dist_ty;
            type Kind = <#dist_ty as #rt::Distribution>::Kind;
            type LogLik = #log_lik;

            #[allow(unused_variables)]
            fn log_likelihood(log_lik: &#model::LogLikelihood) -> ::core::option::Option<&::std::vec::Vec<#log_lik>> {
                #log_lik_column
            }

            #[allow(unused_variables)]
            fn log_likelihood_mut(log_lik: &mut #model::LogLikelihood) -> ::core::option::Option<&mut ::std::vec::Vec<#log_lik>> {
                #log_lik_column_mut
            }

            #[allow(unused_variables)]
            fn lookup(latent: &#model::Latent, index: &[usize]) -> ::core::option::Option<#element> {
                #lookup
            }
        }
        #role_impl
    }
}
