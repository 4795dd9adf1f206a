//! The developer screen: every APDU of the last transaction with its timing, raw bytes, the
//! TLV tree with tag names and decoded bits, status words explained, and the kernel's own
//! notes and decisions beside them (DESIGN.md "a wallet or card developer").
//!
//! Card data is secret here too: PAN, track 1 and track 2 values are masked in the hex and
//! in the tree (first 6 / last 4 digits, expiry kept), so the screen and its copies never
//! carry them.

use emv_kernel::apdu::Response;
use emv_kernel::tlv::TlvIter;
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Font, Length};

use std::path::PathBuf;

use super::settings::GuiConfig;
use super::worker::Finished;
use super::{App, Message};
use crate::masking::is_card_data;
use emv_kernel::bits;
use emv_kernel::outcome::TraceEntry;
use emv_kernel::status_words::explain_sw;

pub use crate::masking::masked_response_hex;

/// Printable text of an `an`/`ans` value (labels, names), anything else replaced by `?`.
fn ans(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| {
            if b.is_ascii_graphic() || *b == b' ' {
                char::from(*b)
            } else {
                '?'
            }
        })
        .collect()
}

/// One line of the TLV tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLine {
    /// Nesting depth.
    pub depth: usize,
    /// The text: tag, name, length, value (masked), or a decoding error.
    pub text: String,
}

fn tree_level(iter: TlvIter<'_>, depth: usize, out: &mut Vec<TreeLine>) {
    for item in iter {
        match item {
            Err(e) => {
                out.push(TreeLine {
                    depth,
                    text: format!("malformed TLV: {e}"),
                });
                break;
            }
            Ok(tlv) => {
                let name = emv_kernel::tags::lookup(tlv.tag).map_or("unknown tag", |i| i.name);
                let tag = hex::encode_upper(tlv.tag.to_bytes());
                if tlv.is_constructed() {
                    out.push(TreeLine {
                        depth,
                        text: format!("{tag} {name} ({} bytes)", tlv.value.len()),
                    });
                    tree_level(tlv.children(), depth + 1, out);
                    continue;
                }
                let sensitive = is_card_data(tlv.tag, tlv.value);
                let value = if sensitive {
                    emv_kernel::tags::masked(tlv.tag, tlv.value)
                        .unwrap_or_else(|| "*".repeat(2 * tlv.value.len()))
                } else {
                    hex::encode_upper(tlv.value)
                };
                let shown_text = match emv_kernel::tags::lookup(tlv.tag).map(|i| i.format) {
                    Some(emv_kernel::tags::Format::An | emv_kernel::tags::Format::Ans)
                        if !sensitive =>
                    {
                        format!(" \"{}\"", ans(tlv.value))
                    }
                    _ => String::new(),
                };
                out.push(TreeLine {
                    depth,
                    text: format!("{tag} {name} = {value}{shown_text}"),
                });
                for bit in bits::explain(tlv.tag, tlv.value).unwrap_or_default() {
                    out.push(TreeLine {
                        depth: depth + 1,
                        text: format!("· {bit}"),
                    });
                }
            }
        }
    }
}

/// The TLV tree of a response's data (masked), empty for a bare status word.
pub fn tlv_tree(raw: &[u8]) -> Vec<TreeLine> {
    let mut out = Vec::new();
    if let Some(response) = Response::parse(raw)
        && !response.data.is_empty()
    {
        tree_level(TlvIter::new(response.data), 0, &mut out);
    }
    out
}

/// The command's name ("SELECT", "READ RECORD SFI 1 record 2").
pub fn command_name(command: &[u8]) -> String {
    let described = emv_kernel::replay::describe(command);
    match described.rsplit_once(" (") {
        Some((name, _)) => name.to_string(),
        None => described,
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

/// Writes a finished transaction as a test vector (test-vector-format.md) named after its
/// time and reader; returns the path. The vector holds the raw exchanges, as every vector
/// does: it is a developer's file, written only on request.
pub fn export_vector(config: &GuiConfig, last: &Finished) -> std::io::Result<PathBuf> {
    let stamp = last
        .stored
        .as_ref()
        .map_or_else(chrono::Utc::now, |s| s.entry.time)
        .format("%Y%m%d-%H%M%S")
        .to_string();
    let name = format!("tap-{stamp}");
    let source = match last.reader.strip_prefix("Demo reader (") {
        Some(profile) => format!("virtual wallet {}", profile.trim_end_matches(')')),
        None => format!("recorded: {} / unknown device", last.reader),
    };
    let vector = crate::recording::to_vector(
        &config.terminal,
        &last.transaction,
        &last.checkout,
        &name,
        &source,
    );
    let json = serde_json::to_string_pretty(&vector).map_err(std::io::Error::other)?;
    let dir = config.data_dir.join("vectors");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, json + "\n")?;
    Ok(path)
}

/// The developer screen.
pub fn view(app: &App) -> Element<'_, Message> {
    let exchanges = app.shown_exchanges();
    if exchanges.is_empty() {
        return container(text("No transaction yet: charge an amount and tap.").size(20))
            .padding(30)
            .into();
    }
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
        let style = if app.selected_exchange == i {
            button::primary
        } else {
            button::secondary
        };
        list = list.push(
            button(text(label).size(14))
                .width(Length::Fill)
                .style(style)
                .on_press(Message::SelectExchange(i)),
        );
    }
    let index = app.selected_exchange.min(exchanges.len() - 1);
    let detail = exchanges.get(index).map(|e| detail_view(app, index, e));
    let header = row![
        text(summary(app, exchanges)).size(16).width(Length::Fill),
        button("Copy all hex").on_press(Message::CopyAllHex),
        button("Export as test vector")
            .on_press_maybe(app.last.as_ref().map(|_| Message::ExportVector)),
    ]
    .spacing(10)
    .align_y(iced::Alignment::Center);
    let mut decisions = column![text("Kernel decisions").size(18)].spacing(2);
    if let Some(last) = app.last.as_ref().filter(|_| app.running.is_none()) {
        for d in &last.result().decisions {
            decisions = decisions.push(mono(format!("• {d}")));
        }
        decisions = decisions.push(mono(format!(
            "• outcome {} (taps: {})",
            last.result().outcome.status.name(),
            last.result()
                .tap_outcomes
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut body = column![header].spacing(10);
    if let Some(note) = &app.notice {
        body = body.push(text(note.clone()).size(14));
    }
    body = body.push(
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
    );
    body = body.push(
        scrollable(decisions.width(Length::Fill))
            .width(Length::Fill)
            .height(Length::FillPortion(1)),
    );
    container(body).padding(12).into()
}

fn summary(app: &App, exchanges: &[TraceEntry]) -> String {
    match (&app.running, &app.last) {
        (None, Some(last)) => format!(
            "{} exchanges, {} tap(s), {} on {}",
            exchanges.len(),
            last.result().tap_outcomes.len().max(1),
            ms(last.checkout.duration),
            last.reader
        ),
        _ => format!("{} exchanges so far (running)", exchanges.len()),
    }
}

fn detail_view<'a>(app: &'a App, index: usize, e: &'a TraceEntry) -> Element<'a, Message> {
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
    if let Ok(raw) = &e.response {
        for line in tlv_tree(raw) {
            c = c.push(mono(format!("{}{}", "  ".repeat(line.depth), line.text)));
        }
    }
    if let Some(notes) = app
        .last
        .as_ref()
        .filter(|_| app.running.is_none())
        .and_then(|l| l.result().trace.get(index))
    {
        for n in &notes.notes {
            c = c.push(text(format!("kernel: {n}")).size(14));
        }
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
        assert!(tree.iter().all(|l| !l.text.contains("4761739001010010")));
        assert!(tree.iter().any(|l| l.text.contains("\"VISA\"")));
        assert!(
            tree.iter()
                .any(|l| l.text.starts_with("5A Application Primary"))
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
        assert!(tree.iter().all(|l| !l.text.contains("4761739001010010")));
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
                .any(|l| l.text.contains("malformed"))
        );
    }

    #[test]
    fn spaces_hex_by_byte() {
        assert_eq!(spaced("9000"), "90 00");
        assert_eq!(spaced("4761**"), "47 61 **");
        assert_eq!(spaced(""), "");
    }

    #[test]
    fn names_commands() {
        assert_eq!(
            command_name(&emv_kernel::apdu::read_record(1, 2)),
            "READ RECORD SFI 1 record 2"
        );
        assert_eq!(
            command_name(&emv_kernel::apdu::select(emv_kernel::apdu::PPSE_NAME)),
            "SELECT 2PAY.SYS.DDF01"
        );
    }
}
