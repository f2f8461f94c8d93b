//! The model body with every placeholder replaced by its statement's code: sample sites by
//! calls into the runtime's handler protocol, plates by loops over their index.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident};

use super::plate_check;
use super::runtime::rt;
use crate::check::Checked;
use crate::ir::{ModelIr, StatementKind};
use crate::parse::placeholder_id;

/// The body with every placeholder replaced by its statement's code.
pub(super) fn expand_body(ir: &ModelIr, checked: &Checked) -> TokenStream {
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

    /// A statement's code, announced to the handler first (`Handler::enter`, a no-op unless
    /// the handler locates panics) with its name and plate indices: what a panic in the
    /// statement's arguments or data indexing is then reported at.
    fn statement_code(&mut self, id: usize) -> TokenStream {
        let code = self.statement_only(id);
        let st = &self.ir.statements[id];
        if !self.checked.valid[id] || matches!(st.kind, StatementKind::Param { .. }) {
            return code;
        }
        let rt = rt();
        let model = &self.ir.name;
        let name = st.name.value();
        let plate_vars = plate_indices(&st.plates);
        quote! {
            {
                #rt::enter::<#model::Sites, __T, __H>(__handler, #name, &[#(#plate_vars),*]);
                #code
            }
        }
    }

    /// Inside plate `id`'s loop: the element is entered, so that a panic in plain code of the
    /// body before its first statement is reported at the plate's element.
    fn enter_element(&self, id: usize) -> TokenStream {
        let rt = rt();
        let st = &self.ir.statements[id];
        let model = &self.ir.name;
        let name = st.name.value();
        let plate_vars = plate_indices(&[&st.plates[..], &[id]].concat());
        quote! {
            #rt::enter::<#model::Sites, __T, __H>(__handler, #name, &[#(#plate_vars),*]);
        }
    }

    /// One element of plate `id`, whose body is `body`: an enumeration scope, run again for as
    /// long as the handler asks (once, unless it sums discrete latent sites out; see
    /// `Handler::enumeration_begin`), its last run's value pushed to the plate's values.
    fn element(&self, id: usize, body: &Expr) -> TokenStream {
        let rt = rt();
        let model = &self.ir.name;
        let name = self.ir.statements[id].name.value();
        let enter_element = self.enter_element(id);
        quote! {
            #rt::enumeration_begin::<#model::Sites, __T, __H>(__handler, #name);
            let __plate_value = loop {
                #enter_element
                let __plate_value = #body;
                if !#rt::enumeration_next::<#model::Sites, __T, __H>(__handler)? {
                    break __plate_value;
                }
            };
            __plate_values.push(__plate_value);
        }
    }

    /// Before plate `id` runs: every model argument its body indexes by the plate's element
    /// (`y[i]`) must have as many elements as the plate (see `plate_check`).
    fn plate_checks(&self, id: usize) -> TokenStream {
        let rt = rt();
        let st = &self.ir.statements[id];
        let name = st.name.value();
        let outer = plate_indices(&st.plates);
        let checks = plate_check::indexed_arguments(self.ir, id)
            .into_iter()
            .map(|arg| {
                let label = arg.to_string();
                quote! {
                    #rt::check_plate_data(
                        #name, &[#(#outer),*], __plate_size, #label,
                        (&&#rt::DataLen(&#arg)).data_len(),
                    )?;
                }
            })
            .collect::<Vec<_>>();
        if checks.is_empty() {
            return TokenStream::new();
        }
        quote! {
            {
                #[allow(unused_imports)]
                use #rt::{KnownDataLen as _, UnknownDataLen as _};
                #(#checks)*
            }
        }
    }

    fn statement_only(&mut self, id: usize) -> TokenStream {
        let rt = rt();
        let st = &self.ir.statements[id];
        if !self.checked.valid[id] {
            // Stand-ins that type-check where the statement stood, so one mistake is reported once.
            let value_like = match st.kind {
                StatementKind::Sample { .. }
                | StatementKind::Deterministic { .. }
                | StatementKind::Param { .. } => true,
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
        let plate_vars = plate_indices(&st.plates);
        let index = quote!(&[#(#plate_vars),*]);
        // Inside subsampled plates, log densities are scaled by size / batch for each of them.
        let scales: Vec<Ident> = st
            .plates
            .iter()
            .filter(|&&p| {
                matches!(
                    self.ir.statements[p].kind,
                    StatementKind::Plate {
                        subsample: Some(_),
                        ..
                    }
                )
            })
            .map(|p| format_ident!("__plate_scale_{}", p))
            .collect();
        let scale = (!scales.is_empty()).then(|| quote!(1.0 #(* #scales)*));
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
                // The distribution is built before the call that borrows the handler, so that
                // its arguments may hold statements of their own (`param!` in a guide).
                let dist = quote!(#rt::IntoDistribution::into_distribution(#built));
                match obs {
                    None => quote! {
                        {
                            let __dist = #dist;
                            #rt::sample_latent::<#model::site::#ident, _, __T, __H>(
                                __handler, #index, __dist, &self.__reparam.#ident,
                            )?
                        }
                    },
                    Some(obs) => {
                        let obs = self.expand_expr(obs);
                        if st.value_unused {
                            // Nothing reads the value: a scoring handler takes the data where
                            // they lie.
                            let scale = scale.clone().unwrap_or_else(|| quote!(1.0));
                            let data = quote_spanned!(obs.span()=>
                                #rt::observed_data::<#model::site::#ident, _>(&__obs)
                            );
                            // The distribution first, then the data, as in the other forms.
                            return quote! {
                                {
                                    let __dist = #dist;
                                    let __obs = #obs;
                                    #rt::observe_scaled::<#model::site::#ident, _, __T, __H>(
                                        __handler, #index, __dist, #data, #scale,
                                    )?
                                }
                            };
                        }
                        let observation = quote_spanned!(obs.span()=>
                            #rt::observation::<#model::site::#ident, _>(#obs)
                        );
                        match &scale {
                            None => quote! {
                                #rt::sample_observed::<#model::site::#ident, _, __T, __H>(
                                    __handler, #index, #dist, #observation,
                                )?
                            },
                            Some(scale) => quote! {
                                #rt::sample_observed_scaled::<#model::site::#ident, _, __T, __H>(
                                    __handler, #index, #dist, #observation, #scale,
                                )?
                            },
                        }
                    }
                }
            }
            StatementKind::Deterministic { value } => {
                let value = self.expand_expr(value);
                let value =
                    quote_spanned!(value.span()=> #rt::IntoParam::<__T>::into_param(#value));
                quote! {
                    #rt::deterministic::<#model::site::#ident, __T, __H>(__handler, #index, #value)?
                }
            }
            StatementKind::Factor { value } => {
                let value = self.expand_expr(value);
                let value =
                    quote_spanned!(value.span()=> #rt::IntoParam::<__T>::into_param(#value));
                match &scale {
                    None => quote! {
                        #rt::factor::<#model::Sites, __T, __H>(__handler, #name, #index, #value)?
                    },
                    Some(scale) => quote! {
                        #rt::factor_scaled::<#model::Sites, __T, __H>(
                            __handler, #name, #index, #value, #scale,
                        )?
                    },
                }
            }
            StatementKind::Param { init, constraint } => {
                let init = self.expand_expr(init);
                let constraint = match constraint {
                    Some(c) => {
                        let c = self.expand_expr(c);
                        quote!(#c)
                    }
                    None => quote!(#rt::Support::Real),
                };
                quote! {
                    #rt::param::<#model::params::#ident, _, __T, __H>(
                        __handler, #index, #init, #constraint,
                    )?
                }
            }
            StatementKind::Malformed { .. } => unreachable!("malformed statements are invalid"),
            StatementKind::Plate {
                size,
                subsample: Some(batch),
                pat,
                body,
            } => {
                let size = self.expand_expr(size);
                let batch = self.expand_expr(batch);
                let body = self.expand_expr(body);
                let var = format_ident!("__plate_index_{}", id);
                let scale = format_ident!("__plate_scale_{}", id);
                let element = self.element(id, &body);
                let checks = self.plate_checks(id);
                // The handler chooses the batch (SVI draws one per evaluation); without a
                // subsampling handler the plate runs over every element, unscaled.
                quote! {
                    {
                        let __plate_size: usize = #size;
                        #checks
                        let __plate_elements = #rt::subsample::<#model::Sites, __T, __H>(
                            __handler, #name, __plate_size, #batch,
                        );
                        let #scale: f64 = __plate_size as f64 / (__plate_elements.len().max(1) as f64);
                        let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_elements.len());
                        for #var in __plate_elements {
                            let #pat = #var;
                            #element
                        }
                        __plate_values
                    }
                }
            }
            StatementKind::Plate {
                size, pat, body, ..
            } => {
                let size = self.expand_expr(size);
                let body = self.expand_expr(body);
                let var = format_ident!("__plate_index_{}", id);
                let element = self.element(id, &body);
                let checks = self.plate_checks(id);
                // The plate evaluates to the vector of its body's values: `Vec<()>` for a block
                // of statements, which never allocates; `Vec<T>` when the body is a value.
                quote! {
                    {
                        let __plate_size: usize = #size;
                        #checks
                        let mut __plate_values = ::std::vec::Vec::with_capacity(__plate_size);
                        for #var in 0..__plate_size {
                            let #pat = #var;
                            #element
                        }
                        __plate_values
                    }
                }
            }
        }
    }
}

/// The index variables of the plates `plates` (ids, outermost first), as the generated loops
/// name them.
fn plate_indices(plates: &[usize]) -> Vec<Ident> {
    plates
        .iter()
        .map(|p| format_ident!("__plate_index_{}", p))
        .collect()
}
