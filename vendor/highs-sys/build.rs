//! Compiles HiGHS 1.16.0 from `HiGHS/` with the `cc` crate: the C++ and C sources that the
//! published highs-sys 1.16.0 compiles through HiGHS' CMake build (its `highs` target, with
//! `FAST_BUILD=ON`, `BUILD_SHARED_LIBS=OFF`, `ZLIB=OFF`, release flags), with the same
//! defines, include folders and optimisation. No cmake and no libclang are needed: the
//! header CMake would configure is `config/HConfig.h` and the bindings bindgen would generate
//! are `src/c_bindings.rs`, both produced by that CMake build (VENDORED.md).

use std::env;
use std::path::{Path, PathBuf};

/// Folders under `HiGHS/highs` whose headers the sources include by bare name (CMake's
/// include list for the `highs` target).
const INCLUDE_DIRS: &[&str] = &[
    "",
    "interfaces",
    "io",
    "io/filereader",
    "ipm",
    "ipm/ipx",
    "ipm/basiclu",
    "lp_data",
    "mip",
    "model",
    "parallel",
    "pdlp",
    "pdlp/cupdlp",
    "pdlp/hipdlp",
    "presolve",
    "qpsolver",
    "simplex",
    "util",
    "hipo",
    "hipo/auxiliary",
    "hipo/factorhighs",
    "hipo/ipm",
];

/// Every C++ (`.cpp`, `.cc`) and C (`.c`) file below `dir`, sorted.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, found);
        } else if path
            .extension()
            .is_some_and(|e| e == "cpp" || e == "cc" || e == "c")
        {
            found.push(path);
        }
    }
}

/// Compiles `files` with `build` on as many threads as cargo's jobs (`NUM_JOBS`), each
/// taking the next file, largest first, then archives every object into the static library
/// `name` and tells cargo to link it. (cc's own `parallel` feature brings libc into the build
/// scripts' dependencies, whose features differ between cargo commands: `.ci/run` then
/// compiled HiGHS once for clippy and again for the tests.)
fn compile_in_parallel(build: &cc::Build, files: &[PathBuf], name: &str) {
    let mut queue: Vec<&PathBuf> = files.iter().collect();
    queue.sort_by_key(|f| std::cmp::Reverse(std::fs::metadata(f).map_or(0, |m| m.len())));
    let jobs = env::var("NUM_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, queue.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut objects: Vec<PathBuf> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = queue.get(i) else {
                            return done;
                        };
                        done.extend(build.clone().file(file).compile_intermediates());
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a thread compiling HiGHS"))
            .collect()
    });
    objects.sort();
    let library = build.create_archive(name, &objects);
    cc::emit_link_directives(build, &library);
}

fn main() {
    for feature in ["DISCOVER", "HIPO", "LIBZ", "NINJA"] {
        if env::var_os(format!("CARGO_FEATURE_{feature}")).is_some() {
            panic!(
                "mediation-scheduler's vendored highs-sys compiles HiGHS without the `{}` feature \
                 (vendor/highs-sys/VENDORED.md)",
                feature.to_lowercase()
            );
        }
    }
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let highs = root.join("HiGHS").join("highs");
    let target = env::var("TARGET").expect("TARGET");
    println!("cargo:rerun-if-changed=HiGHS");
    println!("cargo:rerun-if-changed=config");

    let configure = |build: &mut cc::Build| {
        build
            .include(root.join("config"))
            .include(root.join("HiGHS").join("extern"));
        for dir in INCLUDE_DIRS {
            build.include(highs.join(dir));
        }
        // HiGHS is compiled in release mode whatever the profile (the published crate's
        // default `highs_release` feature): a debug HiGHS is many times slower.
        build
            .opt_level(3)
            .debug(false)
            .define("NDEBUG", None)
            .warnings(false)
            .flag_if_supported("-w");
    };

    let mut files = Vec::new();
    sources(&highs, &mut files);
    let (c_files, cpp_files): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|f| f.extension().is_some_and(|e| e == "c"));
    let mut cpp = cc::Build::new();
    cpp.cpp(true).std("c++11");
    configure(&mut cpp);
    if target.starts_with("x86_64") {
        // As HiGHS' CMake build does where the compiler takes it.
        cpp.flag_if_supported("-mpopcnt");
    }
    cpp.flag_if_supported("-Wno-invalid-offsetof");
    compile_in_parallel(&cpp, &cpp_files, "highs");

    let mut c = cc::Build::new();
    configure(&mut c);
    c.flag_if_supported("-Wno-implicit-function-declaration");
    compile_in_parallel(&c, &c_files, "highs_c");

    // (cc links the C++ runtime with the C++ library.) `dl` for the optional extras library
    // HiGHS looks for at run time (`HIGHS_SHARED_EXTRAS_LIBRARY`, as in the CMake build; none
    // is shipped, so the features it would bring stay unavailable, as with the published
    // crate).
    if target.contains("linux") {
        println!("cargo:rustc-link-lib=dl");
    }
}
