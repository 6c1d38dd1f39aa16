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
//! Each code read gets a database of its own (the code and Norway's in full, every other code
//! a stub), built once, outside any lock, then kept. Reading a number takes two: the default
//! region's to read it, the number's code's to check the reading. Past `LOAD_ALL_ABOVE` codes
//! a process loads every code into one database, which bounds the memory of a process that
//! reads numbers of many countries. No lock is held while building, so a `fork` taken by
//! another thread meanwhile cannot leave the child waiting for a build that never finishes.

use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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

/// Norway's calling code: the literal reading reads with region NO, so every database has it.
pub(crate) const NORWAY: u16 = 47;

/// How many codes a process loads one by one before it loads them all (each database of one
/// code also holds every other code's stub).
const LOAD_ALL_ABOVE: usize = 12;

/// The databases of a process: one per calling code read so far, or one with everything.
pub(crate) struct Loader {
    state: Mutex<State>,
}

struct State {
    per_code: Vec<(u16, Arc<Database>)>,
    all: Option<Arc<Database>>,
}

/// The loader `normalize_phone_number` uses.
pub(crate) static LOADER: Loader = Loader::new();

impl Loader {
    pub(crate) const fn new() -> Loader {
        Loader {
            state: Mutex::new(State {
                per_code: Vec::new(),
                all: None,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A database complete for `code` and for Norway's code, every other code a stub; with no
    /// code, or one libphonenumber does not know, Norway's alone.
    pub(crate) fn database_for(&self, code: Option<u16>) -> Result<Arc<Database>, Error> {
        let key = code.filter(|&code| is_code(code)).unwrap_or(NORWAY);
        let load_all = {
            let state = self.state();
            if let Some(all) = &state.all {
                return Ok(Arc::clone(all));
            }
            if let Some((_, found)) = state.per_code.iter().find(|(code, _)| *code == key) {
                return Ok(Arc::clone(found));
            }
            state.per_code.len() >= LOAD_ALL_ABOVE
        };
        let full = if load_all {
            CODES.iter().map(|c| c.code).collect()
        } else {
            let mut full = vec![key, NORWAY];
            full.sort_unstable();
            full.dedup();
            full
        };
        // Built with no lock held (see the module's documentation).
        let built = Arc::new(build(&full)?);
        // Another thread may have built the same meanwhile: the first one in stays.
        let mut state = self.state();
        if let Some(all) = &state.all {
            return Ok(Arc::clone(all));
        }
        if load_all {
            state.per_code.clear();
            state.all = Some(Arc::clone(&built));
        } else if let Some((_, found)) = state.per_code.iter().find(|(code, _)| *code == key) {
            return Ok(Arc::clone(found));
        } else {
            state.per_code.push((key, Arc::clone(&built)));
        }
        Ok(built)
    }

    /// The codes with a database of their own, ascending; `None` once everything is loaded.
    #[cfg(test)]
    pub(crate) fn loaded(&self) -> Option<Vec<u16>> {
        let state = self.state();
        let mut codes: Vec<u16> = state.per_code.iter().map(|(code, _)| *code).collect();
        codes.sort_unstable();
        state.all.is_none().then_some(codes)
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
    fn loads_one_code_at_a_time_then_everything() {
        let loader = Loader::new();
        let us = loader.database_for(Some(1)).expect("load +1");
        assert!(us
            .by_id("US")
            .is_some_and(|m| m.national_prefix() == Some("1")));
        assert!(us
            .by_id("NO")
            .is_some_and(|m| m.international_prefix().is_some()));
        // A stub says the code exists, and nothing else.
        let gb = us
            .by_id("GB")
            .map(|m| (m.country_code(), m.national_prefix()));
        assert_eq!(gb, Some((44, None)));
        assert!(Arc::ptr_eq(
            &us,
            &loader.database_for(Some(1)).expect("again")
        ));
        let gb = loader.database_for(Some(44)).expect("load +44");
        assert_eq!(gb.by_id("GB").and_then(|m| m.national_prefix()), Some("0"));
        assert_eq!(gb.by_id("US").and_then(|m| m.national_prefix()), None);
        loader
            .database_for(Some(999))
            .expect("unknown code: Norway's");
        loader.database_for(None).expect("no code: Norway's");
        assert_eq!(loader.loaded(), Some(vec![1, 44, NORWAY]));
        for code in CODES.iter().map(|c| c.code).take(LOAD_ALL_ABOVE) {
            loader.database_for(Some(code)).expect("load");
        }
        assert_eq!(loader.loaded(), None);
        let all = loader.database_for(Some(1)).expect("all");
        assert!(all
            .by_id("GB")
            .is_some_and(|m| m.national_prefix() == Some("0")));
        assert_eq!(region_code("GB"), Some(44));
        assert_eq!(region_code("NO"), Some(NORWAY));
        assert_eq!(region_code("XX"), None);
    }
}
