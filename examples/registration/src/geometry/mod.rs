//! Classes in a nested Rust module, spread over two files.

mod point;
mod polygon;

pub use point::Point;
