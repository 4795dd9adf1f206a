//! `tapterm rewards`: the rewards ledger (src/journal/ledger.rs) — members with their
//! account key truncated, one member's history, CSV export, and `--forget` (a customer's
//! right to be forgotten).

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use tapterm::journal::Journal;
use tapterm::journal::ledger::{Event, Member};

/// Arguments of `tapterm rewards`.
#[derive(Debug, clap::Args)]
pub struct RewardsArgs {
    /// Journal file holding the ledger (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Show this member's history (the member number from the list).
    #[arg(long, value_name = "MEMBER", conflicts_with = "forget")]
    member: Option<i64>,
    /// Print CSV instead of a table (the member list, or with --member the history).
    #[arg(long, conflicts_with_all = ["json", "forget"])]
    csv: bool,
    /// Print JSON instead of a table.
    #[arg(long, conflicts_with = "forget")]
    json: bool,
    /// Erase this member: points, visits, devices, events, and the PAR on the journal rows of
    /// their sales (the sales stay, for the books).
    #[arg(long, value_name = "MEMBER")]
    forget: Option<i64>,
}

/// Runs the subcommand.
pub fn run(args: RewardsArgs) -> ExitCode {
    let journal = match super::history::open(args.journal.clone()) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let done = match (args.forget, args.member) {
        (Some(id), _) => forget(&journal, id),
        (None, Some(id)) => history(&journal, id, &args),
        (None, None) => list(&journal, &args),
    };
    done.unwrap_or_else(|e| {
        eprintln!("tapterm rewards: {e}");
        ExitCode::FAILURE
    })
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The devices of a member in one field: `Visa phone token …0015; Visa card …0021`.
fn devices(m: &Member) -> String {
    m.devices
        .iter()
        .map(|d| {
            let token = if d.token { " token" } else { "" };
            format!("{} {}{token} …{}", d.scheme, d.form, d.last4)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn csv_row(fields: &[String]) {
    let row: Vec<String> = fields.iter().map(|f| csv(f)).collect();
    println!("{}", row.join(","));
}

fn list(journal: &Journal, args: &RewardsArgs) -> Result<ExitCode, String> {
    let members = journal.ledger().members().map_err(|e| e.to_string())?;
    if args.json {
        let list: Vec<_> = members
            .iter()
            .map(|m| {
                json!({
                    "member": m.id,
                    "account": m.key.to_string(),
                    "keyed_by": m.key.source(),
                    "points": m.points,
                    "visits": m.visits,
                    "first_seen": time(m.first_seen),
                    "last_seen": time(m.last_seen),
                    "devices": m.devices.iter().map(|d| json!({
                        "scheme": d.scheme,
                        "form": d.form,
                        "token": d.token,
                        "last4": d.last4,
                        "first_seen": time(d.first_seen),
                        "last_seen": time(d.last_seen),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?
        );
    } else if args.csv {
        csv_row(
            &[
                "member",
                "account",
                "keyed_by",
                "points",
                "visits",
                "first_seen",
                "last_seen",
                "devices",
            ]
            .map(String::from),
        );
        for m in &members {
            csv_row(&[
                m.id.to_string(),
                m.key.to_string(),
                m.key.source().into(),
                m.points.to_string(),
                m.visits.to_string(),
                time(m.first_seen),
                time(m.last_seen),
                devices(m),
            ]);
        }
    } else {
        println!(
            "{:>6}  {:16}  {:>7}  {:>6}  {:19}  devices",
            "member", "account", "points", "visits", "last seen"
        );
        for m in &members {
            println!(
                "{:>6}  {:16}  {:>7}  {:>6}  {:19}  {}",
                m.id,
                m.key.to_string(),
                m.points,
                m.visits,
                time(m.last_seen),
                devices(m)
            );
        }
        println!("{} member(s)", members.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn event_json(e: &Event) -> serde_json::Value {
    json!({
        "event": e.id,
        "transaction": e.transaction,
        "time": time(e.time),
        "kind": e.kind.name(),
        "points": e.points,
        "offer": e.offer,
        "discount_minor": e.amount_minor,
        "balance": e.balance,
        "visits": e.visits,
    })
}

fn history(journal: &Journal, id: i64, args: &RewardsArgs) -> Result<ExitCode, String> {
    let ledger = journal.ledger();
    let Some(member) = ledger.member(id).map_err(|e| e.to_string())? else {
        eprintln!("tapterm rewards: no member #{id}");
        return Ok(ExitCode::FAILURE);
    };
    let events = ledger.history(id).map_err(|e| e.to_string())?;
    if args.json {
        let out = json!({
            "member": member.id,
            "account": member.key.to_string(),
            "points": member.points,
            "visits": member.visits,
            "devices": devices(&member),
            "events": events.iter().map(event_json).collect::<Vec<_>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else if args.csv {
        csv_row(
            &[
                "member",
                "event",
                "transaction",
                "time",
                "kind",
                "points",
                "offer",
                "discount_minor",
                "balance",
                "visits",
            ]
            .map(String::from),
        );
        for e in &events {
            csv_row(&[
                e.member.to_string(),
                e.id.to_string(),
                e.transaction.map_or(String::new(), |t| t.to_string()),
                time(e.time),
                e.kind.name().into(),
                e.points.to_string(),
                e.offer.clone().unwrap_or_default(),
                e.amount_minor.map_or(String::new(), |a| a.to_string()),
                e.balance.to_string(),
                e.visits.to_string(),
            ]);
        }
    } else {
        println!(
            "member #{} {} ({}): {} points, {} visits",
            member.id,
            member.key,
            member.key.source(),
            member.points,
            member.visits
        );
        println!("devices: {}", devices(&member));
        for e in &events {
            println!(
                "{}  #{:<5} {:8} {:>+6}  balance {:>5}  visits {:>3}  {}",
                time(e.time),
                e.transaction.map_or("-".to_string(), |t| t.to_string()),
                e.kind.name(),
                e.points,
                e.balance,
                e.visits,
                e.offer.as_deref().unwrap_or("")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn forget(journal: &Journal, id: i64) -> Result<ExitCode, String> {
    if journal.ledger().forget(id).map_err(|e| e.to_string())? {
        println!("member #{id} forgotten: points, visits, devices and history erased");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("tapterm rewards: no member #{id}");
        Ok(ExitCode::FAILURE)
    }
}
