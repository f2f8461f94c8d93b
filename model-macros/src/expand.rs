//! Stage 3: generate the model's items from the checked IR. Reports no errors.
//!
//! For `fn m(args)`: a function `m(args) -> m::Model` that binds the data; a module `m` with a
//! marker type per site (`m::sites::*`), the typed structs `Latent`, `Observed`, `Draw`,
//! `Draws` (one column per site), the reparameterization config `Reparams`, and `Sites`, which
//! ties them together; and the impls, placed beside the function so that the distribution types
//! resolve in the user's scope. Generated code reaches the runtime only through
//! `::model_runtime::__private`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident};

use crate::check::Checked;
use crate::ir::{ModelIr, Statement, StatementKind};
use crate::parse::{DATA_LIFETIME, placeholder_id};

fn rt() -> TokenStream {
    quote!(::model_runtime::__private)
}

/// A site as the generated items see it.
struct SiteInfo<'a> {
    /// The statement's id in the IR.
    id: usize,
    /// The site's position in program order among the model's sites.
    index: usize,
    /// What the typed structs' docs say of the site: role, distribution and plates.
    description: String,
    ident: Ident,
    name: String,
    statement: &'a Statement,
    /// The value type of one element (`f64` for deterministic sites).
    element: TokenStream,
    /// The element nested in one `Vec` per plate.
    field: TokenStream,
    /// The pointwise log-likelihood of one element (sample sites), nested like the field.
    log_lik: TokenStream,
}

pub fn expand(ir: &ModelIr, checked: &Checked) -> TokenStream {
    let rt = rt();
    let name = &ir.name;
    let vis = &ir.vis;
    let lifetime = syn::Lifetime::new(DATA_LIFETIME, Span::call_site());

    let sites: Vec<SiteInfo> = ir
        .statements
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
        .collect();
    let latent: Vec<&SiteInfo> = sites
        .iter()
        .filter(|s| s.statement.is_sample() && !s.statement.is_observed())
        .collect();
    let observed: Vec<&SiteInfo> = sites.iter().filter(|s| s.statement.is_observed()).collect();
    let sample_sites: Vec<&SiteInfo> = sites.iter().filter(|s| s.statement.is_sample()).collect();

    let field_of = |s: &SiteInfo| {
        let ident = &s.ident;
        quote!(<sites::#ident as #rt::Site>::Field)
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
            quote!(#[doc = #doc] pub #ident: ::std::vec::Vec<<sites::#ident as #rt::SampleSite>::LogLik>,)
        })
        .collect();
    let all_idents: Vec<&Ident> = all.iter().map(|s| &s.ident).collect();
    let all_names: Vec<&String> = all.iter().map(|s| &s.name).collect();
    let visits: Vec<TokenStream> = all
        .iter()
        .map(|s| {
            let ident = &s.ident;
            if s.statement.is_sample() {
                quote!(visitor.sample::<sites::#ident>();)
            } else {
                quote!(visitor.deterministic::<sites::#ident>();)
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
                    pub fn #ident<R: #rt::ReparamOn<sites::#ident>>(self, reparameterizer: R) -> Self {
                        let _ = #rt::ReparamOn::spec_on(&reparameterizer);
                        self
                    }
                }
            } else {
                let doc = format!("Reparameterizes the latent site `{}`.", s.name);
                quote! {
                    #[doc = #doc]
                    pub fn #ident<R: #rt::ReparamOn<sites::#ident>>(mut self, reparameterizer: R) -> Self {
                        self.#ident = #rt::ReparamOn::spec_on(&reparameterizer);
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
        quote!((sites::#ident, #rest))
    });

    let module_doc = format!(
        "The typed sites of model [`{name}`](fn@{name}): markers, draw structs and configuration."
    );

    let module = quote! {
        #[doc = #module_doc]
        #[allow(non_camel_case_types, non_snake_case, clippy::all)]
        #vis mod #name {
            // The data arguments' types are written in the user's scope.
            #[allow(unused_imports)]
            use super::*;

            /// Zero-sized markers, one per site, carrying its name, role and distribution type.
            pub mod sites {
                #(
                    #[doc = #marker_docs]
                    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                    pub struct #all_idents;
                )*
            }

            /// The site types of this model, tying its typed structs together.
            #[derive(Clone, Copy, Debug, Default)]
            pub struct Sites;

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
            #[derive(Clone, Copy, Debug, Default, PartialEq)]
            pub struct Reparams {
                #( #[doc(hidden)] pub #latent_idents: #rt::ReparamSpec, )*
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

/// The sentence the typed structs' docs give a site: its role, its distribution (or `f64` for a
/// deterministic site) and its plates, since the field's type is written as a projection
/// (`<sites::mu as Site>::Field`) that neither rustdoc nor an IDE resolves.
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
fn role_tokens(st: &Statement) -> TokenStream {
    let rt = rt();
    match (st.is_sample(), st.is_observed()) {
        (true, false) => quote!(#rt::Role::Latent),
        (true, true) => quote!(#rt::Role::Observed),
        _ => quote!(#rt::Role::Deterministic),
    }
}

/// The trait impls of one site marker.
fn marker_impl(ir: &ModelIr, s: &SiteInfo, checked: &Checked) -> TokenStream {
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
        impl #rt::Site for #model::sites::#ident {
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
            impl #rt::DeterministicSite for #model::sites::#ident {}
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
                impl #rt::ObservedSite for #model::sites::#ident {}
                #samplable
            },
        )
    } else {
        (
            quote!(#rt::Nested::element(&latent.#ident, index).cloned()),
            quote!(impl #rt::LatentSite for #model::sites::#ident {}),
        )
    };
    quote! {
        #site
        impl #rt::SampleSite for #model::sites::#ident {
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

/// The body with every placeholder replaced by its statement's code.
fn expand_body(ir: &ModelIr, checked: &Checked) -> TokenStream {
    let mut body = ir.body.clone();
    Replacer { ir, checked }.visit_block_mut(&mut body);
    let stmts = &body.stmts;
    quote!(#(#stmts)*)
}

struct Replacer<'a> {
    ir: &'a ModelIr,
    checked: &'a Checked,
}

impl VisitMut for Replacer<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(id) = placeholder_id(expr) {
            let code = self.statement_code(id);
            *expr = syn::parse_quote!(#code);
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

impl Replacer<'_> {
    fn expand_expr(&mut self, expr: &Expr) -> Expr {
        let mut expr = expr.clone();
        self.visit_expr_mut(&mut expr);
        expr
    }

    fn statement_code(&mut self, id: usize) -> TokenStream {
        let rt = rt();
        let st = &self.ir.statements[id];
        if !self.checked.valid[id] {
            // Stand-ins that type-check where the statement stood, so one mistake is reported once.
            let value_like = match st.kind {
                StatementKind::Sample { .. } | StatementKind::Deterministic { .. } => true,
                StatementKind::Malformed { value_like } => value_like,
                StatementKind::Plate { .. } | StatementKind::Factor { .. } => false,
            };
            return match st.kind {
                _ if value_like => quote_spanned!(st.macro_span=> #rt::invalid_statement::<__T>()),
                StatementKind::Plate { .. } => quote!(::std::vec::Vec::<()>::new()),
                _ => quote!(()),
            };
        }
        let model = &self.ir.name;
        let plate_vars: Vec<Ident> = st
            .plates
            .iter()
            .map(|p| format_ident!("__plate_index_{}", p))
            .collect();
        let index = quote!(&[#(#plate_vars),*]);
        let name = st.name.value();
        let ident = Ident::new(&name, st.name.span());
        match &st.kind {
            StatementKind::Sample { obs, .. } => {
                let call = self.checked.dist_calls[id]
                    .as_ref()
                    .expect("valid sample has a call");
                let func = &call.func;
                let args: Vec<Expr> = call.args.iter().map(|a| self.expand_expr(a)).collect();
                let args = args.iter().map(|a| match a {
                    // An unsuffixed integer literal is a count or a dimension: left as written, it
                    // takes the type the constructor asks for (`u64`, `usize`), where the
                    // conversion would fix it as `i32`.
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(int),
                        ..
                    }) if int.suffix().is_empty() => quote!(#a),
                    _ => quote_spanned!(a.span()=> #rt::IntoParam::<__T>::into_param(#a)),
                });
                let mut built = quote!(#func(#(#args),*));
                for m in &call.methods {
                    let method = &m.method;
                    let turbofish = &m.turbofish;
                    let margs = m.args.iter().map(|a| self.expand_expr(a));
                    built = quote!(#built.#method #turbofish (#(#margs),*));
                }
                let dist = quote!(#rt::IntoDistribution::into_distribution(#built));
                match obs {
                    None => quote! {
                        #rt::sample_latent::<#model::sites::#ident, _, __T, __H>(
                            __handler, #index, #dist, self.__reparam.#ident,
                        )?
                    },
                    Some(obs) => {
                        let obs = self.expand_expr(obs);
                        let observation = quote_spanned!(obs.span()=>
                            #rt::observation::<#model::sites::#ident, _>(#obs)
                        );
                        quote! {
                            #rt::sample_observed::<#model::sites::#ident, _, __T, __H>(
                                __handler, #index, #dist, #observation,
                            )?
                        }
                    }
                }
            }
            StatementKind::Deterministic { value } => {
                let value = self.expand_expr(value);
                let value =
                    quote_spanned!(value.span()=> #rt::IntoParam::<__T>::into_param(#value));
                quote! {
                    #rt::deterministic::<#model::sites::#ident, __T, __H>(__handler, #index, #value)?
                }
            }
            StatementKind::Factor { value } => {
                let value = self.expand_expr(value);
                let value =
                    quote_spanned!(value.span()=> #rt::IntoParam::<__T>::into_param(#value));
                quote! {
                    #rt::factor::<#model::Sites, __T, __H>(__handler, #name, #index, #value)?
                }
            }
            StatementKind::Malformed { .. } => unreachable!("malformed statements are invalid"),
            StatementKind::Plate { size, pat, body } => {
                let size = self.expand_expr(size);
                let body = self.expand_expr(body);
                let var = format_ident!("__plate_index_{}", id);
                // The plate evaluates to the vector of its body's values: `Vec<()>` for a block
                // of statements, which never allocates; `Vec<T>` when the body is a value.
                quote! {
                    {
                        let __plate_size: usize = #size;
                        let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                        for #var in 0..__plate_size {
                            let #pat = #var;
                            __plate_values.push(#body);
                        }
                        __plate_values
                    }
                }
            }
        }
    }
}
