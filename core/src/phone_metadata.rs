//! libphonenumber's metadata (the `phonenumber` crate's), loaded one country calling code at a
//! time for `normalize_phone_number`.
//!
//! The crate's own database (`phonenumber::metadata::DATABASE`) is built whole on first use:
//! it parses every pattern of every region, about 70 ms in a release build and a second in a
//! debug one, which a process paid on its first normalisation whatever the number. Reading a
//! number only ever needs the metadata of the default region's calling code, of the number's
//! code and of Norway's (the literal reading, see `phone.rs`). Those codes are loaded in full;
//! every other code is present as a stub (its regions with their ids, code and main-country
//! flag, and a pattern that matches nothing): the parser only asks whether such a code
//! exists, which the stub answers as the full entry would. `phone::tests` compares readings
//! made this way with readings made with the crate's whole database.
//!
//! A database is immutable: needing another code builds a new one (the codes loaded so far
//! plus the new one) outside any lock, then swaps it in. Past `LOAD_ALL_ABOVE` codes a process
//! loads every code at once, which bounds the rebuilds of a process that reads numbers of many
//! countries. No lock is held while building, so a `fork` taken by another thread meanwhile
//! cannot leave the child waiting for a build that will never finish.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use phonenumber::metadata::{loader, Database};

use crate::Error;

/// One country calling code of the table `build.rs` writes.
pub(crate) struct Code {
    code: u16,
    /// Its regions: id and whether it is the main country of the code; main first.
    regions: &'static [(&'static str, bool)],
    /// Where its entries are in `ENTRIES` (postcard: `Vec<loader::Metadata>`).
    entries: Range<usize>,
}

// `CODES`: every assigned calling code, ascending.
include!(concat!(env!("OUT_DIR"), "/phone_metadata.rs"));
static ENTRIES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/phone_metadata.bin"));

/// How many codes a process loads one by one before it loads them all.
const LOAD_ALL_ABOVE: usize = 24;

/// A database whose metadata is complete for the codes `full` (ascending).
pub(crate) struct Loaded {
    full: Vec<u16>,
    pub(crate) database: Database,
}

impl Loaded {
    /// The codes whose metadata is complete here, ascending.
    #[cfg(test)]
    pub(crate) fn codes(&self) -> &[u16] {
        &self.full
    }

    /// Whether `code`'s metadata is complete here.
    pub(crate) fn has(&self, code: u16) -> bool {
        self.full.binary_search(&code).is_ok()
    }
}

/// The process's current database; tests make their own to start from nothing.
pub(crate) struct Loader {
    current: Mutex<Option<Arc<Loaded>>>,
}

/// The loader `normalize_phone_number` uses.
pub(crate) static LOADER: Loader = Loader::new();

impl Loader {
    pub(crate) const fn new() -> Loader {
        Loader {
            current: Mutex::new(None),
        }
    }

    /// A database complete for every code of `codes` (and for those loaded before).
    pub(crate) fn with(&self, codes: &[u16]) -> Result<Arc<Loaded>, Error> {
        let current = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(loaded) = &current {
            if codes.iter().all(|&code| loaded.has(code)) {
                return Ok(Arc::clone(loaded));
            }
        }
        let mut full: Vec<u16> = current.map(|l| l.full.clone()).unwrap_or_default();
        full.extend(codes.iter().filter(|&&code| is_code(code)));
        full.sort_unstable();
        full.dedup();
        if full.len() > LOAD_ALL_ABOVE {
            full = CODES.iter().map(|c| c.code).collect();
        }
        let loaded = Arc::new(Loaded {
            database: build(&full)?,
            full,
        });
        let mut slot = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have swapped in a database meanwhile: keep the one with more.
        if slot
            .as_ref()
            .is_none_or(|s| s.full.len() <= loaded.full.len())
        {
            *slot = Some(Arc::clone(&loaded));
        }
        Ok(loaded)
    }
}

/// Every assigned calling code, ascending.
#[cfg(test)]
pub(crate) fn all_codes() -> Vec<u16> {
    CODES.iter().map(|c| c.code).collect()
}

fn is_code(code: u16) -> bool {
    CODES.binary_search_by_key(&code, |c| c.code).is_ok()
}

/// The calling code of the region `id` (`"GB"` → 44), if libphonenumber has metadata for it.
pub(crate) fn region_code(id: &str) -> Option<u16> {
    CODES
        .iter()
        .find(|c| c.regions.iter().any(|(region, _)| *region == id))
        .map(|c| c.code)
}

/// A database complete for `full`, with every other code as a stub, entries in the crate's
/// order (ascending codes, each code's main region first).
fn build(full: &[u16]) -> Result<Database, Error> {
    let mut entries: Vec<loader::Metadata> = Vec::new();
    for code in CODES {
        if full.binary_search(&code.code).is_ok() {
            let bytes = ENTRIES.get(code.entries.clone()).unwrap_or_default();
            let decoded: Vec<loader::Metadata> = postcard::from_bytes(bytes).map_err(|e| {
                Error::internal(format_args!("phone metadata of +{}: {e}", code.code))
            })?;
            entries.extend(decoded);
        } else {
            entries.extend(
                code.regions
                    .iter()
                    .map(|&(id, main)| stub(code.code, id, main)),
            );
        }
    }
    Database::from(entries).map_err(|e| Error::internal(format_args!("phone metadata: {e}")))
}

/// A region of a code no reading needs: what says that the code exists.
fn stub(code: u16, id: &str, main: bool) -> loader::Metadata {
    loader::Metadata {
        id: Some(id.to_owned()),
        country_code: Some(code),
        main_country_for_code: main,
        // libphonenumber's pattern for "no numbers": digits never match it.
        general: Some(loader::Descriptor {
            national_number: Some("NA".to_owned()),
            ..loader::Descriptor::default()
        }),
        ..loader::Metadata::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone_metadata_entries;

    /// The table is the crate's database, code for code and field for field.
    #[test]
    fn table_is_the_crate_database() {
        let crate_database = &*phonenumber::metadata::DATABASE;
        let codes: Vec<u16> = (1..1000u16)
            .filter(|code| crate_database.by_code(code).is_some())
            .collect();
        assert_eq!(CODES.iter().map(|c| c.code).collect::<Vec<_>>(), codes);
        for code in CODES {
            let want = phone_metadata_entries::entries(crate_database, code.code);
            let want = postcard::to_allocvec(&want.unwrap_or_default()).ok();
            assert_eq!(
                ENTRIES.get(code.entries.clone()).map(<[u8]>::to_vec),
                want,
                "+{}",
                code.code
            );
        }
    }

    #[test]
    fn loads_what_is_asked_then_everything() {
        let loader = Loader::new();
        let us = loader.with(&[1]).ok().unwrap_or_else(|| panic!("load +1"));
        assert_eq!(us.full, [1]);
        assert!(us
            .database
            .by_id("US")
            .is_some_and(|m| m.national_prefix() == Some("1")));
        // A stub says the code exists, and nothing else.
        let gb = us
            .database
            .by_id("GB")
            .map(|m| (m.country_code(), m.national_prefix()));
        assert_eq!(gb, Some((44, None)));
        let more = loader
            .with(&[44, 47, 999])
            .ok()
            .unwrap_or_else(|| panic!("load"));
        assert_eq!(more.full, [1, 44, 47]);
        assert_eq!(
            more.database.by_id("GB").and_then(|m| m.national_prefix()),
            Some("0")
        );
        let many: Vec<u16> = CODES
            .iter()
            .map(|c| c.code)
            .take(LOAD_ALL_ABOVE + 1)
            .collect();
        let all = loader
            .with(&many)
            .ok()
            .unwrap_or_else(|| panic!("load all"));
        assert_eq!(all.full.len(), CODES.len());
        assert_eq!(region_code("GB"), Some(44));
        assert_eq!(region_code("XX"), None);
    }
}
