//! One item of every kind the rustdoc engine maps to lines.

use std::collections::HashMap;
use std::fmt;

pub mod shapes;

pub use shapes::{Circle, Shape};
/// A re-export of another crate's item.
pub use std::borrow::Cow;

/// Named struct with a private field.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Config {
    pub name: String,
    pub limits: HashMap<String, u32>,
    secret: u8,
}

/// All fields public.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// Tuple struct with a private field.
pub struct Pair(pub u8, String);

/// Unit struct.
pub struct Marker;

/// Generic with bounds and a where clause.
pub struct Wrapper<'a, T: Clone + 'a, const N: usize>
where
    T: fmt::Debug,
{
    pub items: [&'a T; N],
}

impl<'a, T: Clone + fmt::Debug + 'a, const N: usize> Wrapper<'a, T, N> {
    /// A generic method with a where clause.
    pub fn map<U, F>(&self, f: F) -> Vec<U>
    where
        F: Fn(&T) -> U,
    {
        self.items.iter().map(|t| f(t)).collect()
    }
    pub const SIZE: usize = N;
}

impl Config {
    #[must_use]
    pub fn new(name: &str) -> Self {
        Config { name: name.into(), ..Default::default() }
    }
    pub async fn load(path: &std::path::Path) -> std::io::Result<Config> {
        let _ = path;
        Ok(Config::default())
    }
    pub const unsafe fn raw(p: *const u8, len: usize) -> *mut u8 {
        let _ = len;
        p as *mut u8
    }
    pub fn callback(&mut self, f: fn(u32) -> bool, g: Box<dyn Fn(&str) -> String + Send>) -> impl Iterator<Item = u32> + '_ {
        let _ = (f, g);
        self.limits.values().copied()
    }
    fn private_helper(&self) {}
    #[doc(hidden)]
    pub fn __internal(&self) -> Option<&mut Vec<(u8, char)>> {
        None
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Enum with discriminants.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Low = 1,
    High = 10,
}

/// Enum with every variant shape.
#[derive(Debug)]
pub enum Event {
    Started,
    Data(Vec<u8>, usize),
    Moved { from: Point, to: Point },
    #[deprecated(note = "use Moved")]
    Jumped,
}

/// A trait with every kind of item.
pub trait Store: fmt::Debug + Send {
    type Key: Clone;
    type Value;
    const CAPACITY: usize;
    const NAME: &'static str = "store";
    fn get(&self, key: &Self::Key) -> Option<&Self::Value>;
    fn put(&mut self, key: Self::Key, value: Self::Value) -> bool {
        let _ = (key, value);
        false
    }
    fn iter<'a>(&'a self) -> Box<dyn Iterator<Item = (&'a Self::Key, &'a Self::Value)> + 'a>;
}

/// Unsafe trait.
pub unsafe trait Raw {}

unsafe impl Raw for Point {}

/// A local trait implemented for a foreign type.
pub trait Describe {
    fn describe(&self) -> String;
}

impl Describe for u32 {
    fn describe(&self) -> String {
        self.to_string()
    }
}

impl<T: Describe> Describe for Vec<T> {
    fn describe(&self) -> String {
        String::new()
    }
}

pub type Map<V> = HashMap<String, V>;

pub const LIMIT: u32 = 10;

pub static GREETING: &str = "hi";

pub static mut COUNTER: u64 = 0;

/// A union.
#[repr(C)]
pub union Bits {
    pub int: u32,
    pub float: f32,
}

pub fn generic<T: Into<String> + ?Sized, I>(items: I, _extra: &T) -> usize
where
    I: IntoIterator<Item = u8>,
{
    items.into_iter().count()
}

pub extern "C" fn ffi(x: i32) -> i32 {
    x
}

pub fn hrtb<F>(f: F)
where
    F: for<'a> Fn(&'a str) -> &'a str,
{
    let _ = f("x");
}

pub fn assoc<I: Iterator>(iter: I) -> Option<<I as Iterator>::Item> {
    let mut iter = iter;
    iter.next()
}

pub fn arrays(a: [u8; 4], s: &[u16], t: (u8, &'static str), p: *mut ()) -> ! {
    let _ = (a, s, t, p);
    panic!()
}

#[cfg(feature = "std")]
pub fn with_std() {}

#[cfg(feature = "extra")]
pub fn with_extra() {}

#[cfg(any(unix, windows))]
pub fn on_platform() {}

#[cfg(all(not(target_os = "none"), feature = "std"))]
pub fn combined() {}

#[doc(hidden)]
pub mod internals {
    pub fn inner() {}
}

/// Exported macro.
#[macro_export]
macro_rules! make_it {
    ($name:ident) => {
        pub fn $name() {}
    };
}

macro_rules! generate {
    ($($name:ident),*) => {
        $(pub fn $name() -> u8 { 0 })*
    };
}

generate!(made_a, made_b);

/// Field order is the derived comparison's order (`#[order(PartialOrd; ..)]`, public fields only).
#[derive(PartialEq, PartialOrd)]
pub struct Version {
    pub major: u16,
    build: u8,
    pub minor: u16,
}

/// Unit-only: the discriminants follow the variants (`#[order(..)]`).
pub enum Color {
    Red,
    Green,
    Blue,
}

/// A foreign trait for a foreign type, naming a local type: part of the API.
impl From<Point> for (i32, i32) {
    fn from(p: Point) -> Self {
        (p.x, p.y)
    }
}
