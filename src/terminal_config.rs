//! The terminal's configuration: `assets/terminal.toml` (built in), optionally overlaid by a
//! user file, plus CA public keys from `assets/capk/*.toml`, turned into the kernel's
//! [`TerminalConfig`] and the app's own settings.
//!
//! Terminal data, reader combinations (Book B 3.1) and kernel data objects (C-2 Annex A)
//! are data, not code (DESIGN.md). Combinations and CA keys use the same fields as
//! transaction vectors and the same conversion code ([`VectorCombination`], [`VectorCapk`]).
//! Every error names the file and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use emv_kernel::config::{Capk, TerminalConfig};
use emv_kernel::tlv::Tag;
use emv_kernel::vector::{self, Hex, HexTag, VectorCapk, VectorCombination};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::host::{HostConfig, StandIn};
use crate::time_zone::Zone;
use crate::transit::profile::{TransitFile, TransitProfile};

/// The built-in configuration.
pub const BUILTIN: &str = include_str!("../assets/terminal.toml");

/// Where the CA key files of a source checkout are.
pub const CAPK_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/capk");

/// Why the configuration could not be loaded; the text names the file and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {what}")]
pub struct ConfigError {
    /// The file at fault (`built-in terminal.toml` for the built-in one).
    pub file: String,
    /// What is wrong, naming the field.
    pub what: String,
}

/// The app's own settings (the `[app]` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettings {
    /// Merchant name, also sent as 9F4E.
    pub merchant_name: String,
    /// ISO 4217 numeric currency code (5F2A).
    pub currency: u16,
    /// Decimals of the currency.
    pub currency_exponent: u8,
    /// Smallest amount the cashier may enter.
    pub min_amount: Decimal,
    /// Largest amount the cashier may enter.
    pub max_amount: Decimal,
    /// Whether CA keys marked `test = true` are used.
    pub accept_test_keys: bool,
    /// The till's time zone: the transaction's date and time and the journal's day.
    pub time_zone: Zone,
}

/// Everything loaded: the app settings and the kernel's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// App settings.
    pub app: AppSettings,
    /// What the kernel is given.
    pub kernel: TerminalConfig,
    /// Where Online Requests go (the `[host]` table), for the window and `tapterm pay`.
    pub host: HostConfig,
    /// The gate's profile (the `[transit]` table, issue 13), when configured.
    pub transit: Option<TransitProfile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppFile {
    merchant_name: String,
    currency: String,
    min_amount: String,
    max_amount: String,
    #[serde(default)]
    accept_test_keys: bool,
    #[serde(default)]
    time_zone: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    app: AppFile,
    #[serde(default)]
    host: HostConfig,
    #[serde(default)]
    terminal: BTreeMap<HexTag, Hex>,
    #[serde(rename = "combination")]
    combinations: Vec<VectorCombination>,
    #[serde(default)]
    transit: Option<TransitFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapkFile {
    /// Whether these are test keys (required, so that no file is ambiguous).
    test: bool,
    #[serde(default, rename = "key")]
    keys: Vec<VectorCapk>,
}

/// A `toml` error as one line with the line number.
fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e
        .span()
        .map(|s| text.get(..s.start).map_or(0, |t| t.lines().count().max(1)));
    let what = match line {
        Some(l) => format!("line {l}: {}", e.message().trim()),
        None => e.message().trim().to_string(),
    };
    ConfigError {
        file: file.into(),
        what,
    }
}

fn parse_table(file: &str, text: &str) -> Result<toml::Table, ConfigError> {
    toml::Table::from_str(text).map_err(|e| toml_error(file, text, &e))
}

/// Lays `over` onto `base`: tables merge key by key, anything else is replaced.
fn overlay(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => overlay(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn settings_from(file: &str, table: toml::Table) -> Result<Settings, ConfigError> {
    let err = |what: String| ConfigError {
        file: file.into(),
        what,
    };
    let parsed: ConfigFile =
        ConfigFile::deserialize(table).map_err(|e| err(e.message().trim().to_string()))?;
    let a = parsed.app;
    let currency: u16 = a
        .currency
        .parse()
        .ok()
        .filter(|_| a.currency.len() == 3)
        .ok_or_else(|| err(format!("app.currency: {:?} is not 3 digits", a.currency)))?;
    let exponent = vector::currency_exponent(currency)
        .ok_or_else(|| err(format!("app.currency: {currency} is not an ISO 4217 code")))?;
    let amount = |field: &str, text: &str| {
        let minor =
            vector::minor_units(text, exponent).map_err(|e| err(format!("app.{field}: {e}")))?;
        let minor = i64::try_from(minor).map_err(|_| err(format!("app.{field}: too large")))?;
        Ok::<_, ConfigError>(Decimal::new(minor, u32::from(exponent)))
    };
    let min_amount = amount("min_amount", &a.min_amount)?;
    let max_amount = amount("max_amount", &a.max_amount)?;
    if min_amount > max_amount {
        return Err(err("app.min_amount is above app.max_amount".into()));
    }
    let name = a.merchant_name.trim();
    if name.is_empty() || !name.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Err(err(
            "app.merchant_name: must be non-empty printable ASCII (9F4E is ans)".into(),
        ));
    }
    let combinations = parsed
        .combinations
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.to_combination(exponent).map_err(|e| {
                err(format!(
                    "combination[{i}] (AID {}): {e}",
                    hex::encode_upper(&c.aid.0)
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if combinations.is_empty() {
        return Err(err(
            "combination: at least one reader combination is needed".into(),
        ));
    }
    let time_zone = match &a.time_zone {
        Some(name) => Zone::parse(name).map_err(|e| err(format!("app.time_zone: {e}")))?,
        None => Zone::Local,
    };
    if parsed.host.timeout_ms == 0 {
        return Err(err("host.timeout_ms: must be at least 1".into()));
    }
    let mut terminal: emv_kernel::config::TagMap = parsed
        .terminal
        .iter()
        .map(|(t, v)| (t.0, v.0.clone()))
        .collect();
    terminal.insert(Tag::new(0x9F4E), name.as_bytes().to_vec());
    let transit = parsed
        .transit
        .as_ref()
        .map(|t| TransitProfile::from_file(t, exponent))
        .transpose()
        .map_err(err)?;
    Ok(Settings {
        app: AppSettings {
            merchant_name: name.to_string(),
            currency,
            currency_exponent: exponent,
            min_amount,
            max_amount,
            accept_test_keys: a.accept_test_keys,
            time_zone,
        },
        kernel: TerminalConfig {
            terminal,
            combinations,
            capks: Vec::new(),
            revoked: Vec::new(),
        },
        host: parsed.host,
        transit,
    })
}

/// Loads the built-in configuration, overlaid by `user` when given.
pub fn load_config(user: Option<&Path>) -> Result<Settings, ConfigError> {
    let builtin = "built-in terminal.toml";
    let mut table = parse_table(builtin, BUILTIN)?;
    let Some(path) = user else {
        return settings_from(builtin, table);
    };
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: file.clone(),
        what: e.to_string(),
    })?;
    overlay(&mut table, parse_table(&file, &text)?);
    settings_from(&file, table)
}

/// Reads the CA keys of one `*.toml` key file: whether they are test keys, and the keys.
pub fn load_capk_file(path: &Path) -> Result<(bool, Vec<Capk>), ConfigError> {
    let file = path.display().to_string();
    let err = |what: String| ConfigError {
        file: file.clone(),
        what,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let parsed: CapkFile = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
    let keys = parsed
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| k.to_capk().map_err(|e| err(format!("key[{i}]: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((parsed.test, keys))
}

/// Loads every `*.toml` in `dir` (in name order; a missing folder holds no keys). Test keys
/// are kept only when `accept_test` is set.
pub fn load_capks(dir: &Path, accept_test: bool) -> Result<Vec<Capk>, ConfigError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut keys = Vec::new();
    for file in files {
        let (test, found) = load_capk_file(&file)?;
        if accept_test || !test {
            keys.extend(found);
        }
    }
    Ok(keys)
}

/// The whole configuration: built-in file, optional user overlay, CA keys from `capk_dir`.
pub fn load(user: Option<&Path>, capk_dir: &Path) -> Result<Settings, ConfigError> {
    let mut settings = load_config(user)?;
    settings.kernel.capks = load_capks(capk_dir, settings.app.accept_test_keys)?;
    Ok(settings)
}

/// The effective configuration as text, one item per line.
pub fn describe(s: &Settings) -> String {
    let a = &s.app;
    let mut out = format!(
        "merchant: {}\ncurrency: {:03} ({} decimals), amounts {} to {}\ntime zone: {}\n",
        a.merchant_name,
        a.currency,
        a.currency_exponent,
        a.min_amount,
        a.max_amount,
        a.time_zone.name()
    );
    let h = &s.host;
    let stand_in = match &h.stand_in {
        StandIn::Decline => "decline".to_string(),
        StandIn::Approve { limit } => format!("approve up to {limit}"),
    };
    out.push_str(&format!(
        "host: {}, timeout {} ms, stand-in {stand_in}\n",
        h.address.as_deref().unwrap_or("in-process simulator"),
        h.timeout_ms
    ));
    for (tag, value) in &s.kernel.terminal {
        let name = emv_kernel::tags::lookup(*tag).map_or("unknown tag", |i| i.name);
        out.push_str(&format!(
            "terminal {tag} = {} ({name})\n",
            hex::encode_upper(value)
        ));
    }
    for c in &s.kernel.combinations {
        out.push_str(&format!(
            "combination AID {} kernel {}: {} kernel data objects\n",
            hex::encode_upper(&c.aid),
            c.kernel,
            c.tags.len()
        ));
    }
    if let Some(t) = &s.transit {
        let money = |minor: u64| crate::transaction::major(minor, a.currency_exponent);
        out.push_str(&format!(
            "transit: MCC {}, fare {}, daily cap {}, gate amount {}, {} combination(s), ECP {}\n",
            t.mcc,
            money(t.fare),
            t.daily_cap
                .map_or_else(|| "none".to_string(), |c| money(c).to_string()),
            money(t.gate_amount),
            t.combinations.len(),
            t.ecp_frame
                .as_ref()
                .map_or_else(|| "off".to_string(), hex::encode_upper)
        ));
    }
    let test = if a.accept_test_keys {
        "accepted"
    } else {
        "refused"
    };
    out.push_str(&format!(
        "CA public keys: {} (test keys {test})\n",
        s.kernel.capks.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::config::ZeroAmount;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn host_table_and_time_zone_come_from_the_file() {
        let s = load_config(None).unwrap();
        assert_eq!(s.host.address, None, "built in: the in-process simulator");
        assert_eq!(s.host.stand_in, StandIn::Decline);
        assert_eq!(s.app.time_zone, Zone::Local);
        let dir = tempfile::tempdir().unwrap();
        let user = write(
            dir.path(),
            "shop.toml",
            "[app]\ntime_zone = \"Europe/Berlin\"\n[host]\naddress = \"127.0.0.1:8583\"\n\
             timeout_ms = 1500\nstand_in = { mode = \"approve\", limit = \"25.00\" }\n",
        );
        let s = load_config(Some(&user)).unwrap();
        assert_eq!(s.host.address.as_deref(), Some("127.0.0.1:8583"));
        assert_eq!(s.host.timeout_ms, 1500);
        assert_eq!(
            s.host.stand_in,
            StandIn::Approve {
                limit: Decimal::new(2500, 2)
            }
        );
        assert_eq!(s.app.time_zone.name(), "Europe/Berlin");
        let text = describe(&s);
        assert!(text.contains("time zone: Europe/Berlin"), "{text}");
        assert!(
            text.contains("host: 127.0.0.1:8583, timeout 1500 ms, stand-in approve up to 25.00"),
            "{text}"
        );
        let bad = write(dir.path(), "bad.toml", "[app]\ntime_zone = \"Mars/Base\"\n");
        let e = load_config(Some(&bad)).unwrap_err();
        assert!(e.what.contains("app.time_zone"), "{e}");
        let bad = write(dir.path(), "bad2.toml", "[host]\nport = 1\n");
        assert!(
            load_config(Some(&bad)).is_err(),
            "unknown host keys are refused"
        );
    }

    #[test]
    fn builtin_configuration_loads() {
        let s = load_config(None).unwrap();
        assert_eq!(s.app.currency, 978);
        assert_eq!(s.app.currency_exponent, 2);
        assert_eq!(s.app.max_amount, Decimal::new(100000, 2));
        let visa = &s.kernel.combinations[0];
        assert_eq!(hex::encode_upper(&visa.aid), "A0000000031010");
        assert_eq!(visa.kernel, emv_kernel::kernel::KernelId::Visa);
        // No online PIN (byte 1 b3): the terminal has no PIN pad. No contact chip (byte 1
        // b5): the reader is contactless only.
        assert_eq!(visa.ttq, Some([0x22, 0x00, 0x40, 0x00]));
        assert_eq!(visa.cvm_required_limit, Some(5000));
        assert_eq!(visa.zero_amount, ZeroAmount::Online);
        let mc = &s.kernel.combinations[1];
        assert_eq!(mc.kernel, emv_kernel::kernel::KernelId::Mastercard);
        assert_eq!(
            mc.tags[&Tag::new(0xDF8126)],
            hex::decode("000000005000").unwrap()
        );
        assert_eq!(mc.tags[&Tag::new(0xDF8131)].len() % 8, 0);
        // Contactless only: no IC with contacts (b6), no magnetic stripe, no keyed entry.
        assert_eq!(mc.tags[&Tag::new(0xDF8117)], [0x00]);
        assert_eq!(s.kernel.terminal[&Tag::new(0x9F33)][0] & 0x20, 0);
        for (tac, value) in [
            (0xDF8120, "F45084800C"),
            (0xDF8121, "0000000000"),
            (0xDF8122, "F45084800C"),
        ] {
            assert_eq!(
                mc.tags[&Tag::new(tac)],
                hex::decode(value).unwrap(),
                "{tac:X}"
            );
        }
        assert_eq!(s.kernel.terminal[&Tag::new(0x9F4E)], b"TAPTERM DEMO SHOP");
        assert_eq!(s.kernel.terminal[&Tag::new(0x9F1A)], [0x02, 0x50]);
        // UnionPay (Kernel 7): four AIDs; only the e-cash one reads the e-cash balance.
        let unionpay = &s.kernel.combinations[2..6];
        for c in unionpay {
            assert_eq!(c.kernel, emv_kernel::kernel::KernelId::UnionPay);
            assert_eq!(c.ttq, Some([0x22, 0x00, 0x40, 0x80]));
        }
        assert_eq!(hex::encode_upper(&unionpay[3].aid), "A000000333010106");
        assert_eq!(unionpay[3].tags[&Tag::new(0x9F7A)], [0x01]);
        assert!(unionpay[0].tags.is_empty());
    }

    #[test]
    fn user_file_overlays_the_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let user = write(
            dir.path(),
            "mine.toml",
            "[app]\nmerchant_name = \"CAFE\"\ncurrency = \"840\"\nmax_amount = \"200\"\n\
             [terminal]\n\"9F1A\" = \"0840\"\n",
        );
        let s = load_config(Some(&user)).unwrap();
        assert_eq!(s.app.merchant_name, "CAFE");
        assert_eq!(s.app.currency, 840);
        assert_eq!(s.app.max_amount, Decimal::new(200, 0));
        assert_eq!(s.app.min_amount, Decimal::new(1, 2));
        assert_eq!(s.kernel.terminal[&Tag::new(0x9F1A)], [0x08, 0x40]);
        // Untouched keys of the built-in file stay.
        assert_eq!(s.kernel.terminal[&Tag::new(0x9F35)], [0x22]);
        assert_eq!(s.kernel.combinations.len(), 7);
        // Limits are read in the configured currency: in yen, the built-in "500.00" has
        // too many decimals, and the error says which combination.
        let yen = write(
            dir.path(),
            "yen.toml",
            "[app]\ncurrency = \"392\"\nmin_amount = \"1\"\nmax_amount = \"100000\"\n",
        );
        let e = load_config(Some(&yen)).unwrap_err();
        assert!(
            e.to_string()
                .contains("combination[0] (AID A0000000031010)"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_file_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("[app]\ncurrency = \"97\"\n", "app.currency"),
            ("[app]\nmax_amount = \"1.234\"\n", "app.max_amount"),
            ("[app]\ncolour = \"red\"\n", "unknown field `colour`"),
            ("[terminal]\n\"9F1A\" = \"XYZ\"\n", "bad hex"),
            (
                "[[combination]]\naid = \"A0000000031010\"\nkernel = 3\nttq = \"3600\"\n",
                "combination[0] (AID A0000000031010): ttq must be 4 bytes",
            ),
            ("[app\n", "line 1"),
        ];
        for (i, (text, want)) in cases.iter().enumerate() {
            let path = write(dir.path(), &format!("bad{i}.toml"), text);
            let e = load_config(Some(&path)).unwrap_err();
            assert_eq!(e.file, path.display().to_string());
            assert!(e.to_string().contains(want), "{e} lacks {want}");
            assert_eq!(e.to_string().lines().count(), 1, "{e}");
        }
        let e = load_config(Some(Path::new("/no/such.toml"))).unwrap_err();
        assert_eq!(e.file, "/no/such.toml");
    }

    #[test]
    fn test_keys_only_when_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let key = "rid = \"A000000003\"\nindex = \"92\"\nmodulus = \"C0FFEE\"\n\
                   exponent = \"03\"\nexpiry = \"2030-12-31\"\n";
        write(
            dir.path(),
            "a-prod.toml",
            &format!("test = false\n[[key]]\n{key}"),
        );
        write(
            dir.path(),
            "b-test.toml",
            &format!("test = true\n[[key]]\n{}", key.replace("\"92\"", "\"99\"")),
        );
        write(dir.path(), "notes.txt", "ignored");
        let all = load_capks(dir.path(), true).unwrap();
        assert_eq!(
            all.iter().map(|k| k.index).collect::<Vec<_>>(),
            [0x92, 0x99]
        );
        assert_eq!(all[0].rid, [0xA0, 0, 0, 0, 0x03]);
        assert_eq!(all[0].expiry.year, 2030);
        let prod = load_capks(dir.path(), false).unwrap();
        assert_eq!(prod.len(), 1);
        assert!(
            load_capks(&dir.path().join("missing"), true)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn bad_key_files_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "k.toml",
            "test = true\n[[key]]\nrid = \"A0000000\"\nindex = \"92\"\nmodulus = \"00\"\n\
             exponent = \"03\"\nexpiry = \"2030-12-31\"\n",
        );
        let e = load_capks(dir.path(), true).unwrap_err();
        assert!(
            e.to_string()
                .contains("k.toml: key[0]: capk rid must be 5 bytes"),
            "{e}"
        );
        write(
            dir.path(),
            "k.toml",
            "[[key]]\nrid = \"A000000003\"\nindex = \"92\"\nmodulus = \"00\"\n\
             exponent = \"03\"\nexpiry = \"2030-12-31\"\n",
        );
        let e = load_capks(dir.path(), true).unwrap_err();
        assert!(e.to_string().contains("missing field `test`"), "{e}");
    }

    #[test]
    fn load_combines_config_and_keys() {
        let s = load(None, Path::new(CAPK_DIR)).unwrap();
        assert!(s.app.accept_test_keys);
        assert_eq!(s.kernel.combinations.len(), 7);
        let text = describe(&s);
        assert!(text.contains("combination AID A0000000041010 kernel 2: 14 kernel data objects"));
        assert!(text.contains("terminal 9F4E = 54415054"));
    }
}
