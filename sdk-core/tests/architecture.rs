//! The shape of the code, checked: no import cycle between the files of a crate (the core,
//! the gateway, the CLI, the wasm shell), and no platform named in the core outside
//! `platform/` and `profile.rs` (docs/profiles.md, "Platform modules").
//!
//! A file "uses" another when its code (comments and `#[cfg(test)]` modules left out)
//! names a `crate::a::b` or `super::…` path resolving to that file's module; `use
//! crate::a::{b, c}` counts each item. This is the rule of the house tool
//! `rust_import_cycles.py`, kept here so the check ships with the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every `.rs` file under `root`, by module path (`lib.rs` is `[]`, `a/mod.rs` is `[a]`).
fn modules(root: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read src dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = parts.last().cloned().unwrap_or_default();
            if parts.len() == 1 && (last == "lib" || last == "main") || last == "mod" {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
    out
}

/// The source without comments and without `#[cfg(test)] mod … { … }` blocks.
fn code_of(source: &str) -> String {
    let mut text = String::new();
    for line in source.lines() {
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        text.push_str(code);
        text.push('\n');
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_mod = trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ");
        match (is_mod, after.find('{')) {
            (true, Some(open)) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, c) in after[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The module paths a file's code names with `crate::` or `super::`.
fn named_paths(code: &str, module: &Module) -> Vec<Module> {
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]);
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let base = if starts_word && rest.starts_with("crate::") {
            Some(("crate", 7))
        } else if starts_word && rest.starts_with("super::") {
            Some(("super", 7))
        } else {
            None
        };
        let Some((base, skip)) = base else {
            i += 1;
            continue;
        };
        let mut j = i + skip;
        let mut parts = Vec::new();
        let mut word = String::new();
        while j < bytes.len() && (is_ident(bytes[j]) || bytes[j] == ':') {
            if bytes[j] == ':' {
                if !word.is_empty() {
                    parts.push(std::mem::take(&mut word));
                }
            } else {
                word.push(bytes[j]);
            }
            j += 1;
        }
        if !word.is_empty() {
            parts.push(word);
        }
        // `super::` from `a/b.rs` and from `a/b/mod.rs` alike is `a`; each further
        // `super` goes one level up.
        let mut head: Module = match base {
            "crate" => Vec::new(),
            _ => module[..module.len().saturating_sub(1)].to_vec(),
        };
        let mut parts = parts.as_slice();
        while let Some(("super", rest)) = parts.split_first().map(|(p, r)| (p.as_str(), r)) {
            head.pop();
            parts = rest;
        }
        head.extend(parts.iter().cloned());
        found.push(head.clone());
        if j < bytes.len() && bytes[j] == '{' {
            let close = bytes[j..]
                .iter()
                .position(|&c| c == '}')
                .map_or(bytes.len(), |p| j + p);
            let group: String = bytes[j + 1..close].iter().collect();
            for item in group.split(',') {
                let item = item.trim().split(" as ").next().unwrap_or("").trim();
                if item.is_empty() || item == "self" {
                    continue;
                }
                let mut path = head.clone();
                path.extend(
                    item.split("::")
                        .filter(|s| !s.is_empty() && *s != "*")
                        .map(str::to_owned),
                );
                found.push(path);
            }
            j = close;
        }
        i = j.max(i + 1);
    }
    found
}

/// The import graph of the crate at `root`: file → files it uses.
fn graph(root: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mods = modules(root);
    let mut edges = BTreeMap::new();
    for (module, file) in &mods {
        let source = fs::read_to_string(file).expect("read source");
        let mut targets = BTreeSet::new();
        for mut path in named_paths(&code_of(&source), module) {
            while !path.is_empty() && !mods.contains_key(&path) {
                path.pop();
            }
            if let Some(target) = mods.get(&path) {
                if target != file {
                    targets.insert(target.clone());
                }
            }
        }
        edges.insert(file.clone(), targets);
    }
    edges
}

/// The files that sit on a cycle (each strongly connected group of two or more).
fn cycles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<BTreeSet<PathBuf>> {
    // Reachability is enough at this size: a and b share a cycle when each reaches the other.
    let reach = |from: &PathBuf| -> BTreeSet<PathBuf> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(f) = stack.pop() {
            for t in edges.get(&f).into_iter().flatten() {
                if seen.insert(t.clone()) {
                    stack.push(t.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        edges.keys().map(|f| (f, reach(f))).collect();
    let mut groups: Vec<BTreeSet<PathBuf>> = Vec::new();
    for (f, r) in &reaches {
        if !r.contains(*f) || groups.iter().any(|g| g.contains(*f)) {
            continue;
        }
        let group: BTreeSet<PathBuf> = r
            .iter()
            .filter(|t| reaches.get(t).is_some_and(|back| back.contains(*f)))
            .cloned()
            .collect();
        groups.push(group);
    }
    groups
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_crate_has_an_import_cycle() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in ["sdk-core", "mock-gateway", "sdk-cli", "sdk-wasm"] {
        let found = cycles(&graph(&workspace.join(krate).join("src")));
        assert!(
            found.is_empty(),
            "import cycles between files of {krate}/src (each group imports itself back):\n{found:#?}"
        );
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let dir = std::env::temp_dir().join(format!("paysign-cycle-{}", std::process::id()));
    fs::create_dir_all(dir.join("b")).unwrap();
    fs::write(dir.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    fs::write(dir.join("a.rs"), "use crate::b::{thing, other::X};\n").unwrap();
    fs::write(
        dir.join("b/mod.rs"),
        "// use crate::a;\npub fn thing() {}\n",
    )
    .unwrap();
    fs::write(
        dir.join("b/other.rs"),
        "pub struct X;\nfn f() { super::super::a::g() }\n",
    )
    .unwrap();
    let found = cycles(&graph(&dir));
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let names: BTreeSet<String> = found[0]
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["a.rs".to_owned(), "other.rs".to_owned()])
    );
}

#[test]
fn only_platform_modules_name_a_platform() {
    let root = src();
    let mut offenders = Vec::new();
    for file in modules(&root).values() {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("platform/") || rel == "profile.rs" {
            continue;
        }
        let code = code_of(&fs::read_to_string(file).unwrap());
        for (n, line) in code.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("Profile::") {
                let next = rest[at + 9..].chars().next().unwrap_or(' ');
                // `Profile::ALL` iterates the registry; `Profile::Variant` names a platform.
                if next.is_ascii_uppercase() && !rest[at + 9..].starts_with("ALL") {
                    offenders.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
                rest = &rest[at + 9..];
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "generic code names a platform; ask the platform (Profile::platform) instead:\n{}",
        offenders.join("\n")
    );
}
