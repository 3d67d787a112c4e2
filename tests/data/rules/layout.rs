// Rule fixtures: `#[repr]` and layout (format: removals.rs). Witnesses observe layout the way
// dependents do: FFI signatures (lints denied), const assertions on size and alignment, references
// to fields, packed containers.

//= repr_packed_added
//- old
#[repr(C)]
pub struct S { pub a: u8, pub b: u32 }
//- new
#[repr(C, packed)]
pub struct S { pub a: u8, pub b: u32 }
//- witness
pub fn w(s: &lib::S) -> &u32 { &s.b }

//= repr_packed_removed
//- old
#[repr(C, packed)]
pub struct S { pub a: u8, pub b: u32 }
//- new
#[repr(C)]
pub struct S { pub a: u8, pub b: u32 }
//- witness
const _: () = assert!(core::mem::size_of::<lib::S>() == 5);

//= repr_align_added
//- old
pub struct S { pub a: u8 }
//- new
#[repr(align(8))]
pub struct S { pub a: u8 }
//- witness
#[repr(packed)]
pub struct W(pub lib::S);

//= repr_align_removed
//- old
#[repr(align(8))]
pub struct S { pub a: u8 }
//- new
pub struct S { pub a: u8 }
//- witness
const _: () = assert!(core::mem::align_of::<lib::S>() == 8);

//= repr_changed
//- old
#[repr(align(8))]
pub struct S { pub a: u8 }
//- new
#[repr(align(4))]
pub struct S { pub a: u8 }
//- witness
const _: () = assert!(core::mem::align_of::<lib::S>() == 8);

//= repr_c_removed
//- old
#[repr(C)]
pub struct S { pub a: u8, pub b: u32 }
//- new
pub struct S { pub a: u8, pub b: u32 }
//- witness
#![deny(improper_ctypes_definitions)]
pub extern "C" fn w(s: lib::S) -> u32 { s.b }

//= enum_repr_c_removed
//- old
#[repr(C)]
pub enum E { A, B }
//- new
pub enum E { A, B }
//- witness
#![deny(improper_ctypes_definitions)]
pub extern "C" fn w(_e: lib::E) {}

//= struct_repr_transparent_removed
//- old
#[repr(transparent)]
pub struct S(pub u32);
//- new
pub struct S(pub u32);
//- witness
#![deny(improper_ctypes_definitions)]
pub extern "C" fn w(s: lib::S) -> u32 { s.0 }

//= enum_repr_transparent_removed
//- old
#[repr(transparent)]
pub enum E { A(u32) }
//- new
pub enum E { A(u32) }
//- witness
#![deny(improper_ctypes_definitions)]
pub extern "C" fn w(_e: lib::E) {}

//= enum_repr_int_changed
//- old
#[repr(u8)]
pub enum E { A, B }
//- new
#[repr(u16)]
pub enum E { A, B }
//- witness
const _: () = assert!(core::mem::size_of::<lib::E>() == 1);

//= enum_repr_int_removed
//- old
#[repr(u8)]
pub enum E { A, B }
//- new
pub enum E { A, B }
//- witness
#![deny(improper_ctypes_definitions)]
pub extern "C" fn w(_e: lib::E) {}

//= enum_repr_int_added
//- old
pub enum E { A, B }
//- new
#[repr(u8)]
pub enum E { A, B }

//= repr_guarantee_added
//- old
pub struct S { pub a: u8 }
//- new
#[repr(C)]
pub struct S { pub a: u8 }

//= union_field_added_with_all_pub_fields
//- old
#[repr(C)]
pub union U { pub a: u8 }
//- new
#[repr(C)]
pub union U { pub a: u8, pub b: u32 }
//- witness
const _: () = assert!(core::mem::size_of::<lib::U>() == 1);

//= function_export_name_changed
//- old
#[no_mangle]
pub extern "C" fn f() {}
//- new
#[export_name = "g"]
pub extern "C" fn f() {}

//= safe_function_target_feature_added
//- old
pub fn f() {}
//- new
#[target_feature(enable = "avx2")]
pub fn f() {}
//- witness
pub fn w() { lib::f() }

//= unsafe_function_target_feature_added
//- old
/// # Safety
/// None needed.
pub unsafe fn f() {}
//- new
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn f() {}

//= unsafe_function_requires_more_target_features
//- old
/// # Safety
/// The CPU must support AVX.
#[target_feature(enable = "avx")]
pub unsafe fn f() {}
//- new
/// # Safety
/// The CPU must support AVX and AVX2.
#[target_feature(enable = "avx,avx2")]
pub unsafe fn f() {}

//= safe_inherent_method_target_feature_added
//- old
pub struct S;
impl S { pub fn f(&self) {} }
//- new
pub struct S;
impl S {
    #[target_feature(enable = "avx2")]
    pub fn f(&self) {}
}
//- witness
pub fn w(s: &lib::S) { s.f() }

//= unsafe_inherent_method_target_feature_added
//- old
pub struct S;
impl S {
    /// # Safety
    /// None needed.
    pub unsafe fn f() {}
}
//- new
pub struct S;
impl S {
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn f() {}
}

//= unsafe_inherent_method_requires_more_target_features
//- old
pub struct S;
impl S {
    /// # Safety
    /// The CPU must support AVX.
    #[target_feature(enable = "avx")]
    pub unsafe fn f() {}
}
//- new
pub struct S;
impl S {
    /// # Safety
    /// The CPU must support AVX and AVX2.
    #[target_feature(enable = "avx,avx2")]
    pub unsafe fn f() {}
}

//= target_feature_removed
//- old
#[target_feature(enable = "avx2")]
pub fn f() {}
//- new
pub fn f() {}
