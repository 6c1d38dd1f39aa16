//! The `phonenumber` crate's metadata of one country calling code, back in the form its
//! loader reads (`loader::Metadata`, what `Database::from` builds a database from), field for
//! field. Shared by `build.rs`, which writes every code's entries into the table that
//! `phone_metadata` loads per code, and by the test that checks that table against the crate.

use phonenumber::metadata::{loader, Database, Descriptor, Format, Metadata};

/// The entries of `code` in `database`, in its order (the main region first), or `None` for an
/// unassigned code.
pub fn entries(database: &Database, code: u16) -> Option<Vec<loader::Metadata>> {
    database
        .by_code(&code)
        .map(|found| found.into_iter().map(metadata).collect())
}

fn descriptor(d: Option<&Descriptor>) -> Option<loader::Descriptor> {
    d.map(|d| loader::Descriptor {
        national_number: Some(d.national_number().as_str().to_owned()),
        possible_length: d.possible_length().to_vec(),
        possible_local_length: d.possible_local_length().to_vec(),
        example: d.example().map(str::to_owned),
    })
}

fn format(f: &Format) -> loader::Format {
    loader::Format {
        pattern: Some(f.pattern().as_str().to_owned()),
        format: Some(f.format().to_owned()),
        leading_digits: f
            .leading_digits()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        national_prefix_formatting_rule: f.national_prefix().map(str::to_owned),
        national_prefix_optional_when_formatting: f.is_national_prefix_optional(),
        domestic_carrier: f.domestic_carrier().map(str::to_owned),
    }
}

fn metadata(m: &Metadata) -> loader::Metadata {
    let d = m.descriptors();
    loader::Metadata {
        general: descriptor(Some(d.general())),
        fixed_line: descriptor(d.fixed_line()),
        mobile: descriptor(d.mobile()),
        toll_free: descriptor(d.toll_free()),
        premium_rate: descriptor(d.premium_rate()),
        shared_cost: descriptor(d.shared_cost()),
        personal_number: descriptor(d.personal_number()),
        voip: descriptor(d.voip()),
        pager: descriptor(d.pager()),
        uan: descriptor(d.uan()),
        emergency: descriptor(d.emergency()),
        voicemail: descriptor(d.voicemail()),
        short_code: descriptor(d.short_code()),
        standard_rate: descriptor(d.standard_rate()),
        carrier: descriptor(d.carrier()),
        no_international: descriptor(d.no_international()),
        id: Some(m.id().to_owned()),
        country_code: Some(m.country_code()),
        international_prefix: m.international_prefix().map(|r| r.as_str().to_owned()),
        preferred_international_prefix: m.preferred_international_prefix().map(str::to_owned),
        national_prefix: m.national_prefix().map(str::to_owned),
        preferred_extension_prefix: m.preferred_extension_prefix().map(str::to_owned),
        national_prefix_for_parsing: m
            .national_prefix_for_parsing()
            .map(|r| r.as_str().to_owned()),
        national_prefix_transform_rule: m.national_prefix_transform_rule().map(str::to_owned),
        formats: m.formats().iter().map(format).collect(),
        international_formats: m.international_formats().iter().map(format).collect(),
        main_country_for_code: m.is_main_country_for_code(),
        leading_digits: m.leading_digits().map(|r| r.as_str().to_owned()),
        mobile_number_portable: m.is_mobile_number_portable(),
        // Only the XML loader's working state; `Database::from` does not read it.
        defaults: loader::Defaults::default(),
    }
}
