//! The receipt beside the outcome banner: the journal's receipt text (issue 6) for the
//! entry just written, so the screen, the saved file and `tapterm history` agree and can
//! never show more than the masked journal holds.

use std::path::{Path, PathBuf};

use iced::widget::{container, scrollable, text};
use iced::{Color, Element, Font, Length};

use crate::journal::StoredEntry;

/// The receipt text of a journal entry.
pub fn receipt_text(stored: &StoredEntry, merchant: &str) -> String {
    crate::journal::receipt::receipt(stored, merchant)
}

/// Writes the receipt under `dir/receipts/`, named after the entry; returns the path.
pub fn save(dir: &Path, stored: &StoredEntry, text: &str) -> std::io::Result<PathBuf> {
    let dir = dir.join("receipts");
    std::fs::create_dir_all(&dir)?;
    let stamp = stored.entry.time.format("%Y%m%d-%H%M%S");
    let path = dir.join(format!("receipt-{stamp}-{}.txt", stored.id));
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The receipt as a paper-coloured panel.
pub fn view<'a, M: 'a>(receipt: &'a str) -> Element<'a, M> {
    container(scrollable(text(receipt).font(Font::MONOSPACE).size(14)))
        .padding(16)
        .width(Length::Fill)
        .height(Length::Fill)
        .style(|_| container::Style {
            background: Some(Color::from_rgb(0.97, 0.97, 0.94).into()),
            text_color: Some(Color::from_rgb(0.1, 0.1, 0.1)),
            ..container::Style::default()
        })
        .into()
}
