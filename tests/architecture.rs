//! The dependency rule of `docs/architecture.md`: no import cycle between modules, in the
//! solver crate or in the service. Reads the `crate::`, `super::` and `self::` paths of
//! every source file (comments and unit-test modules aside) and fails, naming the cycle,
//! when one returns.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path inside its crate: `["api", "jobs"]` for `src/api/jobs.rs` or
/// `src/api/jobs/mod.rs`.
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let relative = file
        .strip_prefix(root)
        .expect("a file under the crate root");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every module path a piece of code names: `crate::a::b`, `super::c`, `self::d`, and each
/// item of `super::{e, f::g}`.
fn referenced(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for anchor in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(anchor) {
            let start = from + at;
            from = start + anchor.len();
            // A whole word: not `my_crate::` or `Self::`.
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
                continue;
            }
            // `super::super::x`: climb once per `super::`.
            let mut base: Vec<String> = match anchor {
                "crate::" => Vec::new(),
                "super::" => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module.to_vec(),
            };
            let mut rest = &code[from..];
            while let Some(next) = rest.strip_prefix("super::") {
                base.pop();
                rest = next;
            }
            let heads: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end].split(',').map(|item| item.trim()).collect()
            } else {
                vec![rest]
            };
            for head in heads {
                let ident: String = head
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if ident.is_empty() || ident == "self" {
                    continue;
                }
                let mut path = base.clone();
                path.push(ident);
                found.push(path);
            }
        }
    }
    found
}

/// The module graph of one crate, each module cut to `depth(module)` segments, and the
/// first cycle in it, if any.
fn first_cycle(root: &Path, depth: impl Fn(&[String]) -> usize) -> Option<Vec<String>> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(root, f)).collect();
    let node = |path: &[String]| -> Option<String> {
        let cut = &path[..path.len().min(depth(path))];
        // Only paths that name a module of the crate (not a type of the crate root).
        modules
            .iter()
            .any(|m| m.starts_with(cut) && !cut.is_empty())
            .then(|| cut.join("::"))
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(root, file);
        let Some(from) = node(&module) else { continue };
        let text = std::fs::read_to_string(file).expect("a readable source file");
        // Unit tests (a `#[cfg(test)] mod` at the end of a file) may use anything.
        let text = match text.find("#[cfg(test)]\nmod ") {
            Some(at) => &text[..at],
            None => &text[..],
        };
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for path in referenced(&module, &code) {
            if let Some(to) = node(&path) {
                if to != from {
                    edges.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    // Depth-first search with the path on a stack: a back edge closes a cycle.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    let nodes: Vec<String> = edges.keys().cloned().collect();
    for n in nodes {
        if state.get(&n).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(&n, &edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_solver_crate_has_no_import_cycle_between_its_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("solver/src");
    // Top-level modules: `milp::bound` belongs to `milp`.
    if let Some(cycle) = first_cycle(&root, |_| 1) {
        panic!("import cycle in the solver: {}", cycle.join(" → "));
    }
}

#[test]
fn the_service_has_no_import_cycle_between_its_modules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // `api::jobs`, `api::rosters`, … are modules of their own; `cli` and `report` are one
    // module each.
    let depth = |path: &[String]| {
        if path.first().is_some_and(|p| p == "api") {
            2
        } else {
            1
        }
    };
    if let Some(cycle) = first_cycle(&root, depth) {
        panic!("import cycle in the service: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_resolves_super() {
    let dir = std::env::temp_dir().join(format!("architecture-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(dir.join("a/mod.rs"), "mod inner;\n").unwrap();
    std::fs::write(dir.join("a/inner.rs"), "use super::super::b::Thing;\n").unwrap();
    std::fs::write(
        dir.join("b.rs"),
        "// crate::a is only mentioned\nfn f() {}\n",
    )
    .unwrap();
    assert_eq!(first_cycle(&dir, |_| 1), None);
    std::fs::write(dir.join("b.rs"), "use crate::{a::inner, c};\n").unwrap();
    let cycle = first_cycle(&dir, |_| 1).expect("a → b → a");
    assert_eq!(cycle.first(), cycle.last());
    assert!(cycle.contains(&"a".to_string()) && cycle.contains(&"b".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}
