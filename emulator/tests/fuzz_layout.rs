//! The fuzz workspaces (core/fuzz, emulator/fuzz) are not built by the test suite (they need
//! libFuzzer and nightly flags), so their manifests, paths and seeds are checked here: each
//! target's source exists, its seeds and dictionary are named after it, the root workspace
//! excludes both, and the core's fuzz targets know nothing of the emulator.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `(name, path)` of each `[[bin]]` of a manifest.
fn targets(manifest: &str) -> Vec<(String, String)> {
    let value = |line: &str| {
        line.split_once('=')
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
    };
    let mut out = Vec::new();
    for section in manifest.split("[[bin]]").skip(1) {
        let section = section.split("\n[").next().unwrap();
        let field = |key: &str| {
            section
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{key} ")))
                .and_then(value)
                .unwrap_or_else(|| panic!("a [[bin]] without {key}"))
        };
        out.push((field("name"), field("path")));
    }
    out
}

fn names_in(dir: &Path, suffix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(suffix).map(str::to_owned))
        .collect()
}

#[test]
fn fuzz_workspaces_are_consistent() {
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for dir in ["core/fuzz", "emulator/fuzz"] {
        let fuzz = root().join(dir);
        assert!(
            workspace.contains(&format!("\"{dir}\"")),
            "the root workspace must exclude {dir}"
        );
        let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("cargo-fuzz = true") && manifest.contains("[workspace]"));
        let targets = targets(&manifest);
        assert!(!targets.is_empty(), "{dir} has no target");
        let names: Vec<&str> = targets.iter().map(|(n, _)| n.as_str()).collect();
        for (name, path) in &targets {
            assert!(fuzz.join(path).is_file(), "{dir}: {name} has no {path}");
            assert!(
                fuzz.join("seeds").join(name).is_dir(),
                "{dir}: no seeds/{name}"
            );
        }
        for seeds in names_in(&fuzz.join("seeds"), "") {
            assert!(
                names.contains(&seeds.as_str()),
                "{dir}/seeds/{seeds} has no target"
            );
        }
        for dict in names_in(&fuzz.join("dict"), ".dict") {
            assert!(
                names.contains(&dict.as_str()),
                "{dir}/dict/{dict}.dict has no target"
            );
        }
        assert!(fuzz.join("run").is_file(), "{dir}/run");
        // Every manifest path dependency exists.
        for line in manifest.lines().filter(|l| l.contains("path = \"..")) {
            let path = line
                .split("path = \"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(
                fuzz.join(path).join("Cargo.toml").is_file(),
                "{dir}: {line}"
            );
        }
    }
    // The core must not know the emulator.
    let core = root().join("core/fuzz");
    let manifest = std::fs::read_to_string(core.join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("sms-otp-emulator"),
        "core/fuzz depends on the emulator"
    );
    for (name, path) in targets(&manifest) {
        let source = std::fs::read_to_string(core.join(path)).unwrap();
        assert!(
            !source.contains("sms_otp_emulator"),
            "core/fuzz target {name} uses the emulator"
        );
    }
}
