// Rule fixtures: contract attributes by item kind (format: removals.rs). `#[doc(hidden)]` is a
// semver policy, not a compile error, so those rules have no witness (see rules_doc::UNWITNESSED).

//= function_must_use_added
//- old
pub fn f() -> u8 { 1 }
//- new
#[must_use]
pub fn f() -> u8 { 1 }

//= function_must_use_removed
//- old
#[must_use]
pub fn f() -> u8 { 1 }
//- new
pub fn f() -> u8 { 1 }

//= inherent_method_must_use_added
//- old
pub struct S;
impl S { pub fn f(&self) -> u8 { 1 } }
//- new
pub struct S;
impl S { #[must_use] pub fn f(&self) -> u8 { 1 } }

//= inherent_method_must_use_removed
//- old
pub struct S;
impl S { #[must_use] pub fn f(&self) -> u8 { 1 } }
//- new
pub struct S;
impl S { pub fn f(&self) -> u8 { 1 } }

//= struct_must_use_added
//- old
pub struct S;
//- new
#[must_use]
pub struct S;

//= struct_must_use_removed
//- old
#[must_use]
pub struct S;
//- new
pub struct S;

//= enum_must_use_added
//- old
pub enum E { A }
//- new
#[must_use]
pub enum E { A }

//= enum_must_use_removed
//- old
#[must_use]
pub enum E { A }
//- new
pub enum E { A }

//= union_must_use_added
//- old
pub union U { pub a: u8 }
//- new
#[must_use]
pub union U { pub a: u8 }

//= union_must_use_removed
//- old
#[must_use]
pub union U { pub a: u8 }
//- new
pub union U { pub a: u8 }

//= trait_must_use_added
//- old
pub trait T {}
//- new
#[must_use]
pub trait T {}

//= trait_must_use_removed
//- old
#[must_use]
pub trait T {}
//- new
pub trait T {}

//= item_must_use_added
//- old
pub trait T { fn m(&self) -> u8; }
//- new
pub trait T { #[must_use] fn m(&self) -> u8; }

//= item_must_use_removed
//- old
pub trait T { #[must_use] fn m(&self) -> u8; }
//- new
pub trait T { fn m(&self) -> u8; }

//= function_marked_deprecated
//- old
pub fn f() {}
//- new
#[deprecated]
pub fn f() {}

//= type_marked_deprecated
//- old
pub struct S;
//- new
#[deprecated]
pub struct S;

//= trait_marked_deprecated
//- old
pub trait T {}
//- new
#[deprecated]
pub trait T {}

//= enum_variant_marked_deprecated
//- old
pub enum E { A }
//- new
pub enum E { #[deprecated] A }

//= item_marked_deprecated
//- old
pub const N: u8 = 1;
//- new
#[deprecated]
pub const N: u8 = 1;

//= function_now_doc_hidden
//- old
pub fn f() {}
//- new
#[doc(hidden)]
pub fn f() {}

//= inherent_method_now_doc_hidden
//- old
pub struct S;
impl S { pub fn f(&self) {} }
//- new
pub struct S;
impl S { #[doc(hidden)] pub fn f(&self) {} }

//= struct_now_doc_hidden
//- old
pub struct S;
//- new
#[doc(hidden)]
pub struct S;

//= enum_now_doc_hidden
//- old
pub enum E { A }
//- new
#[doc(hidden)]
pub enum E { A }

//= union_now_doc_hidden
//- old
pub union U { pub a: u8 }
//- new
#[doc(hidden)]
pub union U { pub a: u8 }

//= trait_now_doc_hidden
//- old
pub trait T {}
//- new
#[doc(hidden)]
pub trait T {}

//= enum_variant_now_doc_hidden
//- old
pub enum E { A, B }
//- new
pub enum E { A, #[doc(hidden)] B }

//= struct_pub_field_now_doc_hidden
//- old
pub struct S { pub a: u8 }
//- new
pub struct S { #[doc(hidden)] pub a: u8 }

//= union_pub_field_now_doc_hidden
//- old
pub union U { pub a: u8 }
//- new
pub union U { #[doc(hidden)] pub a: u8 }

//= pub_module_level_const_now_doc_hidden
//- old
pub const N: u8 = 1;
//- new
#[doc(hidden)]
pub const N: u8 = 1;

//= pub_static_now_doc_hidden
//- old
pub static S: u8 = 1;
//- new
#[doc(hidden)]
pub static S: u8 = 1;

//= trait_method_now_doc_hidden
//- old
pub trait T { fn m(&self); }
//- new
pub trait T { #[doc(hidden)] fn m(&self); }

//= trait_associated_type_now_doc_hidden
//- old
pub trait T { type Out; }
//- new
pub trait T { #[doc(hidden)] type Out; }

//= trait_associated_const_now_doc_hidden
//- old
pub trait T { const N: u8; }
//- new
pub trait T { #[doc(hidden)] const N: u8; }

//= inherent_associated_const_now_doc_hidden
//- old
pub struct S;
impl S { pub const N: u8 = 1; }
//- new
pub struct S;
impl S { #[doc(hidden)] pub const N: u8 = 1; }

//= item_now_doc_hidden
//- old
pub mod m {}
//- new
#[doc(hidden)]
pub mod m {}
