//! The window's view of the PC/SC layer (`src/reader`): which readers are plugged in now.
//! Polled off the UI thread every few seconds, so readers appear and disappear (hot-plug)
//! without a restart; no pcscd means no readers, and the demo reader stays.

/// The PC/SC readers present now; empty without pcscd or without readers.
pub fn list_readers() -> Vec<String> {
    let Ok(ctx) = crate::reader::establish() else {
        return Vec::new();
    };
    crate::reader::reader_names(&ctx)
        .map(|names| {
            names
                .iter()
                .map(|n| n.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}
