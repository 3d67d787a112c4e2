// Rule fixtures: items removed. Format: `//= rule`, then `//- old`, `//- new`, `//- witness`
// (a dependent seeing the library as `lib`), optional `//- old.toml` / `//- new.toml` manifest lines
// and `//- witness.features`. Read by tests/rule_fixtures.rs.

//= function_missing
//- old
pub fn f() {}
//- new
//- witness
pub fn w() { lib::f() }

//= struct_missing
//- old
pub struct S;
//- new
//- witness
pub fn w() -> lib::S { lib::S }

//= enum_missing
//- old
pub enum E { A }
//- new
//- witness
pub fn w() -> lib::E { lib::E::A }

//= union_missing
//- old
pub union U { pub a: u8 }
//- new
//- witness
pub fn w() -> lib::U { lib::U { a: 1 } }

//= trait_missing
//- old
pub trait T {}
//- new
//- witness
pub struct X;
impl lib::T for X {}

//= module_missing
//- old
pub mod m { pub fn f() {} }
//- new
pub mod other {}
//- witness
pub use lib::m;

//= type_alias_missing
//- old
pub type A = u8;
//- new
//- witness
pub fn w(a: lib::A) -> u8 { a }

//= pub_module_level_const_missing
//- old
pub const N: u8 = 1;
//- new
//- witness
pub fn w() -> u8 { lib::N }

//= pub_static_missing
//- old
pub static S: u8 = 1;
//- new
//- witness
pub fn w() -> u8 { lib::S }

//= declarative_macro_missing
//- old
#[macro_export]
macro_rules! m { () => { 1 } }
//- new
//- witness
pub fn w() -> u8 { lib::m!() }

//= inherent_method_missing
//- old
pub struct S;
impl S { pub fn f(&self) {} }
//- new
pub struct S;
//- witness
pub fn w(s: &lib::S) { s.f() }

//= inherent_associated_pub_const_missing
//- old
pub struct S;
impl S { pub const N: u8 = 1; }
//- new
pub struct S;
//- witness
pub fn w() -> u8 { lib::S::N }

//= struct_pub_field_missing
//- old
pub struct S { pub a: u8, pub b: u8 }
//- new
pub struct S { pub a: u8 }
//- witness
pub fn w(s: &lib::S) -> u8 { s.b }

//= enum_variant_missing
//- old
pub enum E { A, B }
//- new
pub enum E { A }
//- witness
pub fn w() -> lib::E { lib::E::B }

//= union_field_missing
//- old
pub union U { pub a: u8, pub b: u8 }
//- new
pub union U { pub a: u8 }
//- witness
pub fn w() -> lib::U { lib::U { b: 1 } }

//= trait_method_missing
//- old
pub trait T { fn m(&self) {} }
//- new
pub trait T {}
//- witness
pub fn w<X: lib::T>(x: &X) { x.m() }

//= trait_removed_associated_type
//- old
pub trait T { type Out; }
//- new
pub trait T {}
//- witness
pub fn w<X: lib::T>() -> Option<X::Out> { None }

//= trait_removed_associated_constant
//- old
pub trait T { const N: u8; }
//- new
pub trait T {}
//- witness
pub fn w<X: lib::T>() -> u8 { X::N }

//= trait_impl_removed
//- old
#[derive(Clone)]
pub struct S;
//- new
pub struct S;
//- witness
pub fn w(s: &lib::S) -> lib::S { s.clone() }

//= item_now_private
//- old
pub fn f() {}
//- new
fn f() {}
pub fn g() { f() }
//- witness
pub fn w() { lib::f() }

//= reexport_missing
//- old
pub use std::collections::HashMap;
//- new
//- witness
pub fn w() -> lib::HashMap<u8, u8> { lib::HashMap::new() }

//= reexport_target_changed
//- old
pub use std::collections::HashMap as Map;
//- new
pub use std::collections::BTreeMap as Map;
//- witness
pub fn w() -> std::collections::HashMap<u8, u8> { lib::Map::new() }

//= feature_missing
//- old
#[cfg(feature = "x")]
pub fn f() {}
//- old.toml
[features]
x = []
//- new
//- witness
pub fn w() { lib::f() }
//- witness.features
x
//- witness.separate

//= function_missing extern-block
//- old
extern "C" {
    pub fn abs(x: i32) -> i32;
}
//- new
//- witness
pub fn w() -> i32 { unsafe { lib::abs(-1) } }

//= pub_static_type_changed extern-block
//- old
extern "C" {
    pub static mut ERRNO: i32;
}
//- new
extern "C" {
    pub static mut ERRNO: i64;
}
//- witness
pub fn w() -> i32 { unsafe { lib::ERRNO } }

//= trait_impl_removed foreign-self-type
//- old
pub struct P(pub u8);
impl From<P> for Vec<u8> { fn from(p: P) -> Self { vec![p.0] } }
//- new
pub struct P(pub u8);
//- witness
pub fn w(p: lib::P) -> Vec<u8> { p.into() }
