//! The four contactless status lights of Book A 9.1 (Table 9.1 "Status indicators").
//!
//! Idle: light 1 blinks. Ready to Read: light 1 on. Card Read Successfully: all four on,
//! with the success tone (brief A, [S7]). The brief marks the Processing and Processing
//! Error patterns UNSURE: we light 1 and 2 for Processing (the reading) and none for
//! Processing Error and Not Ready, with a red ring so an error never looks like "idle".

use emv_kernel::outcome::ReaderStatus;
use iced::widget::{container, row, text};
use iced::{Border, Color, Element};

/// Which of the four lights are lit for a reader status; `blink_on` is the idle blink phase.
pub fn pattern(status: ReaderStatus, blink_on: bool) -> [bool; 4] {
    match status {
        ReaderStatus::Idle => [blink_on, false, false, false],
        ReaderStatus::ReadyToRead => [true, false, false, false],
        ReaderStatus::Processing => [true, true, false, false],
        ReaderStatus::CardReadSuccessfully => [true; 4],
        ReaderStatus::NotReady | ReaderStatus::ProcessingError => [false; 4],
    }
}

/// Whether the status blinks (and so needs the blink timer).
pub fn blinks(status: ReaderStatus) -> bool {
    status == ReaderStatus::Idle
}

/// Whether the status comes with the success tone (Book A 9.1.2).
pub fn tone(status: ReaderStatus) -> bool {
    status == ReaderStatus::CardReadSuccessfully
}

const LIT: Color = Color::from_rgb(0.18, 0.80, 0.35);
const UNLIT: Color = Color::from_rgb(0.22, 0.24, 0.27);
const ERROR: Color = Color::from_rgb(0.85, 0.22, 0.2);

/// The four lights as a row of round lamps, with the tone shown as a note.
pub fn view<'a, M: 'a>(status: ReaderStatus, blink_on: bool) -> Element<'a, M> {
    let lamps = pattern(status, blink_on);
    let ring = if status == ReaderStatus::ProcessingError {
        ERROR
    } else {
        Color::from_rgb(0.4, 0.42, 0.45)
    };
    let mut r = row![].spacing(18).align_y(iced::Alignment::Center);
    for lit in lamps {
        r = r.push(
            container(text(""))
                .width(34)
                .height(34)
                .style(move |_| container::Style {
                    background: Some(if lit { LIT } else { UNLIT }.into()),
                    border: Border {
                        color: ring,
                        width: 2.0,
                        radius: 17.0.into(),
                    },
                    ..container::Style::default()
                }),
        );
    }
    if tone(status) {
        r = r.push(text("♪ beep").size(18));
    }
    r.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_book_a() {
        assert_eq!(
            pattern(ReaderStatus::Idle, true),
            [true, false, false, false]
        );
        assert_eq!(pattern(ReaderStatus::Idle, false), [false; 4]);
        assert_eq!(
            pattern(ReaderStatus::ReadyToRead, false),
            [true, false, false, false]
        );
        assert_eq!(
            pattern(ReaderStatus::Processing, false),
            [true, true, false, false]
        );
        assert_eq!(
            pattern(ReaderStatus::CardReadSuccessfully, false),
            [true; 4]
        );
        assert!(tone(ReaderStatus::CardReadSuccessfully));
        assert!(!tone(ReaderStatus::Processing));
        assert!(blinks(ReaderStatus::Idle));
        assert!(!blinks(ReaderStatus::ReadyToRead));
    }
}
