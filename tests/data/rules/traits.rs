// Rule fixtures: traits (format: removals.rs).

//= trait_method_added
//- old
pub trait T {}
//- new
pub trait T { fn m(&self); }
//- witness
pub struct X;
impl lib::T for X {}

//= trait_method_added_with_default
//- old
pub trait T {}
//- new
pub trait T { fn m(&self) {} }

//= trait_associated_type_added
//- old
pub trait T {}
//- new
pub trait T { type Out; }
//- witness
pub struct X;
impl lib::T for X {}

//= trait_associated_const_added
//- old
pub trait T {}
//- new
pub trait T { const N: u8; }
//- witness
pub struct X;
impl lib::T for X {}

//= trait_method_changed_signature
//- old
pub trait T { fn m(&self) -> u8; }
//- new
pub trait T { fn m(&self) -> u16; }
//- witness
pub struct X;
impl lib::T for X { fn m(&self) -> u8 { 1 } }

//= trait_method_parameter_count_changed
//- old
pub trait T { fn m(&self); }
//- new
pub trait T { fn m(&self, x: u8); }
//- witness
pub struct X;
impl lib::T for X { fn m(&self) {} }

//= trait_method_unsafe_added
//- old
pub trait T { fn m(&self); }
//- new
pub trait T {
    /// # Safety
    /// None needed.
    unsafe fn m(&self);
}
//- witness
pub struct X;
impl lib::T for X { fn m(&self) {} }

//= trait_method_unsafe_removed
//- old
pub trait T {
    /// # Safety
    /// None needed.
    unsafe fn m(&self);
}
//- new
pub trait T { fn m(&self); }
//- witness
pub struct X;
impl lib::T for X { unsafe fn m(&self) {} }

//= trait_method_default_impl_removed
//- old
pub trait T { fn m(&self) {} }
//- new
pub trait T { fn m(&self); }
//- witness
pub struct X;
impl lib::T for X {}

//= trait_associated_type_default_removed
//- old
pub trait T { type Out = u8; }
//- new
pub trait T { type Out; }

//= trait_associated_const_default_removed
//- old
pub trait T { const N: u8 = 1; }
//- new
pub trait T { const N: u8; }
//- witness
pub struct X;
impl lib::T for X {}

//= trait_associated_item_changed
//- old
pub trait T { type Out; }
//- new
pub trait T { type Out: Clone; }
//- witness
pub struct X;
pub struct NotClone;
impl lib::T for X { type Out = NotClone; }

//= trait_added_supertrait
//- old
pub trait T {}
//- new
pub trait T: Clone {}
//- witness
pub struct X;
impl lib::T for X {}

//= trait_removed_supertrait
//- old
pub trait T: Clone {}
//- new
pub trait T {}
//- witness
pub fn w<X: lib::T>(x: &X) -> X { x.clone() }

//= trait_changed
//- old
pub trait T<A> {}
//- new
pub trait T<A, B> {}
//- witness
pub struct X;
impl lib::T<u8> for X {}

//= trait_unsafe_added
//- old
pub trait T {}
//- new
/// # Safety
/// None needed.
pub unsafe trait T {}
//- witness
pub struct X;
impl lib::T for X {}

//= trait_unsafe_removed
//- old
/// # Safety
/// None needed.
pub unsafe trait T {}
//- new
pub trait T {}
//- witness
pub struct X;
unsafe impl lib::T for X {}
