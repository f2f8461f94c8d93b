//! Stage 3: generate the model's items from the checked IR. Reports no errors.
//!
//! For `fn m(args)`: a function `m(args) -> m::Model` that binds the data; a module `m` with a
//! marker type per site (`m::site::*`), the typed structs `Latent`, `Observed`, `Draw`,
//! `Draws` (one column per site), the reparameterization config `Reparams`, and `Sites`, which
//! ties them together; and the impls, placed beside the function so that the distribution types
//! resolve in the user's scope. Generated code reaches the runtime only through
//! `::model_runtime::__private`.

mod body;
mod guide;
mod plate_check;
mod runtime;
mod sites;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::check::Checked;
use crate::ir::ModelIr;
use crate::parse::DATA_LIFETIME;
use body::expand_body;
use runtime::rt;
use sites::{SiteInfo, marker_impl, role_tokens, site_infos};

pub fn expand(ir: &ModelIr, checked: &Checked) -> TokenStream {
    let rt = rt();
    let name = &ir.name;
    let vis = &ir.vis;
    let lifetime = syn::Lifetime::new(DATA_LIFETIME, Span::call_site());

    let sites = site_infos(ir, checked);
    let latent: Vec<&SiteInfo> = sites
        .iter()
        .filter(|s| s.statement.is_sample() && !s.statement.is_observed())
        .collect();
    let observed: Vec<&SiteInfo> = sites.iter().filter(|s| s.statement.is_observed()).collect();
    let sample_sites: Vec<&SiteInfo> = sites.iter().filter(|s| s.statement.is_sample()).collect();

    let field_of = |s: &SiteInfo| {
        let ident = &s.ident;
        quote!(<site::#ident as #rt::Site>::Field)
    };
    let struct_fields = |list: &[&SiteInfo]| -> Vec<TokenStream> {
        list.iter()
            .map(|s| {
                let ident = &s.ident;
                let ty = field_of(s);
                let doc = &s.description;
                quote!(#[doc = #doc] pub #ident: #ty,)
            })
            .collect()
    };
    let all: Vec<&SiteInfo> = sites.iter().collect();
    let latent_fields = struct_fields(&latent);
    let observed_fields = struct_fields(&observed);
    let draw_fields = struct_fields(&all);
    let column_fields: Vec<TokenStream> = all
        .iter()
        .map(|s| {
            let ident = &s.ident;
            let ty = field_of(s);
            let doc = format!("{} One entry per draw.", s.description);
            quote!(#[doc = #doc] pub #ident: ::std::vec::Vec<#ty>,)
        })
        .collect();

    let log_lik_fields: Vec<TokenStream> = observed
        .iter()
        .map(|s| {
            let ident = &s.ident;
            let doc = format!(
                "Pointwise log-likelihood of site {}, one entry per draw.",
                s.description
            );
            quote!(#[doc = #doc] pub #ident: ::std::vec::Vec<<site::#ident as #rt::SampleSite>::LogLik>,)
        })
        .collect();
    let all_idents: Vec<&Ident> = all.iter().map(|s| &s.ident).collect();
    let all_names: Vec<&String> = all.iter().map(|s| &s.name).collect();
    let visits: Vec<TokenStream> = all
        .iter()
        .map(|s| {
            let ident = &s.ident;
            if s.statement.is_sample() {
                quote!(visitor.sample::<site::#ident>();)
            } else {
                quote!(visitor.deterministic::<site::#ident>();)
            }
        })
        .collect();
    let latent_idents: Vec<&Ident> = latent.iter().map(|s| &s.ident).collect();
    let latent_names: Vec<&String> = latent.iter().map(|s| &s.name).collect();
    let roles: Vec<TokenStream> = all.iter().map(|s| role_tokens(s.statement)).collect();

    let marker_docs: Vec<String> = all
        .iter()
        .map(|s| format!("Marker of site {}", s.description))
        .collect();

    // Typed reparameterization setters: one per sample site. Setters of observed sites exist so
    // that the compiler can say why they cannot be used (`LatentSite` is not implemented).
    let setters: Vec<TokenStream> = sample_sites
        .iter()
        .map(|s| {
            let ident = &s.ident;
            if s.statement.is_observed() {
                let doc = format!(
                    "`{}` is observed and cannot be reparameterized; this setter exists so that the compiler explains why.",
                    s.name
                );
                quote! {
                    #[doc = #doc]
                    #[doc(hidden)]
                    pub fn #ident<R: #rt::ReparamOn<site::#ident>>(self, reparameterizer: R) -> Self {
                        let _ = reparameterizer;
                        self
                    }
                }
            } else {
                let doc = format!("Reparameterizes the latent site `{}`.", s.name);
                quote! {
                    #[doc = #doc]
                    pub fn #ident<R: #rt::ReparamOn<site::#ident>>(mut self, reparameterizer: R) -> Self {
                        self.#ident = #rt::ReparamOn::into_slot(reparameterizer);
                        self
                    }
                }
            }
        })
        .collect();

    let arg_idents: Vec<&Ident> = ir.args.iter().map(|a| &a.ident).collect();
    let arg_types: Vec<&syn::Type> = ir.args.iter().map(|a| &a.ty).collect();
    let arg_bindings: Vec<TokenStream> = ir
        .args
        .iter()
        .map(|a| {
            let ident = &a.ident;
            if a.copy {
                quote!(let #ident = self.#ident;)
            } else {
                quote!(let #ident = &self.#ident;)
            }
        })
        .collect();

    // Entries the checker rejected are left out, so each mistake is reported once.
    let reparam_init = ir
        .reparams
        .iter()
        .zip(&checked.reparam_ok)
        .filter(|(_, ok)| **ok)
        .fold(quote!(#name::Reparams::default()), |acc, (r, _)| {
            let site = &r.site;
            let expr = &r.reparam;
            quote_spanned!(expr.span()=> #acc.#site(#expr))
        });

    let latent_list = latent.iter().rev().fold(quote!(()), |rest, s| {
        let ident = &s.ident;
        quote!((site::#ident, #rest))
    });

    let module_doc = format!(
        "The typed sites of model [`{name}`](fn@{name}): markers, draw structs and configuration."
    );

    let params_module = guide::params_module(ir, checked);
    let guide_items = guide::guide_items(ir, checked, &sites);

    let module = quote! {
        #[doc = #module_doc]
        #[allow(non_camel_case_types, non_snake_case, clippy::all)]
        #vis mod #name {
            // The data arguments' types are written in the user's scope.
            #[allow(unused_imports)]
            use super::*;

            /// Zero-sized markers, one per site, carrying its name, role and distribution type.
            #params_module

            pub mod site {
                #(
                    #[doc = #marker_docs]
                    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                    pub struct #all_idents;
                )*
            }

            /// The site types of this model, tying its typed structs together.
            #[derive(Clone, Copy, Debug, Default)]
            pub struct Sites;

            #[doc(hidden)]
            pub const __SITE_NAMES: &[&str] = &[ #( #all_names, )* ];

            /// Values of the latent sites.
            #[derive(Clone, Debug, Default, PartialEq)]
            pub struct Latent { #(#latent_fields)* }

            /// Values of the observed sites.
            #[derive(Clone, Debug, Default, PartialEq)]
            pub struct Observed { #(#observed_fields)* }

            /// One complete draw: latent, observed and deterministic sites.
            #[derive(Clone, Debug, Default, PartialEq)]
            pub struct Draw { #(#draw_fields)* }

            /// Many draws, stored by site: one `Vec` per site with one entry per draw.
            #[derive(Clone, Debug, Default, PartialEq)]
            pub struct Draws {
                #(#column_fields)*
                __draws: usize,
            }

            /// The pointwise log-likelihood of the observed sites over many draws
            /// (`Fit::log_likelihood`), for PSIS-LOO and WAIC: each observed site's column holds,
            /// per draw, one value per observed element, nested like the site.
            #[derive(Clone, Debug, Default, PartialEq)]
            pub struct LogLikelihood { #(#log_lik_fields)* }

            /// How inference explores each latent site; set with the typed setters.
            #[derive(Clone, Debug, Default)]
            pub struct Reparams {
                #( #[doc(hidden)] pub #latent_idents: #rt::ReparamSlot<site::#latent_idents>, )*
            }

            impl Reparams {
                #(#setters)*
            }

            /// The model bound to its data.
            pub struct Model<#lifetime> {
                #( #[doc = "Data argument."] pub #arg_idents: #arg_types, )*
                #[doc(hidden)]
                pub __reparam: Reparams,
                #[doc(hidden)]
                pub __data: ::core::marker::PhantomData<&#lifetime ()>,
            }

            impl<#lifetime> Model<#lifetime> {
                /// Sets how inference explores latent sites: `model.reparam(|r| r.site(Reparameterizer))`.
                pub fn reparam(mut self, configure: impl ::core::ops::FnOnce(Reparams) -> Reparams) -> Self {
                    self.__reparam = configure(self.__reparam);
                    self
                }
            }

            impl #rt::ModelSites for Sites {
                const NAME: &'static str = stringify!(#name);
                type Latent = Latent;
                type Observed = Observed;
                type Draw = Draw;
                type Draws = Draws;
                type LogLikelihood = LogLikelihood;
                type LatentSites = #latent_list;
                const DISCRETE_LATENT: bool = false #(
                    || !<<site::#latent_idents as #rt::SampleSite>::Kind as #rt::ValueKind>::CONTINUOUS
                )*;

                fn latent_of(draw: &Draw) -> Latent {
                    Latent { #( #latent_idents: ::core::clone::Clone::clone(&draw.#latent_idents), )* }
                }

                fn sites() -> &'static [(&'static str, #rt::Role)] {
                    &[ #( (#all_names, #roles), )* ]
                }

                fn visit<V: #rt::SiteVisitor<Self>>(visitor: &mut V) {
                    #(#visits)*
                }
            }

            impl #rt::Columns for Draws {
                type Sites = Sites;

                fn len(&self) -> usize {
                    self.__draws
                }

                fn set_len(&mut self, len: usize) {
                    self.__draws = len;
                }

                fn latent(&self, i: usize) -> ::core::result::Result<Latent, #rt::ModelError> {
                    ::core::result::Result::Ok(Latent {
                        #( #latent_idents: #rt::column_entry(&self.#latent_idents, i, #latent_names)?, )*
                    })
                }
            }
        }
    };

    let marker_impls: Vec<TokenStream> =
        sites.iter().map(|s| marker_impl(ir, s, checked)).collect();

    let body = expand_body(ir, checked);
    let attrs = &ir.attrs;

    quote! {
        #(#attrs)*
        #vis fn #name<#lifetime>(#(#arg_idents: #arg_types),*) -> #name::Model<#lifetime> {
            #name::Model {
                #(#arg_idents,)*
                __reparam: #reparam_init,
                __data: ::core::marker::PhantomData,
            }
        }

        #module

        #(#marker_impls)*

        #guide_items

        impl<#lifetime> #rt::Model for #name::Model<#lifetime> {
            type Sites = #name::Sites;
        }

        impl<#lifetime> #rt::Body<f64> for #name::Model<#lifetime> {
            #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
            fn body<__H>(&self, __handler: &mut __H) -> ::core::result::Result<(), #rt::ModelError>
            where
                __H: #rt::Handler<#name::Sites, f64>,
            {
                type __T = f64;
                /// A data value as this body's scalar (see `model_runtime::scalar`).
                #[allow(dead_code)]
                fn scalar(x: f64) -> __T {
                    <__T as #rt::Scalar>::from_f64(x)
                }
                #(#arg_bindings)*
                #body
                ::core::result::Result::Ok(())
            }
        }

        impl<#lifetime> #rt::Body<#rt::Var> for #name::Model<#lifetime> {
            #[allow(unused_variables, unused_mut, unused_braces, clippy::all)]
            fn body<__H>(&self, __handler: &mut __H) -> ::core::result::Result<(), #rt::ModelError>
            where
                __H: #rt::Handler<#name::Sites, #rt::Var>,
            {
                type __T = #rt::Var;
                /// A data value as this body's scalar (see `model_runtime::scalar`).
                #[allow(dead_code)]
                fn scalar(x: f64) -> __T {
                    <__T as #rt::Scalar>::from_f64(x)
                }
                #(#arg_bindings)*
                #body
                ::core::result::Result::Ok(())
            }
        }
    }
}
