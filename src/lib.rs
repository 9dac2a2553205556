//! ImageKit's Node.js SDK (`imagekit@6.0.0`) as a native addon: the N-API layer over the
//! client's core, the `imagekit` crate (`crates/imagekit`).

mod binding;

/// mimalloc for every allocation of the addon (Node's own stay with its allocator).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
