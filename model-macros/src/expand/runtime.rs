//! The path through which generated code reaches the runtime crate.

use proc_macro2::TokenStream;
use quote::quote;

/// `::model_runtime::__private`: generated code names runtime items only through it.
pub(super) fn rt() -> TokenStream {
    quote!(::model_runtime::__private)
}
