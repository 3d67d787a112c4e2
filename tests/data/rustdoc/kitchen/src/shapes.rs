//! Items re-exported at the crate root.

pub trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> &str {
        "shape"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Circle {
    pub radius: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.radius * self.radius
    }
}

impl Circle {
    pub fn unit() -> Circle {
        Circle { radius: 1.0 }
    }
}

pub mod glob_source {
    pub fn globbed() {}
}

pub use glob_source::*;
