// Rule fixtures: changed definitions of functions, methods, types and traits (format: removals.rs).

//= function_changed_signature
//- old
pub fn f(x: u8) -> u8 { x }
//- new
pub fn f(x: u8) -> u16 { x.into() }
//- witness
pub fn w() -> u8 { lib::f(1) }

//= function_parameter_count_changed
//- old
pub fn f(x: u8) -> u8 { x }
//- new
pub fn f(x: u8, y: u8) -> u8 { x + y }
//- witness
pub fn w() -> u8 { lib::f(1) }

//= function_unsafe_added
//- old
pub fn f() {}
//- new
/// # Safety
/// None needed.
pub unsafe fn f() {}
//- witness
pub fn w() { lib::f() }

//= function_const_removed
//- old
pub const fn f() -> u8 { 1 }
//- new
pub fn f() -> u8 { 1 }
//- witness
pub const N: u8 = lib::f();

//= method_changed_signature
//- old
pub struct S;
impl S { pub fn f(&self) -> u8 { 1 } }
//- new
pub struct S;
impl S { pub fn f(&mut self) -> u8 { 1 } }
//- witness
pub fn w(s: &lib::S) -> u8 { s.f() }

//= method_parameter_count_changed
//- old
pub struct S;
impl S { pub fn f(&self) {} }
//- new
pub struct S;
impl S { pub fn f(&self, _x: u8) {} }
//- witness
pub fn w(s: &lib::S) { s.f() }

//= inherent_method_unsafe_added
//- old
pub struct S;
impl S { pub fn f(&self) {} }
//- new
pub struct S;
impl S {
    /// # Safety
    /// None needed.
    pub unsafe fn f(&self) {}
}
//- witness
pub fn w(s: &lib::S) { s.f() }

//= inherent_method_const_removed
//- old
pub struct S;
impl S { pub const fn f() -> u8 { 1 } }
//- new
pub struct S;
impl S { pub fn f() -> u8 { 1 } }
//- witness
pub const N: u8 = lib::S::f();

//= pub_module_level_const_type_changed
//- old
pub const N: u8 = 1;
//- new
pub const N: u16 = 1;
//- witness
pub fn w() -> u8 { lib::N }

//= pub_static_type_changed
//- old
pub static S: u8 = 1;
//- new
pub static S: u16 = 1;
//- witness
pub fn w() -> u8 { lib::S }

//= type_alias_changed
//- old
pub type A = u8;
//- new
pub type A = u16;
//- witness
pub fn w(a: lib::A) -> u8 { a }

//= struct_field_type_changed
//- old
pub struct S { pub a: u8 }
//- new
pub struct S { pub a: u16 }
//- witness
pub fn w(s: &lib::S) -> u8 { s.a }

//= struct_kind_changed
//- old
pub struct S(pub u8);
//- new
pub struct S;
//- witness
pub fn w() -> lib::S { lib::S(1) }

//= unit_struct_changed_kind
//- old
pub struct S;
//- new
pub struct S(pub u8);
//- witness
pub fn w() -> lib::S { lib::S }

//= tuple_struct_to_plain_struct
//- old
pub struct S(pub u8);
//- new
pub struct S { pub a: u8 }
//- witness
pub fn w() -> lib::S { lib::S(1) }

//= constructible_struct_adds_field
//- old
pub struct S { pub a: u8 }
//- new
pub struct S { pub a: u8, pub b: u8 }
//- witness
pub fn w() -> lib::S { lib::S { a: 1 } }

//= constructible_struct_adds_private_field
//- old
pub struct S { pub a: u8 }
//- new
pub struct S { pub a: u8, b: u8 }
impl S { pub fn b(&self) -> u8 { self.b } }
//- witness
pub fn w() -> lib::S { lib::S { a: 1 } }

//= struct_marked_non_exhaustive
//- old
pub struct S { pub a: u8 }
//- new
#[non_exhaustive]
pub struct S { pub a: u8 }
//- witness
pub fn w() -> lib::S { lib::S { a: 1 } }

//= enum_marked_non_exhaustive
//- old
pub enum E { A }
//- new
#[non_exhaustive]
pub enum E { A }
//- witness
pub fn w(e: lib::E) -> u8 { match e { lib::E::A => 1 } }

//= variant_marked_non_exhaustive
//- old
pub enum E { A { x: u8 } }
//- new
pub enum E { #[non_exhaustive] A { x: u8 } }
//- witness
pub fn w() -> lib::E { lib::E::A { x: 1 } }

//= enum_variant_added
//- old
pub enum E { A }
//- new
pub enum E { A, B }
//- witness
pub fn w(e: lib::E) -> u8 { match e { lib::E::A => 1 } }

//= type_generics_changed
//- old
pub struct S<T>(pub T);
//- new
pub struct S<T, U>(pub T, pub U);
//- witness
pub fn w(s: lib::S<u8>) -> u8 { s.0 }

//= type_shape_changed
//- old
#[non_exhaustive]
pub struct S { pub a: u8 }
//- new
#[non_exhaustive]
pub struct S { pub a: u8, b: u8 }
impl S { pub fn b(&self) -> u8 { self.b } }

//= copy_impl_added
//- old
#[derive(Clone)]
pub struct S;
//- new
#[derive(Clone, Copy)]
pub struct S;
//- witness
#![deny(dropping_copy_types)]
pub fn w(s: lib::S) { drop(s) }

//= item_cfg_added
//- old
pub fn f() {}
//- old.toml
[features]
x = []
//- new
#[cfg(feature = "x")]
pub fn f() {}
//- new.toml
[features]
x = []
//- witness
pub fn w() { lib::f() }

//= item_cfg_removed
//- old
#[cfg(feature = "x")]
pub fn f() {}
//- old.toml
[features]
x = []
//- new
pub fn f() {}
//- new.toml
[features]
x = []

//= item_added
//- old
pub fn f() {}
//- new
pub fn f() {}
pub fn g() {}

//= item_no_longer_non_exhaustive
//- old
#[non_exhaustive]
pub enum E { A }
//- new
pub enum E { A }
