//! Writes the list of the reference website's files (`local/site/`) for `src/site.rs` to embed,
//! so adding a page or an asset needs no Rust edit. A dozen lines here beat a dependency.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            // A new folder must re-run this script too (a new file changes its folder's mtime).
            println!("cargo:rerun-if-changed={}", path.display());
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut list = String::from("&[\n");
    for file in files {
        let rel = file.strip_prefix(&root).expect("under site/");
        let name = rel.to_string_lossy().replace('\\', "/");
        // Dot-files (editor swap files, .DS_Store) are not part of the site.
        if name.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        println!("cargo:rerun-if-changed={}", file.display());
        list.push_str(&format!(
            "    ({:?}, include_bytes!({:?})),\n",
            format!("/{name}"),
            file.display().to_string()
        ));
    }
    list.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("site_files.rs");
    std::fs::write(out, list).expect("write the site's file list");
}
