//! The `.qdpx` archive, read with limits: at most [`MAX_ENTRIES`] entries, at most
//! [`MAX_EXPANDED_BYTES`] unpacked in all and no entry expanding more than [`MAX_RATIO`] times
//! (zip bombs are refused, whatever their headers claim), no entry named with `../` or an absolute
//! path. Only the project XML and `.txt` sources are read. A bare `.qde` (an unpacked archive) has its
//! sources read from the folder beside it, by file name only.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use crate::import::ImportError;

/// Most entries a `.qdpx` may hold.
pub const MAX_ENTRIES: usize = 100_000;
/// Most bytes the entries Accord reads (the XML and the `.txt` sources) may expand to, together.
pub const MAX_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;
/// Most an entry may expand over its packed size (text packs 3 to 20 times; a bomb, thousands).
pub const MAX_RATIO: u64 = 200;

/// The project XML and the text files of an archive (keys: lowercased entry names).
pub(super) fn read_zip(
    path: &Path,
    bytes: &[u8],
) -> Result<(String, BTreeMap<String, Vec<u8>>), ImportError> {
    read_zip_within(path, Cursor::new(bytes), MAX_EXPANDED_BYTES)
}

/// [`read_zip`] from an open file: only the entries Accord reads are unpacked into memory.
pub(super) fn read_zip_file(
    path: &Path,
    file: std::fs::File,
) -> Result<(String, BTreeMap<String, Vec<u8>>), ImportError> {
    read_zip_within(path, std::io::BufReader::new(file), MAX_EXPANDED_BYTES)
}

/// [`read_zip`] with a given budget of expanded bytes.
fn read_zip_within<R: Read + Seek>(
    path: &Path,
    reader: R,
    limit: u64,
) -> Result<(String, BTreeMap<String, Vec<u8>>), ImportError> {
    let bad = |m: String| ImportError::format(path, m);
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| bad(format!("not a readable REFI-QDA archive (zip): {e}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(bad(format!(
            "the archive has {} entries; the limit is {MAX_ENTRIES}",
            archive.len()
        )));
    }
    let (mut files, mut budget) = (BTreeMap::new(), limit);
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("entry {i} cannot be read: {e}")))?;
        let raw_name = entry.name().to_string();
        let Some(name) = entry.enclosed_name() else {
            return Err(bad(format!(
                "entry {raw_name:?} points outside the archive; refusing the file"
            )));
        };
        let key = name.to_string_lossy().replace('\\', "/").to_lowercase();
        if entry.is_dir() || !(has_extension(&key, "qde") || has_extension(&key, "txt")) {
            continue;
        }
        if entry.size() / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(bad(format!(
                "entry {raw_name:?} would expand {} times over its packed size (a zip bomb?); refusing the file",
                entry.size() / entry.compressed_size().max(1)
            )));
        }
        if entry.size() > budget {
            return Err(bad(format!(
                "entry {raw_name:?} expands past the limit of {limit} bytes (a zip bomb?)"
            )));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut data)
            .map_err(|e| bad(format!("entry {raw_name:?} cannot be unpacked: {e}")))?;
        if data.len() as u64 > budget {
            return Err(bad(format!(
                "entry {raw_name:?} expands past the limit of {limit} bytes (a zip bomb?)"
            )));
        }
        budget -= data.len() as u64;
        files.insert(key, data);
    }
    let qde = files
        .keys()
        .filter(|k| has_extension(k, "qde"))
        // Prefer project.qde at the top, then any .qde at the top, then one in a folder.
        .min_by_key(|k| (k.contains('/'), !k.ends_with("project.qde"), (*k).clone()))
        .cloned()
        .ok_or_else(|| bad("the archive holds no project.qde".into()))?;
    let xml = files.remove(&qde).unwrap_or_default();
    let xml = String::from_utf8(xml).map_err(|_| bad(format!("{qde} is not UTF-8 text")))?;
    Ok((xml, files))
}

fn has_extension(name: &str, extension: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// The text files a bare `.qde`'s sources name, read from the `sources` folder beside it (any case,
/// as an unpacked archive holds them), else from the `.qde`'s own folder; only by file name (no
/// folders a path names are followed), within [`MAX_EXPANDED_BYTES`] together. Keys as
/// [`read_zip`] gives them; also where they were looked for, for people.
pub(super) fn read_folder_sources(
    qde: &Path,
    raw: &super::qde::RawProject,
) -> Result<(BTreeMap<String, Vec<u8>>, String), ImportError> {
    let dir = crate::model::files::folder_of(qde);
    // Lowercased file name to path, in one folder.
    let listing = |folder: &Path| -> BTreeMap<String, std::path::PathBuf> {
        std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| (e.file_name().to_string_lossy().to_lowercase(), e.path()))
            .collect()
    };
    let here = listing(&dir);
    let sources = here.get("sources").filter(|p| p.is_dir()).cloned();
    let inside = sources.as_deref().map(listing).unwrap_or_default();
    let place = match &sources {
        Some(folder) => format!("in {} (nor beside the project document)", folder.display()),
        None => format!(
            "beside the project document (there is no sources folder in {})",
            dir.display()
        ),
    };
    let (mut files, mut budget) = (BTreeMap::new(), MAX_EXPANDED_BYTES);
    for path in raw
        .sources
        .iter()
        .filter_map(|s| s.plain_text_path.as_deref())
    {
        let Some(name) = path.rsplit(['/', '\\']).next().map(str::to_lowercase) else {
            continue;
        };
        let key = format!("sources/{name}");
        if name.is_empty() || name == "." || name == ".." || files.contains_key(&key) {
            continue;
        }
        let Some(file) = inside.get(&name).or_else(|| here.get(&name)) else {
            continue;
        };
        let data = crate::import::read_bounded(file, budget, "a REFI-QDA source text")?;
        budget = budget.saturating_sub(data.len() as u64);
        files.insert(key, data);
    }
    Ok((files, place))
}

/// The text file a `plainTextPath` names: `internal://x.txt` is `sources/x.txt` (any case).
pub(super) fn source_file<'a>(
    files: &'a BTreeMap<String, Vec<u8>>,
    path: &str,
) -> Option<&'a Vec<u8>> {
    let file = path.rsplit(['/', '\\']).next()?.to_lowercase();
    files.get(&format!("sources/{file}")).or_else(|| {
        files
            .iter()
            .find(|(k, _)| k.rsplit('/').next() == Some(file.as_str()))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn refuses_bombs_and_escapes_and_finds_a_named_qde() {
        // A megabyte of zeros packs a thousand times: a bomb, whatever the budget.
        let zeros = vec![0u8; 1 << 20];
        let bomb = archive(&[("project.qde", b"<Project/>"), ("sources/a.txt", &zeros)]);
        assert!(bomb.len() < 10_000, "a megabyte of zeros packs small");
        let err = read_zip_within(Path::new("b.qdpx"), Cursor::new(&bomb), 2 << 20).unwrap_err();
        assert!(err.to_string().contains("zip bomb"), "{err}");
        // A megabyte of letters packs like text: refused only past the budget.
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let letters: Vec<u8> = (0..1 << 20)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                b"etaoin shrdlu"[(seed % 13) as usize]
            })
            .collect();
        let big = archive(&[("project.qde", b"<Project/>"), ("sources/a.txt", &letters)]);
        let err = read_zip_within(Path::new("b.qdpx"), Cursor::new(&big), 100_000).unwrap_err();
        assert!(err.to_string().contains("expands past the limit"), "{err}");
        assert!(read_zip_within(Path::new("b.qdpx"), Cursor::new(&big), 2 << 20).is_ok());
        let escape = archive(&[("/etc/passwd.txt", b"x")]);
        let err = read_zip(Path::new("e.qdpx"), &escape).unwrap_err();
        assert!(err.to_string().contains("outside the archive"), "{err}");
        let named = archive(&[
            ("old/project.qde", b"<Old/>"),
            ("My study.qde", b"<Project/>"),
            ("Sources/X.TXT", b"hi"),
        ]);
        let (xml, files) = read_zip(Path::new("n.qdpx"), &named).unwrap();
        assert_eq!(xml, "<Project/>");
        assert_eq!(
            source_file(&files, "internal://x.txt").map(Vec::as_slice),
            Some(&b"hi"[..])
        );
        let err = read_zip(Path::new("none.qdpx"), &archive(&[("a.txt", b"x")])).unwrap_err();
        assert!(err.to_string().contains("no project.qde"), "{err}");
    }
}
