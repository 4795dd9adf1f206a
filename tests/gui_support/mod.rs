//! A headless driver for the window: iced_test's simulator for clicks and text, and the
//! window's tasks run the way iced's runtime runs them (stream by stream, messages fed back
//! into `update`), so a whole transaction happens on the real worker thread without a
//! display.
//! Each gui_* test file uses part of it.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use iced::futures::StreamExt;
use iced::futures::stream::{BoxStream, SelectAll};
use iced_test::runtime::Action;
use tapterm::gui::settings::GuiConfig;
use tapterm::gui::{App, GuiOptions, Message};
use tapterm::terminal_config;

/// The configuration the window would load, with the journal and files in `dir`.
pub fn config(dir: &Path) -> GuiConfig {
    let settings =
        terminal_config::load(None, Path::new(terminal_config::CAPK_DIR)).expect("config loads");
    let mut config = GuiConfig::from_settings(settings, dir.to_path_buf()).expect("gui config");
    config.journal = Some(dir.join("journal.sqlite"));
    config
}

/// The window plus the task streams it started.
pub struct Driver {
    /// The window's state.
    pub app: App,
    /// What the window wrote to the clipboard, in order.
    pub clipboard: Vec<String>,
    /// Whether the window asked the runtime to exit.
    pub exited: bool,
    pending: SelectAll<BoxStream<'static, Action<Message>>>,
}

impl Driver {
    /// A window started with `--demo profile` (so on the demo reader), files in `dir`.
    pub fn new(dir: &Path, profile: &str, locked: bool) -> Driver {
        let options = GuiOptions {
            profile: Some(profile.to_string()),
            locked,
            ..GuiOptions::default()
        };
        Driver::boot(config(dir), &options)
    }

    /// A window as `App::boot` opens it, once its start-up tasks (journal, reader poll)
    /// are done.
    pub fn boot(config: GuiConfig, options: &GuiOptions) -> Driver {
        let (app, task) = App::boot(config, options);
        let mut d = Driver {
            app,
            clipboard: Vec::new(),
            exited: false,
            pending: SelectAll::new(),
        };
        d.queue(task);
        d.run_all("the start-up tasks");
        d
    }

    fn queue(&mut self, task: iced::Task<Message>) {
        if let Some(stream) = iced_test::runtime::task::into_stream(task) {
            self.pending.push(stream);
        }
    }

    /// Applies a message (the window's or a screen's) and queues the task it returns.
    pub fn update(&mut self, message: impl Into<Message>) {
        let task = self.app.update(message.into());
        self.queue(task);
    }

    /// Does what the runtime would do with an action: messages go back to `update`,
    /// clipboard writes and the exit are kept; the rest (fonts, windows) do not apply
    /// headless.
    fn perform(&mut self, action: Action<Message>) {
        match action {
            Action::Output(m) => self.update(m),
            Action::Clipboard(iced_test::runtime::clipboard::Action::Write {
                contents, ..
            }) => self.clipboard.push(contents),
            Action::Exit => self.exited = true,
            _ => {}
        }
    }

    /// Clicks the widget showing exactly `label` and applies what it produced.
    pub fn click(&mut self, label: &str) {
        let messages: Vec<Message> = {
            let mut ui = iced_test::simulator(self.app.view());
            if let Err(e) = ui.click(label) {
                panic!("cannot click {label:?}: {e}");
            }
            ui.into_messages().collect()
        };
        for m in messages {
            self.update(m);
        }
    }

    /// Types on the on-screen keypad.
    pub fn keypad(&mut self, keys: &str) {
        for c in keys.chars() {
            self.click(&c.to_string());
        }
    }

    /// Whether the window shows a text widget with exactly `text`.
    pub fn shows(&self, text: &str) -> bool {
        let mut ui = iced_test::simulator(self.app.view());
        ui.find(text).is_ok()
    }

    /// Runs every queued task to its end, feeding messages back. Panics after 20 s without
    /// progress.
    pub fn run_all(&mut self, what: &str) {
        while self.step(what) {}
    }

    /// Runs queued tasks, feeding their messages back, until `done` holds. Panics after 20 s
    /// without progress (a hang is a failure, not a skipped test).
    pub fn run_until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        while !done(&self.app) {
            if !self.step(what) {
                panic!("no more tasks while waiting for {what}");
            }
        }
    }

    /// Runs queued tasks until the window asks to exit.
    pub fn run_until_exit(&mut self) {
        while !self.exited {
            if !self.step("the exit") {
                panic!("no more tasks while waiting for the exit");
            }
        }
    }

    /// Performs the next action of the queued tasks; `false` when none is left.
    fn step(&mut self, what: &str) -> bool {
        let next = iced::futures::executor::block_on(async {
            let timeout = Box::pin(timer(Duration::from_secs(20)));
            match iced::futures::future::select(self.pending.next(), timeout).await {
                iced::futures::future::Either::Left((action, _)) => Ok(action),
                iced::futures::future::Either::Right(_) => Err(()),
            }
        });
        match next {
            Ok(Some(action)) => {
                self.perform(action);
                true
            }
            Ok(None) => false,
            Err(()) => panic!("timed out waiting for {what}"),
        }
    }
}

impl Driver {
    /// Processes whatever messages arrive within `window` (the worker's follow-ups to the
    /// last one), so assertions see the state the screen would settle in.
    pub fn settle(&mut self, window: Duration) {
        loop {
            let next = iced::futures::executor::block_on(async {
                let timeout = Box::pin(timer(window));
                match iced::futures::future::select(self.pending.next(), timeout).await {
                    iced::futures::future::Either::Left((action, _)) => Some(action),
                    iced::futures::future::Either::Right(_) => None,
                }
            });
            match next {
                Some(Some(action)) => self.perform(action),
                Some(None) | None => return,
            }
        }
    }
}

/// A future that resolves after `d`, driven by a sleeping thread.
fn timer(d: Duration) -> impl std::future::Future<Output = ()> {
    let (tx, rx) = iced::futures::channel::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(d);
        let _ = tx.send(());
    });
    async move {
        let _ = rx.await;
    }
}
