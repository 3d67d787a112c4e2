//! One proc macro of each kind, the derive named apart from its function: captured for the rustdoc
//! engine's line tests.

use proc_macro::TokenStream;

#[proc_macro_derive(Describe, attributes(describe))]
pub fn derive_describe(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

#[proc_macro_attribute]
pub fn traced(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

#[proc_macro]
pub fn make_answer(_input: TokenStream) -> TokenStream {
    "fn answer() -> u32 { 42 }".parse().unwrap()
}
