//! Questions about a document that the model answers once, so that every format agrees
//! (issue 12: the writers' own copies disagreed).

use crate::support::bindery;

/// `date: 2025-01-15x` is not a date for any writer: the PDF writer read it as 15 January
/// 2025 while the EPUB writer left it out with a warning.
#[test]
fn a_malformed_date_is_read_alike_by_pdf_and_epub() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("d.md");
    for (date, expected) in [("2025-01-15x", None), ("2024-02-29", Some("2024-02-29"))] {
        std::fs::write(
            &input,
            format!("---\ntitle: D\ndate: {date}\n---\n\nText.\n"),
        )
        .unwrap();
        for format in ["pdf", "epub"] {
            let out = dir.path().join(format!("d.{format}"));
            bindery()
                .arg("convert")
                .arg(&input)
                .arg("-o")
                .arg(&out)
                .arg("--no-system-fonts")
                .env_remove("SOURCE_DATE_EPOCH")
                .assert()
                .success();
        }
        let pdf = std::fs::read(dir.path().join("d.pdf")).unwrap();
        let pdf = String::from_utf8_lossy(&pdf);
        // Typst writes the info dictionary's dates as /CreationDate(D:YYYYMMDD...).
        let pdf_date = pdf.find("/CreationDate(D:").map(|at| {
            let digits = &pdf[at + 16..at + 24];
            format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8])
        });
        let epub = std::fs::read(dir.path().join("d.epub")).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
        let mut opf = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("OEBPS/content.opf").unwrap(), &mut opf)
            .unwrap();
        let epub_date = opf
            .find("<dc:date>")
            .map(|at| opf[at + 9..at + 19].to_string());
        assert_eq!(pdf_date.as_deref(), expected, "PDF, date {date}");
        assert_eq!(epub_date.as_deref(), expected, "EPUB, date {date}\n{opf}");
    }
}
