//! ImageKit's Node.js SDK (`imagekit@6.0.0`) as a native addon: the N-API layer over the
//! client's core, the `imagekit` crate (`crates/imagekit`).

mod binding;
