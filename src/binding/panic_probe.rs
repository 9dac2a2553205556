//! A way to make the addon panic at a chosen point of a call, built only with the
//! `test-panic` feature, so the suite can prove that a panic becomes a JavaScript error and
//! the process lives on. In a normal build [`at`] is an empty function.

/// Where a call can be made to panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "test-panic"), allow(dead_code))]
pub enum Stage {
    /// In the method itself, on the JavaScript thread, before anything is sent.
    Export = 1,
    /// While sending, on a runtime thread.
    Send = 2,
    /// While the outcome becomes the call's result, on the JavaScript thread.
    Settle = 3,
}

#[cfg(not(feature = "test-panic"))]
#[inline(always)]
pub fn at(_stage: Stage) {}

#[cfg(feature = "test-panic")]
pub use probe::at;

#[cfg(feature = "test-panic")]
mod probe {
    use std::sync::atomic::{AtomicU8, Ordering};

    use napi_derive::napi;

    use super::Stage;

    /// The stage the next call panics at; 0 for none.
    static NEXT: AtomicU8 = AtomicU8::new(0);

    pub fn at(stage: Stage) {
        let armed = NEXT
            .compare_exchange(stage as u8, 0, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if armed {
            panic!("panic probe at {stage:?}");
        }
    }

    /// Test only: the next call to reach `stage` (`"export"`, `"send"`, `"settle"`) panics.
    #[napi(js_name = "__panicNext", skip_typescript, catch_unwind)]
    pub fn panic_next(stage: String) -> napi::Result<()> {
        let stage = match stage.as_str() {
            "export" => Stage::Export,
            "send" => Stage::Send,
            "settle" => Stage::Settle,
            _ => return Err(napi::Error::from_reason(format!("no stage {stage}"))),
        };
        NEXT.store(stage as u8, Ordering::Release);
        Ok(())
    }

    /// Test only: panics in a synchronous export.
    #[napi(js_name = "__panicNow", skip_typescript, catch_unwind)]
    pub fn panic_now() -> napi::Result<()> {
        panic!("panic probe in a synchronous export")
    }
}
