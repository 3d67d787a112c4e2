// Rule fixtures: enum variants, discriminants and casts (format: removals.rs).

//= enum_variant_added_non_exhaustive
//- old
#[non_exhaustive]
pub enum E { A }
//- new
#[non_exhaustive]
pub enum E { A, B }

//= enum_variant_changed
//- old
pub enum E { A(u8) }
//- new
pub enum E { A(u16) }
//- witness
pub fn w() -> lib::E { lib::E::A(1u8) }

//= enum_unit_variant_changed_kind
//- old
pub enum E { A }
//- new
pub enum E { A(u8) }
//- witness
pub fn w() -> lib::E { lib::E::A }

//= enum_tuple_variant_changed_kind
//- old
pub enum E { A(u8) }
//- new
pub enum E { A { x: u8 } }
//- witness
pub fn w() -> lib::E { lib::E::A(1) }

//= enum_non_exhaustive_tuple_variant_changed_kind
//- old
pub enum E { #[non_exhaustive] A(u8) }
//- new
pub enum E { #[non_exhaustive] A { x: u8 } }
//- witness
pub fn w(e: &lib::E) -> bool { matches!(e, lib::E::A { 0: _, .. }) }

//= enum_struct_variant_changed_kind
//- old
pub enum E { A { x: u8 } }
//- new
pub enum E { A(u8) }
//- witness
pub fn w() -> lib::E { lib::E::A { x: 1 } }

//= enum_tuple_variant_field_added
//- old
pub enum E { A(u8) }
//- new
pub enum E { A(u8, u8) }
//- witness
pub fn w() -> lib::E { lib::E::A(1) }

//= enum_non_exhaustive_tuple_variant_field_added
//- old
pub enum E { #[non_exhaustive] A(u8) }
//- new
pub enum E { #[non_exhaustive] A(u8, u8) }

//= enum_struct_variant_field_added
//- old
pub enum E { A { x: u8 } }
//- new
pub enum E { A { x: u8, y: u8 } }
//- witness
pub fn w() -> lib::E { lib::E::A { x: 1 } }

//= enum_non_exhaustive_struct_variant_field_added
//- old
pub enum E { #[non_exhaustive] A { x: u8 } }
//- new
pub enum E { #[non_exhaustive] A { x: u8, y: u8 } }

//= enum_tuple_variant_field_missing
//- old
pub enum E { A(u8, u8) }
//- new
pub enum E { A(u8) }
//- witness
pub fn w() -> lib::E { lib::E::A(1, 2) }

//= enum_struct_variant_field_missing
//- old
pub enum E { A { x: u8, y: u8 } }
//- new
pub enum E { A { x: u8 } }
//- witness
pub fn w() -> lib::E { lib::E::A { x: 1, y: 2 } }

//= enum_repr_variant_discriminant_changed
//- old
#[repr(u8)]
pub enum E { A = 1, B = 2 }
//- new
#[repr(u8)]
pub enum E { A = 3, B = 2 }
//- witness
const _: () = assert!(lib::E::A as u8 == 1);

//= enum_no_repr_variant_discriminant_changed
//- old
pub enum E { A = 1, B = 2 }
//- new
pub enum E { A = 3, B = 2 }
//- witness
const _: () = assert!(lib::E::A as i32 == 1);

//= enum_discriminants_undefined_non_unit_variant
//- old
pub enum E { A, B }
//- new
pub enum E { A, B, C(u8) }
//- witness
pub fn w(e: lib::E) -> i32 { e as i32 }
