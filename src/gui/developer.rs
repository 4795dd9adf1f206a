//! The developer screen: every APDU of the last transaction (the kernel's trace, each with
//! its time), raw bytes, the TLV tree as the library's decoder gives it, status words
//! explained, and the kernel's own notes and decisions beside them (DESIGN.md "a wallet or
//! card developer").
//!
//! Card data is secret here too: PAN, track 1 and track 2 values are masked in the hex and
//! in the tree (first 6 / last 4 digits, expiry kept), so the screen and its copies never
//! carry them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use emv_kernel::apdu::Response;
use emv_kernel::config::TerminalConfig;
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Font, Length, Task};

use emv_kernel::outcome::TraceEntry;
use emv_kernel::status_words::explain_sw;

use crate::checkout::CheckoutResult;
use crate::decode::tap::{self, TapReport};
use crate::decode::{command_name, decode, render_text};

pub use crate::masking::masked_response_hex;

/// The response's data as the library's decoder shows it (tag names, values in the books'
/// formats, bits explained; PAN and track data masked), one line each; empty for a bare
/// status word, which [`status_line`] explains.
pub fn tlv_tree(raw: &[u8]) -> Vec<String> {
    match decode(raw, false) {
        Ok(mut decoded) => {
            decoded.status_word = None;
            render_text(&decoded).lines().map(str::to_string).collect()
        }
        Err(e) => vec![format!("malformed TLV: {e}")],
    }
}

/// The status word line of a response, or the transport error.
pub fn status_line(record: &TraceEntry) -> String {
    match &record.response {
        Ok(raw) => match Response::parse(raw) {
            Some(r) => explain_sw(r.sw),
            None => format!("response too short: {}", hex::encode_upper(raw)),
        },
        Err(e) => format!("no response: {e}"),
    }
}

/// The last tap decoded as `tapterm decode --vector` decodes a recorded one: every response
/// read with the tap's AID and currency, and the ODA chain redone with the terminal's CA keys,
/// dates checked against the transaction's.
pub fn tap_report(last: &CheckoutResult, config: &TerminalConfig) -> TapReport {
    let exchanges: Vec<tap::Exchange<'_>> = last
        .kernel
        .trace
        .iter()
        .map(|e| tap::Exchange {
            tap: e.tap,
            command: &e.command,
            response: e.response.as_deref().map_err(|_| "no response"),
        })
        .collect();
    tap::decode_tap(
        &exchanges,
        &config.capks,
        &config.revoked,
        last.transaction.date,
        false,
    )
}

/// Both APDUs as hex, masked, for the clipboard.
pub fn exchange_hex(record: &TraceEntry) -> String {
    let response = match &record.response {
        Ok(raw) => masked_response_hex(raw),
        Err(e) => format!("({e})"),
    };
    format!("C: {}\nR: {}", hex::encode_upper(&record.command), response)
}

/// Hex with a space between bytes, so long APDUs wrap on screen.
pub fn spaced(hex: &str) -> String {
    let chars: Vec<char> = hex.chars().collect();
    chars
        .chunks(2)
        .map(|pair| pair.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn ms(d: std::time::Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mono<'a>(s: String) -> iced::widget::Text<'a> {
    text(s).font(Font::MONOSPACE).size(14)
}

/// The developer screen's state: the last finished transaction, its decoded tap and the
/// exchange selected.
#[derive(Debug, Clone, Default)]
pub struct State {
    selected: usize,
    last: Option<Arc<CheckoutResult>>,
    report: Option<Arc<TapReport>>,
}

/// What the developer screen can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    /// Show one exchange (0-based).
    Select(usize),
    /// Copy one exchange's hex (masked).
    CopyHex(usize),
    /// Copy every exchange's hex (masked).
    CopyAllHex,
    /// Export the last tap as a test vector.
    ExportVector,
}

/// What the screen shows: the exchanges of the transaction running now, or the last one.
#[derive(Debug, Clone, Copy)]
pub enum Shown<'a> {
    /// A transaction runs: its exchanges so far.
    Running(&'a [TraceEntry]),
    /// Nothing runs: the last transaction, if any.
    Last,
}

impl State {
    /// Starts on exchange `selected` (command line `--exchange`).
    pub fn new(selected: usize) -> State {
        State {
            selected,
            last: None,
            report: None,
        }
    }

    /// The last finished transaction.
    pub fn last(&self) -> Option<&CheckoutResult> {
        self.last.as_deref()
    }

    /// A transaction finished: it becomes the one shown, decoded with the terminal's CA keys.
    pub fn finished(&mut self, finished: Arc<CheckoutResult>, config: &TerminalConfig) {
        self.report = Some(Arc::new(tap_report(&finished, config)));
        self.last = Some(finished);
    }

    /// The last transaction's decoded tap.
    pub fn report(&self) -> Option<&TapReport> {
        self.report.as_deref()
    }

    fn exchanges<'a>(&'a self, shown: Shown<'a>) -> &'a [TraceEntry] {
        match shown {
            Shown::Running(live) => live,
            Shown::Last => self.last.as_ref().map_or(&[], |l| &l.kernel.trace),
        }
    }

    /// Applies a message; the task ends with what to tell the user (clipboard writes end
    /// without a word).
    pub fn update(
        &mut self,
        message: Message,
        shown: Shown<'_>,
        config: &Arc<TerminalConfig>,
        data_dir: &Path,
    ) -> Task<String> {
        match message {
            Message::Select(i) => self.selected = i,
            Message::CopyHex(i) => {
                if let Some(e) = self.exchanges(shown).get(i) {
                    return iced::clipboard::write(exchange_hex(e));
                }
            }
            Message::CopyAllHex => {
                let all: Vec<String> = self.exchanges(shown).iter().map(exchange_hex).collect();
                return iced::clipboard::write(all.join("\n"));
            }
            Message::ExportVector => {
                if let (Shown::Last, Some(last)) = (shown, &self.last) {
                    let (config, last, dir) =
                        (config.clone(), last.clone(), data_dir.join("vectors"));
                    return Task::perform(
                        async move { export_vector(&config, &last, &dir) },
                        |written| match written {
                            Ok(path) => format!("Test vector written to {}", path.display()),
                            Err(e) => format!("Could not write the test vector: {e}"),
                        },
                    );
                }
            }
        }
        Task::none()
    }

    /// The developer screen.
    pub fn view<'a>(&'a self, shown: Shown<'a>) -> Element<'a, Message> {
        let exchanges = self.exchanges(shown);
        if exchanges.is_empty() {
            return container(text("No transaction yet: charge an amount and tap.").size(20))
                .padding(30)
                .into();
        }
        let last = match shown {
            Shown::Last => self.last.as_deref(),
            Shown::Running(_) => None,
        };
        let mut list = column![].spacing(4);
        for (i, e) in exchanges.iter().enumerate() {
            let sw = match &e.response {
                Ok(raw) => Response::parse(raw).map_or("??".into(), |r| format!("{:04X}", r.sw)),
                Err(_) => "—".into(),
            };
            let label = format!(
                "#{} {} → {}\ntap {} · answered in {}",
                i + 1,
                command_name(&e.command),
                sw,
                e.tap + 1,
                ms(e.elapsed)
            );
            let style = if self.selected == i {
                button::primary
            } else {
                button::secondary
            };
            list = list.push(
                button(text(label).size(14))
                    .width(Length::Fill)
                    .style(style)
                    .on_press(Message::Select(i)),
            );
        }
        let index = self.selected.min(exchanges.len() - 1);
        let report = last.and(self.report.as_deref());
        let decoded = report.and_then(|r| r.exchanges.get(index));
        let detail = exchanges.get(index).map(|e| detail_view(index, e, decoded));
        let summary = match last {
            Some(last) => format!(
                "{} exchanges, {} tap(s), {} on {}",
                exchanges.len(),
                last.kernel.tap_outcomes.len().max(1),
                ms(last.duration),
                last.reader
            ),
            None => format!("{} exchanges so far (running)", exchanges.len()),
        };
        let header = row![
            text(summary).size(16).width(Length::Fill),
            button("Copy all hex").on_press(Message::CopyAllHex),
            button("Export as test vector").on_press_maybe(last.map(|_| Message::ExportVector)),
        ]
        .spacing(10)
        .align_y(iced::Alignment::Center);
        let mut decisions = column![text("Kernel decisions").size(18)].spacing(2);
        if let Some(last) = last {
            for d in &last.kernel.decisions {
                decisions = decisions.push(mono(format!("• {d}")));
            }
            decisions = decisions.push(mono(format!(
                "• outcome {} (taps: {})",
                last.kernel.outcome.status.name(),
                last.kernel
                    .tap_outcomes
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if let Some(report) = report {
            for line in tap::oda_text(report).lines().filter(|l| !l.is_empty()) {
                decisions = decisions.push(mono(line.to_string()));
            }
        }
        let body = column![
            header,
            row![
                scrollable(list)
                    .width(Length::FillPortion(2))
                    .height(Length::Fill),
                scrollable(detail.unwrap_or_else(|| text("").into()))
                    .width(Length::FillPortion(3))
                    .height(Length::Fill),
            ]
            .spacing(12)
            .height(Length::FillPortion(3)),
            scrollable(decisions.width(Length::Fill))
                .width(Length::Fill)
                .height(Length::FillPortion(1)),
        ]
        .spacing(10);
        container(body).padding(12).into()
    }
}

/// Writes a finished transaction as a test vector (test-vector-format.md) into `dir`, named
/// after its date and time; returns the path. The vector holds the raw exchanges, as every
/// vector does: it is a developer's file, written only on request.
fn export_vector(
    config: &TerminalConfig,
    last: &CheckoutResult,
    dir: &Path,
) -> std::io::Result<PathBuf> {
    let (d, t) = (last.transaction.date, last.transaction.time);
    let name = format!(
        "tap-{:04}{:02}{:02}-{:02}{:02}{:02}",
        d.year, d.month, d.day, t.hour, t.minute, t.second
    );
    let source = match last.reader.strip_prefix("Demo reader (") {
        Some(profile) => format!("virtual wallet {}", profile.trim_end_matches(')')),
        None => format!("recorded: {} / unknown device", last.reader),
    };
    let vector = crate::recording::to_vector(config, &last.transaction, last, &name, &source);
    let json = serde_json::to_string_pretty(&vector).map_err(std::io::Error::other)?;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, json + "\n")?;
    Ok(path)
}

/// One exchange: the command, both APDUs (masked), the status word, the terminal data the
/// command carried and the response's tree (from the tap's report when the transaction is
/// over, read with its AID; else decoded on its own).
fn detail_view<'a>(
    index: usize,
    e: &'a TraceEntry,
    decoded: Option<&tap::ExchangeReport>,
) -> Element<'a, Message> {
    let mut c = column![
        row![
            text(format!("#{} {}", index + 1, command_name(&e.command)))
                .size(20)
                .width(Length::Fill),
            button("Copy hex").on_press(Message::CopyHex(index)),
        ]
        .spacing(10)
        .align_y(iced::Alignment::Center),
        text(format!("tap {}, answered in {}", e.tap + 1, ms(e.elapsed))).size(14),
        text("C-APDU").size(14),
        mono(spaced(&hex::encode_upper(&e.command))),
        text("R-APDU").size(14),
    ]
    .spacing(4);
    c = c.push(mono(match &e.response {
        Ok(raw) => spaced(&masked_response_hex(raw)),
        Err(err) => format!("({err})"),
    }));
    c = c.push(text(status_line(e)).size(16));
    if let Some(sent) = decoded.and_then(|d| d.command_data.as_ref()) {
        c = c.push(text("Terminal data sent").size(14));
        for line in render_text(sent).lines() {
            c = c.push(mono(line.to_string()));
        }
    }
    match (decoded.and_then(|d| d.response.as_ref()), &e.response) {
        (Some(tree), _) => {
            for line in render_text(tree).lines().filter(|l| !l.starts_with("SW ")) {
                c = c.push(mono(line.to_string()));
            }
        }
        (None, Ok(raw)) => {
            for line in tlv_tree(raw) {
                c = c.push(mono(line));
            }
        }
        (None, Err(_)) => {}
    }
    for n in &e.notes {
        c = c.push(text(format!("kernel: {n}")).size(14));
    }
    c.padding(iced::Padding::ZERO.right(18)).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::tlv::Tag;

    #[test]
    fn masks_pan_and_track2_in_hex_and_tree() {
        use emv_kernel::tlv;
        let mut inner = Vec::new();
        let pan = hex::decode("4761739001010010").unwrap();
        tlv::encode(Tag::new(0x5A), &pan, &mut inner);
        let track2 = hex::decode("4761739001010010D25122011234567F").unwrap();
        tlv::encode(Tag::new(0x57), &track2, &mut inner);
        tlv::encode(Tag::new(0x50), b"VISA", &mut inner);
        let mut data = tlv::encoded(Tag::new(0x70), &inner);
        data.extend([0x90, 0x00]);
        let hex = masked_response_hex(&data);
        assert!(!hex.contains("4761739001010010"), "{hex}");
        assert!(hex.contains("476173******0010"), "{hex}");
        assert!(hex.contains("D2512*"), "{hex}");
        assert!(hex.ends_with("9000"));
        let tree = tlv_tree(&data);
        assert!(tree.iter().all(|l| !l.contains("4761739001010010")));
        assert!(tree.iter().any(|l| l.contains("\"VISA\"")));
        assert!(
            tree.iter()
                .any(|l| l.trim_start().starts_with("5A Application Primary"))
        );
    }

    #[test]
    fn pan_in_a_malformed_answer_is_masked() {
        // 77 claims 0x40 bytes but holds fewer: the template does not parse.
        let mut data = hex::decode("77408202200057104761739001010010D2512201123456").unwrap();
        data.extend([0x5A, 0x08]);
        data.extend(hex::decode("4761739001010010").unwrap());
        data.extend([0x90, 0x00]);
        let hex = masked_response_hex(&data);
        assert!(!hex.contains("4761739001010010"), "{hex}");
        assert!(
            !hex.contains("1234"),
            "track 2 discretionary data hidden: {hex}"
        );
        assert!(hex.contains("476173******0010"), "{hex}");
        assert_eq!(hex.len(), 2 * data.len());
        let tree = tlv_tree(&data);
        assert!(tree.iter().all(|l| !l.contains("4761739001010010")));
    }

    #[test]
    fn malformed_responses_do_not_panic() {
        for raw in [
            &[][..],
            &[0x90][..],
            &[0x70, 0x81][..],
            &[0x70, 0x05, 0x5A, 0x9F, 0x90, 0x00][..],
        ] {
            let _ = masked_response_hex(raw);
            let _ = tlv_tree(raw);
        }
        assert!(
            tlv_tree(&[0x70, 0x05, 0x5A, 0x09, 0x01, 0x90, 0x00])
                .iter()
                .any(|l| l.contains("malformed"))
        );
    }

    #[test]
    fn spaces_hex_by_byte() {
        assert_eq!(spaced("9000"), "90 00");
        assert_eq!(spaced("4761**"), "47 61 **");
        assert_eq!(spaced(""), "");
    }
}
