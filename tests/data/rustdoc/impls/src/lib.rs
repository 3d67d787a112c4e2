//! Impls whose self type is not the type whose page rustdoc lists them on, a `use .. as _`
//! re-export, a `pub extern crate`, a glob re-export of another crate's module, variants
//! re-exported outside their enum, trait objects behind references and a macro writing `$crate::`
//! paths: captured for the rustdoc engine's line tests.

pub extern crate alloc;

/// A trait object with two bounds behind a reference and a pointer.
pub fn chain(_head: &(dyn std::error::Error + 'static), _raw: *const (dyn Greet + Send)) {}

pub enum Side {
    Left(u8),
    Right,
}

pub use Side::{Left, Right};

pub mod collections {
    pub use alloc::collections::*;
}

pub struct Local;

pub struct Wrapper<T>(pub T);

impl From<Local> for Box<str> {
    fn from(_: Local) -> Self {
        "".into()
    }
}

impl PartialEq<Local> for String {
    fn eq(&self, _: &Local) -> bool {
        false
    }
}

impl PartialEq<Local> for str {
    fn eq(&self, _: &Local) -> bool {
        false
    }
}

impl<'a> IntoIterator for &'a Local {
    type Item = &'a u8;
    type IntoIter = std::slice::Iter<'a, u8>;
    fn into_iter(self) -> Self::IntoIter {
        [].iter()
    }
}

impl From<Wrapper<u8>> for u8 {
    fn from(w: Wrapper<u8>) -> u8 {
        w.0
    }
}

pub trait Greet {
    fn hi(&self) {}
}

pub mod prelude {
    pub use crate::Greet as _;
}

macro_rules! greet_impl {
    () => {
        impl<T: $crate::Greet> $crate::Greet for Wrapper<T> {}
    };
}

greet_impl!();
