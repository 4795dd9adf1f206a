//! The readers screen: the PC/SC readers plugged in now (polled off the UI thread every few
//! seconds, so readers come and go without a restart) and the demo reader with its wallet
//! profiles.
//!
//! Which reader a sale runs on: the window starts on a real reader when one is present (an
//! ACR122U first), takes a reader plugged in while it sits on the demo reader, falls back to
//! the demo reader when the chosen one goes away, and says each time what it did. The demo
//! reader is one click away (here and on the cashier screen). `--demo` on the command line
//! keeps the window on the demo reader at start.

use iced::widget::{button, checkbox, column, pick_list, row, text};
use iced::{Element, Task};

use crate::phone::Profile;

/// Which reader a transaction runs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReaderChoice {
    /// The built-in demo reader with an in-process virtual wallet.
    Demo(Demo),
    /// A PC/SC reader by name.
    Pcsc(String),
}

/// The demo reader's settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Demo {
    /// Wallet profile name (`visa-phone`, …).
    pub profile: String,
    /// Phone locked: the first tap asks to see the phone.
    pub locked: bool,
    /// Tap as soon as the reader polls, without the Tap button.
    pub auto_tap: bool,
}

impl ReaderChoice {
    /// The name shown to the cashier.
    pub fn label(&self) -> String {
        match self {
            ReaderChoice::Demo(demo) => format!("Demo reader ({})", demo.profile),
            ReaderChoice::Pcsc(name) => name.clone(),
        }
    }
}

/// The readers screen's state.
#[derive(Debug, Clone)]
pub struct State {
    /// PC/SC readers at the last poll; `None` before the first one came back.
    found: Option<Vec<String>>,
    /// Whether the first poll may put the window on a real reader (no `--demo`).
    start_on_pcsc: bool,
    demo: Demo,
    /// `Some(name)` while a PC/SC reader is chosen, `None` on the demo reader.
    pcsc: Option<String>,
}

/// What the readers screen can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Use a PC/SC reader by name, or the demo reader.
    Use(Option<String>),
    /// Choose the demo wallet profile.
    Profile(String),
    /// Demo phone locked.
    Locked(bool),
    /// Demo auto-tap.
    AutoTap(bool),
    /// Time to look for readers again.
    Poll,
    /// The PC/SC readers present now.
    Found(Vec<String>),
}

impl State {
    /// The demo reader with `demo`; `start_on_pcsc` lets the first poll choose a real reader.
    pub fn new(demo: Demo, start_on_pcsc: bool) -> State {
        State {
            found: None,
            start_on_pcsc,
            demo,
            pcsc: None,
        }
    }

    /// The reader chosen now.
    pub fn choice(&self) -> ReaderChoice {
        match &self.pcsc {
            Some(name) => ReaderChoice::Pcsc(name.clone()),
            None => ReaderChoice::Demo(self.demo.clone()),
        }
    }

    /// The PC/SC readers seen at the last poll.
    pub fn found(&self) -> &[String] {
        self.found.as_deref().unwrap_or_default()
    }

    /// Applies a message. `idle` is false while a transaction runs: the reader it runs on
    /// is not changed under it. Returns the task to run and what to tell the cashier.
    pub fn update(&mut self, message: Message, idle: bool) -> (Task<Message>, Option<String>) {
        match message {
            Message::Use(name) if idle => self.pcsc = name,
            Message::Profile(profile) => self.demo.profile = profile,
            Message::Locked(locked) => self.demo.locked = locked,
            Message::AutoTap(auto_tap) => self.demo.auto_tap = auto_tap,
            Message::Poll => return (Task::perform(poll(), Message::Found), None),
            Message::Found(list) => return (Task::none(), self.on_found(list, idle)),
            Message::Use(_) => {}
        }
        (Task::none(), None)
    }

    /// The poll came back: say what was plugged in or out, and move to or off a real
    /// reader while idle.
    fn on_found(&mut self, list: Vec<String>, idle: bool) -> Option<String> {
        let Some(before) = self.found.replace(list.clone()) else {
            // The first poll: what is present at start is not news, but it may be used.
            let preferred = preferred(&list)?;
            if !(self.start_on_pcsc && idle) {
                return None;
            }
            self.pcsc = Some(preferred.to_string());
            return Some(format!("Using the reader {preferred}"));
        };
        let added: Vec<&str> = list
            .iter()
            .filter(|n| !before.contains(n))
            .map(String::as_str)
            .collect();
        let gone: Vec<&str> = before
            .iter()
            .filter(|n| !list.contains(n))
            .map(String::as_str)
            .collect();
        if added.is_empty() && gone.is_empty() {
            return None;
        }
        let mut notes = Vec::new();
        if !added.is_empty() {
            notes.push(format!("Reader plugged in: {}", added.join(", ")));
        }
        if !gone.is_empty() {
            notes.push(format!("Reader unplugged: {}", gone.join(", ")));
        }
        let chosen_gone = self.pcsc.as_ref().is_some_and(|name| !list.contains(name));
        if idle && (self.pcsc.is_none() || chosen_gone) {
            let next = preferred(&added).map(str::to_string);
            match &next {
                Some(name) => notes.push(format!("using {name}")),
                None if chosen_gone => notes.push("using the demo reader".to_string()),
                None => {}
            }
            self.pcsc = next;
        }
        Some(notes.join("; "))
    }

    /// The readers screen.
    pub fn view(&self) -> Element<'_, Message> {
        let mut readers = column![text("Readers").size(28)].spacing(8);
        if self.found().is_empty() {
            readers = readers.push(
                text("No PC/SC reader found (or pcscd is not running): the demo reader is used.")
                    .size(16),
            );
        }
        let chosen = |yes: bool| {
            if yes {
                button::primary
            } else {
                button::secondary
            }
        };
        for name in self.found() {
            readers = readers.push(
                button(text(name.clone()))
                    .style(chosen(self.pcsc.as_ref() == Some(name)))
                    .on_press(Message::Use(Some(name.clone()))),
            );
        }
        readers = readers.push(
            button(text("Demo reader (virtual wallets, no hardware)"))
                .style(chosen(self.pcsc.is_none()))
                .on_press(Message::Use(None)),
        );
        let demo = column![
            text("Demo reader").size(22),
            row![
                text("Wallet profile").width(160),
                pick_list(
                    Profile::ALL
                        .iter()
                        .map(|p| p.name().to_string())
                        .collect::<Vec<_>>(),
                    Some(self.demo.profile.clone()),
                    Message::Profile,
                )
                .width(260),
            ]
            .spacing(10)
            .align_y(iced::Alignment::Center),
            checkbox(self.demo.locked)
                .label("Phone locked (first tap asks to see the phone)")
                .on_toggle(Message::Locked),
            checkbox(self.demo.auto_tap)
                .label("Auto-tap (no Tap button)")
                .on_toggle(Message::AutoTap),
        ]
        .spacing(10);
        column![readers, demo].spacing(26).into()
    }
}

/// The reader to use among `names`: an ACR122U first (the reader tapterm is built for),
/// else the first listed. Decided without a source: PC/SC lists readers in plug order.
fn preferred<S: AsRef<str>>(names: &[S]) -> Option<&str> {
    names
        .iter()
        .map(AsRef::as_ref)
        .find(|n| n.contains("ACR122"))
        .or_else(|| names.first().map(AsRef::as_ref))
}

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

/// Lists PC/SC readers on a thread of its own (the PC/SC calls block).
async fn poll() -> Vec<String> {
    let (tx, rx) = iced::futures::channel::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("readers".into())
        .spawn(move || {
            let _ = tx.send(list_readers());
        });
    if spawned.is_err() {
        return Vec::new();
    }
    rx.await.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Demo {
        Demo {
            profile: "visa-phone".into(),
            locked: false,
            auto_tap: false,
        }
    }

    const ACR: &str = "ACS ACR122U PICC Interface 00 00";

    fn found(s: &mut State, names: &[&str], idle: bool) -> Option<String> {
        let list = names.iter().map(|n| n.to_string()).collect();
        s.update(Message::Found(list), idle).1
    }

    #[test]
    fn starts_on_a_present_acr122u_unless_the_demo_was_asked_for() {
        let mut s = State::new(demo(), true);
        let note = found(&mut s, &["Virtual PCD 00 00", ACR], true);
        assert_eq!(s.choice(), ReaderChoice::Pcsc(ACR.into()));
        assert_eq!(note.as_deref(), Some(&*format!("Using the reader {ACR}")));
        let mut s = State::new(demo(), false);
        assert_eq!(found(&mut s, &[ACR], true), None);
        assert_eq!(s.choice(), ReaderChoice::Demo(demo()));
    }

    #[test]
    fn a_reader_plugged_in_while_idle_is_taken_and_one_pulled_out_is_left() {
        let mut s = State::new(demo(), false);
        assert_eq!(found(&mut s, &[], true), None);
        let note = found(&mut s, &[ACR], true).unwrap();
        assert_eq!(note, format!("Reader plugged in: {ACR}; using {ACR}"));
        assert_eq!(s.choice(), ReaderChoice::Pcsc(ACR.into()));
        // The cashier goes back to the demo reader: the next poll does not undo it.
        let _ = s.update(Message::Use(None), true);
        assert_eq!(found(&mut s, &[ACR], true), None);
        assert_eq!(s.choice(), ReaderChoice::Demo(demo()));
        let _ = s.update(Message::Use(Some(ACR.into())), true);
        let note = found(&mut s, &[], true).unwrap();
        assert_eq!(
            note,
            format!("Reader unplugged: {ACR}; using the demo reader")
        );
        assert_eq!(s.choice(), ReaderChoice::Demo(demo()));
    }

    #[test]
    fn a_running_transaction_keeps_its_reader() {
        let mut s = State::new(demo(), false);
        let _ = found(&mut s, &[], true);
        let note = found(&mut s, &[ACR], false).unwrap();
        assert_eq!(note, format!("Reader plugged in: {ACR}"));
        assert_eq!(s.choice(), ReaderChoice::Demo(demo()));
        let _ = s.update(Message::Use(Some(ACR.into())), false);
        assert_eq!(s.choice(), ReaderChoice::Demo(demo()));
    }
}
