// Rule fixtures: field and variant order where it is part of the contract (format: removals.rs).
// Witnesses observe layout by offsets and sizes, discriminants by `as` casts in constants; the
// comparison order of a derived `PartialOrd` is run-time behaviour (UNWITNESSED).

//= repr_c_plain_struct_fields_reordered
//- old
#[repr(C)]
pub struct S { pub a: u8, pub b: u32 }
//- new
#[repr(C)]
pub struct S { pub b: u32, pub a: u8 }
//- witness
const _: () = assert!(core::mem::offset_of!(lib::S, a) == 0);

//= partial_ord_struct_fields_reordered
//- old
#[derive(PartialEq, PartialOrd)]
pub struct S { pub a: u8, pub b: u8 }
//- new
#[derive(PartialEq, PartialOrd)]
pub struct S { pub b: u8, pub a: u8 }

//= partial_ord_enum_variants_reordered
//- old
#[derive(PartialEq, PartialOrd)]
pub enum E { A(u8), B(u8) }
//- new
#[derive(PartialEq, PartialOrd)]
pub enum E { B(u8), A(u8) }

//= partial_ord_enum_struct_variant_fields_reordered
//- old
#[derive(PartialEq, PartialOrd)]
pub enum E { A { x: u8, y: u8 } }
//- new
#[derive(PartialEq, PartialOrd)]
pub enum E { A { y: u8, x: u8 } }

//= repr_c_enum_struct_variant_fields_reordered
//- old
#[repr(C)]
pub enum E { A { x: u8, y: u32, z: u8 } }
//- new
#[repr(C)]
pub enum E { A { x: u8, z: u8, y: u32 } }
//- witness
const _: () = assert!(core::mem::size_of::<lib::E>() == 16);

//= enum_no_repr_variant_discriminant_changed reordered
//- old
pub enum E { A, B }
//- new
pub enum E { B, A }
//- witness
const _: () = assert!(lib::E::A as u8 == 0);

//= enum_repr_variant_discriminant_changed implicit
//- old
#[repr(u8)]
pub enum E { A = 1, B }
//- new
#[repr(u8)]
pub enum E { A = 2, B }
//- witness
const _: () = assert!(lib::E::B as u8 == 2);

//= item_changed_patch struct-variant-order
//- old
pub enum E { A { x: u8, y: u8 } }
//- new
pub enum E { A { y: u8, x: u8 } }
