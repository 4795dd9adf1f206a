//! The receipt beside the outcome banner: the journal's receipt text (issue 6) for the entry
//! just written, so the screen, the saved file and `tapterm history` agree and can never
//! show more than the masked journal holds. Saving it writes a text file in a task.

use std::path::{Path, PathBuf};

use iced::widget::{button, column, container, scrollable, text};
use iced::{Color, Element, Font, Length, Task};

use crate::journal::StoredEntry;
use crate::rewards::Award;

/// A receipt on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    entry: StoredEntry,
    text: String,
}

/// What the receipt can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// Write the receipt as a text file under the data folder's `receipts/`.
    Save,
}

impl State {
    /// The receipt of a journal entry, with what it did to its rewards member.
    pub fn new(entry: StoredEntry, merchant: &str, rewards: Option<&Award>) -> State {
        let text = crate::journal::receipt::receipt(&entry, merchant, rewards);
        State { entry, text }
    }

    /// The receipt text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Applies a message; the task ends with what to tell the cashier.
    pub fn update(&self, message: Message, dir: &Path) -> Task<String> {
        match message {
            Message::Save => {
                let (dir, entry, text) = (dir.to_path_buf(), self.entry.clone(), self.text.clone());
                Task::perform(
                    async move { save(&dir, &entry, &text) },
                    |saved| match saved {
                        Ok(path) => format!("Receipt saved to {}", path.display()),
                        Err(e) => format!("Could not save the receipt: {e}"),
                    },
                )
            }
        }
    }

    /// The receipt as a paper-coloured panel with its Save button.
    pub fn view(&self) -> Element<'_, Message> {
        let paper = container(scrollable(text(&self.text).font(Font::MONOSPACE).size(14)))
            .padding(16)
            .width(Length::Fill)
            .height(Length::Fill)
            .style(|_| container::Style {
                background: Some(Color::from_rgb(0.97, 0.97, 0.94).into()),
                text_color: Some(Color::from_rgb(0.1, 0.1, 0.1)),
                ..container::Style::default()
            });
        column![
            paper,
            button(text("Save receipt").size(22))
                .padding([12, 28])
                .style(button::secondary)
                .on_press(Message::Save),
        ]
        .spacing(10)
        .padding(10)
        .into()
    }
}

/// Writes the receipt under `dir/receipts/`, named after the entry; returns the path.
fn save(dir: &Path, stored: &StoredEntry, text: &str) -> std::io::Result<PathBuf> {
    let dir = dir.join("receipts");
    std::fs::create_dir_all(&dir)?;
    let stamp = stored.entry.time.format("%Y%m%d-%H%M%S");
    let path = dir.join(format!("receipt-{stamp}-{}.txt", stored.id));
    std::fs::write(&path, text)?;
    Ok(path)
}
