//! The gate screen (`tapterm gui --transit`, issue 13): the window of a ticket barrier.
//!
//! Full screen, readable from a metre away: GO on green or STOP on red in letters a fifth
//! of the window high, the reason, the fare and the rider's rides today under it, the four
//! Book A status lights (9.1) at the bottom. A Developer tab shows the last tap's APDUs with
//! the same screen as the till's. Each tap runs [`crate::transit::gate::run_gate`] on its
//! own thread; a [`Sender`] thread sends the queued authorisations in the background.
//! With the demo reader a button (or Space) taps the wallet; with a PC/SC reader the next
//! tap is awaited as soon as one ends.

use std::sync::Arc;
use std::time::Duration;

use emv_kernel::outcome::ReaderStatus;
use iced::widget::{button, column, container, row, text};
use iced::{Color, Element, Length, Subscription, Task, Theme};

use super::{developer, lights};
use crate::cancel::CancelToken;
use crate::host::Authoriser;
use crate::journal::transit::Gate;
use crate::phone::{Profile, WalletOptions};
use crate::reader::{PcscOptions, PcscTransport};
use crate::transit::gate::{GateResult, GateServices, run_gate};
use crate::transit::sender::{Background, Sender};
use crate::transit::station::Station;

/// Where the riders tap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateReader {
    /// A virtual wallet, tapped with the button.
    Demo {
        /// Its profile.
        profile: Profile,
        /// Locked phone.
        locked: bool,
        /// Its Express Transit setting.
        express: bool,
    },
    /// A PC/SC reader (a name, or the first ACR122U / reader when `None`).
    Pcsc(Option<String>),
}

/// The two tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// GO / STOP.
    Gate,
    /// The last tap's APDUs.
    Developer,
}

/// What the gate window can be told.
#[derive(Debug, Clone)]
pub enum Message {
    /// Tap the demo wallet (or wait for the next card on a PC/SC reader).
    Tap,
    /// A tap ended (`None`: its thread stopped without a result).
    Done(Option<Arc<GateResult>>),
    /// Switch tab.
    Tab(Tab),
    /// For the developer tab.
    Developer(developer::Message),
    /// The developer tab's export or copy finished with a note.
    Notice(String),
    /// Idle light blink.
    Blink,
}

/// The gate window's state.
pub struct GateApp {
    station: Arc<Station>,
    reader: GateReader,
    tab: Tab,
    status: ReaderStatus,
    blink_on: bool,
    busy: bool,
    rides: u64,
    last: Option<Arc<GateResult>>,
    developer: developer::State,
    config: Arc<emv_kernel::config::TerminalConfig>,
    notice: Option<String>,
    _sender: Option<Background>,
}

impl std::fmt::Debug for GateApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateApp")
            .field("reader", &self.reader)
            .field("tab", &self.tab)
            .field("busy", &self.busy)
            .finish_non_exhaustive()
    }
}

/// One tap at the gate, on the calling thread.
pub fn ride(station: &Station, reader: &GateReader, seed: u64) -> Result<GateResult, String> {
    let mut journal = station.journal()?;
    let txn = station.transaction()?;
    let mut services = GateServices {
        journal: &mut journal,
        key: &station.key,
        secret: &station.secret,
        reader: String::new(),
        cancel: CancelToken::new(),
    };
    let run = |transport: &mut dyn emv_kernel::transport::Transport,
               services: &mut GateServices<'_>| {
        run_gate(
            &station.profile,
            &station.kernel,
            &txn,
            transport,
            &mut |_| {},
            services,
        )
    };
    Ok(match reader {
        GateReader::Demo {
            profile,
            locked,
            express,
        } => {
            let options = WalletOptions {
                locked: *locked,
                seed,
                oda_fault: None,
            };
            let mut wallet = station.demo_wallet(*profile, options, *express, 2)?;
            services.reader = format!("demo {profile}");
            run(&mut wallet, &mut services)
        }
        GateReader::Pcsc(name) => {
            let options = PcscOptions {
                reader: name.clone(),
                tap_timeout: None,
                cancel: services.cancel.clone(),
                ecp_frame: station.profile.ecp_frame.clone(),
            };
            let mut transport = PcscTransport::new(options, Box::new(|_| {}));
            services.reader = name.clone().unwrap_or_else(|| "PC/SC".into());
            run(&mut transport, &mut services)
        }
    })
}

impl GateApp {
    /// The gate window: its sender thread starts at once; a PC/SC gate waits for a card, a
    /// demo gate taps at once with `auto_tap`.
    pub fn boot(
        station: Station,
        reader: GateReader,
        host: Option<Arc<dyn Authoriser>>,
        auto_tap: bool,
    ) -> (GateApp, Task<Message>) {
        let sender = host.map(|host| {
            Sender {
                journal_path: station.journal_path.clone(),
                zone: station.settings.app.time_zone,
                key: station.key.clone(),
                host,
                retry: Duration::from_millis(station.profile.retry_ms),
            }
            .spawn(Box::new(|_| {}))
        });
        let app = GateApp {
            config: Arc::new(station.kernel.clone()),
            station: Arc::new(station),
            reader,
            tab: Tab::Gate,
            status: ReaderStatus::Idle,
            blink_on: true,
            busy: false,
            rides: 0,
            last: None,
            developer: developer::State::new(0),
            notice: None,
            _sender: sender,
        };
        let first = if auto_tap || matches!(app.reader, GateReader::Pcsc(_)) {
            Task::done(Message::Tap)
        } else {
            Task::none()
        };
        (app, first)
    }

    /// The last tap's result.
    pub fn last(&self) -> Option<&GateResult> {
        self.last.as_deref()
    }

    /// Whether a tap is running.
    pub fn is_busy(&self) -> bool {
        self.busy
    }

    /// The status lights' status.
    pub fn status(&self) -> ReaderStatus {
        self.status
    }

    /// Applies one message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Tap if !self.busy => {
                self.busy = true;
                self.status = ReaderStatus::ReadyToRead;
                self.rides += 1;
                let (station, reader, seed) =
                    (self.station.clone(), self.reader.clone(), self.rides);
                let (tx, rx) = iced::futures::channel::oneshot::channel();
                std::thread::spawn(move || {
                    let _ = tx.send(ride(&station, &reader, seed));
                });
                return Task::perform(async move { rx.await.ok() }, |done| {
                    Message::Done(match done {
                        Some(Ok(result)) => Some(Arc::new(result)),
                        _ => None,
                    })
                });
            }
            Message::Tap => {}
            Message::Done(result) => {
                self.busy = false;
                match result {
                    Some(result) => {
                        self.status = match result.gate {
                            Gate::Go => ReaderStatus::CardReadSuccessfully,
                            Gate::Stop => ReaderStatus::ProcessingError,
                        };
                        self.notice = result.journal_error.clone();
                        self.developer
                            .finished(Arc::new(result.checkout.clone()), &self.config);
                        self.last = Some(result);
                    }
                    None => {
                        self.status = ReaderStatus::ProcessingError;
                        self.notice = Some("The tap could not run (journal or reader)".into());
                    }
                }
                if matches!(self.reader, GateReader::Pcsc(_)) {
                    return Task::done(Message::Tap);
                }
            }
            Message::Tab(tab) => self.tab = tab,
            Message::Developer(m) => {
                return self
                    .developer
                    .update(
                        m,
                        developer::Shown::Last,
                        &self.config,
                        &self.station.journal_path.with_extension("exports"),
                    )
                    .map(Message::Notice);
            }
            Message::Notice(n) => self.notice = Some(n),
            Message::Blink => self.blink_on = !self.blink_on,
        }
        Task::none()
    }

    /// The idle lights blink; Space taps the demo wallet.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = vec![iced::keyboard::listen().filter_map(|e| match e {
            iced::keyboard::Event::KeyPressed {
                key: iced::keyboard::Key::Named(iced::keyboard::key::Named::Space),
                ..
            } => Some(Message::Tap),
            _ => None,
        })];
        if lights::blinks(self.status) {
            subs.push(iced::time::every(Duration::from_millis(500)).map(|_| Message::Blink));
        }
        Subscription::batch(subs)
    }

    /// The window title.
    pub fn title(&self) -> String {
        "tapterm — Gate".into()
    }

    /// The whole window.
    pub fn view(&self) -> Element<'_, Message> {
        let tab = |t: Tab, label: &'static str| {
            button(text(label).size(18))
                .padding([8, 18])
                .style(if self.tab == t {
                    button::primary
                } else {
                    button::text
                })
                .on_press(Message::Tab(t))
        };
        let mut bar = row![
            text("tapterm gate").size(22),
            tab(Tab::Gate, "Gate"),
            tab(Tab::Developer, "Developer"),
        ]
        .spacing(8)
        .padding([6, 12])
        .align_y(iced::Alignment::Center);
        if let GateReader::Demo { profile, .. } = &self.reader {
            let tap = button(text(format!("Tap {profile}")).size(18)).padding([8, 18]);
            bar = bar.push(if self.busy {
                tap
            } else {
                tap.on_press(Message::Tap)
            });
        }
        let body: Element<'_, Message> = match self.tab {
            Tab::Gate => self.gate_view(),
            Tab::Developer => self
                .developer
                .view(developer::Shown::Last)
                .map(Message::Developer),
        };
        let mut window = column![
            bar,
            container(body).width(Length::Fill).height(Length::Fill)
        ];
        if let Some(n) = &self.notice {
            window = window.push(container(text(n.clone()).size(15)).padding([6, 12]));
        }
        window.into()
    }

    fn gate_view(&self) -> Element<'_, Message> {
        let (word, detail, colour) = match &self.last {
            Some(r) if !self.busy => {
                let lines = vec![
                    r.reason.clone(),
                    format!(
                        "Fare {} {}",
                        self.station.money(r.fare),
                        crate::journal::currency_code(self.station.settings.app.currency)
                    ),
                    format!("Rides today: {}", r.rides_today),
                ];
                match r.gate {
                    Gate::Go => ("GO", lines, Color::from_rgb(0.10, 0.55, 0.22)),
                    Gate::Stop => ("STOP", lines, Color::from_rgb(0.72, 0.12, 0.12)),
                }
            }
            _ => (
                if self.busy { "…" } else { "TAP" },
                vec!["Tap card or phone".to_string()],
                Color::from_rgb(0.16, 0.18, 0.22),
            ),
        };
        let mut lines = column![text(word).size(180)]
            .spacing(10)
            .align_x(iced::Alignment::Center);
        for l in detail {
            lines = lines.push(text(l).size(44));
        }
        let panel = container(lines)
            .center(Length::Fill)
            .style(move |_| container::Style {
                background: Some(colour.into()),
                text_color: Some(Color::WHITE),
                ..container::Style::default()
            });
        column![
            panel,
            container(lights::view(self.status, self.blink_on)).padding(16)
        ]
        .align_x(iced::Alignment::Center)
        .into()
    }
}

/// Opens the gate window and runs until it is closed.
pub fn run(
    station: Station,
    reader: GateReader,
    host: Option<Arc<dyn Authoriser>>,
    auto_tap: bool,
) -> iced::Result {
    iced::application(
        move || GateApp::boot(station.clone(), reader.clone(), host.clone(), auto_tap),
        GateApp::update,
        GateApp::view,
    )
    .title(GateApp::title)
    .subscription(GateApp::subscription)
    .theme(|_: &GateApp| Theme::Dark)
    .window_size((1100.0, 720.0))
    .run()
}
